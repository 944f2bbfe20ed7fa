#pragma once
// What every resampling procedure shares (the bootstrap, the fit test, the groups' permutation
// tests, PLSpredict's folds): one random stream per replicate, the Fisher–Yates shuffle, the type-7
// quantile, and a resample's correlation matrix built from row counts without copying the data.
// The loop over replicates is in replicates.hpp.
#include <Eigen/Core>
#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "csipls/core/dataset.hpp"

namespace csipls::detail {

// Seed of replicate r's generator: splitmix64(splitmix64(stream) xor r). SplitMix64 (Steele, Lea &
// Flood 2014) is a bijective mixer, so distinct (stream, r) give distinct, well-spread seeds.
std::uint64_t replicate_seed(std::uint64_t stream, int replicate);

// The random stream of a group, and of a pair of groups, from their labels (FNV-1a, then mixed):
// fixed on every platform, and independent of which other groups are in the data. A pair's
// relabellings are drawn from pair_stream, so the permutation test of its differences and its
// MICOM see the same relabellings.
std::uint64_t group_stream(std::uint64_t seed, std::string_view label);
std::uint64_t pair_stream(std::uint64_t seed, std::string_view a, std::string_view b);

// How often each of counts.size() respondents is drawn (with replacement) in replicate r: Boost's
// mt19937_64 and uniform_int_distribution, the same draws on every platform and for any thread.
void draw_resample_counts(std::uint64_t stream, int replicate, Eigen::VectorXd& counts);

// Fisher–Yates: position i (from the last down to 1) takes a uniformly chosen element of positions
// 0 … i (boost::random::uniform_int_distribution, the same on every platform).
void shuffle(std::vector<Eigen::Index>& values, boost::random::mt19937_64& engine);

// Quantile type 7 (R's default): linear interpolation between the order statistics around
// (size − 1)·probability. Reorders `values` (two partial selections, no full sort); NaN when empty.
double quantile_type7(std::vector<double>& values, double probability);

// Per-thread buffers for the correlations of a weighted resample; sized once, never reallocated.
struct ResampleMoments {
    explicit ResampleMoments(Eigen::Index indicators);

    // Correlations of the rows of `x` weighted by `counts` (a resample's row counts), centred on the
    // full-sample means first to keep the sums small. Fills `correlation`, `inverse_sd` and
    // `column_sums` (Σ count·(x − full mean)). Returns the index of an indicator constant in the
    // resample, or −1.
    Eigen::Index compute(Eigen::Map<const RowMatrix> x, const Eigen::RowVectorXd& full_means, const Eigen::VectorXd& counts);

    Eigen::VectorXd centred_row;
    Eigen::VectorXd column_sums;
    Eigen::VectorXd inverse_sd;
    Eigen::MatrixXd cross;
    Eigen::MatrixXd correlation;
};

}  // namespace csipls::detail

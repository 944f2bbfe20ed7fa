#pragma once
// Bootstrap-based test of exact (overall model) fit: Beran & Srivastava (1985), Bollen & Stine
// (1992), proposed for PLS by Dijkstra & Henseler (2015), following cSEM's testOMF()
// (R/postestimate_test_OMF.R).
//
// H0: the population indicator correlation matrix equals the model-implied one. The standardized
// data Z are rotated so that their correlation matrix is exactly the estimated model's implied
// matrix Σ̂ (implied_indicator_correlation(..., ImpliedModel::estimated)):
//     X* = Z S^{-1/2} Σ̂^{1/2}        (S the observed correlations; symmetric square roots),
// X* is resampled with replacement, every resample is re-estimated and its SRMR, d_ULS and d_G
// (its own correlations against its own implied matrix) form the reference distribution of each
// statistic under H0. A statistic "exceeds" its 95 % (99 %) quantile when the model is rejected at
// 5 % (1 %).
//
// As in cSEM: Z standardized with sds of divisor n − 1; principal (symmetric) square roots;
// inadmissible resample estimates dropped (.handle_inadmissibles = "drop", the default), so fewer
// than B draws may remain; critical values are type-7 quantiles of the remaining draws; the model is
// rejected unless observed < critical value. Where csipls differs: cSEM refuses an inadmissible
// original estimate, here only a Σ̂ or S that is not positive definite stops the test (the
// admissibility verdict reports the rest); cSEM also tests d_ML, here only SRMR, d_ULS and d_G;
// testOMF reports no p-value, here the plain share of draws ≥ observed (cSEM's testMGD convention);
// draws come from the stream below, not R's generator, so they do not reproduce cSEM's.
//
// Each resample is estimated as `original` was: plain PLS, or PLSc (make_consistent() on the PLS
// estimate) when original.consistent; which H0 is tested depends on that. With PLSc, Σ̂ is
// consistent for a common-factor population: the test is (approximately) exact for reflective
// models, as in cSEM, whose csem() applies PLSc to `=~` blocks by default. With plain PLS a
// reflective block of two or more indicators has λλ' within the block, λ its composite loadings;
// no population with measurement error has within-block correlations equal to products of its
// composite loadings (they exceed the factor loadings), so H0 is false for every common-factor
// population and the test of a plain-PLS estimate rejects such data ever more surely as n grows
// (always, at n = 300, in the unit tests). With plain PLS it is exact for single-indicator blocks
// (a path model).
//
// Determinism: replicate r draws its rows from its own Boost mt19937_64 seeded with
// splitmix64(splitmix64(seed ^ fit_test_stream) ^ r) — the scheme of bootstrap.hpp on a stream of
// its own (fit_test_stream below), so a fit test and a parameter bootstrap run with the same seed
// do not reuse each other's resamples. Every byte of the result is the same for any thread count.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "csipls/core/bootstrap.hpp"  // ReplicateFailure, BootstrapMonitor
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"

namespace csipls {

// XORed into the seed before the replicate seeds are derived: the ASCII bytes of "fit-test".
inline constexpr std::uint64_t fit_test_stream = 0x6669742D74657374ULL;

struct FitTestOptions {
    int resamples = 0;              // 0: no test (only the observed values are filled in)
    std::uint64_t seed = 20240229;  // fixed default, recorded in the result
    int threads = 0;                // 0: every core OpenMP offers; never changes the result

    void validate() const;  // throws UsageError
};

// One discrepancy measure of the estimated model.
struct FitStatisticTest {
    double observed = 0.0;  // on the original data
    // Quantiles of the bootstrap distribution under H0, type 7 (R's default, which cSEM's
    // matrixStats::rowQuantiles uses). NaN with fewer than 3 successful replicates (cSEM refuses then).
    double quantile_95 = 0.0;
    double quantile_99 = 0.0;
    // cSEM's decision rule: do not reject when observed < critical value, so a tie rejects.
    // False when the observed value or the quantile is NaN.
    bool exceeds_95 = false;
    bool exceeds_99 = false;
    // Share of the bootstrap draws ≥ observed (plain share, without the +1 of (count+1)/(B+1): the
    // convention of cSEM's resampling p-values, e.g. testMGD; testOMF itself reports none). Can be 0.
    double p_value = 0.0;
};

struct FitTestResult {
    FitTestOptions options;
    FitStatisticTest srmr;
    FitStatisticTest d_uls;
    FitStatisticTest d_g;
    int succeeded = 0;
    // Replicates left out, in replicate order: a constant indicator in the resample, no convergence,
    // an inadmissible estimate (cSEM's default .handle_inadmissibles = "drop"; the same verdict as
    // Assessment::admissibility) or a non-finite measure.
    std::vector<ReplicateFailure> failures;
    Eigen::MatrixXd draws;              // succeeded replicates × 3: srmr, d_uls, d_g
    std::vector<int> replicate_of_draw;  // replicate number of each row of `draws`
};

// Runs the test for the estimate `original` of `model` on `data` (columns in
// Model::all_indicators() order) with `moments` the moments of that data. Throws UsageError for bad
// options, EstimationError when the data and moments do not belong together, or when the observed
// or the model-implied correlation matrix is not positive definite (the data cannot be transformed),
// and Cancelled when the monitor asks to stop.
FitTestResult bootstrap_fit_test(const Model& model, const Dataset& data, const PlsResult& original,
                                 const IndicatorMoments& moments, const FitTestOptions& options,
                                 BootstrapMonitor* monitor = nullptr);

}  // namespace csipls

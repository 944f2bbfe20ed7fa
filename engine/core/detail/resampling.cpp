#include "resampling.hpp"

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <utility>

namespace csipls::detail {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// FNV-1a: a fixed, platform-independent hash of a group's label.
std::uint64_t label_hash(std::string_view label) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : label) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

}  // namespace

std::uint64_t group_stream(std::uint64_t seed, std::string_view label) { return seed ^ replicate_seed(label_hash(label), 0); }

std::uint64_t pair_stream(std::uint64_t seed, std::string_view a, std::string_view b) {
    return seed ^ replicate_seed(label_hash(a) ^ replicate_seed(label_hash(b), 1), 2);
}

std::uint64_t replicate_seed(std::uint64_t stream, int replicate) {
    return splitmix64(splitmix64(stream) ^ static_cast<std::uint64_t>(replicate));
}

void draw_resample_counts(std::uint64_t stream, int replicate, Eigen::VectorXd& counts) {
    boost::random::mt19937_64 engine(replicate_seed(stream, replicate));
    const auto n = counts.size();
    boost::random::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
    counts.setZero();
    for (Eigen::Index i = 0; i < n; ++i) counts[pick(engine)] += 1.0;
}

ResampleMoments::ResampleMoments(Eigen::Index indicators)
    : centred_row(indicators), column_sums(indicators), inverse_sd(indicators), cross(indicators, indicators),
      correlation(indicators, indicators) {}

Eigen::Index ResampleMoments::compute(Eigen::Map<const RowMatrix> x, const Eigen::RowVectorXd& full_means,
                                      const Eigen::VectorXd& counts) {
    const Eigen::Index n = x.rows();
    const Eigen::Index p = x.cols();
    const double total = counts.sum();
    cross.setZero();
    column_sums.setZero();
    double* cross_data = cross.data();
    double* centred = centred_row.data();
    double* sums = column_sums.data();
    // A plain loop over the lower triangle: Eigen's blocked products would allocate a workspace per
    // call, and about a third of the rows are not in a given resample and cost nothing here.
    for (Eigen::Index i = 0; i < n; ++i) {
        const double count = counts[i];
        if (count == 0.0) continue;
        const double* row = x.data() + i * p;
        for (Eigen::Index a = 0; a < p; ++a) centred[a] = row[a] - full_means[a];
        for (Eigen::Index b = 0; b < p; ++b) {
            const double weighted = count * centred[b];
            sums[b] += weighted;
            double* column = cross_data + b * p;
            for (Eigen::Index a = b; a < p; ++a) column[a] += weighted * centred[a];
        }
    }
    // Σc(x − m̄)(x − m̄)' − total·d·d', d the weighted mean offset, over total − 1.
    for (Eigen::Index b = 0; b < p; ++b)
        for (Eigen::Index a = b; a < p; ++a) cross_data[a + b * p] -= sums[a] * sums[b] / total;
    cross /= (total - 1.0);
    for (Eigen::Index j = 0; j < p; ++j) {
        const double variance = cross(j, j);
        if (!(variance > 1e-24)) return j;
        inverse_sd[j] = 1.0 / std::sqrt(variance);
    }
    for (Eigen::Index b = 0; b < p; ++b) {
        correlation(b, b) = 1.0;
        for (Eigen::Index a = b + 1; a < p; ++a)
            correlation(a, b) = correlation(b, a) = cross(a, b) * inverse_sd[a] * inverse_sd[b];
    }
    return -1;
}

void shuffle(std::vector<Eigen::Index>& values, boost::random::mt19937_64& engine) {
    for (std::size_t i = values.size(); i-- > 1;) {
        boost::random::uniform_int_distribution<std::size_t> pick(0, i);
        std::swap(values[i], values[pick(engine)]);
    }
}

double quantile_type7(std::vector<double>& values, double probability) {
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double h = (static_cast<double>(values.size()) - 1.0) * probability;
    const auto low = static_cast<std::size_t>(std::floor(h));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(low), values.end());
    const double below = values[low];
    if (low + 1 >= values.size()) return below;
    const double above = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(low) + 1, values.end());
    return below + (h - static_cast<double>(low)) * (above - below);
}

}  // namespace csipls::detail

#include "csipls/core/micom.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "csipls/core/error.hpp"
#include "detail/blocks.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"
#include "detail/rows.hpp"

namespace csipls {

const char* to_string(MicomCompositeData data) {
    return data == MicomCompositeData::raw_pooled ? "raw_pooled" : "standardized_pooled";
}

const char* to_string(MicomVerdict verdict) {
    switch (verdict) {
        case MicomVerdict::full: return "full";
        case MicomVerdict::partial: return "partial";
        default: return "none";
    }
}

void MicomOptions::validate() const {
    if (permutations < 2 || permutations > 1'000'000)
        throw UsageError("MicomOptions.permutations must be between 2 and 1000000, got " + std::to_string(permutations) +
                         " (the paper asks for 5000)");
    if (!(alpha > 0.0 && alpha < 0.5)) throw UsageError("MicomOptions.alpha must be between 0 and 0.5 (exclusive), got " + number_text(alpha));
    if (threads < 0 || threads > 4096) throw UsageError("MicomOptions.threads must be between 0 (all cores) and 4096");
    missing.validate();
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// c of every block: the correlation of the composites X·w_a and X·w_b, from the covariance matrix
// of X (the pair's pooled correlations, or its covariances for cSEM's raw data), so no composite
// is ever formed row by row.
void composite_correlations(const detail::BlockLayout& layout, const Eigen::MatrixXd& covariance, const Eigen::VectorXd& w_a,
                            const Eigen::VectorXd& w_b, Eigen::Ref<Eigen::VectorXd> c) {
    for (std::size_t k = 0; k < layout.blocks.size(); ++k) {
        const auto& block = layout.blocks[k];
        const auto s = covariance.block(block.start, block.start, block.size, block.size);
        const auto a = w_a.segment(block.start, block.size);
        const auto b = w_b.segment(block.start, block.size);
        c[static_cast<Eigen::Index>(k)] = a.dot(s * b) / std::sqrt(a.dot(s * a) * b.dot(s * b));
    }
}

// Step 3's statistics of one split of the pooled scores: `in_a[i]` says whether score row i is in
// group a. Rows without a score (left out by listwise deletion) are skipped.
void mean_and_variance_differences(const Eigen::MatrixXd& scores, const std::vector<char>& in_a, Eigen::Ref<Eigen::VectorXd> mean_diff,
                                   Eigen::Ref<Eigen::VectorXd> log_var_ratio) {
    for (Eigen::Index k = 0; k < scores.cols(); ++k) {
        double n[2] = {0, 0}, mean[2] = {0, 0}, m2[2] = {0, 0};
        for (Eigen::Index i = 0; i < scores.rows(); ++i) {
            const double x = scores(i, k);
            if (!std::isfinite(x)) continue;
            const int g = in_a[static_cast<std::size_t>(i)] ? 0 : 1;
            // Welford's update: exact enough for scores of unit variance, one pass.
            n[g] += 1;
            const double delta = x - mean[g];
            mean[g] += delta / n[g];
            m2[g] += delta * (x - mean[g]);
        }
        mean_diff[k] = mean[0] - mean[1];
        log_var_ratio[k] = n[0] > 1 && n[1] > 1 ? std::log(m2[0] / (n[0] - 1)) - std::log(m2[1] / (n[1] - 1)) : nan;
    }
}

// The finite values of row `row` of `draws`.
std::vector<double> finite_row(const Eigen::MatrixXd& draws, Eigen::Index row) {
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(draws.cols()));
    for (Eigen::Index p = 0; p < draws.cols(); ++p)
        if (std::isfinite(draws(row, p))) values.push_back(draws(row, p));
    return values;
}

struct TwoSided {
    double lower, upper, p, p_share;
};

// The step-3 interval and p-values of `observed` against its permutation values.
TwoSided two_sided(std::vector<double> values, double observed, double alpha) {
    TwoSided out{nan, nan, nan, nan};
    if (values.empty() || !std::isfinite(observed)) return out;
    const double magnitude = std::abs(observed);
    int reached = 0, beyond = 0;
    for (const double v : values) {
        // A relative allowance so that ties with the observed value count as reached.
        if (std::abs(v) >= magnitude * (1.0 - 1e-12)) ++reached;
        if (v > magnitude || v < -magnitude) ++beyond;
    }
    const auto used = static_cast<double>(values.size());
    out.p = (reached + 1.0) / (used + 1.0);
    out.p_share = beyond / used;
    out.lower = detail::quantile_type7(values, alpha / 2);
    out.upper = detail::quantile_type7(values, 1 - alpha / 2);
    return out;
}

// One permutation's estimate of a group from its rows: the outer weights.
Eigen::VectorXd group_weights(const Model& model, const Dataset& data, const std::vector<Eigen::Index>& rows,
                              const EstimationOptions& options, const MissingOptions& missing) {
    const IndicatorMoments moments = compute_moments(detail::select_rows(data, rows, detail::CaseWeights::drop), missing);
    PlsResult result = estimate(model, moments, options);
    if (!result.converged)
        throw EstimationError("the PLS iteration did not converge in " + std::to_string(result.iterations) + " iterations");
    return std::move(result.outer_weights);
}

// What is fixed for a pair across its permutations.
struct PairSetup {
    std::vector<Eigen::Index> rows;  // group a's rows, then group b's
    Eigen::Index size_a = 0;
    Eigen::MatrixXd covariance;      // of the indicators the step-2 composites are built from
    Eigen::MatrixXd scores;          // step 3: scores of the pair's pooled estimation, in `rows` order
    std::uint64_t stream = 0;
};

PairSetup set_up_pair(const Model& model, const Dataset& data, const GroupRows& by_group, int a, int b, const EstimationOptions& options,
                      const MicomOptions& micom_options) {
    PairSetup pair;
    const auto& rows_a = by_group.rows[static_cast<std::size_t>(a)];
    const auto& rows_b = by_group.rows[static_cast<std::size_t>(b)];
    pair.rows = rows_a;
    pair.rows.insert(pair.rows.end(), rows_b.begin(), rows_b.end());
    pair.size_a = static_cast<Eigen::Index>(rows_a.size());
    const Dataset pooled = detail::select_rows(data, pair.rows, detail::CaseWeights::drop);
    const IndicatorMoments moments = compute_moments(pooled, micom_options.missing);
    pair.covariance = moments.correlation;
    if (micom_options.composite_data == MicomCompositeData::raw_pooled)
        pair.covariance = moments.sds.asDiagonal() * moments.correlation * moments.sds.asDiagonal();
    const PlsResult estimate_on_pair = estimate(model, moments, options);
    if (!estimate_on_pair.converged)
        throw EstimationError("the estimation on the two groups' rows together did not converge in " +
                              std::to_string(estimate_on_pair.iterations) + " iterations");
    pair.scores = construct_scores(estimate_on_pair, moments,
                                   has_missing_values(pooled) ? fill_missing_for_scores(pooled, moments, micom_options.missing) : pooled);
    pair.stream = detail::pair_stream(micom_options.seed, by_group.names[static_cast<std::size_t>(a)], by_group.names[static_cast<std::size_t>(b)]);
    return pair;
}

}  // namespace

MicomResult micom(const Model& model, const Dataset& data, const GroupsResult& groups, const EstimationOptions& options,
                  const std::vector<std::pair<int, int>>& pairs, const MicomOptions& micom_options, BootstrapMonitor* monitor) {
    micom_options.validate();
    options.validate();
    if (groups.pooled)
        throw UsageError("MICOM compares the groups' own weights: estimate each group on its own, not with the pooled weights");
    if (data.case_weights.size() > 0) throw UsageError("MICOM does not work with case weights yet");
    const GroupRows by_group = group_rows(data);
    if (by_group.names.size() != groups.groups.size()) throw EstimationError("the groups' estimates do not belong to these data");
    const detail::BlockLayout layout = detail::block_layout(model);
    const auto constructs = static_cast<Eigen::Index>(layout.blocks.size());

    MicomResult out;
    out.options = micom_options;
    out.configural_checks = {
        "one model for every group: the same constructs, indicators, measurement modes and paths",
        "the same treatment of missing answers in every group: " + to_string(micom_options.missing.treatment),
        "indicators standardized within each group (sample sd, divisor n - 1)",
        "the same estimation settings in every group: " + to_string(options.scheme) + " weighting scheme, tolerance " +
            number_text(options.tolerance) + ", at most " + std::to_string(options.max_iterations) + " iterations",
        "every indicator answered and varying in both groups of a pair (a group where one is not cannot be estimated, and its "
        "pairs say so)"};

    // Pairs whose groups were estimated get a setup; the others say why they are not tested.
    std::vector<PairSetup> setups;
    std::vector<int> tested;  // positions in out.pairs
    for (const auto& [a, b] : pairs) {
        MicomPair pair;
        pair.a = a;
        pair.b = b;
        for (const int g : {a, b}) {
            const GroupEstimate& group = groups.groups[static_cast<std::size_t>(g)];
            if (!group.ok() && pair.error.empty()) pair.error = "group '" + group.name + "' could not be estimated: " + group.error;
        }
        if (pair.ok()) {
            try {
                setups.push_back(set_up_pair(model, data, by_group, a, b, options, micom_options));
                tested.push_back(static_cast<int>(out.pairs.size()));
            } catch (const Error& error) {
                pair.error = "groups '" + groups.groups[static_cast<std::size_t>(a)].name + "' and '" +
                             groups.groups[static_cast<std::size_t>(b)].name + "' together: " + error.what();
            }
        }
        out.pairs.push_back(std::move(pair));
    }

    // Each (pair, permutation) is a task with its own relabelling; a task writes only its column of
    // `draws` (c, mean difference, log variance ratio per construct), so nothing depends on threads.
    const int permutations = micom_options.permutations;
    const auto task_count = static_cast<long>(setups.size()) * permutations;
    Eigen::MatrixXd draws(3 * constructs, task_count);
    const int threads = detail::thread_count(micom_options.threads);
    std::vector<std::vector<char>> in_a_buffer(static_cast<std::size_t>(threads));
    std::vector<std::vector<Eigen::Index>> position_buffer(static_cast<std::size_t>(threads));
    const std::vector<std::string> reasons = detail::run_replicates({task_count, threads, 4, monitor}, [&](int thread, long task) {
        const PairSetup& pair = setups[static_cast<std::size_t>(task / permutations)];
        const auto replicate = static_cast<int>(task % permutations);
        const auto n = static_cast<Eigen::Index>(pair.rows.size());
        // The pair's relabelling: the same shuffle of the same length as the groups' permutation test.
        auto& positions = position_buffer[static_cast<std::size_t>(thread)];
        positions.resize(static_cast<std::size_t>(n));
        std::iota(positions.begin(), positions.end(), Eigen::Index{0});
        boost::random::mt19937_64 generator(detail::replicate_seed(pair.stream, replicate));
        detail::shuffle(positions, generator);
        auto& in_a = in_a_buffer[static_cast<std::size_t>(thread)];
        in_a.assign(static_cast<std::size_t>(n), 0);
        for (Eigen::Index i = 0; i < pair.size_a; ++i) in_a[static_cast<std::size_t>(positions[static_cast<std::size_t>(i)])] = 1;
        auto column = draws.col(task);
        // Step 3 needs no estimation: it is recorded even when step 2's estimations fail.
        mean_and_variance_differences(pair.scores, in_a, column.segment(constructs, constructs), column.segment(2 * constructs, constructs));
        column.head(constructs).setConstant(nan);
        std::vector<Eigen::Index> rows_a, rows_b;
        rows_a.reserve(static_cast<std::size_t>(pair.size_a));
        rows_b.reserve(static_cast<std::size_t>(n - pair.size_a));
        for (Eigen::Index i = 0; i < n; ++i) (in_a[static_cast<std::size_t>(i)] ? rows_a : rows_b).push_back(pair.rows[static_cast<std::size_t>(i)]);
        const Eigen::VectorXd w_a = group_weights(model, data, rows_a, options, micom_options.missing);
        const Eigen::VectorXd w_b = group_weights(model, data, rows_b, options, micom_options.missing);
        composite_correlations(layout, pair.covariance, w_a, w_b, column.head(constructs));
        return std::string();
    });

    for (std::size_t s = 0; s < setups.size(); ++s) {
        const PairSetup& setup = setups[s];
        MicomPair& pair = out.pairs[static_cast<std::size_t>(tested[s])];
        const long first = static_cast<long>(s) * permutations;
        for (int p = 0; p < permutations; ++p)
            if (!reasons[static_cast<std::size_t>(first + p)].empty())
                pair.failures.push_back({p, reasons[static_cast<std::size_t>(first + p)]});
        pair.permutations_used = permutations - static_cast<int>(pair.failures.size());
        const Eigen::MatrixXd pair_draws = draws.middleCols(first, permutations);

        Eigen::VectorXd c(constructs), mean_diff(constructs), log_var_ratio(constructs);
        composite_correlations(layout, setup.covariance, groups.groups[static_cast<std::size_t>(pair.a)].result.outer_weights,
                               groups.groups[static_cast<std::size_t>(pair.b)].result.outer_weights, c);
        std::vector<char> in_a(setup.rows.size(), 0);
        std::fill(in_a.begin(), in_a.begin() + setup.size_a, 1);
        mean_and_variance_differences(setup.scores, in_a, mean_diff, log_var_ratio);

        for (Eigen::Index k = 0; k < constructs; ++k) {
            MicomConstruct row;
            row.construct = static_cast<int>(k);
            row.c = c[k];
            std::vector<double> c_values = finite_row(pair_draws, k);
            if (c_values.empty()) {
                row.c_quantile = row.c_p = row.c_p_share = nan;
            } else {
                int below = 0;
                for (const double v : c_values)
                    if (v <= row.c) ++below;
                const auto used = static_cast<double>(c_values.size());
                row.c_p = (below + 1.0) / (used + 1.0);
                row.c_p_share = below / used;
                row.c_quantile = detail::quantile_type7(c_values, micom_options.alpha);
            }
            row.mean_diff = mean_diff[k];
            const TwoSided mean = two_sided(finite_row(pair_draws, constructs + k), row.mean_diff, micom_options.alpha);
            row.mean_lower = mean.lower;
            row.mean_upper = mean.upper;
            row.mean_p = mean.p;
            row.mean_p_share = mean.p_share;
            row.log_var_ratio = log_var_ratio[k];
            const TwoSided var = two_sided(finite_row(pair_draws, 2 * constructs + k), row.log_var_ratio, micom_options.alpha);
            row.var_lower = var.lower;
            row.var_upper = var.upper;
            row.var_p = var.p;
            row.var_p_share = var.p_share;
            // The paper's rules: the quantile for step 2, the intervals for step 3.
            const bool compositional = row.c >= row.c_quantile;
            const bool equal_means = row.mean_lower <= row.mean_diff && row.mean_diff <= row.mean_upper;
            const bool equal_variances = row.var_lower <= row.log_var_ratio && row.log_var_ratio <= row.var_upper;
            row.verdict = !compositional                     ? MicomVerdict::none
                          : equal_means && equal_variances ? MicomVerdict::full
                                                           : MicomVerdict::partial;
            pair.constructs.push_back(row);
        }
        if (pair.permutations_used == 0) pair.error = "no permutation could be estimated (first: " + pair.failures.front().reason + ")";
    }
    return out;
}

}  // namespace csipls

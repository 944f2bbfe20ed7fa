#include "csipls/core/micom.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "csipls/core/error.hpp"
#include "detail/blocks.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"

namespace csipls {

const char* to_string(MicomCompositeData data) {
    return data == MicomCompositeData::raw_pooled ? "raw_pooled" : "standardized_pooled";
}

const char* to_string(MicomPooling pooling) { return pooling == MicomPooling::pair ? "pair" : "all_groups"; }

const char* to_string(MicomVerdict verdict) {
    switch (verdict) {
        case MicomVerdict::full: return "full";
        case MicomVerdict::partial: return "partial";
        case MicomVerdict::undetermined: return "undetermined";
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

// Step 3's moments of one split of the pooled scores: group_of[i] is score row i's group (its
// position among the pool's groups, or −1 when no tested pair needs it). Rows without a score (left
// out by listwise deletion) are skipped; a group without two scores has NaN moments.
void group_score_moments(const Eigen::MatrixXd& scores, const std::vector<int>& group_of, Eigen::Ref<Eigen::MatrixXd> mean,
                         Eigen::Ref<Eigen::MatrixXd> variance, Eigen::Ref<Eigen::MatrixXd> count) {
    mean.setZero();
    variance.setZero();
    count.setZero();
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        const int g = group_of[static_cast<std::size_t>(i)];
        if (g < 0) continue;
        for (Eigen::Index k = 0; k < scores.cols(); ++k) {
            const double x = scores(i, k);
            if (!std::isfinite(x)) continue;
            // Welford's update, one pass.
            count(k, g) += 1;
            const double delta = x - mean(k, g);
            mean(k, g) += delta / count(k, g);
            variance(k, g) += delta * (x - mean(k, g));
        }
    }
    for (Eigen::Index g = 0; g < mean.cols(); ++g)
        for (Eigen::Index k = 0; k < mean.rows(); ++k) {
            if (count(k, g) < 1) mean(k, g) = nan;
            variance(k, g) = count(k, g) > 1 ? variance(k, g) / (count(k, g) - 1) : nan;
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

// The rows pooled for one or more tested pairs, fixed across its permutations: all groups' rows
// (cSEM) or one pair's.
struct Pool {
    std::vector<int> groups;               // positions in GroupsResult::groups, in pool order
    std::vector<char> needed;              // per pool group: in a tested pair, so estimated in each permutation
    std::vector<Eigen::Index> rows;        // the pool groups' rows, group after group
    std::vector<Eigen::Index> size;        // per pool group: its row count
    std::vector<Eigen::Index> start;       // per pool group: its first position in `rows`
    std::vector<std::pair<int, int>> pairs;  // tested pairs as pool-group indices
    std::vector<int> pair_index;           // ... and their positions in MicomResult::pairs
    Eigen::MatrixXd covariance;            // of the indicators the step-2 composites are built from
    Eigen::MatrixXd scores;                // step 3: scores of the pooled estimation, in `rows` order
    std::uint64_t stream = 0;
};

void set_up_pool(Pool& pool, const Model& model, const Dataset& data, const GroupRows& by_group, const EstimationOptions& options,
                 const MicomOptions& micom_options) {
    for (const int g : pool.groups) {
        const auto& rows = by_group.rows[static_cast<std::size_t>(g)];
        pool.start.push_back(static_cast<Eigen::Index>(pool.rows.size()));
        pool.size.push_back(static_cast<Eigen::Index>(rows.size()));
        pool.rows.insert(pool.rows.end(), rows.begin(), rows.end());
    }
    GroupOptions pool_options;  // only its stages: the pool is estimated on its own weights
    pool_options.stages = micom_options.stages;
    const Dataset pooled = group_data(data, pool.rows, options, pool_options);
    const IndicatorMoments moments = compute_moments(pooled, micom_options.missing);
    pool.covariance = moments.correlation;
    if (micom_options.composite_data == MicomCompositeData::raw_pooled)
        pool.covariance = moments.sds.asDiagonal() * moments.correlation * moments.sds.asDiagonal();
    const PlsResult estimate_on_pool = estimate(model, moments, options);
    if (!estimate_on_pool.converged)
        throw EstimationError("the estimation on the pooled rows did not converge in " + std::to_string(estimate_on_pool.iterations) +
                              " iterations");
    pool.scores = construct_scores(estimate_on_pool, moments,
                                   has_missing_values(pooled) ? fill_missing_for_scores(pooled, moments, micom_options.missing) : pooled);
}

// Step 1: the indicators each group of a pair lacks answers in, or whose answers do not vary.
std::vector<std::string> configural_problems(const Dataset& data, const GroupRows& by_group, int group) {
    std::vector<std::string> problems;
    const auto x = data.matrix();
    for (Eigen::Index k = 0; k < x.cols(); ++k) {
        Eigen::Index answered = 0;
        double low = std::numeric_limits<double>::infinity(), high = -low;
        for (const Eigen::Index r : by_group.rows[static_cast<std::size_t>(group)]) {
            const double v = x(r, k);
            if (std::isnan(v)) continue;
            ++answered;
            low = std::min(low, v);
            high = std::max(high, v);
        }
        const std::string& name = data.columns[static_cast<std::size_t>(k)];
        const std::string& label = by_group.names[static_cast<std::size_t>(group)];
        if (answered == 0)
            problems.push_back("indicator '" + name + "' has no answers in group '" + label + "'");
        else if (low == high)
            problems.push_back("indicator '" + name + "' does not vary in group '" + label + "' (every answer " + number_text(low) + ")");
    }
    return problems;
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
    for (std::size_t g = 0; g < groups.groups.size(); ++g)
        if (groups.groups[g].name != by_group.names[g] || groups.groups[g].n_obs != static_cast<Eigen::Index>(by_group.rows[g].size()))
            throw EstimationError("the groups' estimates do not belong to these data");
    const auto group_count = static_cast<int>(groups.groups.size());
    for (const auto& [a, b] : pairs)
        if (a < 0 || b < 0 || a >= group_count || b >= group_count || a == b)
            throw UsageError("MICOM pairs must name two different groups of the data");
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
        "every indicator answered, with more than one answer value, in both groups of each pair"};
    if (micom_options.stages.staged) {
        // The stages' constructs: stage 2's are tested; what is not, is said.
        out.configural_checks.push_back("two stages: every estimation re-runs stage 1 on its own rows; the constructs tested are stage "
                                        "2's, a higher-order construct as the composite of its lower-order scores");
        if (!micom_options.stages.staged->interaction_constructs.empty())
            out.configural_checks.push_back("interaction terms are not tested: a product of two scores is the same composite in every group");
        if (!micom_options.stages.staged->higher_order.empty())
            out.configural_checks.push_back("the lower-order constructs' composition (stage 1's weights) is not tested");
    }
    out.options.stages = {};  // the staged model belongs to the caller
    // The pools: one of all groups, or one per pair. A pair whose groups could not be estimated, or
    // whose pool cannot, says why and is left out of the permutations.
    std::vector<Pool> pools;
    if (micom_options.pooling == MicomPooling::all_groups) {
        Pool all;
        for (int g = 0; g < group_count; ++g) all.groups.push_back(g);
        all.needed.assign(static_cast<std::size_t>(group_count), 0);
        // One stream for the whole relabelling of all groups, apart from every pair's stream.
        all.stream = detail::replicate_seed(micom_options.seed ^ 0x4d49434f4d000000ULL, 0);
        pools.push_back(std::move(all));
    }
    for (const auto& [a, b] : pairs) {
        MicomPair pair;
        pair.a = a;
        pair.b = b;
        for (const int g : {a, b}) {
            for (auto& problem : configural_problems(data, by_group, g)) pair.configural_problems.push_back(std::move(problem));
            const GroupEstimate& group = groups.groups[static_cast<std::size_t>(g)];
            if (!group.ok() && pair.error.empty()) pair.error = "group '" + group.name + "' could not be estimated: " + group.error;
        }
        if (pair.ok()) {
            if (micom_options.pooling == MicomPooling::pair) {
                Pool own;
                own.groups = {a, b};
                own.needed = {1, 1};
                own.stream = detail::pair_stream(micom_options.seed, by_group.names[static_cast<std::size_t>(a)],
                                                 by_group.names[static_cast<std::size_t>(b)]);
                own.pairs = {{0, 1}};
                own.pair_index = {static_cast<int>(out.pairs.size())};
                pools.push_back(std::move(own));
            } else {
                Pool& all = pools.front();
                all.needed[static_cast<std::size_t>(a)] = all.needed[static_cast<std::size_t>(b)] = 1;
                all.pairs.emplace_back(a, b);
                all.pair_index.push_back(static_cast<int>(out.pairs.size()));
            }
        }
        out.pairs.push_back(std::move(pair));
    }
    std::vector<Pool> ready;
    for (auto& pool : pools) {
        if (pool.pairs.empty()) continue;
        try {
            set_up_pool(pool, model, data, by_group, options, micom_options);
            ready.push_back(std::move(pool));
        } catch (const Error& error) {
            for (const int index : pool.pair_index)
                out.pairs[static_cast<std::size_t>(index)].error = std::string("the estimation on the pooled rows failed: ") + error.what();
        }
    }

    // Each (pool, permutation) is a task with its own relabelling; it writes only its column of its
    // pool's draws (per pair: c, mean difference, log variance ratio per construct) and its failures'
    // reasons, so nothing depends on the thread count.
    const int permutations = micom_options.permutations;
    const auto task_count = static_cast<long>(ready.size()) * permutations;
    std::vector<Eigen::MatrixXd> draws(ready.size());
    for (std::size_t q = 0; q < ready.size(); ++q)
        draws[q].resize(3 * constructs * static_cast<Eigen::Index>(ready[q].pairs.size()), permutations);
    // Per task and pool group: why its estimation failed (empty when it did not).
    std::vector<std::vector<std::string>> group_failures(static_cast<std::size_t>(task_count));
    const int threads = detail::thread_count(micom_options.threads);
    // The relabelled groups are estimated as the groups were, on their own weights (PLSc leaves
    // the weights as they are).
    GroupOptions group_options;
    group_options.missing = micom_options.missing;
    group_options.stages = micom_options.stages;
    struct Buffers {
        std::vector<Eigen::Index> positions, rows;
        std::vector<int> group_of;
    };
    std::vector<Buffers> buffers(static_cast<std::size_t>(threads));
    detail::run_replicates({task_count, threads, 4, monitor}, [&](int thread, long task) {
        const std::size_t q = static_cast<std::size_t>(task / permutations);
        const Pool& pool = ready[q];
        const auto replicate = static_cast<int>(task % permutations);
        const auto n = static_cast<Eigen::Index>(pool.rows.size());
        const auto pool_groups = static_cast<Eigen::Index>(pool.groups.size());
        // The relabelling: a shuffle of the pooled positions cut into blocks of the groups' sizes
        // (for a pair the same shuffle, of the same length, as the groups' permutation test).
        Buffers& buffer = buffers[static_cast<std::size_t>(thread)];
        buffer.positions.resize(static_cast<std::size_t>(n));
        std::iota(buffer.positions.begin(), buffer.positions.end(), Eigen::Index{0});
        boost::random::mt19937_64 generator(detail::replicate_seed(pool.stream, replicate));
        detail::shuffle(buffer.positions, generator);
        buffer.group_of.assign(static_cast<std::size_t>(n), -1);
        const std::vector<Eigen::Index>& start = pool.start;
        for (Eigen::Index g = 0; g < pool_groups; ++g)
            if (pool.needed[static_cast<std::size_t>(g)])
                for (Eigen::Index i = 0; i < pool.size[static_cast<std::size_t>(g)]; ++i)
                    buffer.group_of[static_cast<std::size_t>(buffer.positions[static_cast<std::size_t>(start[static_cast<std::size_t>(g)] + i)])] =
                        static_cast<int>(g);
        // Step 3 needs no estimation: it is recorded even when step 2's estimations fail.
        Eigen::MatrixXd mean(constructs, pool_groups), variance(constructs, pool_groups), count(constructs, pool_groups);
        group_score_moments(pool.scores, buffer.group_of, mean, variance, count);
        // Step 2: each needed group's weights from its relabelled rows.
        std::vector<Eigen::VectorXd> weights(pool.groups.size());
        auto& failures = group_failures[static_cast<std::size_t>(task)];
        failures.assign(pool.groups.size(), std::string());
        for (Eigen::Index g = 0; g < pool_groups; ++g) {
            if (!pool.needed[static_cast<std::size_t>(g)]) continue;
            buffer.rows.clear();
            for (Eigen::Index i = 0; i < pool.size[static_cast<std::size_t>(g)]; ++i)
                buffer.rows.push_back(pool.rows[static_cast<std::size_t>(buffer.positions[static_cast<std::size_t>(start[static_cast<std::size_t>(g)] + i)])]);
            // Sorted, so a group's rows are in data order whatever the shuffle (the estimate does not
            // depend on row order, but pairwise deletion's sums are added in this order).
            std::sort(buffer.rows.begin(), buffer.rows.end());
            try {
                weights[static_cast<std::size_t>(g)] =
                    estimate_group(model, group_data(data, buffer.rows, options, group_options), options, group_options, Eigen::VectorXd())
                        .outer_weights;
            } catch (const std::exception& error) {
                failures[static_cast<std::size_t>(g)] = error.what();
            }
        }
        auto column = draws[q].col(replicate);
        for (std::size_t p = 0; p < pool.pairs.size(); ++p) {
            const auto [a, b] = pool.pairs[p];
            auto slot = column.segment(3 * constructs * static_cast<Eigen::Index>(p), 3 * constructs);
            if (weights[static_cast<std::size_t>(a)].size() > 0 && weights[static_cast<std::size_t>(b)].size() > 0)
                composite_correlations(layout, pool.covariance, weights[static_cast<std::size_t>(a)], weights[static_cast<std::size_t>(b)],
                                       slot.head(constructs));
            else
                slot.head(constructs).setConstant(nan);
            slot.segment(constructs, constructs) = mean.col(a) - mean.col(b);
            slot.tail(constructs) = variance.col(a).array().log() - variance.col(b).array().log();
        }
        return std::string();
    });

    for (std::size_t q = 0; q < ready.size(); ++q) {
        const Pool& pool = ready[q];
        // The observed split: every group's own rows.
        std::vector<int> group_of;
        for (std::size_t g = 0; g < pool.groups.size(); ++g)
            group_of.insert(group_of.end(), static_cast<std::size_t>(pool.size[g]), static_cast<int>(g));
        const auto pool_groups = static_cast<Eigen::Index>(pool.groups.size());
        Eigen::MatrixXd mean(constructs, pool_groups), variance(constructs, pool_groups), count(constructs, pool_groups);
        group_score_moments(pool.scores, group_of, mean, variance, count);

        for (std::size_t p = 0; p < pool.pairs.size(); ++p) {
            const auto [a, b] = pool.pairs[p];
            MicomPair& pair = out.pairs[static_cast<std::size_t>(pool.pair_index[p])];
            for (int r = 0; r < permutations; ++r) {
                const auto& failures = group_failures[q * static_cast<std::size_t>(permutations) + static_cast<std::size_t>(r)];
                const std::string& reason = !failures[static_cast<std::size_t>(a)].empty() ? failures[static_cast<std::size_t>(a)]
                                                                                          : failures[static_cast<std::size_t>(b)];
                if (!reason.empty()) pair.failures.push_back({r, reason});
            }
            pair.permutations_used = permutations - static_cast<int>(pair.failures.size());
            if (pair.permutations_used == 0) {
                pair.error = "no permutation could be estimated (first: " + pair.failures.front().reason + ")";
                continue;
            }
            const Eigen::MatrixXd pair_draws = draws[q].middleRows(3 * constructs * static_cast<Eigen::Index>(p), 3 * constructs);
            Eigen::VectorXd c(constructs);
            composite_correlations(layout, pool.covariance, groups.groups[static_cast<std::size_t>(pool.groups[static_cast<std::size_t>(a)])].result.outer_weights,
                                   groups.groups[static_cast<std::size_t>(pool.groups[static_cast<std::size_t>(b)])].result.outer_weights, c);
            for (Eigen::Index k = 0; k < constructs; ++k) {
                if (micom_options.stages.staged && micom_options.stages.staged->is_interaction(static_cast<int>(k))) continue;
                MicomConstruct row;
                row.construct = static_cast<int>(k);
                row.c = c[k];
                std::vector<double> c_values = finite_row(pair_draws, k);
                row.c_quantile_05 = row.c_quantile = row.c_p = row.c_p_share = nan;
                if (!c_values.empty()) {
                    int below = 0;
                    for (const double v : c_values)
                        if (v <= row.c) ++below;
                    const auto used = static_cast<double>(c_values.size());
                    row.c_p = (below + 1.0) / (used + 1.0);
                    row.c_p_share = below / used;
                    row.c_quantile_05 = detail::quantile_type7(c_values, 0.05);
                    row.c_quantile = detail::quantile_type7(c_values, micom_options.alpha);
                }
                row.mean_diff = mean(k, a) - mean(k, b);
                const TwoSided mean_test = two_sided(finite_row(pair_draws, constructs + k), row.mean_diff, micom_options.alpha);
                row.mean_lower = mean_test.lower;
                row.mean_upper = mean_test.upper;
                row.mean_p = mean_test.p;
                row.mean_p_share = mean_test.p_share;
                row.log_var_ratio = std::log(variance(k, a)) - std::log(variance(k, b));
                const TwoSided var_test = two_sided(finite_row(pair_draws, 2 * constructs + k), row.log_var_ratio, micom_options.alpha);
                row.var_lower = var_test.lower;
                row.var_upper = var_test.upper;
                row.var_p = var_test.p;
                row.var_p_share = var_test.p_share;
                // The paper's rules: the quantile for step 2, the intervals for step 3.
                const bool defined = std::isfinite(row.c) && std::isfinite(row.c_quantile) && std::isfinite(row.mean_diff) &&
                                     std::isfinite(row.mean_lower) && std::isfinite(row.mean_upper) && std::isfinite(row.log_var_ratio) &&
                                     std::isfinite(row.var_lower) && std::isfinite(row.var_upper);
                const bool compositional = row.c >= row.c_quantile;
                const bool equal_means = row.mean_lower <= row.mean_diff && row.mean_diff <= row.mean_upper;
                const bool equal_variances = row.var_lower <= row.log_var_ratio && row.log_var_ratio <= row.var_upper;
                row.verdict = !defined                         ? MicomVerdict::undetermined
                              : !compositional                 ? MicomVerdict::none
                              : equal_means && equal_variances ? MicomVerdict::full
                                                               : MicomVerdict::partial;
                pair.constructs.push_back(row);
            }
        }
    }
    return out;
}

}  // namespace csipls

#include "csipls/core/groups.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>

#include "csipls/core/consistent.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/two_stage.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"
#include "detail/rows.hpp"

namespace csipls {

void GroupOptions::validate() const {
    if (threads < 0 || threads > 4096) throw UsageError("GroupOptions.threads must be between 0 (all cores) and 4096");
    if (permutations < 0 || permutations == 1 || permutations > 1'000'000)
        throw UsageError("GroupOptions.permutations must be 0 (none) or between 2 and 1000000, got " + std::to_string(permutations));
    if (pairs == Pairs::listed && listed_pairs.empty()) throw UsageError("no group pairs listed for difference tests");
    if (stages.staged && pooled)
        throw UsageError("`groups.pooled` keeps the pooled weights in every group; with two stages stage 1's weights would have to "
                         "be kept as well, which is not supported: estimate each group on its own");
}

bool natural_less(std::string_view a, std::string_view b) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t i_end = i, j_end = j;
            while (i_end < a.size() && digit(a[i_end])) ++i_end;
            while (j_end < b.size() && digit(b[j_end])) ++j_end;
            // Compare digit runs by value: skip leading zeros, then longer is larger, then lexically.
            std::size_t i0 = i, j0 = j;
            while (i0 + 1 < i_end && a[i0] == '0') ++i0;
            while (j0 + 1 < j_end && b[j0] == '0') ++j0;
            const auto run_a = a.substr(i0, i_end - i0), run_b = b.substr(j0, j_end - j0);
            if (run_a.size() != run_b.size()) return run_a.size() < run_b.size();
            if (run_a != run_b) return run_a < run_b;
            i = i_end;
            j = j_end;
            continue;
        }
        if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
        ++i;
        ++j;
    }
    if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
    return a < b;  // equal under the natural order ("01" and "1"): fall back to bytes for a strict order
}

namespace {

// The compared quantities: paths, R² of endogenous constructs and, with scales, the indices.
bool compared_kind(BootstrapParameter::Kind kind) { return parameter_kind(kind).compared_between_groups; }

double parameter_value(const PlsResult& result, const Eigen::VectorXd& index, const BootstrapParameter& parameter) {
    using Kind = BootstrapParameter::Kind;
    switch (parameter.kind) {
        case Kind::path: return result.path_coefficients(parameter.from, parameter.to);
        case Kind::r2: return result.r2[parameter.to];
        case Kind::csi_index: return index[parameter.to];
        default: return std::numeric_limits<double>::quiet_NaN();
    }
}

int find_parameter(const std::vector<BootstrapParameter>& parameters, const BootstrapParameter& wanted) {
    for (std::size_t i = 0; i < parameters.size(); ++i)
        if (parameters[i].kind == wanted.kind && parameters[i].from == wanted.from && parameters[i].to == wanted.to)
            return static_cast<int>(i);
    return -1;
}

// One group's estimate (and its indices) from its rows: on its own, or under the pooled weights.
struct GroupFit {
    PlsResult result;
    Eigen::VectorXd index;
    std::vector<bool> negative_weight;
};

GroupFit fit_group(const Model& model, const Dataset& part, const EstimationOptions& options,
                   const std::vector<AnswerScale>& scales, const GroupOptions& group_options,
                   const Eigen::VectorXd& pooled_weights) {
    IndicatorMoments moments;
    GroupFit fit;
    fit.result = estimate_group(model, part, options, group_options, pooled_weights, &moments);
    const StagedModel* staged = group_options.stages.staged;
    // The interaction paths on seminr's scale, as the pooled result's (the model-implied
    // correlations of the omnibus test need estimate_group's standardized ones).
    if (staged) rescale_interactions(*staged, moments.sds, fit.result);
    if (!scales.empty()) {
        CsiIndex index = csi_indices(fit.result, moments.means, moments.sds, scales);
        fit.index = std::move(index.index);
        fit.negative_weight = std::move(index.negative_weight);
        if (staged) clear_interaction_indices(*staged, fit.index, fit.negative_weight);
    }
    return fit;
}

std::vector<std::string> sorted_labels(const Dataset& data, std::vector<int>& position_of_code) {
    std::vector<int> order(data.group_names.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return natural_less(data.group_names[static_cast<std::size_t>(a)], data.group_names[static_cast<std::size_t>(b)]); });
    std::vector<std::string> names;
    position_of_code.assign(order.size(), 0);
    for (std::size_t i = 0; i < order.size(); ++i) {
        names.push_back(data.group_names[static_cast<std::size_t>(order[i])]);
        position_of_code[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
    }
    return names;
}

}  // namespace

std::vector<std::pair<int, int>> tested_group_pairs(const std::vector<std::string>& names, const GroupOptions& options) {
    std::vector<std::pair<int, int>> pairs;
    const int count = static_cast<int>(names.size());
    const bool all = options.pairs == GroupOptions::Pairs::all ||
                     (options.pairs == GroupOptions::Pairs::automatic && count <= GroupOptions::automatic_pair_limit);
    if (all) {
        for (int a = 0; a < count; ++a)
            for (int b = a + 1; b < count; ++b) pairs.emplace_back(a, b);
    } else if (options.pairs == GroupOptions::Pairs::listed) {
        auto position = [&](const std::string& label) {
            const auto it = std::find(names.begin(), names.end(), label);
            if (it == names.end()) throw UsageError("group '" + label + "' (in --group-pairs) is not in the data");
            return static_cast<int>(it - names.begin());
        };
        for (const auto& [a, b] : options.listed_pairs) {
            const int i = position(a), j = position(b);
            if (i == j) throw UsageError("the group pair '" + a + ":" + a + "' compares group '" + a + "' with itself");
            pairs.emplace_back(i, j);
        }
    }
    return pairs;
}

Dataset rows_of_data(const Dataset& data, std::span<const Eigen::Index> rows) {
    return detail::select_rows(data, rows, detail::CaseWeights::keep);
}

Dataset group_data(const Dataset& data, std::span<const Eigen::Index> rows, const EstimationOptions& options,
                   const GroupOptions& group_options, Dataset* items, PlsResult* stage1) {
    Dataset part = rows_of_data(data, rows);
    const StagedModel* staged = group_options.stages.staged;
    if (!staged) return part;
    // Items with missing answers come under mean replacement (the study takes listwise deletion
    // before the groups): each part has its own means, as a study of its rows alone.
    if (has_missing_values(part)) {
        const MissingOptions mean{MissingTreatment::mean};
        part = fill_missing_for_scores(part, compute_moments(part, mean), mean);
    }
    StageOne first = run_stage_one(*staged, part, options, group_options.stages.item_scales);
    if (!first.estimate.converged)
        throw EstimationError("stage 1 did not converge in " + std::to_string(first.estimate.iterations) + " iterations");
    if (items) *items = std::move(part);
    if (stage1) *stage1 = std::move(first.estimate);
    return std::move(first.stage2_data);
}

PlsResult estimate_group(const Model& model, const Dataset& part, const EstimationOptions& options, const GroupOptions& group_options,
                         const Eigen::VectorXd& pooled_weights, IndicatorMoments* moments_out) {
    IndicatorMoments moments = compute_moments(part, group_options.missing);
    PlsResult result = group_options.pooled
                           ? estimate_with_weights(model, moments, options, pooled_weights.cwiseProduct(moments.sds))
                           : estimate(model, moments, options);
    if (!result.converged)
        throw EstimationError("the PLS iteration did not converge in " + std::to_string(result.iterations) + " iterations");
    if (group_options.consistent) result = make_consistent(model, result, moments);
    if (moments_out) *moments_out = std::move(moments);
    return result;
}

GroupRows group_rows(const Dataset& data) {
    if (data.group_of_row.size() != static_cast<std::size_t>(data.rows)) throw UsageError("the data have no group column");
    GroupRows out;
    std::vector<int> position_of_code;
    out.names = sorted_labels(data, position_of_code);
    out.rows.resize(out.names.size());
    for (Eigen::Index r = 0; r < data.rows; ++r)
        out.rows[static_cast<std::size_t>(position_of_code[static_cast<std::size_t>(data.group_of_row[static_cast<std::size_t>(r)])])].push_back(r);
    return out;
}

long group_analysis_steps(const Dataset& data, const BootstrapOptions& boot, const GroupOptions& group_options) {
    const auto names = group_rows(data).names;
    long steps = static_cast<long>(names.size()) * boot.resamples;
    if (group_options.permutations > 0)
        steps += static_cast<long>(tested_group_pairs(names, group_options).size()) * group_options.permutations;
    return steps;
}

GroupsResult estimate_groups(const Model& model, const Dataset& data, const PlsResult& pooled,
                             const IndicatorMoments& pooled_moments, const EstimationOptions& options,
                             const std::vector<AnswerScale>& scales, const BootstrapOptions& boot,
                             const GroupOptions& group_options, BootstrapMonitor* monitor) {
    group_options.validate();
    boot.validate();
    const StagedModel* staged = group_options.stages.staged;
    if (data.columns != (staged ? staged->items : pooled.indicators))
        throw EstimationError(staged ? "the data columns are not stage 1's items" : "the data columns are not in the model's indicator order");

    GroupsResult out;
    out.pooled = group_options.pooled;
    const GroupRows by_group = group_rows(data);
    const std::vector<std::string>& names = by_group.names;
    const std::vector<std::vector<Eigen::Index>>& rows_of = by_group.rows;
    const auto group_count = static_cast<int>(names.size());
    out.groups.resize(names.size());
    for (std::size_t g = 0; g < names.size(); ++g) {
        out.groups[g].name = names[g];
        out.groups[g].n_obs = static_cast<Eigen::Index>(rows_of[g].size());
    }

    // The pooled unstandardized weights: what every group keeps in pooled mode.
    const Eigen::VectorXd pooled_weights = pooled.outer_weights.cwiseQuotient(pooled_moments.sds);
    const std::vector<BootstrapParameter> all_parameters = bootstrap_parameters(pooled, !scales.empty());
    std::vector<BootstrapParameter> compared;
    for (const auto& parameter : all_parameters)
        if (compared_kind(parameter.kind) && !(staged && staged->is_interaction_index(parameter))) compared.push_back(parameter);

    // Largest groups first, so that one big group does not start last and finish alone.
    std::vector<int> schedule(names.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    std::stable_sort(schedule.begin(), schedule.end(),
                     [&](int a, int b) { return rows_of[static_cast<std::size_t>(a)].size() > rows_of[static_cast<std::size_t>(b)].size(); });
    const int threads = detail::thread_count(group_options.threads);
    // Progress is the groups' bootstrap replicates (counted by bootstrap()), not the groups.
    std::vector<std::string> group_error =
        detail::run_replicates({group_count, threads, 1, monitor, false}, [&](int, long s) {
            GroupEstimate& group = out.groups[static_cast<std::size_t>(schedule[static_cast<std::size_t>(s)])];
            Dataset items;
            PlsResult stage1;
            const Dataset part =
                group_data(data, rows_of[static_cast<std::size_t>(schedule[static_cast<std::size_t>(s)])], options, group_options, &items, &stage1);
            GroupFit fit = fit_group(model, part, options, scales, group_options, pooled_weights);
            group.result = std::move(fit.result);
            group.index = std::move(fit.index);
            group.negative_weight = std::move(fit.negative_weight);
            if (boot.resamples > 0) {
                BootstrapOptions own = boot;
                own.threads = 1;  // the groups are the parallel loop
                own.seed = detail::group_stream(boot.seed, group.name);
                own.index_scales = scales;
                own.missing = group_options.missing;
                if (group_options.pooled) own.fixed_weights = pooled_weights;
                std::optional<TwoStageBootstrap> stages;
                if (staged) stages = TwoStageBootstrap{staged, &items, &stage1, group_options.stages.item_scales};
                BootstrapResult resampled = bootstrap(model, part, group.result, own, monitor, stages ? &*stages : nullptr);
                // Keep only the compared quantities' draws (and BCa's jackknife values), aligned
                // with `compared`.
                Eigen::MatrixXd draws(resampled.succeeded, static_cast<Eigen::Index>(compared.size()));
                Eigen::MatrixXd jackknife(resampled.jackknife.cols() > 0 ? static_cast<Eigen::Index>(compared.size()) : 0,
                                          resampled.jackknife.cols());
                std::vector<ParameterSummary> summaries(compared.size());
                for (std::size_t c = 0; c < compared.size(); ++c) {
                    const int column = find_parameter(resampled.parameters, compared[c]);
                    if (column < 0) throw EstimationError("a compared parameter is missing from the group's bootstrap");
                    draws.col(static_cast<Eigen::Index>(c)) = resampled.draws.col(column);
                    if (jackknife.rows() > 0) jackknife.row(static_cast<Eigen::Index>(c)) = resampled.jackknife.row(column);
                    summaries[c] = resampled.summaries[static_cast<std::size_t>(column)];
                }
                resampled.draws = std::move(draws);
                resampled.jackknife = std::move(jackknife);
                resampled.parameters = compared;
                resampled.summaries = std::move(summaries);
                group.bootstrap = std::move(resampled);
            }
            return std::string();
        });
    for (int s = 0; s < group_count; ++s)
        out.groups[static_cast<std::size_t>(schedule[static_cast<std::size_t>(s)])].error =
            std::move(group_error[static_cast<std::size_t>(s)]);
    for (const auto& group : out.groups)
        if (!group.ok()) ++out.failed;

    // Differences between pairs of groups.
    const auto pairs = tested_group_pairs(names, group_options);
    const boost::math::normal standard_normal;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto& [a, b] : pairs) {
        const GroupEstimate& ga = out.groups[static_cast<std::size_t>(a)];
        const GroupEstimate& gb = out.groups[static_cast<std::size_t>(b)];
        if (!ga.ok() || !gb.ok()) continue;
        for (std::size_t c = 0; c < compared.size(); ++c) {
            GroupDifference d;
            d.a = a;
            d.b = b;
            d.parameter = compared[c];
            d.difference = parameter_value(ga.result, ga.index, compared[c]) - parameter_value(gb.result, gb.index, compared[c]);
            d.se = d.bootstrap_p = d.permutation_p = nan;
            if (ga.bootstrap && gb.bootstrap) {
                const double se_a = ga.bootstrap->summaries[c].se, se_b = gb.bootstrap->summaries[c].se;
                d.se = std::sqrt(se_a * se_a + se_b * se_b);
                if (d.se > 0 && std::isfinite(d.se))
                    d.bootstrap_p = 2.0 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(d.difference / d.se)));
            }
            out.differences.push_back(d);
        }
    }

    if (group_options.permutations > 0 && !out.differences.empty()) {
        // Every (pair, permutation) is a task with its own random stream; the tasks write their own
        // slots and the counting below runs in order, so the result does not depend on threads.
        std::vector<std::pair<int, int>> tested;
        for (const auto& [a, b] : pairs)
            if (out.groups[static_cast<std::size_t>(a)].ok() && out.groups[static_cast<std::size_t>(b)].ok()) tested.emplace_back(a, b);
        const int permutations = group_options.permutations;
        const auto task_count = static_cast<long>(tested.size()) * permutations;
        Eigen::MatrixXd permuted(static_cast<Eigen::Index>(compared.size()), task_count);
        const std::vector<std::string> failed = detail::run_replicates({task_count, threads, 4, monitor}, [&](int, long task) {
            const auto [a, b] = tested[static_cast<std::size_t>(task / permutations)];
            const auto replicate = static_cast<int>(task % permutations);
            const auto& rows_a = rows_of[static_cast<std::size_t>(a)];
            const auto& rows_b = rows_of[static_cast<std::size_t>(b)];
            std::vector<Eigen::Index> rows(rows_a);
            rows.insert(rows.end(), rows_b.begin(), rows_b.end());
            boost::random::mt19937_64 generator(
                detail::replicate_seed(detail::pair_stream(boot.seed, names[static_cast<std::size_t>(a)], names[static_cast<std::size_t>(b)]), replicate));
            detail::shuffle(rows, generator);
            const std::vector<Eigen::Index> first(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(rows_a.size()));
            const std::vector<Eigen::Index> second(rows.begin() + static_cast<std::ptrdiff_t>(rows_a.size()), rows.end());
            const GroupFit fit_a = fit_group(model, group_data(data, first, options, group_options), options, scales, group_options, pooled_weights);
            const GroupFit fit_b = fit_group(model, group_data(data, second, options, group_options), options, scales, group_options, pooled_weights);
            auto column = permuted.col(task);
            for (std::size_t c = 0; c < compared.size(); ++c)
                column[static_cast<Eigen::Index>(c)] = parameter_value(fit_a.result, fit_a.index, compared[c]) -
                                                       parameter_value(fit_b.result, fit_b.index, compared[c]);
            return std::string();
        });
        // A permutation that cannot be estimated is left out.
        for (long task = 0; task < task_count; ++task)
            if (!failed[static_cast<std::size_t>(task)].empty()) permuted.col(task).setConstant(nan);
        for (auto& d : out.differences) {
            const auto pair_index = static_cast<long>(
                std::find(tested.begin(), tested.end(), std::make_pair(d.a, d.b)) - tested.begin());
            const int c = find_parameter(compared, d.parameter);
            int used = 0, reached = 0;
            for (int p = 0; p < permutations; ++p) {
                const double value = permuted(c, pair_index * permutations + p);
                if (!std::isfinite(value)) continue;
                ++used;
                // A relative allowance so that ties with the observed value count as reached.
                if (std::abs(value) >= std::abs(d.difference) * (1.0 - 1e-12)) ++reached;
            }
            d.permutations_used = used;
            d.permutation_p = used > 0 ? (reached + 1.0) / (used + 1.0) : nan;
        }
    }
    return out;
}

}  // namespace csipls

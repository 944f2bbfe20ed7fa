#include "csipls/core/bootstrap.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <iterator>
#include <numeric>
#include <limits>

#include "csipls/core/enum_names.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/two_stage.hpp"
#include "missing_kernel.hpp"
#include "pls_estimator.hpp"
#include "detail/blocks.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"

namespace csipls {

namespace {
constexpr EnumNames<ConfidenceInterval, 3> interval_names = {
    {ConfidenceInterval::percentile, "percentile"}, {ConfidenceInterval::basic, "basic"}, {ConfidenceInterval::bca, "bca"}};
constexpr EnumNames<SignChange, 3> sign_change_names = {
    {SignChange::none, "none"}, {SignChange::individual, "individual"}, {SignChange::construct, "construct"}};
}  // namespace

std::string to_string(ConfidenceInterval type) { return enum_name(interval_names, type); }
std::optional<ConfidenceInterval> confidence_interval_from_string(std::string_view text) {
    return enum_from_name(interval_names, text);
}
std::string to_string(SignChange option) { return enum_name(sign_change_names, option); }
std::optional<SignChange> sign_change_from_string(std::string_view text) { return enum_from_name(sign_change_names, text); }

void BootstrapOptions::validate() const {
    if (resamples < 0 || resamples == 1 || resamples > 10'000'000)
        throw UsageError("BootstrapOptions.resamples must be 0 (none) or between 2 and 10000000, got " + std::to_string(resamples));
    if (threads < 0 || threads > 4096) throw UsageError("BootstrapOptions.threads must be between 0 (all cores) and 4096");
    if (!(ci_level > 0.0 && ci_level < 1.0))
        throw UsageError("BootstrapOptions.ci_level must be strictly between 0 and 1, got " + number_text(ci_level));
}

double two_sided_p_value(double t, double degrees_of_freedom) {
    if (!std::isfinite(t) || !(degrees_of_freedom > 0)) return std::numeric_limits<double>::quiet_NaN();
    const boost::math::students_t distribution(degrees_of_freedom);
    return 2.0 * boost::math::cdf(boost::math::complement(distribution, std::abs(t)));
}

Eigen::Index jackknife_groups(Eigen::Index respondents) { return std::min<Eigen::Index>(respondents, 1000); }

std::vector<BootstrapParameter> bootstrap_parameters(const PlsResult& result, bool with_indices) {
    using Kind = BootstrapParameter::Kind;
    std::vector<BootstrapParameter> parameters;
    for (const auto& link : result.paths) parameters.push_back({Kind::path, link.from, link.to});
    const auto indicators = static_cast<int>(result.indicators.size());
    for (int k = 0; k < indicators; ++k) parameters.push_back({Kind::outer_weight, k, result.block_of_indicator[k]});
    for (int k = 0; k < indicators; ++k) parameters.push_back({Kind::loading, result.block_of_indicator[k], k});
    const auto constructs = static_cast<int>(result.constructs.size());
    for (int j = 0; j < constructs; ++j)
        if (result.is_endogenous(j)) parameters.push_back({Kind::r2, -1, j});
    for (Kind kind : {Kind::indirect, Kind::total})
        for (int to = 0; to < constructs; ++to)
            for (int from = 0; from < constructs; ++from) {
                const bool direct = result.path_coefficients(from, to) != 0.0 ||
                                    std::any_of(result.paths.begin(), result.paths.end(),
                                                [&](const auto& link) { return link.from == from && link.to == to; });
                const bool indirect = result.indirect_routes(from, to) > 0;
                if (kind == Kind::indirect ? indirect : (indirect || direct)) parameters.push_back({kind, from, to});
            }
    if (with_indices)
        for (int j = 0; j < constructs; ++j) parameters.push_back({Kind::csi_index, -1, j});
    for (int a = 1; a < constructs; ++a)
        for (int b = 0; b < a; ++b) parameters.push_back({Kind::htmt, a, b});
    return parameters;
}

namespace {
constexpr ParameterEnd from_construct{true, false, "from"}, to_construct{false, false, "to"},
    the_construct{false, false, "construct"};
}  // namespace

const std::vector<ParameterKind>& parameter_kinds() {
    using Kind = BootstrapParameter::Kind;
    static const std::vector<ParameterKind> kinds = {
        {Kind::path, "path", "paths", 2, {from_construct, to_construct}, "", 1, " ~ ", 0, "", true},
        {Kind::outer_weight, "outer_weight", "outer_weights", 2, {{false, false, "construct"}, {true, true, "indicator"}}, "", 0, " <~ ", 1, "", false},
        {Kind::loading, "loading", "loadings", 2, {{true, false, "construct"}, {false, true, "indicator"}}, "", 0, " =~ ", 1, "", false},
        {Kind::r2, "r2", "r2", 1, {the_construct, {}}, "R2(", 0, "", -1, ")", true},
        {Kind::indirect, "indirect", "indirect_effects", 2, {from_construct, to_construct}, "indirect(", 0, " -> ", 1, ")", false},
        {Kind::total, "total", "total_effects", 2, {from_construct, to_construct}, "total(", 0, " -> ", 1, ")", false},
        {Kind::csi_index, "csi_index", "csi_index", 1, {the_construct, {}}, "index(", 0, "", -1, ")", true},
        {Kind::htmt, "htmt", "htmt", 2, {{true, false, "a"}, {false, false, "b"}}, "htmt(", 0, ", ", 1, ")", false},
    };
    return kinds;
}

const ParameterKind& parameter_kind(BootstrapParameter::Kind kind) {
    const auto& kinds = parameter_kinds();
    const auto& row = kinds[static_cast<std::size_t>(kind)];
    if (row.kind != kind) throw Error("the table of bootstrap parameter kinds is out of enum order");
    return row;
}

const std::string& parameter_end_name(const PlsResult& result, const BootstrapParameter& parameter, const ParameterEnd& end) {
    const auto position = static_cast<std::size_t>(end.from ? parameter.from : parameter.to);
    return end.indicator ? result.indicators[position] : result.constructs[position];
}

std::string parameter_label(const PlsResult& result, const BootstrapParameter& parameter) {
    const ParameterKind& kind = parameter_kind(parameter.kind);
    auto name = [&](int end) -> const std::string& { return parameter_end_name(result, parameter, kind.ends[end]); };
    std::string label = kind.prefix + name(kind.label_first) + kind.infix;
    if (kind.label_second >= 0) label += name(kind.label_second);
    return label + kind.suffix;
}

namespace {

using Kind = BootstrapParameter::Kind;

// HTMT from signed indicator correlations (Henseler, Ringle & Sarstedt 2015): the mean correlation
// between the two blocks over the geometric mean of their mean within-block correlations (a
// single-item block's is 1, as in cSEM). Loops only, so a replicate allocates nothing.
double htmt(const Eigen::MatrixXd& correlation, const std::vector<detail::Block>& blocks, int a, int b) {
    const Eigen::Index start_a = blocks[static_cast<std::size_t>(a)].start, size_a = blocks[static_cast<std::size_t>(a)].size;
    const Eigen::Index start_b = blocks[static_cast<std::size_t>(b)].start, size_b = blocks[static_cast<std::size_t>(b)].size;
    auto monotrait = [&](Eigen::Index start, Eigen::Index size) {
        if (size < 2) return 1.0;
        double sum = 0;
        for (Eigen::Index i = start; i < start + size; ++i)
            for (Eigen::Index j = i + 1; j < start + size; ++j) sum += correlation(i, j);
        return sum / static_cast<double>(size * (size - 1) / 2);
    };
    double heterotrait = 0;
    for (Eigen::Index i = start_a; i < start_a + size_a; ++i)
        for (Eigen::Index j = start_b; j < start_b + size_b; ++j) heterotrait += correlation(i, j);
    heterotrait /= static_cast<double>(size_a * size_b);
    return heterotrait / std::sqrt(monotrait(start_a, size_a) * monotrait(start_b, size_b));
}

void extract(const PlsResult& result, const Eigen::VectorXd& index, const Eigen::MatrixXd& correlation,
             const std::vector<detail::Block>& blocks, const std::vector<BootstrapParameter>& parameters, double* out) {
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const auto& parameter = parameters[i];
        switch (parameter.kind) {
            case Kind::path: out[i] = result.path_coefficients(parameter.from, parameter.to); break;
            case Kind::outer_weight: out[i] = result.outer_weights[parameter.from]; break;
            case Kind::loading: out[i] = result.loadings[parameter.to]; break;
            case Kind::r2: out[i] = result.r2[parameter.to]; break;
            case Kind::indirect: out[i] = result.indirect_effects(parameter.from, parameter.to); break;
            case Kind::total: out[i] = result.total_effects(parameter.from, parameter.to); break;
            case Kind::csi_index: out[i] = index[parameter.to]; break;
            case Kind::htmt: out[i] = htmt(correlation, blocks, parameter.from, parameter.to); break;
        }
    }
}

// Per-thread buffers, allocated before the parallel loop.
struct Workspace {
    Workspace(const detail::PlsEstimator& prototype, Eigen::Index n, Eigen::Index p)
        : estimator(prototype), counts(n), resample(p), construct_signs(prototype.construct_count()), means(p), sds(p),
          index(prototype.construct_count()), standardized_weights(p) {}
    detail::PlsEstimator estimator;
    PlsResult result;
    Eigen::VectorXd counts;  // how often each respondent is in the resample
    detail::ResampleMoments resample;
    Eigen::VectorXd construct_signs;
    Eigen::VectorXd means, sds, index;  // the resample's indicator means and sds, and its CSI indices
    IndicatorMoments moments;           // PLSc only: the resample's correlations in the form it takes
    // Data with missing values: the treatment's buffers, its options, and where EM starts.
    std::optional<detail::MissingMoments> missing;
    const MissingOptions* missing_options = nullptr;
    const detail::MissingMoments* em_start = nullptr;
    Eigen::VectorXd standardized_weights;  // fixed weights only: the given weights times the resample's sds
    // Two-stage models: stage 1's estimator, estimate and moments, and stage 2's moments built from them.
    struct Stages {
        Stages(const detail::PlsEstimator& prototype, const StagedModel& staged, Eigen::Index items)
            : estimator(prototype), moments(items), item_means(items), stage_two(staged) {
            estimator.describe(result);
        }
        detail::PlsEstimator estimator;
        PlsResult result;
        detail::ResampleMoments moments;
        Eigen::VectorXd item_means;
        StageTwoMoments stage_two;
    };
    std::optional<Stages> stages;
};

// A sample with missing values: the treatment is applied to the resample (missing answers are
// resampled with their respondents) and its moments are left where the complete-data kernel leaves
// its own, so everything after works unchanged. Throws when the treatment fails on this sample.
Eigen::Index treat_missing(Workspace& w, Eigen::Map<const RowMatrix> x, const Eigen::RowVectorXd& centre) {
    w.missing->compute(x, w.counts, *w.missing_options, w.em_start);
    w.resample.correlation = w.missing->correlation;
    w.resample.inverse_sd = w.missing->sds.cwiseInverse();
    w.resample.column_sums = (w.missing->means - centre.transpose()) * w.counts.sum();
    return -1;
}

// Aligns a replicate's signs with the original estimate (Tenenhaus et al. 2005).
void apply_sign_change(SignChange option, const PlsResult& original, PlsResult& replicate, Eigen::VectorXd& signs) {
    if (option != SignChange::construct) return;  // individual changes act on the extracted values
    const auto indicators = replicate.outer_weights.size();
    signs.setZero();
    for (Eigen::Index k = 0; k < indicators; ++k)
        signs[replicate.block_of_indicator[k]] += original.loadings[k] * replicate.loadings[k];
    if ((signs.array() >= 0).all()) return;
    signs = (signs.array() < 0).select(-Eigen::VectorXd::Ones(signs.size()), Eigen::VectorXd::Ones(signs.size()));
    for (Eigen::Index k = 0; k < indicators; ++k) {
        replicate.outer_weights[k] *= signs[replicate.block_of_indicator[k]];
        replicate.loadings[k] *= signs[replicate.block_of_indicator[k]];
    }
    // A construct's sign flips every coefficient that has it at exactly one end; R² is unchanged.
    for (Eigen::Index a = 0; a < signs.size(); ++a)
        for (Eigen::Index b = 0; b < signs.size(); ++b) {
            const double product = signs[a] * signs[b];
            replicate.path_coefficients(a, b) *= product;
            replicate.total_effects(a, b) *= product;
            replicate.indirect_effects(a, b) *= product;
        }
}

struct ReplicateRunner {
    const Model& model;
    Eigen::Map<const RowMatrix> x;
    Eigen::RowVectorXd full_means;
    const PlsResult& original;
    SignChange sign_change;
    const std::vector<AnswerScale>& index_scales;
    const std::vector<detail::Block>& blocks;
    const std::vector<BootstrapParameter>& parameters;
    const std::vector<double>& original_values;
    const Eigen::VectorXd& fixed_weights;

    const TwoStageBootstrap* two_stage;
    Eigen::RowVectorXd item_full_means;

    // Stage 1 on the resample's items, then stage 2's moments into w.resample as the one-stage kernel
    // leaves them.
    std::string run_stage_one(Workspace& w) const {
        auto& stages = *w.stages;
        const auto items = two_stage->items->matrix();
        const Eigen::Index constant = stages.moments.compute(items, item_full_means, w.counts);
        if (constant >= 0) return "item '" + two_stage->staged->items[static_cast<std::size_t>(constant)] + "' is constant in this resample";
        const double total = w.counts.sum();
        stages.estimator.run(stages.moments.correlation, static_cast<Eigen::Index>(std::llround(total)), stages.result);
        if (!stages.result.converged) return "stage 1 did not converge in " + std::to_string(stages.result.iterations) + " iterations";
        stages.item_means = item_full_means.transpose() + stages.moments.column_sums / total;
        if (!stages.stage_two.compute(*two_stage->staged, items, w.counts, stages.item_means, stages.moments.inverse_sd,
                                      stages.moments.correlation, stages.result, two_stage->item_scales))
            return "a stage-2 indicator computed from stage 1 is constant in this resample";
        w.resample.correlation = stages.stage_two.correlation2;
        w.resample.inverse_sd = stages.stage_two.sds2.cwiseInverse();
        w.resample.column_sums = (stages.stage_two.means2 - full_means.transpose()) * total;
        return {};
    }

    // Estimates one weighted resample into `out`; returns an empty string or why it failed (what it
    // throws fails this replicate alone, with the exception's reason: run_replicates).
    std::string run(Workspace& w, double* out) const {
        if (w.stages) {
            if (std::string failure = run_stage_one(w); !failure.empty()) return failure;
        } else {
            const Eigen::Index constant = w.missing ? treat_missing(w, x, full_means) : w.resample.compute(x, full_means, w.counts);
            if (constant >= 0) return "indicator '" + original.indicators[constant] + "' is constant in this resample";
        }
        const auto resample_size = static_cast<Eigen::Index>(std::llround(w.missing ? w.missing->n_used : w.counts.sum()));
        if (fixed_weights.size() > 0) {
            w.standardized_weights = fixed_weights.cwiseQuotient(w.resample.inverse_sd);
            w.estimator.evaluate(w.resample.correlation, resample_size, w.standardized_weights, w.result);
        } else {
            w.estimator.run(w.resample.correlation, resample_size, w.result);
        }
        if (!w.result.converged)
            return "did not converge in " + std::to_string(w.result.iterations) + " iterations";
        if (w.stages) rescale_interactions(*two_stage->staged, w.stages->stage_two.sds2, w.result);
        if (original.consistent) {
            // PLSc per replicate, as on the full data. This path allocates (make_consistent returns
            // a new result); plain PLS replicates do not.
            w.moments.correlation = w.resample.correlation;
            w.moments.n_obs = static_cast<Eigen::Index>(std::llround(w.counts.sum()));
            w.result = make_consistent(model, w.result, w.moments);
        }
        if (!index_scales.empty()) {
            // Before any sign change: the index is invariant to a block's sign, not to single flips.
            w.means = full_means.transpose() + w.resample.column_sums / w.counts.sum();
            w.sds = w.resample.inverse_sd.cwiseInverse();
            csi_index_values(w.result, w.means, w.sds, index_scales, w.index);
        }
        apply_sign_change(sign_change, original, w.result, w.construct_signs);
        extract(w.result, w.index, w.resample.correlation, blocks, parameters, out);
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            if (!std::isfinite(out[i])) {
                if (parameters[i].kind == BootstrapParameter::Kind::htmt) continue;  // undefined here, not a failure
                return "non-finite estimate";
            }
            // cSEM's "individual": every estimate takes the sign of its original estimate.
            if (sign_change == SignChange::individual && out[i] * original_values[i] < 0) out[i] = -out[i];
        }
        return {};
    }
};

}  // namespace

ParameterSummary summarize_draws(double estimate, std::vector<double>& draws, const std::vector<double>& jackknife,
                                 const BootstrapOptions& options, Eigen::Index n_obs) {
    ParameterSummary s;
    s.estimate = estimate;
    if (draws.size() < 2) {
        constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
        return {s.estimate, undefined, undefined, undefined, undefined, undefined, undefined, undefined};
    }
    const double draws_used = static_cast<double>(draws.size());
    s.boot_mean = std::accumulate(draws.begin(), draws.end(), 0.0) / draws_used;
    s.bias = s.boot_mean - s.estimate;
    double sum_of_squares = 0;
    for (double v : draws) sum_of_squares += (v - s.boot_mean) * (v - s.boot_mean);
    s.se = std::sqrt(sum_of_squares / (draws_used - 1));
    s.t = s.se > 0 ? s.estimate / s.se : std::numeric_limits<double>::quiet_NaN();
    s.p = two_sided_p_value(s.t, static_cast<double>(n_obs - 1));
    const double alpha = 1.0 - options.ci_level;
    double low_probability = alpha / 2, high_probability = 1 - alpha / 2;
    if (options.ci == ConfidenceInterval::bca) {
        // Efron (1987): bias correction z0 from the share of draws below the estimate, and
        // acceleration from the skewness of the jackknife values.
        const boost::math::normal standard_normal;
        const auto below = static_cast<double>(std::count_if(draws.begin(), draws.end(), [&](double v) { return v < s.estimate; }));
        const double B = draws_used;
        const double share = std::clamp(below / B, 0.5 / B, 1.0 - 0.5 / B);
        const double z0 = boost::math::quantile(standard_normal, share);
        double mean = 0, count = 0;
        for (const double value : jackknife) {
            mean += value;
            ++count;
        }
        mean /= count;
        double cubes = 0, squares = 0;
        for (const double value : jackknife) {
            const double d = mean - value;
            cubes += d * d * d;
            squares += d * d;
        }
        const double acceleration = squares > 0 ? cubes / (6.0 * std::pow(squares, 1.5)) : 0.0;
        auto adjusted = [&](double probability) {
            const double z = boost::math::quantile(standard_normal, probability);
            return boost::math::cdf(standard_normal, z0 + (z0 + z) / (1.0 - acceleration * (z0 + z)));
        };
        low_probability = adjusted(low_probability);
        high_probability = adjusted(high_probability);
    }
    const double low = detail::quantile_type7(draws, low_probability);
    const double high = detail::quantile_type7(draws, high_probability);
    if (options.ci == ConfidenceInterval::basic) {
        s.ci_lower = 2 * s.estimate - high;
        s.ci_upper = 2 * s.estimate - low;
    } else {
        s.ci_lower = low;
        s.ci_upper = high;
    }
    return s;
}

BootstrapResult bootstrap(const Model& model, const Dataset& data, const PlsResult& original,
                          const BootstrapOptions& options, BootstrapMonitor* monitor, const TwoStageBootstrap* two_stage) {
    options.validate();
    if (data.columns != original.indicators)
        throw EstimationError("the data columns are not in the model's indicator order");
    const detail::PlsEstimator prototype(model, original.options);
    BootstrapResult result;
    result.options = options;
    const bool with_indices = !options.index_scales.empty();
    if (with_indices && options.index_scales.size() != original.indicators.size())
        throw UsageError("the bootstrap needs one answer scale per indicator for the indices");
    result.parameters = bootstrap_parameters(original, with_indices);
    std::optional<detail::PlsEstimator> stage_one;
    Eigen::RowVectorXd item_full_means;
    if (two_stage) {
        if (data.rows != two_stage->items->rows || data.case_weights.size() != two_stage->items->case_weights.size())
            throw EstimationError("the stage-2 data and the items have different rows");
        stage_one.emplace(two_stage->staged->stage1, two_stage->stage1->options);
        item_full_means = two_stage->items->matrix().colwise().mean();
        std::erase_if(result.parameters,
                      [&](const BootstrapParameter& parameter) { return two_stage->staged->is_interaction_index(parameter); });
    }
    const std::size_t parameter_count = result.parameters.size();
    const Eigen::Index n = data.rows;
    const Eigen::Index p = data.cols();
    const int resamples = options.resamples;
    const int threads = detail::thread_count(options.threads);

    std::vector<Workspace> workspaces;
    workspaces.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        workspaces.emplace_back(prototype, n, p);
        prototype.describe(workspaces.back().result);
        if (two_stage) workspaces.back().stages.emplace(*stage_one, *two_stage->staged, two_stage->items->cols());
    }
    // The original estimates of every parameter (indices from the full data's means and sds).
    std::vector<double> original_values(parameter_count);
    const bool weighted = data.case_weights.size() > 0;
    Eigen::RowVectorXd full_means = data.matrix().colwise().mean();
    // A missing value makes its column's mean NaN; such data go through the missing-data kernel,
    // centred on the observed means.
    std::optional<detail::MissingLayout> missing_layout;
    std::optional<detail::MissingMoments> em_start;
    if (!full_means.allFinite()) {
        options.missing.validate();
        missing_layout.emplace(data);
        full_means = missing_layout->centre;
        for (auto& w : workspaces) {
            w.missing.emplace(*missing_layout, original.indicators);
            w.missing_options = &options.missing;
        }
    }
    Eigen::MatrixXd full_correlation;
    Eigen::VectorXd original_index = Eigen::VectorXd::Zero(prototype.construct_count());
    {
        // The full sample through the same weighted kernel (all counts 1), for HTMT and the indices.
        Workspace& w = workspaces.front();
        if (weighted)
            w.counts = data.case_weights;
        else
            w.counts.setOnes();
        const Eigen::Index constant =
            w.missing ? treat_missing(w, data.matrix(), full_means) : w.resample.compute(data.matrix(), full_means, w.counts);
        if (constant >= 0) throw ModelError("indicator '" + original.indicators[constant] + "' is constant");
        if (w.missing && options.missing.treatment == MissingTreatment::em) {
            // Every resample's EM starts from the full sample's estimate: fewer iterations, same fixed point.
            em_start.emplace(*w.missing);
            for (auto& each : workspaces) each.em_start = &*em_start;
        }
        full_correlation = w.resample.correlation;
        if (with_indices) {
            w.means = full_means.transpose() + w.resample.column_sums / w.counts.sum();
            w.sds = w.resample.inverse_sd.cwiseInverse();
            csi_index_values(original, w.means, w.sds, options.index_scales, original_index);
        }
    }
    const std::vector<detail::Block> blocks = detail::block_layout(model).blocks;
    extract(original, original_index, full_correlation, blocks, result.parameters, original_values.data());
    for (auto& w : workspaces) {
        w.moments.names = original.indicators;
        w.moments.correlation.resize(p, p);
    }
    const ReplicateRunner runner{model, data.matrix(), full_means, original,
                                 options.sign_change, options.index_scales, blocks, result.parameters, original_values,
                                 options.fixed_weights, two_stage, item_full_means};

    Eigen::MatrixXd all_draws(parameter_count, resamples);  // column per replicate: contiguous writes
    std::vector<std::string> failure_reason =
        detail::run_replicates({resamples, threads, 8, monitor}, [&](int thread, long r) {
            Workspace& w = workspaces[static_cast<std::size_t>(thread)];
            detail::draw_resample_counts(options.seed, static_cast<int>(r), w.counts);
            if (weighted) w.counts.array() *= data.case_weights.array();  // respondents are resampled, weights kept
            return runner.run(w, all_draws.col(r).data());
        });
    detail::collect_replicates(failure_reason, all_draws, result);

    // Summaries, in parameter order on one thread: the same bytes whatever the thread count.
    result.summaries.resize(parameter_count);
    if (result.succeeded < 2) {
        // No spread to measure: the estimate stands, everything else is undefined (null, no stars).
        constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t i = 0; i < parameter_count; ++i)
            result.summaries[i] = {original_values[i], undefined, undefined, undefined, undefined, undefined, undefined, undefined};
        return result;
    }

    // BCa needs the jackknife: leave-one-out estimates (leave-one-group-out beyond 1000 respondents).
    Eigen::MatrixXd jackknife;
    std::vector<char> jackknife_ok;
    if (options.ci == ConfidenceInterval::bca) {
        const Eigen::Index groups = jackknife_groups(n);
        jackknife.resize(static_cast<Eigen::Index>(parameter_count), groups);
        const std::vector<std::string> jackknife_failure =
            detail::run_replicates({groups, threads, 8, monitor}, [&](int thread, long g) {
                Workspace& w = workspaces[static_cast<std::size_t>(thread)];
                if (weighted)
                    w.counts = data.case_weights;
                else
                    w.counts.setOnes();
                for (Eigen::Index i = g; i < n; i += groups) w.counts[i] = 0.0;
                return runner.run(w, jackknife.col(g).data());
            });
        jackknife_ok.resize(jackknife_failure.size());
        for (std::size_t g = 0; g < jackknife_failure.size(); ++g) jackknife_ok[g] = jackknife_failure[g].empty();
        result.jackknife_groups = static_cast<int>(groups);
        result.jackknife_failed = static_cast<int>(std::count(jackknife_ok.begin(), jackknife_ok.end(), 0));
    }

    std::vector<double> sorted;  // the finite draws of one parameter, reordered in place
    sorted.reserve(static_cast<std::size_t>(result.succeeded));
    std::vector<double> jackknife_values;
    for (std::size_t i = 0; i < parameter_count; ++i) {
        const auto column = result.draws.col(static_cast<Eigen::Index>(i));
        // Only HTMT can be undefined in a replicate that otherwise succeeded (a block whose mean
        // within-block correlation turns negative); such draws are left out of its summary alone.
        sorted.clear();
        std::copy_if(column.begin(), column.end(), std::back_inserter(sorted), [](double v) { return std::isfinite(v); });
        jackknife_values.clear();
        for (Eigen::Index g = 0; g < jackknife.cols(); ++g)
            if (jackknife_ok[static_cast<std::size_t>(g)]) jackknife_values.push_back(jackknife(static_cast<Eigen::Index>(i), g));
        result.summaries[i] = summarize_draws(original_values[i], sorted, jackknife_values, options, original.n_obs);
    }
    result.jackknife = std::move(jackknife);
    result.jackknife_ok = std::move(jackknife_ok);
    return result;
}

}  // namespace csipls

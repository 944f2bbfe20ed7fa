#include "csipls/core/montecarlo.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <limits>
#include <optional>

#include "csipls/core/assessment.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"
#include "pls_estimator.hpp"

namespace csipls {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The population of every indicator of `model` (all_indicators() order): Σ, each indicator's
// population loading (its correlation with its own construct) and weight, and the structural values.
struct Population {
    Eigen::MatrixXd sigma;
    Eigen::VectorXd loadings;
    Eigen::VectorXd weights;
    Eigen::MatrixXd paths;  // (from, to)
    Eigen::VectorXd r2;     // NaN for exogenous constructs
};

Population build_population(const MonteCarloDesign& design) {
    const Model& model = design.population;
    // The construct correlations follow from the structural model alone: population_model() gives
    // them for the model with every block read as a common factor; composite blocks' weights are
    // not loadings, so they are left out of that call.
    Model structure = model;
    for (auto& construct : structure.constructs)
        if (construct.mode == MeasurementMode::formative) {
            construct.mode = MeasurementMode::reflective;
            construct.population_loadings.assign(construct.indicators.size(), std::nullopt);
        }
    SimulationOptions simulation;
    simulation.discrete = false;
    simulation.default_loading = design.default_loading;
    simulation.default_path = design.default_path;
    const PopulationModel structural = population_model(structure, simulation);
    const Eigen::MatrixXd& phi = structural.construct_correlations;

    const auto p = static_cast<Eigen::Index>(model.indicator_count());
    Population population;
    population.sigma.resize(p, p);
    population.loadings.resize(p);
    population.weights.resize(p);
    population.paths = structural.path_coefficients;
    std::vector<int> block(static_cast<std::size_t>(p));
    Eigen::Index start = 0;
    for (std::size_t j = 0; j < model.constructs.size(); ++j) {
        const Construct& construct = model.constructs[j];
        const auto k = static_cast<Eigen::Index>(construct.indicators.size());
        auto within = population.sigma.block(start, start, k, k);
        Eigen::VectorXd raw(k);
        for (Eigen::Index i = 0; i < k; ++i) {
            const auto& given = construct.population_loadings[static_cast<std::size_t>(i)];
            raw[i] = construct.mode == MeasurementMode::formative ? given.value_or(1.0) : structural.loadings[start + i];
        }
        if (construct.mode == MeasurementMode::formative) {
            within.setConstant(design.composite_item_correlation);
            within.diagonal().setOnes();
            const double variance = raw.dot(within * raw);
            if (!(variance > 0.0))
                throw ModelError(model.source + ":" + std::to_string(construct.line) + ": the population weights of '" +
                                 construct.name + "' give the composite no variance");
            population.weights.segment(start, k) = raw / std::sqrt(variance);
            population.loadings.segment(start, k) = within * population.weights.segment(start, k);
        } else {
            within = raw * raw.transpose();
            within.diagonal().setOnes();
            population.loadings.segment(start, k) = raw;
            // Mode A weights converge to the loadings' direction: w ∝ λ, scaled to w'Σw = 1.
            const double variance = raw.dot(within * raw);
            population.weights.segment(start, k) = raw / std::sqrt(variance);
        }
        for (Eigen::Index i = 0; i < k; ++i) block[static_cast<std::size_t>(start + i)] = static_cast<int>(j);
        start += k;
    }
    for (Eigen::Index a = 0; a < p; ++a)
        for (Eigen::Index b = 0; b < p; ++b)
            if (block[a] != block[b])
                population.sigma(a, b) = population.loadings[a] * population.loadings[b] * phi(block[a], block[b]);

    const auto constructs = static_cast<Eigen::Index>(model.constructs.size());
    population.r2 = Eigen::VectorXd::Constant(constructs, nan);
    for (Eigen::Index j = 0; j < constructs; ++j)
        if (population.paths.col(j).cwiseAbs().sum() > 0.0)
            population.r2[j] = population.paths.col(j).dot(phi * population.paths.col(j));
    return population;
}

std::vector<std::string> predictors_of(const Model& model, const std::string& construct) {
    std::vector<std::string> names;
    for (const auto& path : model.paths)
        if (path.to == construct) names.push_back(path.from);
    std::sort(names.begin(), names.end());
    return names;
}

// The population value of a quantity of the analysis model, NaN where the population has none.
double population_value(const MonteCarloDesign& design, const Population& population, const PlsResult& described,
                        const BootstrapParameter& parameter) {
    const Model& pop = design.population;
    const Model& analysis = design.analysis;
    using Kind = BootstrapParameter::Kind;
    if (parameter.kind == Kind::path) {
        const int from = pop.construct_index(described.constructs[parameter.from]);
        const int to = pop.construct_index(described.constructs[parameter.to]);
        return from < 0 || to < 0 ? nan : population.paths(from, to);
    }
    if (parameter.kind == Kind::r2) {
        const std::string& name = described.constructs[parameter.to];
        const int c = pop.construct_index(name);
        return c < 0 || predictors_of(pop, name) != predictors_of(analysis, name) ? nan : population.r2[c];
    }
    const bool weight = parameter.kind == Kind::outer_weight;
    const int indicator = weight ? parameter.from : parameter.to;
    const int construct = weight ? parameter.to : parameter.from;
    const std::string& construct_name = described.constructs[construct];
    const int c = pop.construct_index(construct_name);
    // A block's weights and loadings are the population's only when the block is the same one.
    if (c < 0 || pop.constructs[c].indicators != analysis.constructs[construct].indicators) return nan;
    const auto all = pop.all_indicators();
    const auto position = std::find(all.begin(), all.end(), described.indicators[indicator]) - all.begin();
    return weight ? population.weights[position] : population.loadings[position];
}

double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Per-thread buffers, sized once per block.
struct Workspace {
    Workspace(const detail::PlsEstimator& prototype, Eigen::Index n, Eigen::Index p, const std::vector<std::string>& names)
        : estimator(prototype), normals(n, p) {
        data.columns = names;
        data.rows = n;
        data.values.resize(static_cast<std::size_t>(n * p));
        estimator.describe(result);
    }
    detail::PlsEstimator estimator;
    Dataset data;
    RowMatrix normals;
    PlsResult result;
};

}  // namespace

std::string to_string(MissingMechanism mechanism) { return mechanism == MissingMechanism::mcar ? "mcar" : "mar"; }

std::string to_string(ItemDistribution distribution) {
    switch (distribution) {
        case ItemDistribution::normal: return "normal";
        case ItemDistribution::skewed: return "skewed";
        case ItemDistribution::likert: return "likert";
    }
    return "normal";
}

MonteCarloPlan plan_monte_carlo(const MonteCarloDesign& design) {
    if (design.conditions.empty()) throw UsageError("the design has no conditions (an empty factor list?)");
    if (design.replications < 2 || design.replications > 100'000'000)
        throw UsageError("replications must be between 2 and 100000000, got " + std::to_string(design.replications));
    if (design.bootstrap < 0 || design.bootstrap == 1 || design.bootstrap > 100'000)
        throw UsageError("bootstrap must be 0 or between 2 and 100000, got " + std::to_string(design.bootstrap));
    if (design.fit_test < 0 || design.fit_test == 1 || design.fit_test > 100'000)
        throw UsageError("fit_test must be 0 or between 2 and 100000, got " + std::to_string(design.fit_test));
    if (!(design.alpha > 0.0 && design.alpha < 0.5)) throw UsageError("alpha must be between 0 and 0.5");
    if (design.block_size < 1) throw UsageError("block_size must be at least 1");
    if (!(design.composite_item_correlation > -1.0 && design.composite_item_correlation < 1.0))
        throw UsageError("composite_item_correlation must be strictly between -1 and 1");
    validate_model(design.population);
    validate_model(design.analysis);

    MonteCarloPlan plan;
    plan.design = design;
    const Population population = build_population(design);
    const auto population_names = design.population.all_indicators();
    const auto names = design.analysis.all_indicators();
    std::vector<Eigen::Index> position;
    for (const auto& name : names) {
        const auto at = std::find(population_names.begin(), population_names.end(), name);
        if (at == population_names.end())
            throw ModelError(design.analysis.source + ": the analysis model's indicator '" + name +
                             "' is not in the population model " + design.population.source);
        position.push_back(at - population_names.begin());
    }
    const auto p = static_cast<Eigen::Index>(names.size());
    plan.sigma.resize(p, p);
    for (Eigen::Index a = 0; a < p; ++a)
        for (Eigen::Index b = 0; b < p; ++b) plan.sigma(a, b) = population.sigma(position[a], position[b]);
    const Eigen::LLT<Eigen::MatrixXd> factor(plan.sigma);
    if (factor.info() != Eigen::Success || !(factor.matrixL().toDenseMatrix().diagonal().minCoeff() > 1e-8))
        throw ModelError(design.population.source +
                         ": the population's implied indicator correlation matrix is not positive definite "
                         "(check the loadings, weights, paths and composite_item_correlation)");
    plan.sigma_factor = factor.matrixL();

    const Eigen::Index needed = minimum_respondents(design.analysis);
    for (const auto& condition : design.conditions) {
        if (condition.n < needed || condition.n > 10'000'000)
            throw UsageError("n = " + std::to_string(condition.n) + " is below the analysis model's minimum of " +
                             std::to_string(needed) + " respondents (or above 10000000)");
        if (!(condition.missing_share >= 0.0 && condition.missing_share <= 0.5))
            throw UsageError("the missing share must be between 0 and 0.5");
        if (condition.distribution == ItemDistribution::likert && (condition.scale_points < 2 || condition.scale_points > 101))
            throw UsageError("the Likert scale needs between 2 and 101 points");
        // The exact-fit test rotates and resamples whole, unweighted respondents (as `csipls
        // estimate --fit-test` refuses the same settings).
        if (design.fit_test > 0 && condition.case_weights)
            throw UsageError("the exact-fit test (fit_test > 0) does not work with case weights");
        if (design.fit_test > 0 && condition.missing_share > 0.0 && condition.treatment != MissingTreatment::listwise)
            throw UsageError("the exact-fit test (fit_test > 0) needs whole respondents: with missing answers it works "
                             "only with treatment listwise");
    }

    // The quantities tallied: those of the bootstrap's list that have a population meaning here.
    detail::PlsEstimator estimator(design.analysis, EstimationOptions{});
    PlsResult described;
    estimator.describe(described);
    estimator.run(plan.sigma, 1000, described);
    using Kind = BootstrapParameter::Kind;
    const auto all = bootstrap_parameters(described);
    for (std::size_t index = 0; index < all.size(); ++index) {
        const BootstrapParameter& parameter = all[index];
        if (parameter.kind != Kind::path && parameter.kind != Kind::outer_weight && parameter.kind != Kind::loading &&
            parameter.kind != Kind::r2)
            continue;
        const ParameterKind& kind = parameter_kind(parameter.kind);
        MonteCarloParameter row{parameter.kind, parameter.from, parameter.to, "", "",
                                population_value(design, population, described, parameter), static_cast<int>(index)};
        if (kind.end_count == 2) row.from_name = parameter_end_name(described, parameter, kind.ends[0]);
        row.to_name = parameter_end_name(described, parameter, kind.ends[kind.end_count - 1]);
        plan.parameters.push_back(std::move(row));
    }
    return plan;
}

void add_tally(ConditionTally& total, const ConditionTally& part) {
    for (const auto field : condition_tally_fields) total.*field += part.*field;
    if (total.parameters.empty()) total.parameters.resize(part.parameters.size());
    for (std::size_t i = 0; i < part.parameters.size(); ++i)
        for (const auto field : parameter_tally_fields) total.parameters[i].*field += part.parameters[i].*field;
}

namespace {

// The value of one tallied quantity in a result.
double parameter_value(const PlsResult& result, const MonteCarloParameter& parameter) {
    using Kind = BootstrapParameter::Kind;
    switch (parameter.kind) {
        case Kind::path: return result.path_coefficients(parameter.from, parameter.to);
        case Kind::outer_weight: return result.outer_weights[parameter.from];
        case Kind::loading: return result.loadings[parameter.to];
        case Kind::r2: return result.r2[parameter.to];
        default: return nan;
    }
}

// The columns of ReplicationRecords::values holding the exact-fit verdicts by srmr, d_uls and d_g,
// the order of FitTestResult::draws' columns.
constexpr int fit_rejected_column = 6;
constexpr int fit_statistic_count = 3;
static_assert(ReplicationRecords::fixed_columns == fit_rejected_column + fit_statistic_count);

// The verdict of bootstrap_fit_test at level α on statistic s (0 srmr, 1 d_uls, 2 d_g): reject when
// the observed value is at least the type-7 (1 − α) quantile of the draws under H0, its rule for
// exceeds_95 and exceeds_99 (which it gives at α = 0.05 and 0.01 only). NaN (no test) with fewer
// than 3 draws or a non-finite observed value, where it leaves its quantiles undefined.
double exact_fit_rejected(const FitTestResult& test, int s, double alpha) {
    const double observed = s == 0 ? test.srmr.observed : s == 1 ? test.d_uls.observed : test.d_g.observed;
    if (test.draws.rows() < 3 || !std::isfinite(observed)) return nan;
    std::vector<double> draws(test.draws.col(s).data(), test.draws.col(s).data() + test.draws.rows());
    return observed >= detail::quantile_type7(draws, 1.0 - alpha) ? 1.0 : 0.0;
}

// Draws one replication's data into the workspace: normal, skewed or Likert items with Σ's
// correlations, then missing answers and case weights, all from `engine` in a fixed order.
void draw_sample(const MonteCarloPlan& plan, const MonteCarloCondition& condition, boost::random::mt19937_64& engine,
                 Workspace& w) {
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    const Eigen::Index n = condition.n;
    for (Eigen::Index i = 0; i < w.normals.size(); ++i) w.normals.data()[i] = normal(engine);
    auto x = w.data.matrix();
    // A triangular product (half the work of a full one, and unlike Eigen's GEMM it starts no
    // OpenMP threads of its own inside a one-thread loop).
    x.noalias() = w.normals * plan.sigma_factor.transpose().triangularView<Eigen::Upper>();
    if (condition.distribution == ItemDistribution::skewed) {
        // A standardized lognormal (skewness about 1.75): exp(x/2) centred and scaled to unit variance.
        const double mean = std::exp(0.125), sd = std::sqrt((std::exp(0.25) - 1.0) * std::exp(0.25));
        x = ((x.array() * 0.5).exp() - mean) / sd;
    } else if (condition.distribution == ItemDistribution::likert) {
        const double points = condition.scale_points;
        const double centre = (points + 1.0) / 2.0, spread = (points - 1.0) / 4.0;
        x = (centre + spread * x.array()).round().max(1.0).min(points);
    }
    if (condition.missing_share > 0.0) {
        boost::random::uniform_real_distribution<double> uniform(0.0, 1.0);
        const bool mar = condition.mechanism == MissingMechanism::mar;
        for (Eigen::Index r = 0; r < n; ++r) {
            const double probability = mar ? 2.0 * condition.missing_share * standard_normal_cdf(w.normals(r, 0))
                                           : condition.missing_share;
            for (Eigen::Index k = mar ? 1 : 0; k < x.cols(); ++k)
                if (uniform(engine) < probability) x(r, k) = nan;
        }
    }
    if (condition.case_weights) {
        boost::random::uniform_int_distribution<int> weight(1, 3);
        w.data.case_weights.resize(n);
        for (Eigen::Index r = 0; r < n; ++r) w.data.case_weights[r] = weight(engine);
    }
}

}  // namespace

ConditionTally run_monte_carlo_block(const MonteCarloPlan& plan, int condition_index, int block,
                                     BootstrapMonitor* monitor, ReplicationRecords* records) {
    const MonteCarloDesign& design = plan.design;
    const MonteCarloCondition& condition = design.conditions.at(static_cast<std::size_t>(condition_index));
    const int first = block * design.block_size;
    const int count = std::min(design.block_size, design.replications - first);
    if (block < 0 || count <= 0) throw UsageError("block " + std::to_string(block) + " is outside the design");
    const auto parameter_count = static_cast<int>(plan.parameters.size());
    const int columns = ReplicationRecords::fixed_columns + ReplicationRecords::per_parameter * parameter_count;
    Eigen::MatrixXd values = Eigen::MatrixXd::Constant(count, columns, nan);

    EstimationOptions estimation;
    estimation.scheme = condition.scheme;
    const detail::PlsEstimator prototype(design.analysis, estimation);
    const auto names = design.analysis.all_indicators();
    const auto p = static_cast<Eigen::Index>(names.size());
    const int threads = detail::thread_count(design.threads);
    std::vector<Workspace> workspaces;
    workspaces.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) workspaces.emplace_back(prototype, condition.n, p, names);
    MissingOptions missing;
    missing.treatment = condition.treatment;
    const std::uint64_t stream = detail::replicate_seed(design.seed ^ montecarlo_stream, condition_index);

    detail::ReplicateLoop loop;
    loop.count = count;
    loop.threads = threads;
    loop.chunk = 1;
    loop.monitor = monitor;
    auto reasons = detail::run_replicates(loop, [&](int thread, long local) -> std::string {
        Workspace& w = workspaces[static_cast<std::size_t>(thread)];
        auto row = values.row(local);
        const int replication = first + static_cast<int>(local);
        const std::uint64_t replication_seed = detail::replicate_seed(stream, replication);
        boost::random::mt19937_64 engine(replication_seed);
        draw_sample(plan, condition, engine, w);
        const IndicatorMoments moments = compute_moments(w.data, missing);
        const Eigen::Index needed = minimum_respondents(design.analysis);
        if (moments.n_obs < needed) return "too few respondents left: " + std::to_string(moments.n_obs);
        w.estimator.run(moments.correlation, moments.n_obs, w.result);
        row[0] = 1.0;
        row[1] = w.result.converged ? 1.0 : 0.0;
        if (!w.result.converged) return {};
        PlsResult consistent_result;
        const PlsResult* result = &w.result;
        if (condition.consistent) {
            consistent_result = make_consistent(design.analysis, w.result, moments);
            result = &consistent_result;
        }
        const Assessment assessment = assess(design.analysis, *result, moments, false);
        row[2] = assessment.admissibility.admissible ? 1.0 : 0.0;
        row[3] = assessment.fit.estimated_model.srmr;
        row[4] = assessment.fit.estimated_model.d_uls;
        row[5] = assessment.fit.estimated_model.d_g;
        for (int i = 0; i < parameter_count; ++i)
            row[ReplicationRecords::fixed_columns + ReplicationRecords::per_parameter * i] =
                parameter_value(*result, plan.parameters[static_cast<std::size_t>(i)]);
        if (design.bootstrap > 0) {
            BootstrapOptions options;
            options.resamples = design.bootstrap;
            options.seed = replication_seed;
            options.threads = 1;
            options.ci_level = 1.0 - design.alpha;
            options.missing = missing;
            const BootstrapResult boot = bootstrap(design.analysis, w.data, *result, options);
            for (int i = 0; i < parameter_count; ++i) {
                const ParameterSummary& summary = boot.summaries[static_cast<std::size_t>(plan.parameters[static_cast<std::size_t>(i)].bootstrap_index)];
                const int at = ReplicationRecords::fixed_columns + ReplicationRecords::per_parameter * i;
                row[at + 1] = summary.se;
                row[at + 2] = summary.ci_lower;
                row[at + 3] = summary.ci_upper;
            }
        }
        if (design.fit_test > 0) {
            FitTestOptions options;
            options.resamples = design.fit_test;
            options.seed = replication_seed;  // the test XORs its own stream in (fit_test_stream)
            options.threads = 1;              // the replications are the parallel loop
            // The test resamples whole respondents: with listwise deletion the moments are those
            // of the complete cases (plan_monte_carlo refuses the other treatments).
            const bool incomplete = moments.n_obs != w.data.rows;
            try {
                const FitTestResult test = bootstrap_fit_test(design.analysis, incomplete ? complete_cases(w.data) : w.data,
                                                              *result, moments, options);
                double verdicts[fit_statistic_count];
                for (int s = 0; s < fit_statistic_count; ++s) verdicts[s] = exact_fit_rejected(test, s, design.alpha);
                // All three or none, so that the rates share their denominator.
                if (std::all_of(std::begin(verdicts), std::end(verdicts), [](double v) { return std::isfinite(v); }))
                    for (int s = 0; s < fit_statistic_count; ++s) row[fit_rejected_column + s] = verdicts[s];
            } catch (const EstimationError&) {
                // A replication whose estimated implied matrix is not positive definite cannot be
                // rotated: it has no test (NaN), but keeps its estimates.
            }
        }
        return {};
    });

    ConditionTally tally;
    tally.parameters.resize(static_cast<std::size_t>(parameter_count));
    for (int r = 0; r < count; ++r) {
        auto row = values.row(r);
        tally.replications += 1;
        if (!reasons[static_cast<std::size_t>(r)].empty() || !(row[0] == 1.0)) {
            tally.failed += 1;
            row.setConstant(nan);
            row[0] = 0.0;
            continue;
        }
        if (!(row[1] == 1.0)) continue;
        tally.converged += 1;
        tally.admissible += row[2];
        if (std::isfinite(row[3]) && std::isfinite(row[4]) && std::isfinite(row[5])) {
            tally.fit_values += 1;
            tally.sum_srmr += row[3];
            tally.sum_d_uls += row[4];
            tally.sum_d_g += row[5];
        }
        if (std::isfinite(row[fit_rejected_column])) {
            tally.fit_tests += 1;
            tally.fit_rejections_srmr += row[fit_rejected_column];
            tally.fit_rejections_d_uls += row[fit_rejected_column + 1];
            tally.fit_rejections_d_g += row[fit_rejected_column + 2];
        }
        for (int i = 0; i < parameter_count; ++i) {
            const int at = ReplicationRecords::fixed_columns + ReplicationRecords::per_parameter * i;
            const double estimate = row[at];
            if (!std::isfinite(estimate)) continue;
            const double population = plan.parameters[static_cast<std::size_t>(i)].population;
            const double centre = std::isfinite(population) ? population : 0.0;
            ParameterTally& t = tally.parameters[static_cast<std::size_t>(i)];
            const double d = estimate - centre;
            t.estimates += 1;
            t.sum_d += d;
            t.sum_d2 += d * d;
            if (std::isfinite(row[at + 1])) {
                t.ses += 1;
                t.sum_se += row[at + 1];
            }
            const double lower = row[at + 2], upper = row[at + 3];
            if (std::isfinite(lower) && std::isfinite(upper)) {
                t.intervals += 1;
                if (std::isfinite(population) && lower <= population && population <= upper) t.covered += 1;
                if (!(lower <= 0.0 && 0.0 <= upper)) t.rejected += 1;
            }
        }
    }
    if (records) {
        records->values = std::move(values);
        records->first_replication = first;
    }
    return tally;
}

ConditionOutcome summarize_condition(const MonteCarloPlan& plan, const ConditionTally& total) {
    const auto ratio = [](double part, double whole) { return whole > 0.0 ? part / whole : nan; };
    ConditionOutcome out;
    out.replications = static_cast<long>(total.replications);
    out.failed = static_cast<long>(total.failed);
    out.convergence_rate = ratio(total.converged, total.replications);
    out.admissibility_rate = ratio(total.admissible, total.replications);
    out.mean_srmr = ratio(total.sum_srmr, total.fit_values);
    out.mean_d_uls = ratio(total.sum_d_uls, total.fit_values);
    out.mean_d_g = ratio(total.sum_d_g, total.fit_values);
    out.fit_rejection_rate_srmr = ratio(total.fit_rejections_srmr, total.fit_tests);
    out.fit_rejection_rate_d_uls = ratio(total.fit_rejections_d_uls, total.fit_tests);
    out.fit_rejection_rate_d_g = ratio(total.fit_rejections_d_g, total.fit_tests);
    for (std::size_t i = 0; i < plan.parameters.size(); ++i) {
        const double population = plan.parameters[i].population;
        const bool known = std::isfinite(population);
        const ParameterTally t = i < total.parameters.size() ? total.parameters[i] : ParameterTally{};
        ParameterOutcome o;
        o.population = population;
        o.estimates = static_cast<long>(t.estimates);
        const double mean_d = ratio(t.sum_d, t.estimates);
        o.mean = (known ? population : 0.0) + mean_d;
        o.bias = known ? mean_d : nan;
        o.relative_bias = known && population != 0.0 ? mean_d / population : nan;
        o.sd = t.estimates > 1 ? std::sqrt(std::max(0.0, (t.sum_d2 - t.sum_d * mean_d) / (t.estimates - 1))) : nan;
        o.se_mean = ratio(t.sum_se, t.ses);
        o.se_sd_ratio = o.se_mean / o.sd;
        o.rmse = known ? std::sqrt(ratio(t.sum_d2, t.estimates)) : nan;
        o.coverage = known ? ratio(t.covered, t.intervals) : nan;
        o.rejection_rate = ratio(t.rejected, t.intervals);
        out.parameters.push_back(o);
    }
    return out;
}

}  // namespace csipls

#pragma once
// Monte Carlo validation studies: draw many samples from a population with known values, estimate
// each, and tally bias, precision, interval coverage, rejection rates and fit per condition.
//
// Reproducibility is the design's spine. Replication r of condition c draws from its own Boost
// mt19937_64 seeded with replicate_seed(replicate_seed(seed ^ montecarlo_stream, c), r), and the
// replications of a condition are cut into fixed blocks of `block_size`. A block's tally sums its
// replications in replication order, and a condition's totals sum its blocks' tallies in block
// order (add_tally): so the result is the same bytes for any thread count, for any split of the
// blocks over processes (shards), and after resuming from a checkpoint of completed blocks.
//
// Populations: a block of `=~` indicators is a common factor (x = λ η + ε, unit variances); a block
// of `<~` indicators is a composite (η = w'x) whose indicators correlate `composite_item_correlation`
// among themselves, the population values being relative weights (rescaled to unit composite
// variance). The data are multivariate normal with the implied indicator correlation matrix Σ
// (x = L z, L the Cholesky factor of Σ), then optionally skewed or cut onto a Likert scale.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/options.hpp"

namespace csipls {

// XORed into the seed before conditions' streams are derived: the ASCII bytes of "montecar".
inline constexpr std::uint64_t montecarlo_stream = 0x6D6F6E7465636172ULL;

enum class MissingMechanism { mcar, mar };
enum class ItemDistribution { normal, skewed, likert };

std::string to_string(MissingMechanism mechanism);
std::string to_string(ItemDistribution distribution);

// One cell of the crossed factors.
struct MonteCarloCondition {
    Eigen::Index n = 250;
    bool consistent = false;  // estimator: PLSc, else PLS
    InnerScheme scheme = InnerScheme::path;
    // Share of answers deleted: mcar cell by cell with this probability; mar with probability
    // 2·share·Φ(first indicator) (the first indicator is always answered), so the share on average.
    double missing_share = 0.0;
    MissingMechanism mechanism = MissingMechanism::mcar;
    MissingTreatment treatment = MissingTreatment::listwise;
    ItemDistribution distribution = ItemDistribution::normal;
    int scale_points = 5;       // likert only
    bool case_weights = false;  // frequency weights drawn uniformly from {1, 2, 3}
};

struct MonteCarloDesign {
    Model population;  // with population values (lavaan fixed-value syntax)
    Model analysis;    // the model estimated; the population's own unless misspecified
    double composite_item_correlation = 0.5;
    double default_loading = 0.8;  // for indicators without a population value (weights: 1)
    double default_path = 0.3;
    std::vector<MonteCarloCondition> conditions;
    int replications = 500;
    int bootstrap = 0;  // resamples per replication (0: no standard errors, intervals, rejections)
    // Resamples of each replication's Bollen–Stine exact-fit test (bootstrap_fit_test, 0: no test).
    // It needs whole respondents: missing answers only with listwise deletion, no case weights.
    int fit_test = 0;
    std::uint64_t seed = 1;
    double alpha = 0.05;  // interval level 1 − α and the tests' level
    int block_size = 100;
    int threads = 0;  // 0: every core OpenMP offers; never changes the result

    int blocks_per_condition() const { return (replications + block_size - 1) / block_size; }
    long units() const { return static_cast<long>(conditions.size()) * blocks_per_condition(); }
};

// A tallied quantity of the analysis model (kinds path, outer_weight, loading, r2, with the ends of
// BootstrapParameter) and its population value (NaN where the population has no such quantity,
// e.g. a loading in a block the analysis model defines otherwise).
struct MonteCarloParameter {
    BootstrapParameter::Kind kind;
    int from;
    int to;
    std::string from_name;  // empty for R²
    std::string to_name;
    double population;
    int bootstrap_index;  // its position in bootstrap_parameters(), so in BootstrapResult::summaries
};

// The validated design with its population: checks everything a run could trip on, before any run.
struct MonteCarloPlan {
    MonteCarloDesign design;
    Eigen::MatrixXd sigma;            // population correlations of the analysis model's indicators
    Eigen::MatrixXd sigma_factor;     // its lower Cholesky factor
    std::vector<MonteCarloParameter> parameters;
};

// Throws ModelError / UsageError naming the fault: no conditions, n below the analysis model's
// minimum, a population Σ that is not positive definite, analysis indicators the population lacks,
// an exact-fit test with case weights or with missing answers not deleted listwise, bad run settings.
MonteCarloPlan plan_monte_carlo(const MonteCarloDesign& design);

// Sums of one parameter over replications (centred on the population value, or 0 where it has
// none, so that the sums stay small): all counts are held as doubles, exactly.
struct ParameterTally {
    double estimates = 0, sum_d = 0, sum_d2 = 0;
    double ses = 0, sum_se = 0;
    double intervals = 0, covered = 0, rejected = 0;
};

struct ConditionTally {
    double replications = 0, failed = 0, converged = 0, admissible = 0;
    double fit_values = 0, sum_srmr = 0, sum_d_uls = 0, sum_d_g = 0;
    // Replications whose exact-fit test ran, and how many it rejected by SRMR, d_ULS and d_G.
    double fit_tests = 0, fit_rejections_srmr = 0, fit_rejections_d_uls = 0, fit_rejections_d_g = 0;
    std::vector<ParameterTally> parameters;
};

// Every field of each tally, in a fixed order: summed by add_tally, written and read by the parts.
inline constexpr std::array<double ConditionTally::*, 12> condition_tally_fields{
    &ConditionTally::replications,        &ConditionTally::failed,   &ConditionTally::converged,
    &ConditionTally::admissible,          &ConditionTally::fit_values, &ConditionTally::sum_srmr,
    &ConditionTally::sum_d_uls,           &ConditionTally::sum_d_g,  &ConditionTally::fit_tests,
    &ConditionTally::fit_rejections_srmr, &ConditionTally::fit_rejections_d_uls, &ConditionTally::fit_rejections_d_g};
inline constexpr std::array<double ParameterTally::*, 8> parameter_tally_fields{
    &ParameterTally::estimates, &ParameterTally::sum_d,     &ParameterTally::sum_d2,  &ParameterTally::ses,
    &ParameterTally::sum_se,    &ParameterTally::intervals, &ParameterTally::covered, &ParameterTally::rejected};

void add_tally(ConditionTally& total, const ConditionTally& part);

// Per replication: status and per parameter estimate, se, interval bounds (NaN when undefined).
struct ReplicationRecords {
    // ok, converged, admissible, srmr, d_uls, d_g, then the exact-fit test's verdict (1 reject, 0 not,
    // NaN no test) by srmr, d_uls and d_g
    static constexpr int fixed_columns = 9;
    static constexpr int per_parameter = 4;  // estimate, se, lower, upper
    Eigen::MatrixXd values;                  // replications of the block × columns
    int first_replication = 0;
};

// Runs block `block` of condition `condition` (replications block·block_size … up to the
// condition's count) and tallies it. `records`, when given, receives each replication's values.
ConditionTally run_monte_carlo_block(const MonteCarloPlan& plan, int condition, int block,
                                     BootstrapMonitor* monitor = nullptr, ReplicationRecords* records = nullptr);

struct ParameterOutcome {
    double population = 0, mean = 0, bias = 0, relative_bias = 0, sd = 0, se_mean = 0, se_sd_ratio = 0, rmse = 0,
           coverage = 0, rejection_rate = 0;
    long estimates = 0;
};

struct ConditionOutcome {
    long replications = 0, failed = 0;
    double convergence_rate = 0, admissibility_rate = 0, mean_srmr = 0, mean_d_uls = 0, mean_d_g = 0;
    // Share of the replications' exact-fit tests that reject at α, by each discrepancy: the
    // verdict of bootstrap_fit_test (observed ≥ the type-7 (1 − α) quantile of its draws under H0).
    double fit_rejection_rate_srmr = 0, fit_rejection_rate_d_uls = 0, fit_rejection_rate_d_g = 0;
    std::vector<ParameterOutcome> parameters;  // parallel to MonteCarloPlan::parameters
};

// The statistics of a condition's totals (NaN where undefined: no bootstrap, no population value).
ConditionOutcome summarize_condition(const MonteCarloPlan& plan, const ConditionTally& total);

}  // namespace csipls

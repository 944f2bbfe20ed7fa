#pragma once
// Group analysis: the model estimated per group (company, brand, segment, period), as the ACSI
// estimates each company on its own, or with the weights of the pooled estimate; per group the
// indices, paths and R² with bootstrap intervals, and tests of group differences.
#include <Eigen/Core>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/two_stage.hpp"

namespace csipls {

struct GroupOptions {
    // Each group keeps the pooled estimate's unstandardized outer weights and gets its own means,
    // correlations, paths and indices. Otherwise each group is estimated on its own.
    bool pooled = false;
    bool consistent = false;  // PLSc in each group, as on the pooled data
    MissingOptions missing;   // how each group's missing answers are treated, as on the pooled data
    int threads = 0;          // groups run in parallel; 0: every core OpenMP offers
    // Which pairs of groups get difference tests: automatic (every pair when there are at most
    // `automatic_pair_limit` groups, else none), all, none, or the listed pairs of group labels.
    enum class Pairs { automatic, all, none, listed };
    Pairs pairs = Pairs::automatic;
    std::vector<std::pair<std::string, std::string>> listed_pairs;
    static constexpr int automatic_pair_limit = 10;
    // Pairs that tests re-estimating or comparing each pair (permutations, MICOM, multi-group tests)
    // take at most: all pairs of 45 groups. Pairs grow quadratically (300 groups: 44850).
    static constexpr int tested_pair_limit = 1000;
    // Permutations per tested pair for permutation p-values (Chin & Dibbern 2010); 0: none.
    int permutations = 0;
    // Two-stage models: the data the group analyses split are stage 1's items, and each group,
    // relabelled group and pool of groups estimates both stages on its own rows, as seminr's
    // estimate_pls_mga re-runs estimate_pls in each group.
    StagedItems stages;

    void validate() const;
};

struct GroupEstimate {
    std::string name;
    Eigen::Index n_obs = 0;
    std::string error;  // why this group could not be estimated; empty when it was
    PlsResult result;
    Eigen::VectorXd index;  // CSI per construct; empty without answer scales
    std::vector<bool> negative_weight;
    // Summaries of every parameter; draws are kept only for paths, R² and indices (the quantities
    // compared between groups and aggregated), to bound memory with hundreds of groups.
    std::optional<BootstrapResult> bootstrap;

    bool ok() const { return error.empty(); }
};

// A test of a difference between two groups in one parameter (a path, an R², an index).
struct GroupDifference {
    int a = 0;  // group positions in GroupsResult::groups
    int b = 0;
    BootstrapParameter parameter;
    double difference = 0;  // a − b
    // With a bootstrap: se = √(se_a² + se_b²) of the independent groups' bootstrap draws, and the
    // two-sided normal p of difference / se. NaN without a bootstrap.
    double se = 0;
    double bootstrap_p = 0;
    // With permutations: the share of label permutations whose |difference| reaches the observed
    // one, (count + 1) / (permutations used + 1). NaN without.
    double permutation_p = 0;
    int permutations_used = 0;
};

struct GroupsResult {
    bool pooled = false;
    std::vector<GroupEstimate> groups;  // in natural label order ("B2" before "B10")
    std::vector<GroupDifference> differences;
    int failed = 0;  // groups that could not be estimated
};

// Orders labels as people do: digit runs by value, the rest byte by byte.
bool natural_less(std::string_view a, std::string_view b);

// Each group's rows of a data set with group labels, groups in natural label order (the order of
// GroupsResult::groups). Throws UsageError when the data have no group column.
struct GroupRows {
    std::vector<std::string> names;
    std::vector<std::vector<Eigen::Index>> rows;
};
GroupRows group_rows(const Dataset& data);

// The rows `rows` of `data` as a data set of their own, with their case weights and group labels.
Dataset rows_of_data(const Dataset& data, std::span<const Eigen::Index> rows);

// The data one group is estimated on: the rows `rows` of `data`; with group_options.stages, stage 2's
// data built from stage 1 estimated on those rows (`items` and `stage1`, when given, receive the
// rows' items and that estimate); items with missing answers get their part's means first (mean
// replacement). Throws EstimationError when stage 1 does not converge.
Dataset group_data(const Dataset& data, std::span<const Eigen::Index> rows, const EstimationOptions& options,
                   const GroupOptions& group_options, Dataset* items = nullptr, PlsResult* stage1 = nullptr);
// One group estimated on its own data `part` (group_data) as estimate_groups estimates each group (and as the
// tests between groups re-estimate relabelled groups): moments under group_options.missing, its own
// weights or, with group_options.pooled, the unstandardized `pooled_weights`, PLSc with
// group_options.consistent (interaction terms stay standardized: estimate_groups puts its groups'
// on seminr's scale). Throws EstimationError when the PLS iteration does not converge.
// `moments`, when given, receives the group's moments.
PlsResult estimate_group(const Model& model, const Dataset& part, const EstimationOptions& options, const GroupOptions& group_options,
                         const Eigen::VectorXd& pooled_weights, IndicatorMoments* moments = nullptr);

// The pairs of groups (positions in `names`) the options ask to test, a before b.
std::vector<std::pair<int, int>> tested_group_pairs(const std::vector<std::string>& names, const GroupOptions& options);

// Estimates `model` in each group of `data` (which must have group_of_row). `pooled` is the
// estimate on all of `data`; with group_options.stages, `model`, `pooled` and `scales` are stage 2's
// and `data` holds the items. With scales (one per indicator), indices (none for interaction terms); with boot.resamples > 0, a
// bootstrap per group whose random stream comes from (boot.seed, group label), so adding or
// dropping a group changes no other group's draws, and nothing depends on the thread count. A group
// that cannot be estimated (too few respondents, a constant indicator) is reported, not fatal.
// Throws Cancelled when the monitor asks to stop.
GroupsResult estimate_groups(const Model& model, const Dataset& data, const PlsResult& pooled,
                             const IndicatorMoments& pooled_moments, const EstimationOptions& options,
                             const std::vector<AnswerScale>& scales, const BootstrapOptions& boot,
                             const GroupOptions& group_options, BootstrapMonitor* monitor = nullptr);

// The steps estimate_groups reports to a monitor (resamples and permutations), for a progress bar.
long group_analysis_steps(const Dataset& data, const BootstrapOptions& boot, const GroupOptions& group_options);

}  // namespace csipls

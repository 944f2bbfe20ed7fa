#pragma once
// MICOM, the measurement invariance of composites (Henseler, Ringle & Sarstedt 2016): before the
// paths or indices of two groups are compared, their composites must be the same kind of thing.
// Step 1 (configural invariance) is a check of the set-up; step 2 (compositional invariance) asks
// whether the groups' weights build the same composite; step 3 whether the composites have equal
// means and variances. The paper defines two groups; with more, each tested pair is compared on the
// pooled rows of all groups (cSEM's testMICOM) or on the pair's rows alone (a two-group MICOM per
// pair, as SmartPLS runs it). With two groups both are the same.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"

namespace csipls {

// What the step-2 composites are built from: the pair's pooled indicators standardized on the
// pooled rows (the paper, SmartPLS) or the raw pooled indicators (cSEM's testMICOM). Both use the
// groups' weights for standardized indicators; they differ when a block's indicators have unequal sds.
enum class MicomCompositeData { standardized_pooled, raw_pooled };
const char* to_string(MicomCompositeData data);

// Which rows a pair's MICOM pools: every group's (cSEM: X, the permutations and the step-3
// estimation span all groups) or the pair's own.
enum class MicomPooling { all_groups, pair };
const char* to_string(MicomPooling pooling);

struct MicomOptions {
    int permutations = 0;  // relabellings of each pair's rows; at least 2 (the paper asks for 5000)
    std::uint64_t seed = 0;
    double alpha = 0.05;   // the verdicts' significance level: the step-2 α quantile, the step-3 1 − α interval
    MicomCompositeData composite_data = MicomCompositeData::standardized_pooled;
    MicomPooling pooling = MicomPooling::all_groups;
    MissingOptions missing;  // each estimation's treatment of missing answers, as the groups'
    int threads = 0;         // 0: every core OpenMP offers
    // Two stages: every estimation (each relabelled group, the pool) re-runs stage 1 on its rows;
    // the step-2 composites are built from the pool's stage-2 indicators.
    StagedItems stages;

    void validate() const;
};

// undetermined: a statistic, quantile or interval it needs is undefined (no usable permutation).
enum class MicomVerdict { none, partial, full, undetermined };
const char* to_string(MicomVerdict verdict);

// One construct of one pair (a before b; differences are a − b).
struct MicomConstruct {
    int construct = 0;
    // Step 2: c = cor(X·w_a, X·w_b) over the pooled rows; the 5 % and the α quantile (type 7) of
    // its permutation values (the verdict uses the α one).
    double c = 0, c_quantile_05 = 0, c_quantile = 0;
    // p-values: csipls's convention counts the observed relabelling with the permutations,
    // (count + 1) / (used + 1), so p is never 0; `_share` is cSEM's, count / used.
    // Step 2 counts permutation c ≤ c.
    double c_p = 0, c_p_share = 0;
    // Step 3, on the scores of one estimation on the pooled rows: mean_a − mean_b and
    // ln var_a − ln var_b (divisor n_g − 1), each with the permutation α/2 and 1 − α/2 quantiles.
    // Counted: permutation values beyond ±|observed| (csipls: ≥ |observed| in absolute value;
    // cSEM: > |observed| plus < −|observed|, which differ only at ties).
    double mean_diff = 0, mean_lower = 0, mean_upper = 0, mean_p = 0, mean_p_share = 0;
    double log_var_ratio = 0, var_lower = 0, var_upper = 0, var_p = 0, var_p_share = 0;
    // none: c below its quantile; partial: step 2 holds, a mean or a variance outside its
    // interval; full: all three hold.
    MicomVerdict verdict = MicomVerdict::none;
};

struct MicomPair {
    int a = 0, b = 0;           // positions in GroupsResult::groups
    std::string error;          // why the pair was not tested (a group could not be estimated, ...)
    // Step 1's findings: an indicator without answers, or without variation, in either group.
    std::vector<std::string> configural_problems;
    std::vector<MicomConstruct> constructs;
    int permutations_used = 0;  // permutations whose two estimations succeeded (step 2)
    std::vector<ReplicateFailure> failures;  // the others, with the first failing estimation's reason

    bool ok() const { return error.empty(); }
};

struct MicomResult {
    MicomOptions options;
    std::vector<std::string> configural_checks;  // step 1: what was checked, in words
    std::vector<MicomPair> pairs;
};

// MICOM for each of `pairs` (positions in `groups`, a ≠ b) of `groups` (estimate_groups with each
// group on its own, never with the pooled weights). A permutation relabels the pooled rows at random
// (group sizes kept) and re-estimates the groups of the tested pairs; step 3 re-splits the scores
// of one estimation on the pooled rows with the same relabellings. With MicomPooling::pair the
// relabellings come from the pair's stream, the one the groups' permutation test uses, so both see
// the same ones; with all_groups from one stream of (seed). Case weights are not supported
// (UsageError). Throws Cancelled when the monitor asks to stop.
MicomResult micom(const Model& model, const Dataset& data, const GroupsResult& groups, const EstimationOptions& options,
                  const std::vector<std::pair<int, int>>& pairs, const MicomOptions& micom_options,
                  BootstrapMonitor* monitor = nullptr);

}  // namespace csipls

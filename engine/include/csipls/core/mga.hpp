#pragma once
// Multi-group analysis (MGA): tests of whether the compared parameters (paths, R², CSI indices)
// differ between pairs of groups, and omnibus tests over all groups at once. The definitions are
// those of cSEM's testMGD (R package cSEM 0.6, R/postestimate_test_MGD.R and R/helper_test_MGD.R),
// so that its results replicate; where csipls departs from it the comment at the test says so.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"

namespace csipls {

// Tests of one parameter between two groups a and b (cSEM's name in brackets):
// permutation    Chin & Dibbern (2010) ["Chin"]: GroupDifference::permutation_p as estimate_groups
//                computed it; statistic = the difference a − b.
// parametric     Keil et al. (2000) ["Keil"]: t-test with the pooled standard error of Henseler
//                (2007) / Henseler et al. (2009), df = n_a + n_b − 2.
// welch          Nitzl (2010) ["Nitzl"]: t-test with unequal variances, Welch–Satterthwaite df.
// henseler       Henseler's PLS-MGA (Henseler 2007; Henseler et al. 2009) ["Henseler"]: from every
//                pair of the two groups' bias-corrected bootstrap draws; two-sided.
// ci_parametric  Sarstedt et al. (2011) ["CI_para"]: each group's estimate against the other's
//                bootstrap interval. No p-value; `significant` is the decision.
// ci_overlap     Sarstedt et al. (2011) ["CI_overlap"]: whether the two intervals overlap. No
//                p-value; `significant` is the decision.
enum class MgaTest { permutation, parametric, welch, henseler, ci_parametric, ci_overlap };

// Tests over all groups at once (omnibus rows):
// sarstedt     Sarstedt et al. (2011) ["Sarstedt"]: per parameter, an F statistic on the groups'
//              bootstrap draws against permutations of the draws' group labels.
// klesel_dg    Klesel et al. (2019) ["Klesel", dG]: geodesic distance between the groups'
//              model-implied indicator correlation matrices, against permutations of the
//              respondents' group labels with every group re-estimated.
// klesel_duls  the same with the squared Euclidean distance (cSEM's dL, csipls's d_ULS).
enum class OmnibusTest { sarstedt, klesel_dg, klesel_duls };

// Adjustment of p-values for multiple testing, as R's p.adjust(method = "bonferroni" / "holm").
enum class PValueAdjustment { none, bonferroni, holm };

// Names as in the CLI and the JSON result: "permutation", "parametric", "welch", "henseler",
// "ci_parametric", "ci_overlap"; "sarstedt", "klesel_dg", "klesel_duls"; "none", "bonferroni",
// "holm". The parsers return nothing for an unknown name.
const char* mga_test_name(MgaTest test);
std::optional<MgaTest> parse_mga_test(std::string_view text);
const char* omnibus_test_name(OmnibusTest test);
const char* p_adjustment_name(PValueAdjustment adjustment);
std::optional<PValueAdjustment> parse_p_adjustment(std::string_view text);

struct MgaOptions {
    std::vector<MgaTest> tests;  // the pair tests to run, each at most once, rows in this order
    PValueAdjustment p_adjust = PValueAdjustment::none;
    // Significance level of `significant`. The interval tests use each group's bootstrap intervals
    // as they were computed (BootstrapOptions::ci and ci_level), not intervals at this level.
    double alpha = 0.05;
    bool omnibus = false;  // the all-groups tests: sarstedt (multigroup_tests), klesel (overall_model_difference)
    // Permutations of the omnibus tests: of the bootstrap draws' group labels (sarstedt) and of the
    // respondents' group labels with every group re-estimated (klesel). 0: the omnibus tests are
    // not run.
    int permutations = 0;
    std::uint64_t seed = 20240229;  // the omnibus permutations' random streams
    int threads = 0;                // 0: every core OpenMP offers; never changes the result

    void validate() const;  // throws UsageError naming the MgaOptions field
};

// One test of one parameter between two groups, or one omnibus test over all groups.
struct MgaRow {
    int a = -1;  // group positions in GroupsResult::groups; −1 for omnibus rows
    int b = -1;
    bool omnibus = false;
    MgaTest test = MgaTest::permutation;        // pair rows
    OmnibusTest method = OmnibusTest::sarstedt;  // omnibus rows
    std::optional<BootstrapParameter> parameter;  // none for the whole-model (klesel) rows
    // NaN where it does not apply. difference: estimate a − b (pair rows). statistic: the
    // difference (permutation), t (parametric, welch), P(θ_a ≤ θ_b) (henseler), F (sarstedt), the
    // distance (klesel). df: parametric and welch.
    double difference = 0;
    double statistic = 0;
    double df = 0;
    double p = 0;
    double p_adjusted = 0;  // within the row's family (same test; omnibus: same method), capped at 1
    // What the p-value rests on: permutations used (permutation, sarstedt, klesel), pairs of
    // bootstrap draws (henseler), 0 otherwise.
    long used = 0;
    // p_adjusted ≤ alpha (cSEM rejects unless p > alpha); for the interval tests, their decision.
    bool significant = false;
};

// mga_test_name(row.test) for pair rows, "omnibus" for omnibus rows.
const char* mga_row_test_name(const MgaRow& row);

struct MgaResult {
    // Pair rows test by test (in MgaOptions::tests order), each over GroupsResult::differences in
    // their order; then the sarstedt rows, one per compared parameter.
    std::vector<MgaRow> rows;
    // Why a requested test produced no rows, or fewer than asked (no bootstrap, no permutations, a
    // group that could not be estimated), one line each, for the caller to warn with.
    std::vector<std::string> notes;
};

// The pair tests over GroupsResult::differences (the pairs estimate_groups tested, groups that were
// estimated) and, with options.omnibus and options.permutations > 0, the sarstedt rows over every
// estimated group; p-values adjusted. Rows whose test needs the groups' bootstrap (every test but
// permutation) or permutations that were not run are left out with a note. The sarstedt
// permutations of parameter k draw from a stream of (options.seed, k's kind and ends), so the result
// does not depend on the thread count or on which other parameters are compared.
MgaResult multigroup_tests(const GroupsResult& groups, const MgaOptions& options);

// Sets p_adjusted (and, except for the interval tests, significant) of every row, within families
// of rows of the same test (pair rows) or method (omnibus rows). NaN p-values are left out of their
// family's count and stay NaN. For callers that put rows of both functions in one list.
void adjust_p_values(std::vector<MgaRow>& rows, PValueAdjustment adjustment, double alpha);

struct OverallDifference {
    std::vector<MgaRow> rows;      // klesel_dg and klesel_duls; empty when not run (see notes)
    int permutations_failed = 0;   // permutations in which some group could not be estimated
    std::vector<ReplicateFailure> failures;  // their numbers and reasons, in order
    std::vector<std::string> notes;
};

// Klesel et al. (2019): whether the model-implied indicator correlation matrices differ between the
// groups. Every estimated group of `groups` (from estimate_groups on the same data, model, options
// and group options) is re-estimated on its rows, treated as the groups were (missing answers,
// PLSc, the pooled weights when group_options.pooled; `pooled` and `pooled_moments` are used only
// then); each of options.permutations permutations relabels all of those rows at random (group
// sizes kept) and re-estimates every group. Permutation r draws from its own stream of
// (options.seed, r); one that cannot be estimated is left out and counted. Throws Cancelled when the
// monitor asks to stop; each permutation is one step of the monitor.
OverallDifference overall_model_difference(const Model& model, const Dataset& data, const PlsResult& pooled,
                                           const IndicatorMoments& pooled_moments, const EstimationOptions& options,
                                           const GroupOptions& group_options, const GroupsResult& groups,
                                           const MgaOptions& mga, BootstrapMonitor* monitor = nullptr);

// The steps overall_model_difference reports to a monitor, for a progress bar.
long overall_model_difference_steps(const MgaOptions& mga);

}  // namespace csipls

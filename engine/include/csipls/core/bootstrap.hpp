#pragma once
// Bootstrap of a PLS estimate: resample respondents with replacement, re-standardize, re-estimate.
// Replicate r draws from its own generator seeded from (seed, r), so the draws, and every byte of
// the result, are the same whatever the number of threads.
#include <Eigen/Core>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/csi_index.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/missing.hpp"

namespace csipls {

enum class ConfidenceInterval { percentile, basic, bca };
// Sign indeterminacy of PLS weights (Tenenhaus et al. 2005): none; individual gives every bootstrap
// estimate the sign of its original estimate (as cSEM's "individual"); construct flips a whole
// construct (weights, loadings and its end of every path and effect) when its loadings point
// against the original's.
enum class SignChange { none, individual, construct };

std::string to_string(ConfidenceInterval type);
std::optional<ConfidenceInterval> confidence_interval_from_string(std::string_view text);
std::string to_string(SignChange option);
std::optional<SignChange> sign_change_from_string(std::string_view text);

struct BootstrapOptions {
    int resamples = 0;                 // 0: no bootstrap
    std::uint64_t seed = 20240229;     // fixed default, recorded in the result
    int threads = 0;                   // 0: every core OpenMP offers; never changes the result
    ConfidenceInterval ci = ConfidenceInterval::percentile;
    double ci_level = 0.95;
    SignChange sign_change = SignChange::none;
    // One answer scale per indicator: the CSI indices are bootstrapped too. Empty: no indices.
    std::vector<AnswerScale> index_scales;
    // Per indicator, unstandardized outer weights (standardized weight / sd) that every replicate
    // keeps instead of iterating its own: a group's bootstrap under the pooled weights. Empty: none.
    Eigen::VectorXd fixed_weights;
    // How missing values are treated: each resample (respondents drawn with their missing answers)
    // is treated as the full data were.
    MissingOptions missing;

    void validate() const;
};

// Lets a caller watch progress and cancel from another thread (the CLI's progress bar and Ctrl-C).
struct BootstrapMonitor {
    std::atomic<long> completed{0};
    std::atomic<bool> cancel{false};
};

// A bootstrapped quantity. `from`/`to` are construct or indicator positions, by kind:
// path, indirect, total: construct → construct; outer_weight: indicator → its construct;
// loading: construct → indicator; r2 and csi_index: `to` is the construct (`from` = −1);
// htmt: the pair of constructs (from = a, to = b, a > b).
struct BootstrapParameter {
    enum class Kind { path, outer_weight, loading, r2, indirect, total, csi_index, htmt };
    Kind kind;
    int from;
    int to;
};

// The one table of parameter kinds: what each kind is called, what its two ends are, how it reads.
// Every writer (JSON result, draws CSV, index table, text summary, report) and the group
// comparison take a kind's names from here.
struct ParameterEnd {
    bool from;           // BootstrapParameter::from, else ::to
    bool indicator;      // an indicator position, else a construct position
    const char* field;   // its field name in the JSON result and the index table
};

struct ParameterKind {
    BootstrapParameter::Kind kind;
    const char* name;     // "path", "outer_weight", ...: the index table's "kind"
    const char* section;  // its list in the JSON result's bootstrap section: "paths", "outer_weights", ...
    int end_count;        // 1 (R², index: the construct) or 2
    ParameterEnd ends[2];  // in field order
    // The readable label (parameter_label): prefix, ends[label_first], infix, ends[label_second] (when
    // label_second >= 0), suffix; e.g. "Satisfaction ~ Quality", "R2(Loyalty)".
    const char* prefix;
    int label_first;
    const char* infix;
    int label_second;
    const char* suffix;
    bool compared_between_groups;  // a group difference is tested for it (paths, R², indices)
};

// The row of `kind`; parameter_kinds() lists every kind in enum order.
const ParameterKind& parameter_kind(BootstrapParameter::Kind kind);
const std::vector<ParameterKind>& parameter_kinds();
// The name of the construct or indicator at one end of a parameter of `result`.
const std::string& parameter_end_name(const PlsResult& result, const BootstrapParameter& parameter, const ParameterEnd& end);

struct ParameterSummary {
    double estimate = 0, boot_mean = 0, bias = 0, se = 0, t = 0, p = 0, ci_lower = 0, ci_upper = 0;
};

struct ReplicateFailure {
    int replicate;
    std::string reason;
};

struct BootstrapResult {
    BootstrapOptions options;
    int succeeded = 0;
    std::vector<ReplicateFailure> failures;  // in replicate order
    std::vector<BootstrapParameter> parameters;
    std::vector<ParameterSummary> summaries;  // one per parameter
    Eigen::MatrixXd draws;                     // succeeded replicates × parameters
    std::vector<int> replicate_of_draw;        // replicate number of each row of `draws`
    int jackknife_groups = 0;                  // BCa only: leave-one-(group-)out estimations run
    int jackknife_failed = 0;                  // ... and how many of them failed (left out)
    // BCa only: each parameter's leave-one-out value per jackknife group (parameters × groups), and
    // which groups succeeded; quantities derived from the parameters (specific indirect effects)
    // get their acceleration from these.
    Eigen::MatrixXd jackknife;
    std::vector<char> jackknife_ok;
};

// The summary of one quantity from its estimate and its finite bootstrap draws (in draw order;
// reordered here), exactly as bootstrap() summarizes each parameter: the mean, bias, sd (n − 1),
// t = estimate / se with a two-sided p on n_obs − 1 df, and the options' interval (percentile,
// basic, or BCa with `jackknife`, the quantity's values of the jackknife groups that succeeded).
// Fewer than two draws leave everything but the estimate undefined.
ParameterSummary summarize_draws(double estimate, std::vector<double>& draws, const std::vector<double>& jackknife,
                                 const BootstrapOptions& options, Eigen::Index n_obs);

// Two-sided p-value of t under Student's t with the given degrees of freedom (NaN when undefined).
double two_sided_p_value(double t, double degrees_of_freedom);

// Leave-one-out groups of the BCa jackknife: one per respondent, at most 1000 (interleaved groups).
Eigen::Index jackknife_groups(Eigen::Index respondents);

// The bootstrapped quantities of a result, in a fixed order: paths, outer weights, loadings, R²,
// indirect and total effects (only where a route exists), with `with_indices` the CSI indices, and
// the HTMT of every pair of constructs.
std::vector<BootstrapParameter> bootstrap_parameters(const PlsResult& result, bool with_indices = false);

// A readable name for a parameter, e.g. "Satisfaction ~ Quality", "Image =~ IMAG1".
std::string parameter_label(const PlsResult& result, const BootstrapParameter& parameter);

struct StagedModel;
// A two-stage model's bootstrap: every replicate re-estimates stage 1 on its resample of the items
// and rebuilds stage 2's moments from it (two_stage.hpp), so both stages' uncertainty is in the draws.
struct TwoStageBootstrap {
    const StagedModel* staged = nullptr;
    const Dataset* items = nullptr;     // complete, StagedModel::items order, the same rows as `data`
    const PlsResult* stage1 = nullptr;  // the full sample's stage-1 estimate
    std::vector<AnswerScale> item_scales;  // per item; empty without indices
};

// Runs the bootstrap. `data` columns in Model::all_indicators() order; `original` is the estimate on
// the full data. Replicates that fail (no convergence, a constant indicator in the resample, a
// singular matrix) are counted with their reason and left out. Throws UsageError for bad options,
// and Cancelled when the monitor asks to stop (no partial result). With `two_stage`, `model` and
// `original` are stage 2 and `data` its data (stage_two_data); interaction terms get no index.
BootstrapResult bootstrap(const Model& model, const Dataset& data, const PlsResult& original,
                          const BootstrapOptions& options, BootstrapMonitor* monitor = nullptr,
                          const TwoStageBootstrap* two_stage = nullptr);

}  // namespace csipls

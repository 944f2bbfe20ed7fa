#pragma once
// A study: everything a user runs on one model and one data set (reverse-coding, missing answers,
// PLS or PLSc, assessment, CSI indices, bootstrap, fit test, prediction, groups, aggregation, IPMA,
// the indices of CSI practice) as one call. The CLI, the R and Python packages and the Monte Carlo
// driver all call run_study; none of them repeats a step of it.
//
//   csipls::StudyOptions options;
//   options.answer_scale = csipls::AnswerScale{1, 10};
//   options.bootstrap.resamples = 500;
//   const csipls::StudyResult result = csipls::run_study(model, std::move(data), options);
//   std::cout << result.summary();
#include <ostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/assessment.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/mga.hpp"
#include "csipls/core/mediation.hpp"
#include "csipls/core/micom.hpp"
#include "csipls/core/index_table.hpp"
#include "csipls/core/ipma.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/prediction.hpp"
#include "csipls/core/two_stage.hpp"
#include "csipls/core/segmentation.hpp"
#include "csipls/io/json.hpp"
#include "csipls/io/practice_io.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/study/study_options.hpp"

namespace csipls {

// Watches a study from another thread and may cancel it. The long stages (bootstrap, fit test,
// groups) announce themselves and count their steps in `progress.completed`; setting
// `progress.cancel` makes run_study throw Cancelled at the next replicate.
class StudyMonitor {
public:
    virtual ~StudyMonitor() = default;
    // A long stage begins; `steps` units of work will be counted (progress.completed starts at 0).
    virtual void stage_started(std::string_view /*stage*/, long /*steps*/) {}
    virtual void stage_finished(std::string_view /*stage*/) {}
    BootstrapMonitor progress;
};

// Everything one study produced: what the JSON result holds, plus the data the per-respondent
// outputs need. Optional parts are there when the options asked for them.
struct StudyResult {
    Model model;
    Dataset data;  // the model's indicators after reverse-coding, in model order
    StudyOptions options;
    IndicatorMoments moments;
    PlsResult estimates;
    Assessment assessment;
    RunProvenance provenance;
    std::vector<AnswerScale> index_scales;  // per indicator; empty without indices
    std::optional<CsiIndex> indices;
    std::optional<BootstrapResult> bootstrap;
    MediationResult mediation;  // the specific indirect effects (with the bootstrap's inference)
    std::optional<BlindfoldingResult> q2;
    std::optional<PlsPredictResult> predicted;
    std::optional<FitTestResult> fit_test;
    std::optional<GroupsResult> groups;
    // With groups: each group's specific indirect effects (empty for a group that was not estimated).
    std::vector<MediationResult> mediation_by_group;
    std::optional<MicomResult> micom;
    // Multi-group tests: the pair tests and the omnibus rows (Sarstedt's and Klesel's) in one list.
    std::optional<MgaResult> mga;
    std::optional<PracticeIndices> practice;
    std::vector<GroupPracticeIndices> practice_by_group;  // with groups: the practice indices of each
    std::optional<IndexTable> index_table;
    std::optional<IpmaResult> ipma;
    std::optional<TwoStageResult> two_stage;
    std::optional<SegmentationResult> segmentation;  // hidden segments (FIMIX-PLS or PLS-POS)
    // What a reader of the result should know (inadmissible estimates, failed resamples, groups
    // that could not be estimated, non-convergence), in the order they arose.
    std::vector<std::string> warnings;

    bool converged() const { return estimates.converged; }
    // Why the estimates are not a PLS solution (also in `warnings`); empty when converged.
    std::string convergence_warning() const;
    // Converged and admissible: estimates one may report.
    bool is_usable() const;
    // The 0–100 CSI index of the construct called `construct`. Throws UsageError when the study has
    // no indices (no answer scale) or no such construct.
    double index_of(const std::string& construct) const;
    // The JSON result (README "The JSON result"), with its schema_version.
    Json to_json() const;
    // The readable summary the CLI prints without --out.
    std::string summary() const;
    void write_summary(std::ostream& out) const;
    // Construct scores per respondent (unit variance); missing answers filled as the treatment says
    // (listwise: the rows of respondents left out are NaN).
    Eigen::MatrixXd scores() const;
};

// Runs the study. `data` holds the model's indicators (any order; other columns are ignored unless
// the practice indices name them), with case weights and group labels when the options use them.
// Throws UsageError for options that contradict each other or the model (naming StudyOptions
// fields), ModelError or InputError for a model or data that cannot be estimated (naming the data's
// source), Cancelled when the monitor asks to stop. A run that does not converge is not an error:
// the result says so (converged(), warnings).
StudyResult run_study(const Model& model, Dataset data, const StudyOptions& options, StudyMonitor* monitor = nullptr);

}  // namespace csipls

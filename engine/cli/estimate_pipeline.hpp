#pragma once
// The estimation pipeline shared by the commands that estimate (estimate, report): its options, how
// they are checked, and one run from the model and data files to every result the options ask for.
#include <boost/program_options.hpp>
#include <optional>
#include <string>

#include "csipls/core/assessment.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/index_table.hpp"
#include "csipls/core/ipma.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/prediction.hpp"
#include "csipls/io/result_writers.hpp"
#include "practice_step.hpp"

namespace csipls::cli {

struct EstimateSettings {
    std::string model_path;
    std::string data_path;
    CsvOptions csv;
    EstimationOptions options;
    bool consistent = false;
    std::optional<AnswerScale> scale;  // --scale; the model file may give scales too
    BootstrapOptions boot;
    FitTestOptions fit;
    bool predict = false;
    BlindfoldingOptions blindfold;
    PlsPredictOptions plspredict;
    // --group: the text column whose values split the respondents into groups estimated one by one
    // (companies, segments, periods); --pooled: the groups share the weights of the pooled estimate.
    std::string group_column;
    GroupOptions groups;
    std::string group_pairs_text = "auto";
    std::string aggregate_path;  // --aggregate: weights and levels for industry, sector, total indices
    std::string ipma_target;  // --ipma: the target construct of the importance-performance map
    bool index_table_requested = false;  // the command writes an index table: indices are required
    MissingOptions missing;   // --missing-treatment; the codes (--missing) are in csv
    std::string missing_codes_text;
    std::string missing_treatment_text = "listwise";
    PracticeSettings practice;  // --item-scores, --weights-index, --gap

    // Option texts, turned into the fields above by finish_settings().
    std::string delimiter_text = ",";
    std::string scheme_text = "path";
    std::string ci_text = "percentile";
    std::string sign_change_text = "none";
    std::string seed_text = "20240229";
    std::string scale_text;

    // Every file the run reads, so that no output may replace one of them.
    std::vector<std::string> input_paths() const {
        return {model_path, data_path, aggregate_path, practice.weights_index_path};
    }
};

// Adds the model, data and analysis options (not the output files) to `described`, bound to `settings`.
void add_estimation_options(boost::program_options::options_description& described, EstimateSettings& settings);

// Parses the option texts and checks the combination. Throws UsageError.
void finish_settings(EstimateSettings& settings);

// Everything one run produced. Optional parts are there when the settings asked for them.
struct EstimateRun {
    Model model;
    Dataset data;
    IndicatorMoments moments;
    PlsResult result;
    Assessment assessment;
    RunProvenance provenance;
    std::vector<AnswerScale> index_scales;  // per indicator; empty without indices
    std::optional<CsiIndex> indices;
    std::optional<BootstrapResult> bootstrap;
    std::optional<BlindfoldingResult> q2;
    std::optional<PlsPredictResult> predicted;
    std::optional<FitTestResult> fit_test;
    std::optional<GroupsResult> groups;
    std::optional<PracticeIndices> practice;  // --item-scores, --weights-index, --gap (all respondents)
    std::optional<IndexTable> index_table;
    std::optional<IpmaResult> ipma;  // with indices: the (all) row, the groups, the aggregates

    Json to_json() const;
    void write_summary(std::ostream& out) const;
    // Construct scores per respondent; missing answers filled as the treatment says (listwise:
    // the rows of respondents left out are NaN).
    Eigen::MatrixXd scores() const;
};

// Reads the model and data files and runs what `settings` asks for, with a progress bar on standard
// error for the long steps. Warnings (inadmissible results, failed resamples) go to the log.
EstimateRun run_estimation(const EstimateSettings& settings);

// The warning and exit code of a run whose PLS iteration did not converge.
int convergence_exit_code(const EstimateRun& run);

}  // namespace csipls::cli

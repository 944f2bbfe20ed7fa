#pragma once
// Renders estimation results: the JSON result (the stable, documented interface for scripts), the
// readable summary, and CSV tables.
#include <ostream>
#include <string>
#include <vector>

#include "csipls/core/assessment.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/mga.hpp"
#include "csipls/core/mediation.hpp"
#include "csipls/core/two_stage.hpp"
#include "csipls/core/segmentation.hpp"
#include "csipls/core/micom.hpp"
#include "csipls/core/index_table.hpp"
#include "csipls/core/ipma.hpp"
#include "csipls/core/prediction.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/io/json.hpp"

namespace csipls {

// What a result came from, recorded with it so that it can be reproduced.
struct RunProvenance {
    std::string model_path;
    std::string model_xxh64;
    DataSource data;
    CsvOptions csv;
    // What was missing and how it was treated; empty `indicators` when not recorded.
    MissingReport missing;
};

// The JSON result. Keys documented in README.md; later features add keys and never rename these.
Json result_to_json(const PlsResult& result, const IndicatorMoments& moments, const RunProvenance& provenance);

// The assessment keys of the JSON result (reliability, validity, collinearity, effect sizes, fit,
// admissibility), added to `json`.
void add_assessment_to_json(Json& json, const PlsResult& result, const Assessment& assessment);

// The `csi_index` section: values, the rescaled weights, the scales and the constructs flagged for a
// negative weight.
Json csi_index_to_json(const PlsResult& result, const CsiIndex& index, const std::vector<AnswerScale>& scales);

// The `bootstrap` section of the JSON result.
Json bootstrap_to_json(const PlsResult& result, const BootstrapResult& bootstrap);

// The readable summary printed when no --out is given; with a bootstrap, its table follows.
void write_summary(std::ostream& out, const PlsResult& result, const RunProvenance& provenance,
                   const Assessment* assessment = nullptr, const BootstrapResult* bootstrap = nullptr,
                   const CsiIndex* index = nullptr, const FitTestResult* fit_test = nullptr,
                   const BlindfoldingResult* q2 = nullptr);

// The `prediction` section: Q² by blindfolding per endogenous construct, and PLSpredict per
// predicted indicator.
Json prediction_to_json(const PlsResult& result, const BlindfoldingResult& q2, const PlsPredictResult& predicted);

// The `fit_test` section: per measure the observed value, the 95 % and 99 % quantiles under the
// model, whether the observed value reaches them, and the share of draws at least as large.
Json fit_test_to_json(const FitTestResult& fit_test);

// Every successful replicate's estimates: a `replicate` column, then one column per parameter.
void write_bootstrap_draws(std::ostream& out, const PlsResult& result, const BootstrapResult& bootstrap);

// A numeric table as CSV with a header row; numbers in shortest round-trip form.
void write_csv_table(std::ostream& out, const std::vector<std::string>& header,
                     const Eigen::Ref<const Eigen::MatrixXd>& values, char delimiter = ',');

// A data set with its group labels as the first column, named `group_column`.
void write_grouped_csv(std::ostream& out, const std::string& group_column, const Dataset& data, char delimiter = ',');

// Display width of UTF-8 text in a terminal (East Asian wide characters take two columns).
std::size_t display_width(std::string_view text);

// `text` padded with spaces to `width` terminal columns, on the right (or on the left with `right`).
std::string pad_to_width(const std::string& text, std::size_t width, bool right = false);

// Rows of cells (the first the header) as an aligned table of the readable summary: two spaces
// before it and between columns, each column as wide as its widest cell, the columns
// `right_aligned` marks aligned right, no trailing spaces.
void write_aligned_rows(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right_aligned);

// A CSV field: as is, or quoted (with "" for ") when it holds the delimiter, a quote or a line break.
std::string csv_field(const std::string& text, char delimiter = ',');

// A number for a CSV cell in shortest round-trip form; empty for NaN or infinity.
std::string csv_number(double value);

// A parameter as the JSON result names it: its `kind`, then its ends' fields (`from` and `to`, or
// `construct`, ...).
Json describe_parameter(const PlsResult& result, const BootstrapParameter& parameter);

// The `groups` section: per group its size, paths, R², indices and bootstrap summaries (or why it
// could not be estimated), and the group-difference tests.
Json groups_to_json(const PlsResult& pooled, const GroupsResult& groups, const std::string& column);

// The `micom` rows (a row per pair × construct) and `micom_settings` (the definitions used, step 1's
// checks, each pair's permutations), added to `json`; and the summary's MICOM table.
void add_micom_to_json(Json& json, const PlsResult& pooled, const GroupsResult& groups, const MicomResult& micom);
void write_micom_summary(std::ostream& out, const PlsResult& pooled, const GroupsResult& groups, const MicomResult& micom);

// The `mga` rows (pair × parameter × test, then the omnibus rows) and `mga_settings` (the tests,
// the adjustment, the definitions, why a test gave no rows), added to `json`; and the summary's table.
void add_mga_to_json(Json& json, const PlsResult& pooled, const GroupsResult& groups, const MgaResult& mga, const MgaOptions& options);
void write_mga_summary(std::ostream& out, const PlsResult& pooled, const GroupsResult& groups, const MgaResult& mga,
                       const MgaOptions& options);

// `specific_indirect_effects` [{route, from, to, estimate, boot_mean, se, t, p, ci_lower, ci_upper,
// mediation}] and `mediation` (the routes asked for, the definitions), added to `json`; and the
// summary's table (nothing without routes).
void add_mediation_to_json(Json& json, const PlsResult& result, const MediationResult& mediation, const BootstrapResult* bootstrap);
void write_mediation_summary(std::ostream& out, const PlsResult& result, const MediationResult& mediation);

// `two_stage` (the stages, interaction terms with their scale factor and standardized paths,
// higher-order constructs, stage 1's estimates, the definitions) and `simple_slopes`, added to
// `json`; and the summary's section. `result` is stage 2's estimate (or the repeated-indicators model's).
void add_two_stage_to_json(Json& json, const PlsResult& result, const TwoStageResult& stages);
void write_two_stage_summary(std::ostream& out, const PlsResult& result, const TwoStageResult& stages);
// The `segmentation` section: {method, k, criteria, entropy, sizes, segments [{share, size, paths,
// r2}]} of the selected solution, `solutions` with every K tried, and the definitions (each
// criterion's formula); the summary's criteria table and segment paths side by side; and the
// assignments CSV: `row` (1-based data row), `segment` (1 … K; empty for a row left out) and, for
// FIMIX, the posterior probabilities p1 … pK, one line per data row in data order.
Json segmentation_to_json(const PlsResult& result, const SegmentationResult& segmentation);
void write_segmentation_summary(std::ostream& out, const PlsResult& result, const SegmentationResult& segmentation);
void write_segment_assignments(std::ostream& out, const SegmentationResult& segmentation);

// The `ipma` section: per driver construct and indicator its importance, performance and quadrant.
Json ipma_to_json(const PlsResult& result, const IpmaResult& ipma);

// The `index_table` section: a row per unit with index, se and interval per construct.
Json index_table_to_json(const IndexTable& table);

// The index table as published: a row per unit; per construct the index, then se and interval
// columns; a note column for errors and flagged indices.
void write_index_table_csv(std::ostream& out, const IndexTable& table);

// The index table and the importance-performance map for the readable summary.
void write_index_table_summary(std::ostream& out, const IndexTable& table);
void write_ipma_summary(std::ostream& out, const PlsResult& result, const IpmaResult& ipma);

// Reads the aggregation weights file: a column naming the groups (`group_column` or "group"), a
// `weight` column, and any further columns as aggregation levels from lowest to highest (e.g.
// industry, sector). Throws InputError naming the file, line and column.
AggregationPlan read_aggregation_plan(const std::string& path, const std::string& group_column, char delimiter = ',');

}  // namespace csipls

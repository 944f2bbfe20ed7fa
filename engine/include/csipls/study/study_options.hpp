#pragma once
// Every setting of a study, once, with its default. validate() (or is_valid()) checks each field and
// every rule between fields; messages name the field as written here ("bootstrap.resamples must be
// ≥ 0, got -1"), and front ends map field names to their own (the CLI to its flags, one table).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/mga.hpp"
#include "csipls/core/micom.hpp"
#include "csipls/core/index_table.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/options.hpp"
#include "csipls/core/practice_indices.hpp"
#include "csipls/core/two_stage.hpp"
#include "csipls/core/prediction.hpp"
#include "csipls/core/segmentation.hpp"
#include "csipls/io/csv.hpp"

namespace csipls {

struct StudyOptions {
    // How the data were (or are to be) read from a file: recorded in the result's settings. With
    // in-memory data, case weights and groups come with the Dataset and these name their columns.
    struct Data {
        char delimiter = ',';
        bool decimal_comma = false;          // ',' is the decimal mark (European CSV)
        std::vector<double> missing_codes;   // numbers meaning "no answer" (e.g. -99)
        std::string case_weights;            // column of case (survey) weights; empty: unweighted
        std::string group;                   // text column of groups (company, segment, period); empty: none
        // A segment assignments file (`csipls segment --assignments`: columns row, segment) giving each
        // data row its group "segment N"; data.group is then "segment". Rows without a segment are left out.
        std::string segments;
        // The reader's options these give (and the result records as its input settings).
        CsvOptions read_options() const;
    } data;

    // The PLS iteration: inner scheme, convergence tolerance and iteration limit.
    EstimationOptions estimation;
    // Consistent PLS (PLSc, Dijkstra & Henseler 2015) for reflective blocks, in every resample too.
    bool consistent = false;
    // Interaction terms and higher-order constructs: how their two stages are built (two_stage.hpp).
    StagingOptions staging;
    // Missing answers: listwise, mean, pairwise or EM (with EM's tolerance and iteration limit).
    MissingOptions missing;
    // The indicators' answer scale: adds 0–100 CSI indices. Replaces the model file's scale
    // statements when given; without either there are no indices.
    std::optional<AnswerScale> answer_scale;

    // One seed for every random draw of the study (bootstrap, fit test, PLSpredict folds, permutations).
    std::uint64_t seed = 20240229;
    // Threads for the parallel stages; 0: every core OpenMP offers. Never changes a result.
    int threads = 0;

    struct Bootstrap {
        int resamples = 0;  // 0: no bootstrap
        ConfidenceInterval ci = ConfidenceInterval::percentile;
        double ci_level = 0.95;
        SignChange sign_change = SignChange::none;
    } bootstrap;

    struct FitTest {
        int resamples = 0;  // Bollen–Stine test of exact fit; 0: none
    } fit_test;

    struct Prediction {
        bool enabled = false;       // Q² by blindfolding and PLSpredict
        int omission_distance = 7;  // blindfolding D
        int folds = 10;             // PLSpredict k
        int repetitions = 10;       // PLSpredict r
    } prediction;

    // Active when data.group names a column: the model is also estimated per group.
    struct Groups {
        bool pooled = false;  // groups keep the pooled estimate's weights
        GroupOptions::Pairs pairs = GroupOptions::Pairs::automatic;
        std::vector<std::pair<std::string, std::string>> listed_pairs;  // with pairs = listed
        int permutations = 0;  // permutation p-values of group differences (and MICOM's permutations); 0: none
        // MICOM for every tested pair (needs `permutations`, each group estimated on its own).
        bool micom = false;
        MicomCompositeData micom_data = MicomCompositeData::standardized_pooled;
        MicomPooling micom_pooling = MicomPooling::all_groups;
        double alpha = 0.05;  // significance level of MICOM's verdicts and the group tests' marks
        // Multi-group tests of each tested pair (permutation needs `permutations`, the others the
        // groups' bootstrap), the omnibus tests over all groups (need `permutations`; Sarstedt's
        // also the bootstrap) and the adjustment of their p-values.
        std::vector<MgaTest> mga;
        bool omnibus = false;
        PValueAdjustment p_adjust = PValueAdjustment::none;
    } groups;

    // Hidden segments: FIMIX-PLS for K = k_min … k_max, or PLS-POS for one K (k_min = k_max).
    struct Segmentation {
        SegmentationMethod method = SegmentationMethod::none;
        int k_min = 1;
        int k_max = 6;
        int starts = 10;           // random starts per K, each seeded from (seed, K, start)
        double tolerance = 1e-10;  // FIMIX: stop when the log-likelihood grows by less
        int max_iterations = 5000; // FIMIX: EM iterations per start
        Eigen::Index min_size = 0; // PLS-POS: smallest segment; 0: the model's minimum or 5 % of respondents
        bool fimix_start = false;  // PLS-POS: FIMIX's hard assignment as the first start
        std::vector<std::string> describe;  // numeric data columns compared between the segments
    } segmentation;
    // The specific indirect effects reported: the routes from `from` to `to` (construct names; empty
    // or "*": any).
    struct Mediation {
        std::string from, to;
    } mediation;

    // Weights and levels (industry, sector) aggregating the group indices; needs groups and indices.
    std::optional<AggregationPlan> aggregation;
    // The target construct of the importance–performance map; empty: none. Needs indices.
    std::string ipma_target;
    // The caller publishes the index table, so indices are required.
    bool index_table = false;

    // The indices of CSI practice; each needs `answer_scale`.
    struct Practice {
        bool item_scores = false;                // mean item satisfaction on −90…+90
        std::optional<WeightsFile> weights_index;  // the fixed-weight hierarchical index
        std::vector<std::pair<std::string, std::string>> gaps;  // (perceived, expected) data columns
        bool wanted() const { return item_scores || weights_index || !gaps.empty(); }
        // The data columns these read: `model`'s indicators (item scores), the weights file's items
        // and the gap pairs, each once.
        std::vector<std::string> columns(const Model& model) const;
        // The error for an item of the weights file that `data_name` lacks, naming the file's line.
        InputError missing_item(const std::string& item, const std::string& data_name) const;
    } practice;

    // Ceres's Solver::Options::IsValid: false with the first problem in `error` (may be null).
    bool is_valid(std::string* error) const;
    // Throws UsageError with the first problem.
    void validate() const;

    // The kernels' options, derived from these in one place.
    BootstrapOptions bootstrap_options() const;
    FitTestOptions fit_test_options() const;
    GroupOptions group_options() const;
    MicomOptions micom_options() const;
    MgaOptions mga_options() const;
    BlindfoldingOptions blindfolding_options() const;
    PlsPredictOptions pls_predict_options() const;
    FimixOptions fimix_options() const;
    PosOptions pos_options() const;
};

}  // namespace csipls

// run_study and StudyOptions: the library entry point every front end calls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "csipls/core/error.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/study/option_table.hpp"
#include "csipls/study/study.hpp"
#include "csipls/study/study_files.hpp"

namespace csipls {
namespace {

using ::testing::HasSubstr;

const std::string source_dir = CSIPLS_SOURCE_DIR;
const std::string model_path = source_dir + "/models/ccsi.model";
const std::string data_path = source_dir + "/data/ccsi_example.csv";

std::string problem_of(const StudyOptions& options) {
    std::string problem;
    EXPECT_FALSE(options.is_valid(&problem));
    EXPECT_THROW(options.validate(), UsageError);
    return problem;
}

TEST(StudyOptionsTest, DefaultsAreValid) {
    const StudyOptions options;
    std::string problem = "untouched";
    EXPECT_TRUE(options.is_valid(&problem));
    EXPECT_EQ(problem, "untouched");
    EXPECT_TRUE(options.is_valid(nullptr));
    EXPECT_EQ(options.seed, 20240229u);
    EXPECT_EQ(options.estimation.max_iterations, 300);
    EXPECT_EQ(options.bootstrap.ci_level, 0.95);
}

TEST(StudyOptionsTest, MessagesNameTheField) {
    StudyOptions options;
    options.bootstrap.resamples = -1;
    EXPECT_EQ(problem_of(options), "`bootstrap.resamples` must be 0 (none) or between 2 and 10000000, got -1");
    options = {};
    options.estimation.tolerance = 2;
    EXPECT_THAT(problem_of(options), HasSubstr("`estimation.tolerance` must be"));
    options = {};
    options.prediction.folds = 1;
    EXPECT_THAT(problem_of(options), HasSubstr("`prediction.folds` must be at least 2"));
    options = {};
    options.prediction.omission_distance = 1;
    EXPECT_THAT(problem_of(options), HasSubstr("`prediction.omission_distance`"));
    options = {};
    options.threads = -3;
    EXPECT_THAT(problem_of(options), HasSubstr("`threads` must be between 0"));
    // The kernels' own checks, in the study's field names.
    options = {};
    options.missing.em_max_iterations = 0;
    EXPECT_EQ(problem_of(options), "`missing.em_max_iterations` must be between 1 and 1000000, got 0");
    options = {};
    options.groups.permutations = 1;
    options.data.group = "company";
    EXPECT_EQ(problem_of(options), "`groups.permutations` must be 0 (none) or between 2 and 1000000, got 1");
}

TEST(StudyOptionsTest, RulesBetweenFields) {
    StudyOptions options;
    options.data.case_weights = "w";
    options.prediction.enabled = true;
    EXPECT_THAT(problem_of(options), HasSubstr("`data.case_weights` does not work with `prediction.enabled`"));
    options = {};
    options.practice.item_scores = true;
    EXPECT_THAT(problem_of(options), HasSubstr("give `answer_scale`"));
    options = {};
    options.groups.pooled = true;
    EXPECT_THAT(problem_of(options), HasSubstr("need `data.group`"));
    options.data.group = "company";
    EXPECT_TRUE(options.is_valid(nullptr));
    options.fit_test.resamples = 10;
    EXPECT_THAT(problem_of(options), HasSubstr("`data.group` does not work with"));
    options = {};
    options.prediction.enabled = true;
    options.consistent = true;
    EXPECT_THAT(problem_of(options), HasSubstr("`prediction.enabled` uses plain PLS"));
}

TEST(StudyOptionsTest, KernelOptionsTakeTheOneSeedAndThreadCount) {
    StudyOptions options;
    options.seed = 42;
    options.threads = 3;
    options.consistent = true;
    options.missing.treatment = MissingTreatment::em;
    EXPECT_EQ(options.bootstrap_options().seed, 42u);
    EXPECT_EQ(options.bootstrap_options().threads, 3);
    EXPECT_EQ(options.bootstrap_options().missing.treatment, MissingTreatment::em);
    EXPECT_EQ(options.fit_test_options().seed, 42u);
    EXPECT_EQ(options.pls_predict_options().seed, 42u);
    EXPECT_EQ(options.group_options().threads, 3);
    EXPECT_TRUE(options.group_options().consistent);
    EXPECT_EQ(options.group_options().missing.treatment, MissingTreatment::em);
}

TEST(StudyFilesTest, AModelIsTextOrAFilesPath) {
    const Model from_file = load_model_text_or_file(model_path);
    EXPECT_EQ(from_file.source, model_path);
    const Model from_text = load_model_text_or_file(read_text_file(model_path));
    EXPECT_EQ(from_text.source, "the model");
    EXPECT_EQ(from_text.all_indicators(), from_file.all_indicators());
    EXPECT_THROW(load_model_text_or_file("A =~ a\nB =~ b\nB ~ C"), Error);  // C is no construct
    EXPECT_THROW(load_model_text_or_file(source_dir + "/models/no_such.model"), IoError);
}

TEST(OptionTableTest, EveryFieldIsNamedOnceAndSetsWhatItRecords) {
    std::set<std::string> names, flags;
    for (const auto& field : study_option_fields()) {
        EXPECT_TRUE(names.insert(field.name).second) << field.name;
        EXPECT_TRUE(flags.insert(field.flag).second) << field.flag;
        EXPECT_EQ(find_study_option_field(field.name), &field);
    }
    EXPECT_EQ(find_study_option_field("no.such.field"), nullptr);
    // The bindings' keywords: the name or the flag, '.' and '-' read as '_'; the name first.
    EXPECT_EQ(find_study_option_keyword("bootstrap_ci_level"), find_study_option_field("bootstrap.ci_level"));
    EXPECT_EQ(find_study_option_keyword("ci_level"), find_study_option_field("bootstrap.ci_level"));
    EXPECT_EQ(find_study_option_keyword("bootstrap"), find_study_option_field("bootstrap.resamples"));
    EXPECT_EQ(find_study_option_keyword("missing_treatment"), find_study_option_field("missing.treatment"));
    EXPECT_EQ(find_study_option_keyword("decimal-comma"), find_study_option_field("data.decimal_comma"));
    EXPECT_EQ(find_study_option_keyword("bootstrap_resample"), nullptr);
    for (const auto& field : study_option_fields()) EXPECT_EQ(find_study_option_keyword(field.name), &field);
    // Texts as the bindings pass them: set in the table's order whatever their order, then validated.
    const StudyOptions from_texts = study_options_from_texts(
        {{find_study_option_field("data.delimiter"), ";"},
         {find_study_option_field("bootstrap.ci_level"), "0.9"},
         {find_study_option_field("bootstrap.resamples"), "40"}});
    EXPECT_EQ(from_texts.data.delimiter, ';');
    EXPECT_EQ(from_texts.bootstrap.ci_level, 0.9);
    EXPECT_EQ(from_texts.bootstrap.resamples, 40);
    EXPECT_THROW(study_options_from_texts({{find_study_option_field("bootstrap.ci_level"), "1.5"}}), UsageError);
    StudyOptions options;
    find_study_option_field("bootstrap.resamples")->set(options, "250");
    find_study_option_field("estimation.scheme")->set(options, "factorial");
    find_study_option_field("groups.pairs")->set(options, "A:B,C:D");
    find_study_option_field("answer_scale")->set(options, "1:7");
    find_study_option_field("data.decimal_comma")->set(options, "true");
    EXPECT_EQ(options.bootstrap.resamples, 250);
    EXPECT_EQ(options.estimation.scheme, InnerScheme::factorial);
    ASSERT_EQ(options.groups.listed_pairs.size(), 2u);
    EXPECT_EQ(options.groups.listed_pairs[1], std::make_pair(std::string("C"), std::string("D")));
    EXPECT_EQ(options.data.delimiter, ';') << "the decimal comma moves the default delimiter";
    const Json recorded = study_options_to_json(options);
    EXPECT_EQ(recorded["bootstrap.resamples"], 250);
    EXPECT_EQ(recorded["estimation.scheme"], "factorial");
    EXPECT_EQ(recorded["answer_scale"], Json::array({1.0, 7.0}));
    EXPECT_EQ(recorded["groups.pairs"], Json::parse(R"([["A","B"],["C","D"]])"));
    EXPECT_FALSE(recorded.contains("threads")) << "any thread count gives the same result";
    try {
        find_study_option_field("bootstrap.resamples")->set(options, "many");
        FAIL() << "a word is not a count";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "`bootstrap.resamples` takes a whole number, got 'many'");
    }
    EXPECT_THROW(find_study_option_field("answer_scale")->set(options, "7:1"), UsageError);
    EXPECT_THROW(find_study_option_field("seed")->set(options, "-1"), UsageError);
}

class RunStudyTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { model_ = new Model(load_model(model_path)); }
    static void TearDownTestSuite() { delete model_; }
    static Dataset indicators() { return read_csv(data_path, model_->all_indicators()); }
    static Model* model_;
};
Model* RunStudyTest::model_ = nullptr;

TEST_F(RunStudyTest, IndicesBootstrapAndRecordedSettings) {
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 10};
    options.bootstrap.resamples = 60;
    options.seed = 7;
    const StudyResult result = run_study(*model_, indicators(), options);
    ASSERT_TRUE(result.indices);
    ASSERT_TRUE(result.bootstrap);
    EXPECT_TRUE(result.is_usable());
    EXPECT_TRUE(result.warnings.empty());
    EXPECT_EQ(result.bootstrap->succeeded, 60);
    const int satisfaction = model_->construct_index("顾客满意");
    const double index = result.indices->index[satisfaction];
    EXPECT_GT(index, 50);
    EXPECT_LT(index, 90);
    const Json json = result.to_json();
    EXPECT_EQ(json["settings"]["options"]["bootstrap.resamples"], 60);
    EXPECT_EQ(json["settings"]["options"]["seed"], 7);
    EXPECT_EQ(json["input"]["model"]["path"], model_path);
    EXPECT_EQ(json["input"]["model"]["xxh64"].get<std::string>().size(), 16u);
    EXPECT_EQ(json["csi_index"]["values"]["顾客满意"].get<double>(), index);
    EXPECT_EQ(result.index_of("顾客满意"), index);
    EXPECT_THROW(result.index_of("Satisfaction"), UsageError);
    EXPECT_THAT(result.summary(), HasSubstr("顾客满意"));
}

TEST_F(RunStudyTest, ExtraColumnsAndColumnOrderDoNotChangeTheEstimates) {
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 10};
    const StudyResult exact = run_study(*model_, indicators(), options);
    // The whole file's columns in reverse order, plus an unrelated one.
    auto columns = model_->all_indicators();
    std::reverse(columns.begin(), columns.end());
    Dataset shuffled = read_csv(data_path, columns);
    shuffled.columns.push_back("respondent");
    std::vector<double> widened;
    for (Eigen::Index r = 0; r < shuffled.rows; ++r) {
        for (std::size_t k = 0; k + 1 < shuffled.columns.size(); ++k)
            widened.push_back(shuffled.values[static_cast<std::size_t>(r) * (shuffled.columns.size() - 1) + k]);
        widened.push_back(static_cast<double>(r));
    }
    shuffled.values = widened;
    const StudyResult wide = run_study(*model_, std::move(shuffled), options);
    EXPECT_EQ(wide.data.columns, model_->all_indicators());
    EXPECT_EQ(wide.estimates.path_coefficients, exact.estimates.path_coefficients);
    EXPECT_EQ(wide.indices->index, exact.indices->index);
}

TEST_F(RunStudyTest, ReverseCodedItemsAreRecodedInsideTheStudy) {
    // Answers of BI1 turned around (x -> 11 - x) and declared reversed give the original estimates.
    Dataset flipped = indicators();
    const int column = flipped.column_index("BI1");
    for (Eigen::Index r = 0; r < flipped.rows; ++r) {
        double& answer = flipped.values[static_cast<std::size_t>(r) * flipped.columns.size() + static_cast<std::size_t>(column)];
        answer = 11 - answer;
    }
    Model reversed = *model_;
    reversed.reversed.push_back({{"BI1"}, 0});
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 10};
    const StudyResult original = run_study(*model_, indicators(), options);
    const StudyResult recoded = run_study(reversed, std::move(flipped), options);
    EXPECT_LT((recoded.estimates.path_coefficients - original.estimates.path_coefficients).cwiseAbs().maxCoeff(), 1e-12);
}

TEST_F(RunStudyTest, RefusalsNameTheFieldAndTheData) {
    StudyOptions options;
    options.ipma_target = "顾客满意";
    try {
        run_study(*model_, indicators(), options);
        FAIL() << "IPMA needs indices";
    } catch (const UsageError& error) {
        EXPECT_THAT(error.what(), HasSubstr("`ipma_target`, `aggregation` and `index_table` work on indices"));
    }
    options = {};
    options.data.group = "company";
    EXPECT_THROW(run_study(*model_, indicators(), options), UsageError) << "the data have no groups";
    Dataset weighted = indicators();
    weighted.case_weights = Eigen::VectorXd::Ones(weighted.rows);
    options = {};
    options.prediction.enabled = true;
    EXPECT_THROW(run_study(*model_, std::move(weighted), options), UsageError);
    Dataset lacking = read_csv(data_path, {"BI1", "BI2"});
    EXPECT_THROW(run_study(*model_, std::move(lacking), {}), InputError);
}

TEST_F(RunStudyTest, PracticeColumnsOutsideTheScaleAreRefused) {
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 5};
    options.practice.gaps = {{"SAT1", "EQ1"}};
    try {
        run_study(*model_, load_study_data(data_path, *model_, options), options);
        FAIL() << "the example's answers go up to 10";
    } catch (const UsageError& error) {
        EXPECT_THAT(error.what(), HasSubstr(": column 'SAT1' has answers from 2 to 10, outside `answer_scale` 1:5"));
    }
}

TEST_F(RunStudyTest, CaseWeightsOfInMemoryDataAreRecorded) {
    Dataset weighted = indicators();
    weighted.case_weights = Eigen::VectorXd::Constant(weighted.rows, 2.0);
    const StudyResult result = run_study(*model_, std::move(weighted), {});
    EXPECT_EQ(result.to_json()["settings"]["case_weights"], "(case weights of the data)");
    EXPECT_EQ(run_study(*model_, indicators(), {}).to_json()["settings"]["case_weights"], nullptr);
}

TEST_F(RunStudyTest, NonConvergenceIsAWarningNotAnError) {
    StudyOptions options;
    options.estimation.max_iterations = 1;
    const StudyResult result = run_study(*model_, indicators(), options);
    EXPECT_FALSE(result.converged());
    EXPECT_FALSE(result.is_usable());
    ASSERT_FALSE(result.warnings.empty());
    EXPECT_THAT(result.warnings.front(), HasSubstr("did not converge"));
    EXPECT_EQ(result.warnings.front(), result.convergence_warning());
    EXPECT_THAT(result.convergence_warning(), HasSubstr("`estimation.max_iterations`"));
    EXPECT_EQ(result.to_json()["warnings"].size(), result.warnings.size());
    EXPECT_THROW(result.index_of("顾客满意"), UsageError) << "no answer scale, no indices";
}

// Cancels as soon as the bootstrap starts.
class CancellingMonitor : public StudyMonitor {
public:
    void stage_started(std::string_view stage, long steps) override {
        stages.emplace_back(stage);
        total = steps;
        progress.cancel.store(true);
    }
    std::vector<std::string> stages;
    long total = 0;
};

TEST_F(RunStudyTest, TheMonitorSeesTheStagesAndCancels) {
    StudyOptions options;
    options.bootstrap.resamples = 200;
    CancellingMonitor monitor;
    EXPECT_THROW(run_study(*model_, indicators(), options, &monitor), Cancelled);
    ASSERT_EQ(monitor.stages.size(), 1u);
    EXPECT_EQ(monitor.stages.front(), "bootstrap");
    EXPECT_EQ(monitor.total, 200);
}

TEST_F(RunStudyTest, LoadStudyDataReadsThePracticeColumnsToo) {
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 10};
    options.practice.gaps = {{"SAT1", "EQ1"}};
    Dataset data = load_study_data(data_path, *model_, options);
    EXPECT_EQ(data.columns.size(), model_->all_indicators().size());  // SAT1 and EQ1 are indicators already
    const StudyResult result = run_study(*model_, std::move(data), options);
    ASSERT_TRUE(result.practice);
    ASSERT_EQ(result.practice->gaps.size(), 1u);
    EXPECT_GT(result.practice->gaps.front().n, 100);
}

// Three simulated companies of 150 respondents: the groups' tests through the study.
Dataset three_companies() {
    SimulationOptions simulation;
    simulation.n = 150;
    simulation.groups = 3;
    simulation.seed = 11;
    return simulate(load_model(source_dir + "/data/ccsi_population.model"), simulation);
}

TEST(StudyOptionsTest, MicomRules) {
    StudyOptions options;
    options.groups.micom = true;
    EXPECT_EQ(problem_of(options), "`groups.micom` compares groups: give `data.group`");
    options.data.group = "company";
    EXPECT_EQ(problem_of(options), "`groups.micom` needs `groups.permutations` (the paper asks for 5000)");
    options.groups.permutations = 100;
    EXPECT_TRUE(options.is_valid(nullptr));
    options.groups.pooled = true;
    EXPECT_THAT(problem_of(options), HasSubstr("run it without `groups.pooled`"));
    options.groups.pooled = false;
    options.data.case_weights = "w";
    EXPECT_THAT(problem_of(options), HasSubstr("`groups.micom` does not work with `data.case_weights`"));
    options.data.case_weights.clear();
    options.groups.alpha = 0.5;
    EXPECT_EQ(problem_of(options), "`groups.alpha` must be between 0 and 0.5 (exclusive), got 0.5");
}

TEST_F(RunStudyTest, MicomOfEveryPairInTheResultAndTheSummary) {
    StudyOptions options;
    options.data.group = "company";
    options.groups.micom = true;
    options.groups.permutations = 40;
    options.seed = 7;
    const StudyResult result = run_study(*model_, three_companies(), options);
    ASSERT_TRUE(result.micom);
    ASSERT_EQ(result.micom->pairs.size(), 3u);
    const Json json = result.to_json();
    ASSERT_TRUE(json["micom"].is_array());
    EXPECT_EQ(json["micom"].size(), 3u * model_->constructs.size());
    const Json& first = json["micom"][0];
    for (const char* key : {"a", "b", "construct", "c", "c_quantile_05", "c_p", "mean_diff", "mean_ci_lower", "mean_ci_upper", "mean_p",
                            "log_var_ratio", "var_ci_lower", "var_ci_upper", "var_p", "verdict", "permutations", "seed"})
        EXPECT_TRUE(first.contains(key)) << key;
    EXPECT_EQ(first["a"], "C001");
    EXPECT_EQ(first["b"], "C002");
    EXPECT_EQ(first["permutations"], 40);
    EXPECT_EQ(json["micom_settings"]["composite_data"], "standardized_pooled");
    EXPECT_EQ(json["micom_settings"]["configural"][0]["holds"], true);
    EXPECT_EQ(json["settings"]["options"]["groups.micom"], true);
    EXPECT_THAT(result.summary(), HasSubstr("MICOM (Henseler, Ringle & Sarstedt 2016): 40 permutations"));
    EXPECT_THAT(result.summary(), HasSubstr("C001 vs C003"));

    options.groups.pairs = GroupOptions::Pairs::listed;
    options.groups.listed_pairs = {{"C003", "C001"}};
    options.groups.micom_data = MicomCompositeData::raw_pooled;
    const StudyResult listed = run_study(*model_, three_companies(), options);
    ASSERT_EQ(listed.micom->pairs.size(), 1u);
    EXPECT_EQ(listed.to_json()["micom"][0]["a"], "C003");
    EXPECT_EQ(listed.to_json()["micom_settings"]["composite_data"], "raw_pooled");
}

TEST_F(RunStudyTest, MicomWithOneGroupOnlyNamesIt) {
    Dataset data = three_companies();
    std::fill(data.group_of_row.begin(), data.group_of_row.end(), 0);
    data.group_names.resize(1);
    StudyOptions options;
    options.data.group = "company";
    options.groups.micom = true;
    options.groups.permutations = 40;
    try {
        run_study(*model_, std::move(data), options);
        FAIL() << "one group has no pair";
    } catch (const UsageError& error) {
        EXPECT_THAT(error.what(), HasSubstr("`groups.micom` compares groups, but there is one group only ('C001') in "));
    }
}

TEST_F(RunStudyTest, PracticeIndicesPerGroupEqualThoseOfTheGroupAlone) {
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 10};
    options.practice.item_scores = true;
    options.practice.gaps = {{"SAT1", "EQ1"}};
    options.data.group = "company";
    const Dataset data = three_companies();
    const StudyResult grouped = run_study(*model_, data, options);
    ASSERT_EQ(grouped.practice_by_group.size(), 3u);
    EXPECT_EQ(grouped.practice_by_group[1].group, "C002");
    EXPECT_EQ(grouped.practice_by_group[1].n_obs, 150);

    // C002 alone: its rows copied by hand, no group column.
    Dataset alone;
    alone.columns = data.columns;
    for (Eigen::Index r = 0; r < data.rows; ++r)
        if (data.group_names[static_cast<std::size_t>(data.group_of_row[static_cast<std::size_t>(r)])] == "C002") {
            alone.values.insert(alone.values.end(), data.values.begin() + r * data.cols(), data.values.begin() + (r + 1) * data.cols());
            ++alone.rows;
        }
    options.data.group.clear();
    const StudyResult single = run_study(*model_, alone, options);
    const PracticeIndices& by_group = grouped.practice_by_group[1].indices;
    ASSERT_TRUE(by_group.items && single.practice->items);
    for (Eigen::Index j = 0; j < by_group.items->construct_mean.size(); ++j)
        EXPECT_DOUBLE_EQ(by_group.items->construct_mean[j], single.practice->items->construct_mean[j]);
    EXPECT_DOUBLE_EQ(by_group.gaps.at(0).mean, single.practice->gaps.at(0).mean);
    EXPECT_NE(by_group.gaps.at(0).mean, grouped.practice->gaps.at(0).mean) << "the group's gap, not the pooled one";
    const Json json = grouped.to_json();
    EXPECT_EQ(json["practice_indices"]["groups"][1]["group"], "C002");
    EXPECT_TRUE(json["practice_indices"]["groups"][1].contains("item_scores"));
    EXPECT_THAT(grouped.summary(), HasSubstr("Indices of CSI practice by group"));
}

TEST_F(RunStudyTest, SpecificIndirectEffectsPerGroupFromTheGroupsBootstrap) {
    StudyOptions options;
    options.data.group = "company";
    options.bootstrap.resamples = 60;
    options.bootstrap.ci = ConfidenceInterval::bca;
    const StudyResult result = run_study(*model_, three_companies(), options);
    ASSERT_EQ(result.mediation_by_group.size(), 3u);
    const Json json = result.to_json();
    for (std::size_t g = 0; g < 3; ++g) {
        const GroupEstimate& group = result.groups->groups[g];
        const MediationResult& mediation = result.mediation_by_group[g];
        ASSERT_EQ(mediation.effects.size(), result.mediation.effects.size());
        for (const auto& effect : mediation.effects) {
            double product = 1;
            for (std::size_t k = 1; k < effect.route.size(); ++k) product *= group.result.path_coefficients(effect.route[k - 1], effect.route[k]);
            EXPECT_DOUBLE_EQ(effect.estimate, product);
            ASSERT_TRUE(effect.bootstrap);
            EXPECT_GT(effect.bootstrap->se, 0);
            EXPECT_LT(effect.bootstrap->ci_lower, effect.bootstrap->ci_upper);
        }
        const Json& listed = json["groups"]["results"][g]["specific_indirect_effects"];
        ASSERT_EQ(listed.size(), mediation.effects.size());
        EXPECT_EQ(listed[0]["estimate"].get<double>(), mediation.effects[0].estimate);
    }
    EXPECT_NE(result.mediation_by_group[0].effects[0].estimate, result.mediation_by_group[1].effects[0].estimate);
}

}  // namespace
}  // namespace csipls

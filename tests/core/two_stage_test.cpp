#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/core/two_stage.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/study/study.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using namespace csipls::testing_support;

namespace {

const char* const moderated_text =
    "X =~ x1 + x2 + x3\n"
    "M =~ m1 + m2 + m3\n"
    "Y =~ y1 + y2 + y3\n"
    "Y ~ X + M + X:M\n";

// The population of `moderated_text`: Y = 0.3 X + 0.2 M + 0.25 X·M + disturbance.
const char* const moderated_population =
    "X =~ x1 + x2 + x3\n"
    "M =~ m1 + m2 + m3\n"
    "Y =~ y1 + y2 + y3\n"
    "Y ~ 0.3*X + 0.2*M + 0.25*X:M\n";

// Performance measured by the scores of Quality and Value (the data's population has them as
// two correlated first-order constructs).
const char* const higher_order_text =
    "Quality =~ q1 + q2 + q3\n"
    "Value =~ v1 + v2\n"
    "Performance =~ Quality + Value\n"
    "Satisfaction =~ s1 + s2 + s3\n"
    "Satisfaction ~ Performance\n";
const char* const higher_order_population =
    "Quality =~ q1 + q2 + q3\n"
    "Value =~ v1 + v2\n"
    "Satisfaction =~ s1 + s2 + s3\n"
    "Value ~ 0.5*Quality\n"
    "Satisfaction ~ 0.4*Quality + 0.3*Value\n";

StagedModel staged_by(const char* model_text, StagingOptions options) { return stage_model(parse_model(model_text, "test.model"), options); }

// Simulated data whose columns are the staged model's items, in its order (repeated indicators
// copy their items' columns).
Dataset items_for(const StagedModel& staged, const char* population_text, bool discrete, Eigen::Index n, std::uint64_t seed) {
    SimulationOptions options;
    options.n = n;
    options.seed = seed;
    options.discrete = discrete;
    const Dataset simulated = simulate(parse_model(population_text, "population.model"), options);
    Eigen::MatrixXd values(simulated.rows, static_cast<Eigen::Index>(staged.items.size()));
    const auto matrix = simulated.matrix();
    for (std::size_t j = 0; j < staged.items.size(); ++j)
        values.col(static_cast<Eigen::Index>(j)) = matrix.col(simulated.column_index(staged.item_columns[j]));
    return dataset_from(staged.items, values);
}

void expect_moments_match(const StageTwoMoments& kernel, const IndicatorMoments& expected) {
    ASSERT_EQ(kernel.correlation2.rows(), expected.correlation.rows());
    EXPECT_LT((kernel.correlation2 - expected.correlation).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((kernel.means2 - expected.means).cwiseAbs().maxCoeff(), 1e-10 * (1 + expected.means.cwiseAbs().maxCoeff()));
    EXPECT_LT((kernel.sds2 - expected.sds).cwiseAbs().maxCoeff(), 1e-10 * (1 + expected.sds.maxCoeff()));
}

// Stage 1 estimated on `resampled` (the rows a replicate drew), its stage-2 data's moments, against
// the kernel given the original rows and the replicate's counts: what TwoStageBootstrap relies on.
void check_kernel(const StagedModel& staged, const Dataset& items, const std::vector<Eigen::Index>& drawn,
                  const std::vector<AnswerScale>& scales) {
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(items.rows);
    for (const Eigen::Index row : drawn) counts[row] += 1;
    const Dataset resampled = rows_of_data(items, drawn);
    const IndicatorMoments item_moments = compute_moments(resampled);
    const PlsResult stage1 = estimate(staged.stage1, item_moments, EstimationOptions{});
    ASSERT_TRUE(stage1.converged);
    const IndicatorMoments expected = compute_moments(stage_two_data(staged, resampled, item_moments, stage1, scales));

    StageTwoMoments kernel(staged);
    ASSERT_TRUE(kernel.compute(staged, items.matrix(), counts, item_moments.means, item_moments.sds.cwiseInverse(),
                               item_moments.correlation, stage1, scales));
    expect_moments_match(kernel, expected);
}

std::vector<Eigen::Index> all_rows(Eigen::Index n) {
    std::vector<Eigen::Index> rows(static_cast<std::size_t>(n));
    std::iota(rows.begin(), rows.end(), Eigen::Index{0});
    return rows;
}

// A resample with rows drawn 0, 1, 2 and 3 times.
std::vector<Eigen::Index> uneven_rows(Eigen::Index n) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index copy = 0; copy < (i * 7) % 4; ++copy) rows.push_back(i);
    return rows;
}

// The kernel check of the moderated model by every interaction method, on the rows `drawn` picks.
template <class Rows>
void check_every_interaction_method(Rows drawn, Eigen::Index n, std::uint64_t seed) {
    const Model model = parse_model(moderated_text, "moderated.model");
    for (const auto method : {InteractionMethod::two_stage, InteractionMethod::product_indicator, InteractionMethod::orthogonal}) {
        SCOPED_TRACE(to_string(method));
        StagingOptions options;
        options.interaction = method;
        const StagedModel staged = stage_model(model, options);
        const Dataset items = items_for(staged, moderated_population, false, n, seed);
        check_kernel(staged, items, drawn(items.rows), {});
    }
}

}  // namespace

TEST(StageTwoMoments, UnitCountsReproduceTheStageTwoDataForEveryInteractionMethod) {
    check_every_interaction_method(all_rows, 120, 11);
}

TEST(StageTwoMoments, UnitCountsReproduceTheStageTwoDataOfAHigherOrderConstruct) {
    const StagedModel staged = stage_model(parse_model(higher_order_text, "hoc.model"), StagingOptions{});
    const Dataset items = items_for(staged, higher_order_population, true, 150, 5);
    check_kernel(staged, items, all_rows(items.rows), {});
    // Index scores of the lower-order constructs (0–100) instead of standardized scores.
    check_kernel(staged, items, all_rows(items.rows), std::vector<AnswerScale>(staged.items.size(), AnswerScale{1, 10}));
}

TEST(StageTwoMoments, ResampleCountsEqualStageOneReestimatedOnTheDrawnRows) {
    check_every_interaction_method(uneven_rows, 100, 3);
    const StagedModel staged = stage_model(parse_model(higher_order_text, "hoc.model"), StagingOptions{});
    const Dataset items = items_for(staged, higher_order_population, true, 120, 8);
    check_kernel(staged, items, uneven_rows(items.rows), {});
    check_kernel(staged, items, uneven_rows(items.rows), std::vector<AnswerScale>(staged.items.size(), AnswerScale{1, 10}));
}

TEST(StageTwoMoments, EmbeddedApproachResamplesTheRepeatedIndicatorsModel) {
    const StagedModel staged = staged_by(higher_order_text, {InteractionMethod::two_stage, HigherOrderApproach::embedded});
    // Stage 1 is the repeated-indicators model: Performance measured by copies of q1..q3, v1, v2.
    const int performance = staged.stage1.construct_index("Performance");
    ASSERT_GE(performance, 0);
    EXPECT_EQ(staged.stage1.constructs[static_cast<std::size_t>(performance)].indicators.size(), 5u);
    ASSERT_EQ(staged.items.size(), staged.item_columns.size());
    for (std::size_t k = 0; k < staged.items.size(); ++k)
        if (staged.items[k].rfind("Performance_2nd_", 0) == 0) EXPECT_EQ(staged.items[k], "Performance_2nd_" + staged.item_columns[k]);
    // Stage 2 is the disjoint approach's: Performance measured by the two lower-order scores.
    EXPECT_EQ(staged.stage2.constructs[static_cast<std::size_t>(staged.stage2.construct_index("Performance"))].indicators,
              (std::vector<std::string>{"Quality", "Value"}));
    const Dataset items = items_for(staged, higher_order_population, true, 120, 8);
    check_kernel(staged, items, uneven_rows(items.rows), {});
    check_kernel(staged, items, all_rows(items.rows), std::vector<AnswerScale>(staged.items.size(), AnswerScale{1, 10}));
}

// New rows are orthogonalized by the regressions fitted on the training rows: applied to those rows
// themselves they give the same data.
TEST(TwoStage, FittedOrthogonalizingRegressionsCarryToOtherRows) {
    const StagedModel staged = staged_by(moderated_text, {InteractionMethod::orthogonal, HigherOrderApproach::two_stage});
    const Dataset items = items_for(staged, moderated_population, false, 150, 21);
    const IndicatorMoments moments = compute_moments(items);
    const PlsResult stage1 = estimate(staged.stage1, moments, EstimationOptions{});
    Orthogonalizing fit;
    const Dataset fitted_here = stage_two_data(staged, items, moments, stage1, {}, &fit);
    ASSERT_EQ(fit.coefficients.size(), staged.computed.size());
    EXPECT_GT(fit.coefficients.front().size(), 0);
    const Dataset applied = stage_two_data(staged, items, moments, stage1, {}, nullptr, &fit);
    EXPECT_LT((fitted_here.matrix() - applied.matrix()).cwiseAbs().maxCoeff(), 1e-12);
    // The first 40 rows alone get the whole fit's values for those rows: nothing is refitted on them.
    const std::vector<Eigen::Index> first_rows = [] {
        std::vector<Eigen::Index> rows(40);
        std::iota(rows.begin(), rows.end(), Eigen::Index{0});
        return rows;
    }();
    const Dataset part = stage_two_data(staged, rows_of_data(items, first_rows), moments, stage1, {}, nullptr, &fit);
    EXPECT_LT((part.matrix() - fitted_here.matrix().topRows(40)).cwiseAbs().maxCoeff(), 1e-12);
}

// Case weights of 1, 2 and 3 are rows taken once, twice and three times, for the orthogonalizing
// regressions too.
TEST(TwoStage, WeightedOrthogonalizingEqualsDuplicatedRows) {
    const StagedModel staged = staged_by(moderated_text, {InteractionMethod::orthogonal, HigherOrderApproach::two_stage});
    Dataset weighted = items_for(staged, moderated_population, false, 90, 23);
    weighted.case_weights.resize(weighted.rows);
    std::vector<Eigen::Index> duplicated_rows;
    for (Eigen::Index i = 0; i < weighted.rows; ++i) {
        weighted.case_weights[i] = static_cast<double>(1 + i % 3);
        for (Eigen::Index copy = 0; copy <= i % 3; ++copy) duplicated_rows.push_back(i);
    }
    Dataset duplicated = rows_of_data(weighted, duplicated_rows);
    duplicated.case_weights.resize(0);
    const StageOne from_weights = run_stage_one(staged, weighted, EstimationOptions{}, {});
    const StageOne from_copies = run_stage_one(staged, duplicated, EstimationOptions{}, {});
    const IndicatorMoments a = compute_moments(from_weights.stage2_data), b = compute_moments(from_copies.stage2_data);
    EXPECT_LT((a.correlation - b.correlation).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((a.means - b.means).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((a.sds - b.sds).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(TwoStage, RescaleInteractionsUsesTheProductsStandardDeviation) {
    const StagedModel staged = stage_model(parse_model(moderated_text, "moderated.model"), StagingOptions{});
    const Dataset items = items_for(staged, moderated_population, false, 200, 21);
    const IndicatorMoments item_moments = compute_moments(items);
    const PlsResult stage1 = estimate(staged.stage1, item_moments, EstimationOptions{});
    const Dataset stage2_data = stage_two_data(staged, items, item_moments, stage1, {});
    const IndicatorMoments moments2 = compute_moments(stage2_data);
    const PlsResult standardized = estimate(staged.stage2, moments2, EstimationOptions{});
    PlsResult rescaled = standardized;
    Eigen::VectorXd factors(1);
    rescale_interactions(staged, moments2.sds, rescaled, &factors);

    // One indicator, the product of the stage-1 scores: a is its sd, not 1 (the scores are not centred).
    ASSERT_EQ(staged.interaction_constructs.size(), 1u);
    const int interaction = staged.interaction_constructs[0];
    const Eigen::Index product = stage2_data.column_index("X*M");
    ASSERT_GE(product, 0) << "the two-stage product indicator is named X*M";
    const Eigen::VectorXd column = stage2_data.matrix().col(product);
    const double sd = std::sqrt((column.array() - column.mean()).square().sum() / static_cast<double>(column.size() - 1));
    EXPECT_NEAR(factors[0], sd, 1e-12);
    EXPECT_GT(std::abs(factors[0] - 1), 1e-3) << "a test with a = 1 could not tell scaled from unscaled";

    const int y = 2;
    EXPECT_NEAR(rescaled.path_coefficients(interaction, y) * factors[0], standardized.path_coefficients(interaction, y), 1e-12);
    EXPECT_NEAR(rescaled.path_coefficients(0, y), standardized.path_coefficients(0, y), 1e-15);
    for (std::size_t i = 0; i < rescaled.indicators.size(); ++i) {
        const double factor = rescaled.block_of_indicator[i] == interaction ? factors[0] : 1.0;
        EXPECT_NEAR(rescaled.loadings[static_cast<Eigen::Index>(i)], standardized.loadings[static_cast<Eigen::Index>(i)] * factor, 1e-12)
            << rescaled.indicators[i];
    }
}

TEST(TwoStage, SimpleSlopesAreTheFocalPathPlusLevelTimesTheInteractionPath) {
    const StagedModel staged = stage_model(parse_model(moderated_text, "moderated.model"), StagingOptions{});
    PlsResult result;
    for (const auto& construct : staged.stage2.constructs) result.constructs.push_back(construct.name);
    ASSERT_EQ(result.constructs, (std::vector<std::string>{"X", "M", "Y", "X:M"}));
    result.path_coefficients = Eigen::MatrixXd::Zero(4, 4);
    result.path_coefficients(0, 2) = 0.31;
    result.path_coefficients(1, 2) = 0.18;
    result.path_coefficients(3, 2) = -0.07;
    result.paths = {{0, 2}, {1, 2}, {3, 2}};
    result.n_obs = 250;

    BootstrapResult bootstrap;
    bootstrap.options.resamples = 6;
    bootstrap.parameters = {{BootstrapParameter::Kind::path, 0, 2}, {BootstrapParameter::Kind::path, 3, 2}};
    bootstrap.draws.resize(6, 2);
    bootstrap.draws << 0.30, -0.05, 0.35, -0.10, 0.28, -0.02, 0.33, -0.09, 0.29, -0.06, 0.32, -0.08;
    bootstrap.succeeded = 6;

    const auto slopes = simple_slopes(staged, result, &bootstrap);
    ASSERT_EQ(slopes.size(), 3u);
    for (const auto& slope : slopes) {
        SCOPED_TRACE(slope.moderator_level);
        EXPECT_EQ(slope.interaction, "X:M");
        EXPECT_EQ(slope.focal, "X");
        EXPECT_EQ(slope.moderator, "M");
        EXPECT_EQ(slope.dependent, "Y");
        EXPECT_NEAR(slope.slope, 0.31 - 0.07 * slope.moderator_level, 1e-15);
        ASSERT_TRUE(slope.bootstrap);
        const Eigen::VectorXd draws = bootstrap.draws.col(0) + slope.moderator_level * bootstrap.draws.col(1);
        const double sd = std::sqrt((draws.array() - draws.mean()).square().sum() / 5.0);
        EXPECT_NEAR(slope.bootstrap->se, sd, 1e-12);
        EXPECT_NEAR(slope.bootstrap->boot_mean, draws.mean(), 1e-12);
        EXPECT_LE(slope.bootstrap->ci_lower, slope.bootstrap->ci_upper);
        EXPECT_GE(slope.bootstrap->ci_lower, draws.minCoeff() - 1e-12);
        EXPECT_LE(slope.bootstrap->ci_upper, draws.maxCoeff() + 1e-12);
    }
    EXPECT_EQ(slopes[0].moderator_level, -1.0);
    EXPECT_EQ(slopes[2].moderator_level, 1.0);
    EXPECT_FALSE(simple_slopes(staged, result, nullptr)[0].bootstrap);
}

// A population with X·M's coefficient 0.25 (n = 2000, continuous): the study's standardized
// interaction path (path · a) recovers it.
TEST(TwoStage, SimulatedInteractionIsRecovered) {
    const Model model = parse_model(moderated_text, "moderated.model");
    SimulationOptions simulation;
    simulation.n = 2000;
    simulation.seed = 1;
    simulation.discrete = false;
    Dataset data = simulate(parse_model(moderated_population, "population.model"), simulation);
    StudyOptions options;
    const StudyResult result = run_study(model, std::move(data), options);
    ASSERT_TRUE(result.two_stage && result.two_stage->staged);
    const auto& constructs = result.estimates.constructs;
    const auto at = [&](const std::string& name) {
        return static_cast<int>(std::find(constructs.begin(), constructs.end(), name) - constructs.begin());
    };
    const double standardized = result.estimates.path_coefficients(at("X:M"), at("Y")) * result.two_stage->interaction_scale[0];
    // PLS composites of three items loading 0.8 have reliability ≈ 0.84, and the product of two
    // such composites ≈ 0.84² ≈ 0.71, so the estimate converges to about 0.25 · √(0.71 · 0.84) ≈ 0.19
    // (0.188 on n = 200000 from this population), not to 0.25. Across seeds at n = 2000 it varies
    // with sd ≈ 0.02 (≈ 1/√n); 0.12–0.27 is that limit ± 3.5 sd, and excludes 0, which a simulator
    // ignoring the product term would give.
    EXPECT_GT(standardized, 0.12);
    EXPECT_LT(standardized, 0.27);
    EXPECT_NEAR(result.estimates.path_coefficients(at("X"), at("Y")), 0.3, 0.1);
    EXPECT_NEAR(result.estimates.path_coefficients(at("M"), at("Y")), 0.2, 0.1);
}

TEST(TwoStage, RepeatedIndicatorsModelCopiesTheItemsAndJoinsTheLevels) {
    for (const char* op : {"=~", "<~"}) {
        SCOPED_TRACE(op);
        const std::string text = std::string("Quality =~ q1 + q2\nValue =~ v1\nPerformance ") + op +
                                 " Quality + Value\nSatisfaction =~ s1 + s2\nSatisfaction ~ Performance\n";
        std::vector<std::string> copied;
        const Model repeated = repeated_indicators_model(parse_model(text, "hoc.model"), copied);
        const int performance = repeated.construct_index("Performance");
        ASSERT_GE(performance, 0);
        EXPECT_EQ(repeated.constructs[static_cast<std::size_t>(performance)].indicators,
                  (std::vector<std::string>{"Performance_2nd_q1", "Performance_2nd_q2", "Performance_2nd_v1"}));
        const auto indicators = repeated.all_indicators();
        ASSERT_EQ(copied.size(), indicators.size());
        for (std::size_t i = 0; i < indicators.size(); ++i) {
            const auto prefix = std::string("Performance_2nd_");
            EXPECT_EQ(copied[i], indicators[i].rfind(prefix, 0) == 0 ? indicators[i].substr(prefix.size()) : indicators[i]);
        }
        const bool formative = std::string(op) == "<~";
        for (const char* lower : {"Quality", "Value"}) {
            const bool into = std::any_of(repeated.paths.begin(), repeated.paths.end(),
                                          [&](const auto& p) { return p.from == lower && p.to == "Performance"; });
            const bool out_of = std::any_of(repeated.paths.begin(), repeated.paths.end(),
                                            [&](const auto& p) { return p.from == "Performance" && p.to == lower; });
            EXPECT_EQ(into, formative) << lower;
            EXPECT_EQ(out_of, !formative) << lower;
        }
        EXPECT_TRUE(std::any_of(repeated.paths.begin(), repeated.paths.end(),
                                [](const auto& p) { return p.from == "Performance" && p.to == "Satisfaction"; }));
        EXPECT_NO_THROW(validate_model(repeated));
    }
}

#include "csipls/core/montecarlo.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>

#include "csipls/core/error.hpp"
#include "csipls/io/model_file.hpp"

using namespace csipls;

namespace {

// Two composites of three items, one path: PLS (mode B) is consistent for it.
const char* composite_text = R"(
A <~ 0.5*a1 + 0.3*a2 + 0.4*a3
B <~ 0.2*b1 + 0.6*b2 + 0.4*b3
B ~ 0.5*A
)";

// Three common factors of three items each, every loading `loading` ("" for none), then `structure`.
std::string factor_model(const std::string& loading, const std::string& structure) {
    std::string text;
    for (const char* block : {"A", "B", "C"}) {
        const std::string item = std::string(1, static_cast<char>(block[0] + 32));
        text += std::string(block) + " =~ ";
        for (int i = 1; i <= 3; ++i) text += (i > 1 ? " + " : "") + loading + item + std::to_string(i);
        text += "\n";
    }
    return text + structure;
}

// PLS overstates loadings and understates paths of common factors (Dijkstra 1983), PLSc is consistent.
const std::string factor_text = factor_model("0.7*", "B ~ 0.5*A\nC ~ 0.3*A + 0.4*B\n");
// A direct A → C path of 0.6 and the model without it (A → B → C only): clearly wrong.
const std::string strong_text = factor_model("0.8*", "B ~ 0.3*A\nC ~ 0.6*A + 0.0*B\n");
const std::string chain_text = factor_model("", "B ~ A\nC ~ B\n");

MonteCarloDesign design_of(const std::string& population, std::vector<MonteCarloCondition> conditions, int replications) {
    MonteCarloDesign design;
    design.population = parse_model(population, "population.model");
    design.analysis = design.population;
    design.conditions = std::move(conditions);
    design.replications = replications;
    design.block_size = 50;
    design.seed = 7;
    return design;
}

MonteCarloCondition condition(Eigen::Index n, bool consistent = false) {
    MonteCarloCondition c;
    c.n = n;
    c.consistent = consistent;
    return c;
}

// Every block of every condition, summed in order.
std::vector<ConditionOutcome> run(const MonteCarloPlan& plan) {
    std::vector<ConditionOutcome> outcomes;
    for (int c = 0; c < static_cast<int>(plan.design.conditions.size()); ++c) {
        ConditionTally total;
        for (int b = 0; b < plan.design.blocks_per_condition(); ++b) add_tally(total, run_monte_carlo_block(plan, c, b));
        outcomes.push_back(summarize_condition(plan, total));
    }
    return outcomes;
}

// Mean of f over the parameters of one kind.
template <class F>
double mean_over(const MonteCarloPlan& plan, const ConditionOutcome& outcome, BootstrapParameter::Kind kind, F f) {
    double sum = 0;
    int count = 0;
    for (std::size_t i = 0; i < plan.parameters.size(); ++i)
        if (plan.parameters[i].kind == kind) {
            sum += f(outcome.parameters[i]);
            ++count;
        }
    return sum / count;
}

std::array<double, 3> fit_rejection_rates(const ConditionOutcome& outcome) {
    return {outcome.fit_rejection_rate_srmr, outcome.fit_rejection_rate_d_uls, outcome.fit_rejection_rate_d_g};
}

using Kind = BootstrapParameter::Kind;

}  // namespace

TEST(MonteCarlo, PopulationValuesOfACompositeModel) {
    const MonteCarloPlan plan = plan_monte_carlo(design_of(composite_text, {condition(100)}, 2));
    // Weights rescaled to unit composite variance with item correlations 0.5:
    // v'Rv = Σv² + 0.5·((Σv)² − Σv²) for A: 0.5 + 0.5·(1.44 − 0.5) = 0.97.
    const double scale = std::sqrt(0.97);
    bool saw_weight = false, saw_r2 = false;
    for (const auto& parameter : plan.parameters) {
        if (parameter.kind == Kind::outer_weight && parameter.to_name == "a1") {
            EXPECT_NEAR(parameter.population, 0.5 / scale, 1e-12);
            saw_weight = true;
        }
        if (parameter.kind == Kind::r2) {
            EXPECT_NEAR(parameter.population, 0.25, 1e-12);
            saw_r2 = true;
        }
        if (parameter.kind == Kind::path) EXPECT_DOUBLE_EQ(parameter.population, 0.5);
    }
    EXPECT_TRUE(saw_weight && saw_r2);
    // cor(a1, b1) = loading(a1) · loading(b1) · 0.5, loadings R·w.
    const double loading_a1 = (0.5 + 0.5 * (0.3 + 0.4)) / scale;
    const double loading_b1 = (0.2 + 0.5 * (0.6 + 0.4)) / std::sqrt(0.56 + 0.5 * (1.44 - 0.56));
    EXPECT_NEAR(plan.sigma(0, 3), loading_a1 * loading_b1 * 0.5, 1e-12);
}

TEST(MonteCarlo, CompositePopulationPlsIsConsistentAndIntervalsCover) {
    MonteCarloDesign design = design_of(composite_text, {condition(60), condition(1000)}, 100);
    const MonteCarloPlan plan = plan_monte_carlo(design);
    const auto outcomes = run(plan);
    ASSERT_EQ(outcomes.size(), 2u);
    const auto abs_bias = [](const ParameterOutcome& o) { return std::abs(o.bias); };
    const auto rmse = [](const ParameterOutcome& o) { return o.rmse; };
    for (Kind kind : {Kind::path, Kind::outer_weight}) {
        EXPECT_LT(mean_over(plan, outcomes[1], kind, abs_bias), 0.5 * mean_over(plan, outcomes[0], kind, abs_bias));
        EXPECT_LT(mean_over(plan, outcomes[1], kind, rmse), 0.35 * mean_over(plan, outcomes[0], kind, rmse));
    }
    EXPECT_LT(mean_over(plan, outcomes[1], Kind::path, abs_bias), 0.01);
    EXPECT_EQ(outcomes[1].convergence_rate, 1.0);

    // 95 % percentile intervals at n = 300, 100 replications × 200 resamples: the mean coverage
    // over the 6 weights, 6 loadings and the path has a Monte Carlo error near 0.01.
    design.conditions = {condition(300)};
    design.bootstrap = 200;
    const MonteCarloPlan with_intervals = plan_monte_carlo(design);
    const auto covered = run(with_intervals).front();
    double coverage = 0;
    for (const auto& o : covered.parameters) coverage += o.coverage / static_cast<double>(covered.parameters.size());
    EXPECT_NEAR(coverage, 0.95, 0.035);
    // The bootstrap SE estimates the sampling SD.
    const auto se_ratio = [](const ParameterOutcome& o) { return o.se_sd_ratio; };
    EXPECT_NEAR(mean_over(with_intervals, covered, Kind::path, se_ratio), 1.0, 0.2);
    // The path 0.5 is rejected always; the R² has no interval of 0 (always rejected too).
    EXPECT_EQ(mean_over(with_intervals, covered, Kind::path, [](const ParameterOutcome& o) { return o.rejection_rate; }), 1.0);
}

TEST(MonteCarlo, CommonFactorPopulationPlsBiasedPlscConsistent) {
    const MonteCarloPlan plan = plan_monte_carlo(design_of(factor_text, {condition(500, false), condition(500, true)}, 100));
    const auto outcomes = run(plan);
    const auto bias = [](const ParameterOutcome& o) { return o.bias; };
    // PLS: composite loadings of three 0.7 items are about 0.80; paths attenuated by reliability.
    EXPECT_GT(mean_over(plan, outcomes[0], Kind::loading, bias), 0.07);
    EXPECT_LT(mean_over(plan, outcomes[0], Kind::path, bias), -0.03);
    // PLSc: both within Monte Carlo error of the population.
    EXPECT_NEAR(mean_over(plan, outcomes[1], Kind::loading, bias), 0.0, 0.01);
    EXPECT_NEAR(mean_over(plan, outcomes[1], Kind::path, bias), 0.0, 0.015);
    EXPECT_GT(outcomes[1].admissibility_rate, 0.95);
}

// Three composites with a direct A → C path: PLS estimates the composite model it holds exactly.
const char* three_composites_text = R"(
A <~ 0.5*a1 + 0.3*a2 + 0.4*a3
B <~ 0.2*b1 + 0.6*b2 + 0.4*b3
C <~ 0.4*c1 + 0.4*c2 + 0.4*c3
B ~ 0.3*A
C ~ 0.5*A + 0.3*B
)";
// The same blocks without A → C: cor(A, C) = 0.5 + 0.3 · 0.3 = 0.59, which the chain implies as
// cor(A, B) · cor(B, C) = 0.3 · 0.45 = 0.135.
const char* three_composites_chain_text = "A <~ a1 + a2 + a3\nB <~ b1 + b2 + b3\nC <~ c1 + c2 + c3\nB ~ A\nC ~ B\n";

TEST(MonteCarlo, ExactFitTestRejectsATrueModelAtAlphaAndAWrongOneAlmostAlways) {
    // Bollen–Stine: the reference distribution comes from data rotated to the estimated model's
    // implied correlations. Resampling the observed data instead would put the draws around the
    // observed misfit, and the wrong model below would never be rejected (checked by planting it).
    MonteCarloCondition missing = condition(200);
    missing.missing_share = 0.03;  // listwise: the test runs on the complete cases
    MonteCarloDesign design = design_of(three_composites_text, {condition(200), missing}, 60);
    design.block_size = 60;
    design.fit_test = 100;
    const MonteCarloPlan plan = plan_monte_carlo(design);
    for (int c = 0; c < 2; ++c) {
        const ConditionTally tally = run_monte_carlo_block(plan, c, 0);  // the one block
        // Every replication was tested: the rates' denominator is not a lucky few.
        EXPECT_EQ(tally.failed, 0);
        EXPECT_EQ(tally.fit_tests, 60);
        const ConditionOutcome outcome = summarize_condition(plan, tally);
        // 60 replications: the rates' Monte Carlo SD at α = 0.05 is 0.028; 0.15 is 3.6 SDs above α.
        for (const double rate : fit_rejection_rates(outcome)) EXPECT_LE(rate, 0.15);
    }

    // PLSc on a common-factor population: each resample is re-estimated with PLSc too.
    design = design_of(factor_text, {condition(200, true)}, 60);
    design.block_size = 60;
    design.fit_test = 100;
    const ConditionOutcome consistent = run(plan_monte_carlo(design)).front();
    for (const double rate : fit_rejection_rates(consistent)) EXPECT_LE(rate, 0.15);

    design = design_of(three_composites_text, {condition(500)}, 30);
    design.analysis = parse_model(three_composites_chain_text, "chain.model");
    design.fit_test = 100;
    const auto wrong_model = run(plan_monte_carlo(design)).front();
    for (const double rate : fit_rejection_rates(wrong_model)) EXPECT_GE(rate, 0.8);
}

TEST(MonteCarlo, ExactFitTestNeedsWholeUnweightedRespondents) {
    MonteCarloCondition weighted = condition(100);
    weighted.case_weights = true;
    MonteCarloCondition imputed = condition(100);
    imputed.missing_share = 0.1;
    imputed.treatment = MissingTreatment::mean;
    for (const MonteCarloCondition& c : {weighted, imputed}) {
        MonteCarloDesign design = design_of(composite_text, {c}, 10);
        design.fit_test = 10;
        EXPECT_THAT([&] { plan_monte_carlo(design); },
                    ::testing::ThrowsMessage<UsageError>(::testing::HasSubstr("exact-fit test (fit_test > 0)")));
        design.fit_test = 0;
        EXPECT_NO_THROW(plan_monte_carlo(design));
    }
}

// The first block of the first condition run with 1 and with 2 threads, which must agree in every byte.
void expect_same_tally_for_one_and_two_threads(MonteCarloDesign design, double field_of_interest_minimum,
                                               double ConditionTally::*field_of_interest) {
    design.threads = 1;
    const ConditionTally a = run_monte_carlo_block(plan_monte_carlo(design), 0, 0);
    design.threads = 2;
    const ConditionTally b = run_monte_carlo_block(plan_monte_carlo(design), 0, 0);
    ASSERT_EQ(a.parameters.size(), b.parameters.size());
    EXPECT_EQ(std::memcmp(a.parameters.data(), b.parameters.data(), a.parameters.size() * sizeof(ParameterTally)), 0);
    for (const auto field : condition_tally_fields) EXPECT_EQ(a.*field, b.*field);
    EXPECT_GT(a.*field_of_interest, field_of_interest_minimum);
}

TEST(MonteCarlo, SameBytesForAnyThreadCount) {
    MonteCarloCondition messy = condition(80);
    messy.missing_share = 0.1;
    messy.mechanism = MissingMechanism::mar;
    messy.treatment = MissingTreatment::mean;
    messy.distribution = ItemDistribution::likert;
    messy.case_weights = true;
    MonteCarloDesign design = design_of(factor_text, {messy}, 20);
    design.bootstrap = 20;
    design.block_size = 20;
    expect_same_tally_for_one_and_two_threads(design, 15, &ConditionTally::converged);

    // The exact-fit tests inside the replications (listwise deletion: it needs whole respondents).
    messy.treatment = MissingTreatment::listwise;
    messy.case_weights = false;
    design.conditions = {messy};
    design.bootstrap = 0;
    design.fit_test = 20;
    expect_same_tally_for_one_and_two_threads(design, 15, &ConditionTally::fit_tests);
}

TEST(MonteCarlo, BadDesignsAreRefusedBeforeAnyWork) {
    EXPECT_THROW(plan_monte_carlo(design_of(factor_text, {}, 10)), UsageError);
    EXPECT_THAT([] { plan_monte_carlo(design_of(factor_text, {condition(2)}, 10)); },
                ::testing::ThrowsMessage<UsageError>(::testing::HasSubstr("below the analysis model's minimum")));
    // Loadings of 1 make a block's indicators identical: Σ is singular.
    MonteCarloDesign impossible = design_of("A =~ 1*a1 + 1*a2 + 0.7*a3\nB =~ b1 + b2\nB ~ A\n", {condition(100)}, 10);
    EXPECT_THAT([&] { plan_monte_carlo(impossible); },
                ::testing::ThrowsMessage<ModelError>(::testing::HasSubstr("not positive definite")));
    MonteCarloDesign foreign = design_of(factor_text, {condition(100)}, 10);
    foreign.analysis = parse_model("A =~ a1 + a2 + x9\nB =~ b1 + b2\nB ~ A\n", "analysis.model");
    EXPECT_THAT([&] { plan_monte_carlo(foreign); },
                ::testing::ThrowsMessage<ModelError>(::testing::HasSubstr("indicator 'x9' is not in the population")));
}

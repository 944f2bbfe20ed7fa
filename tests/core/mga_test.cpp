#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>

#include "csipls/core/assessment.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/mga.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/io/model_file.hpp"
#include "test_helpers.hpp"

namespace csipls {
namespace {
// Helpers and tests in a named namespace: unity builds batch this file with others that have
// anonymous helpers of their own.
namespace mga_test {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
const BootstrapParameter path01{BootstrapParameter::Kind::path, 0, 1};

// A group as estimate_groups leaves it, built by hand: one compared parameter (a path) with the
// given estimate, bootstrap draws, standard error, bias and interval.
struct HandGroup {
    std::string name;
    Eigen::Index n = 100;
    double estimate = 0;
    std::vector<double> draws;  // empty: no bootstrap
    double se = 0.1;
    double bias = 0;
    double lower = 0, upper = 0;
};

GroupEstimate make_group(const HandGroup& hand) {
    GroupEstimate group;
    group.name = hand.name;
    group.n_obs = hand.n;
    group.result.n_obs = hand.n;
    if (!hand.draws.empty()) {
        BootstrapResult boot;
        boot.succeeded = static_cast<int>(hand.draws.size());
        boot.parameters = {path01};
        ParameterSummary s;
        s.estimate = hand.estimate;
        s.bias = hand.bias;
        s.boot_mean = hand.estimate + hand.bias;
        s.se = hand.se;
        s.ci_lower = hand.lower;
        s.ci_upper = hand.upper;
        boot.summaries = {s};
        boot.draws = Eigen::Map<const Eigen::VectorXd>(hand.draws.data(), static_cast<Eigen::Index>(hand.draws.size()));
        group.bootstrap = std::move(boot);
    }
    return group;
}

// Groups by hand, every pair (a < b) compared in the one parameter, with the given permutation p.
GroupsResult make_groups(const std::vector<HandGroup>& hands, const std::vector<double>& permutation_p = {}) {
    GroupsResult groups;
    for (const auto& hand : hands) groups.groups.push_back(make_group(hand));
    std::size_t pair = 0;
    for (int a = 0; a < static_cast<int>(hands.size()); ++a)
        for (int b = a + 1; b < static_cast<int>(hands.size()); ++b, ++pair) {
            GroupDifference d;
            d.a = a;
            d.b = b;
            d.parameter = path01;
            d.difference = hands[static_cast<std::size_t>(a)].estimate - hands[static_cast<std::size_t>(b)].estimate;
            d.permutation_p = pair < permutation_p.size() ? permutation_p[pair] : nan;
            d.permutations_used = pair < permutation_p.size() ? 999 : 0;
            groups.differences.push_back(d);
        }
    return groups;
}

MgaOptions with_tests(std::vector<MgaTest> tests) {
    MgaOptions options;
    options.tests = std::move(tests);
    return options;
}

const MgaRow& only_row(const MgaResult& result) {
    EXPECT_EQ(result.rows.size(), 1u);
    return result.rows.front();
}

// Pr(θ_a ≤ θ_b) over every pair of draws, ties one half: the O(B²) definition.
double brute_force_probability(const std::vector<double>& a, const std::vector<double>& b) {
    double sum = 0;
    for (const double x : a)
        for (const double y : b) sum += (1.0 + (y > x ? 1.0 : y < x ? -1.0 : 0.0)) / 2.0;
    return sum / static_cast<double>(a.size() * b.size());
}

// A small three-construct model; the population values are what `simulate` draws from.
Model population(double x_to_m, double m_to_y, double x_to_y, double x_loading) {
    const std::string l = std::to_string(x_loading);
    return parse_model("X =~ " + l + "*x1 + 0.8*x2 + 0.8*x3\n"
                       "M =~ 0.8*m1 + 0.8*m2 + 0.8*m3\n"
                       "Y =~ 0.8*y1 + 0.75*y2 + 0.85*y3\n"
                       "M ~ " + std::to_string(x_to_m) + "*X\n"
                       "Y ~ " + std::to_string(m_to_y) + "*M + " + std::to_string(x_to_y) + "*X\n",
                       "population");
}

Dataset sample(const Model& model, Eigen::Index n, std::uint64_t seed) {
    SimulationOptions options;
    options.n = n;
    options.seed = seed;
    options.discrete = false;
    return simulate(model, options);
}

// Samples stacked as groups "G1", "G2", … in that order.
Dataset stack(const std::vector<Dataset>& parts) {
    Dataset data;
    data.columns = parts.front().columns;
    for (std::size_t g = 0; g < parts.size(); ++g) {
        data.values.insert(data.values.end(), parts[g].values.begin(), parts[g].values.begin() + parts[g].rows * parts[g].cols());
        data.group_of_row.insert(data.group_of_row.end(), static_cast<std::size_t>(parts[g].rows), static_cast<int>(g));
        data.group_names.push_back("G" + std::to_string(g + 1));
        data.rows += parts[g].rows;
    }
    return data;
}

struct Study {
    Model model;
    Dataset data;
    IndicatorMoments moments;
    PlsResult pooled;
    GroupsResult groups;
};

Study study(const Model& model, Dataset data) {
    Study s;
    s.model = model;
    s.data = std::move(data);
    s.moments = compute_moments(s.data);
    s.pooled = estimate(s.model, s.moments, EstimationOptions{});
    s.groups = estimate_groups(s.model, s.data, s.pooled, s.moments, EstimationOptions{}, {}, BootstrapOptions{}, GroupOptions{});
    return s;
}

OverallDifference klesel(const Study& s, int permutations, std::uint64_t seed, int threads) {
    MgaOptions options;
    options.omnibus = true;
    options.permutations = permutations;
    options.seed = seed;
    options.threads = threads;
    return overall_model_difference(s.model, s.data, s.pooled, s.moments, EstimationOptions{}, GroupOptions{}, s.groups, options);
}

// The model-implied indicator correlations of one group of `data`, estimated on its own.
Eigen::MatrixXd implied_of_group(const Model& model, const Dataset& data, int code) {
    std::vector<double> values;
    Eigen::Index rows = 0;
    for (Eigen::Index r = 0; r < data.rows; ++r)
        if (data.group_of_row[static_cast<std::size_t>(r)] == code) {
            values.insert(values.end(), data.values.begin() + r * data.cols(), data.values.begin() + (r + 1) * data.cols());
            ++rows;
        }
    const Eigen::MatrixXd x = Eigen::Map<const RowMatrix>(values.data(), rows, data.cols());
    const Dataset part = testing_support::dataset_from(data.columns, x);
    const IndicatorMoments moments = compute_moments(part);
    return implied_indicator_correlation(model, estimate(model, moments, EstimationOptions{}), moments, ImpliedModel::estimated);
}

// The two distances written out: ½ Σ (ln λ)² with λ the eigenvalues of A⁻¹B, and ½ Σ (A − B)².
double geodesic(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    const Eigen::VectorXd lambda = Eigen::EigenSolver<Eigen::MatrixXd>(a.inverse() * b).eigenvalues().real();
    return 0.5 * lambda.array().log().square().sum();
}
double squared_euclidean(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return 0.5 * (a - b).array().square().sum(); }

TEST(MgaOptions, NamesRoundTripAndBadOptionsAreRefused) {
    for (const MgaTest test : {MgaTest::permutation, MgaTest::parametric, MgaTest::welch, MgaTest::henseler,
                               MgaTest::ci_parametric, MgaTest::ci_overlap})
        EXPECT_EQ(parse_mga_test(mga_test_name(test)), test);
    EXPECT_STREQ(mga_test_name(MgaTest::ci_parametric), "ci_parametric");
    EXPECT_FALSE(parse_mga_test("Keil"));
    for (const auto adjustment : {PValueAdjustment::none, PValueAdjustment::bonferroni, PValueAdjustment::holm})
        EXPECT_EQ(parse_p_adjustment(p_adjustment_name(adjustment)), adjustment);
    EXPECT_FALSE(parse_p_adjustment("BH"));
    EXPECT_STREQ(omnibus_test_name(OmnibusTest::klesel_duls), "klesel_duls");

    auto refused = [](MgaOptions options, const std::string& field) {
        try {
            options.validate();
            ADD_FAILURE() << field << " was accepted";
        } catch (const UsageError& error) {
            EXPECT_NE(std::string(error.what()).find(field), std::string::npos) << error.what();
        }
    };
    refused(with_tests({MgaTest::welch, MgaTest::welch}), "MgaOptions.tests");
    MgaOptions options;
    options.alpha = 0;
    refused(options, "MgaOptions.alpha");
    options.alpha = 1;
    refused(options, "MgaOptions.alpha");
    options = {};
    options.permutations = 1;
    refused(options, "MgaOptions.permutations");
    options = {};
    options.threads = -1;
    refused(options, "MgaOptions.threads");
    EXPECT_NO_THROW(with_tests({MgaTest::welch, MgaTest::henseler}).validate());
}

TEST(MgaPairTests, ParametricAndWelchMatchTheFormulasWorkedByHand) {
    // θ_a = 0.45 (n 60, se 0.08), θ_b = 0.25 (n 45, se 0.11).
    const GroupsResult groups = make_groups({{"A", 60, 0.45, {0.4, 0.5}, 0.08}, {"B", 45, 0.25, {0.2, 0.3}, 0.11}});
    const MgaRow keil = only_row(multigroup_tests(groups, with_tests({MgaTest::parametric})));
    const double se_keil = std::sqrt(59.0 * 59.0 / 103.0 * 0.0064 + 44.0 * 44.0 / 103.0 * 0.0121) * std::sqrt(1.0 / 60 + 1.0 / 45);
    EXPECT_NEAR(keil.difference, 0.2, 1e-15);
    EXPECT_NEAR(keil.statistic, 0.2 / se_keil, 1e-12);
    EXPECT_NEAR(keil.statistic, 1.522505026214968, 1e-12);
    EXPECT_EQ(keil.df, 103.0);
    EXPECT_NEAR(keil.p, 0.13094690698288216, 1e-12);  // 2(1 − F_t(|t|; 103)), computed with mpmath
    EXPECT_FALSE(keil.significant);

    const MgaRow nitzl = only_row(multigroup_tests(groups, with_tests({MgaTest::welch})));
    const double va = 59.0 / 60 * 0.0064, vb = 44.0 / 45 * 0.0121;
    EXPECT_NEAR(nitzl.statistic, 0.2 / std::sqrt(va + vb), 1e-12);
    EXPECT_NEAR(nitzl.statistic, 1.4855854731843407, 1e-12);
    // (va + vb)² / ((n_a − 1)/n_a² se_a⁴ + (n_b − 1)/n_b² se_b⁴) − 2 = 83.267…, rounded.
    EXPECT_EQ(nitzl.df, 83.0);
    EXPECT_NEAR(nitzl.p, 0.14117729165698754, 1e-12);
    EXPECT_EQ(nitzl.a, 0);
    EXPECT_EQ(nitzl.b, 1);
    EXPECT_FALSE(nitzl.omnibus);
    EXPECT_STREQ(mga_row_test_name(nitzl), "welch");
}

TEST(MgaPairTests, HenselerCountsEveryPairOfCentredDrawsWithTiesAsHalf) {
    // a: draws 0.25, 0.5, 0.5, 0.75 around an estimate of 0.375 (bias 0.125): centred 0.125, 0.375,
    // 0.375, 0.625. b: draws 0.375, 0.5, 0.625, estimate 0.5 (bias 0). Pairs (a, b) with b > a
    // score 1, ties ½: 3 + 2·2.5 + 0.5 = 8.5 of 12.
    GroupsResult groups = make_groups({{"A", 50, 0.375, {0.25, 0.5, 0.5, 0.75}, 0.1, 0.125}, {"B", 50, 0.5, {0.375, 0.5, 0.625}, 0.1, 0.0}});
    const MgaRow row = only_row(multigroup_tests(groups, with_tests({MgaTest::henseler})));
    EXPECT_DOUBLE_EQ(row.statistic, 8.5 / 12.0);
    EXPECT_DOUBLE_EQ(row.p, 2.0 * (1.0 - 8.5 / 12.0));  // two-sided: 2·min(Pr, 1 − Pr)
    EXPECT_EQ(row.used, 12);
    EXPECT_TRUE(std::isnan(row.df));

    // Larger draws with many ties: the sorted count equals the B_a·B_b definition.
    boost::random::mt19937_64 engine(7);
    boost::random::uniform_int_distribution<int> level(0, 40);
    HandGroup a{"A", 80, 0.5, {}, 0.1, 0.013}, b{"B", 80, 0.45, {}, 0.1, -0.02};
    for (int i = 0; i < 300; ++i) a.draws.push_back(level(engine) / 40.0);
    for (int i = 0; i < 257; ++i) b.draws.push_back(level(engine) / 40.0 + 0.013 - 0.02);  // ties once centred
    groups = make_groups({a, b});
    std::vector<double> centred_a, centred_b;
    for (const double x : a.draws) centred_a.push_back(x - a.bias);
    for (const double x : b.draws) centred_b.push_back(x - b.bias);
    EXPECT_DOUBLE_EQ(only_row(multigroup_tests(groups, with_tests({MgaTest::henseler}))).statistic,
                     brute_force_probability(centred_a, centred_b));
}

TEST(MgaPairTests, IntervalTestsDecideFromTheGroupsIntervals) {
    // A: 0.5 in [0.4, 0.6]; B overlaps and holds A's estimate; C lies apart; D overlaps A but holds
    // neither estimate; E has A's very interval.
    const GroupsResult groups = make_groups({{"A", 50, 0.5, {0.5, 0.5}, 0.05, 0, 0.4, 0.6},
                                             {"B", 50, 0.55, {0.5, 0.6}, 0.05, 0, 0.45, 0.65},
                                             {"C", 50, 0.75, {0.7, 0.8}, 0.05, 0, 0.65, 0.85},
                                             {"D", 50, 0.68, {0.6, 0.7}, 0.05, 0, 0.55, 0.8},
                                             {"E", 50, 0.5, {0.5, 0.5}, 0.05, 0, 0.4, 0.6}});
    const MgaResult result = multigroup_tests(groups, with_tests({MgaTest::ci_parametric, MgaTest::ci_overlap}));
    ASSERT_EQ(result.rows.size(), 20u);  // 10 pairs, two tests
    auto decision = [&](MgaTest test, int a, int b) {
        for (const auto& row : result.rows)
            if (row.test == test && row.a == a && row.b == b) {
                EXPECT_TRUE(std::isnan(row.p) && std::isnan(row.p_adjusted) && std::isnan(row.statistic));
                return row.significant;
            }
        ADD_FAILURE() << "no row " << a << " " << b;
        return false;
    };
    EXPECT_FALSE(decision(MgaTest::ci_parametric, 0, 1));
    EXPECT_TRUE(decision(MgaTest::ci_parametric, 0, 2));
    EXPECT_TRUE(decision(MgaTest::ci_parametric, 0, 3));  // 0.5 ∉ (0.55, 0.8) and 0.68 ∉ (0.4, 0.6)
    EXPECT_FALSE(decision(MgaTest::ci_parametric, 0, 4));
    EXPECT_FALSE(decision(MgaTest::ci_overlap, 0, 1));
    EXPECT_TRUE(decision(MgaTest::ci_overlap, 0, 2));
    EXPECT_FALSE(decision(MgaTest::ci_overlap, 0, 3));  // [0.4, 0.6] and [0.55, 0.8] overlap
    EXPECT_FALSE(decision(MgaTest::ci_overlap, 0, 4));  // identical intervals overlap
    EXPECT_TRUE(decision(MgaTest::ci_overlap, 1, 2));   // [0.45, 0.65] and [0.65, 0.85] only touch
}

TEST(MgaPairTests, TestsWithoutTheirInputsAreLeftOutWithANote) {
    const GroupsResult groups = make_groups({{"A", 50, 0.5, {}}, {"B", 50, 0.4, {}}});
    const MgaResult result =
        multigroup_tests(groups, with_tests({MgaTest::permutation, MgaTest::parametric, MgaTest::henseler, MgaTest::ci_overlap}));
    EXPECT_TRUE(result.rows.empty());
    ASSERT_EQ(result.notes.size(), 4u);
    EXPECT_NE(result.notes[0].find("permutation"), std::string::npos);
    EXPECT_NE(result.notes[0].find("GroupOptions.permutations"), std::string::npos);
    EXPECT_NE(result.notes[1].find("parametric"), std::string::npos);
    EXPECT_NE(result.notes[1].find("bootstrap"), std::string::npos);
    MgaOptions omnibus;
    omnibus.omnibus = true;
    omnibus.permutations = 99;
    const MgaResult sarstedt = multigroup_tests(groups, omnibus);
    EXPECT_TRUE(sarstedt.rows.empty());
    ASSERT_EQ(sarstedt.notes.size(), 1u);
    EXPECT_NE(sarstedt.notes[0].find("sarstedt"), std::string::npos);
}

TEST(MgaAdjustment, BonferroniAndHolmMatchAWorkedExample) {
    // One family of four p-values (and one NaN, not counted), another family of one, and an interval
    // row whose decision must stay.
    auto row = [](MgaTest test, double p) {
        MgaRow r;
        r.test = test;
        r.p = p;
        return r;
    };
    const std::vector<MgaRow> rows = {row(MgaTest::parametric, 0.01), row(MgaTest::parametric, 0.04), row(MgaTest::welch, 0.03),
                                      row(MgaTest::parametric, 0.03), row(MgaTest::parametric, nan),  row(MgaTest::parametric, 0.40)};
    std::vector<MgaRow> bonferroni = rows, holm = rows, none = rows;
    MgaRow interval = row(MgaTest::ci_overlap, nan);
    interval.significant = true;
    holm.push_back(interval);
    adjust_p_values(bonferroni, PValueAdjustment::bonferroni, 0.05);
    adjust_p_values(holm, PValueAdjustment::holm, 0.05);
    adjust_p_values(none, PValueAdjustment::none, 0.05);
    // Bonferroni, m = 4: 4p capped at 1.
    EXPECT_DOUBLE_EQ(bonferroni[0].p_adjusted, 0.04);
    EXPECT_DOUBLE_EQ(bonferroni[1].p_adjusted, 0.16);
    EXPECT_DOUBLE_EQ(bonferroni[3].p_adjusted, 0.12);
    EXPECT_DOUBLE_EQ(bonferroni[5].p_adjusted, 1.0);
    EXPECT_DOUBLE_EQ(bonferroni[2].p_adjusted, 0.03);  // its own family of one
    EXPECT_TRUE(std::isnan(bonferroni[4].p_adjusted));
    // Holm: sorted 0.01, 0.03, 0.04, 0.40 times 4, 3, 2, 1 = 0.04, 0.09, 0.08, 0.40; running maximum
    // 0.04, 0.09, 0.09, 0.40.
    EXPECT_DOUBLE_EQ(holm[0].p_adjusted, 0.04);
    EXPECT_DOUBLE_EQ(holm[3].p_adjusted, 0.09);
    EXPECT_DOUBLE_EQ(holm[1].p_adjusted, 0.09);
    EXPECT_DOUBLE_EQ(holm[5].p_adjusted, 0.40);
    EXPECT_TRUE(std::isnan(holm[4].p_adjusted));
    EXPECT_TRUE(holm[0].significant);
    EXPECT_FALSE(holm[3].significant);
    EXPECT_FALSE(holm[4].significant);
    EXPECT_TRUE(holm[6].significant);  // the interval test's decision is its own
    EXPECT_TRUE(none[3].significant);
    EXPECT_DOUBLE_EQ(none[3].p_adjusted, 0.03);

    // Through multigroup_tests: the permutation rows of three pairs, Holm over the three.
    const GroupsResult groups = make_groups({{"A", 50, 0.5, {}}, {"B", 50, 0.4, {}}, {"C", 50, 0.3, {}}}, {0.02, 0.01, 0.30});
    MgaOptions options = with_tests({MgaTest::permutation});
    options.p_adjust = PValueAdjustment::holm;
    const MgaResult result = multigroup_tests(groups, options);
    ASSERT_EQ(result.rows.size(), 3u);
    EXPECT_DOUBLE_EQ(result.rows[0].p_adjusted, 0.04);  // 0.01·3 = 0.03, then 0.02·2 = 0.04
    EXPECT_DOUBLE_EQ(result.rows[1].p_adjusted, 0.03);
    EXPECT_DOUBLE_EQ(result.rows[2].p_adjusted, 0.30);
    EXPECT_DOUBLE_EQ(result.rows[0].statistic, 0.5 - 0.4);
    EXPECT_EQ(result.rows[0].used, 999);
}

TEST(MgaSarstedt, FStatisticAndPermutationPMatchTheExactPermutationDistribution) {
    // Draws 1, 2, 3 and 4, 5, 6, 7: means 2 and 5.5, grand mean 4; between 3·4 + 4·2.25 = 21 on 1 df,
    // within 2 + 5 = 7 on 5 df: F = 21 / 1.4 = 15. Of the 35 ways to relabel the seven draws, only
    // the observed split and {5, 6, 7} against {1, 2, 3, 4} reach F = 15: the exact p is 2/35.
    const GroupsResult two = make_groups({{"A", 50, 2, {1, 2, 3}}, {"B", 50, 5.5, {4, 5, 6, 7}}});
    MgaOptions options;
    options.omnibus = true;
    options.permutations = 20000;
    options.seed = 11;
    const MgaResult result = multigroup_tests(two, options);
    const MgaRow& row = only_row(result);
    EXPECT_TRUE(row.omnibus);
    EXPECT_EQ(row.method, OmnibusTest::sarstedt);
    EXPECT_STREQ(mga_row_test_name(row), "omnibus");
    EXPECT_EQ(row.a, -1);
    ASSERT_TRUE(row.parameter);
    EXPECT_EQ(row.parameter->kind, BootstrapParameter::Kind::path);
    EXPECT_NEAR(row.statistic, 15.0, 1e-12);
    EXPECT_EQ(row.used, 20000);
    EXPECT_NEAR(row.p, 2.0 / 35.0, 0.006);

    // Three groups of unequal size: 0, 1 | 2, 4 | 3, 5, 7. Grand mean 22/7; between
    // 2(37/14)² + 2(1/7)² + 3(13/7)² = 2387/98 on 2 df; within 0.5 + 2 + 8 = 10.5 on 4 df.
    const GroupsResult three = make_groups({{"A", 50, 0.5, {0, 1}}, {"B", 50, 3, {2, 4}}, {"C", 50, 5, {3, 5, 7}}});
    options.permutations = 99;
    EXPECT_NEAR(only_row(multigroup_tests(three, options)).statistic, (2387.0 / 98.0 / 2.0) / (10.5 / 4.0), 1e-12);
}

TEST(MgaSarstedt, SameSeedSameResultForAnyThreadCount) {
    boost::random::mt19937_64 engine(3);
    boost::random::uniform_int_distribution<int> level(0, 1000);
    std::vector<HandGroup> hands;
    for (int g = 0; g < 3; ++g) {
        HandGroup hand{"G" + std::to_string(g), 100, 0.5, {}};
        for (int i = 0; i < 200; ++i) hand.draws.push_back(level(engine) / 1000.0 + 0.01 * g);
        hands.push_back(hand);
    }
    const GroupsResult groups = make_groups(hands);
    MgaOptions options;
    options.omnibus = true;
    options.permutations = 999;
    options.threads = 1;
    const MgaRow one = only_row(multigroup_tests(groups, options));
    options.threads = 2;
    const MgaRow two = only_row(multigroup_tests(groups, options));
    EXPECT_EQ(one.p, two.p);
    EXPECT_EQ(one.statistic, two.statistic);
    EXPECT_EQ(only_row(multigroup_tests(groups, options)).p, one.p);
    options.seed = 12345;
    const MgaRow other = only_row(multigroup_tests(groups, options));
    EXPECT_EQ(other.statistic, one.statistic);
    EXPECT_GT(other.p, 0.0);
    EXPECT_LE(other.p, 1.0);
}

// Company C001's respondents under two labels, and company C003 (answer centres far apart), through
// estimate_groups with a real bootstrap.
struct TwinsAndOther {
    GroupsResult groups;
    std::size_t compared = 0;
};

const TwinsAndOther& twins_and_other() {
    static const TwinsAndOther t = [] {
        const Model model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
        SimulationOptions simulation;
        simulation.n = 150;
        simulation.groups = 4;
        simulation.seed = 99;
        const Dataset companies = simulate(read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model"), simulation);
        Dataset data;
        data.columns = companies.columns;
        data.group_names = {"same-1", "same-2", "other"};
        for (int copy = 0; copy < 3; ++copy)
            for (Eigen::Index r = 0; r < companies.rows; ++r)
                if (companies.group_of_row[static_cast<std::size_t>(r)] == (copy < 2 ? 0 : 2)) {
                    data.values.insert(data.values.end(), companies.values.begin() + r * companies.cols(),
                                       companies.values.begin() + (r + 1) * companies.cols());
                    data.group_of_row.push_back(copy);
                    ++data.rows;
                }
        const IndicatorMoments moments = compute_moments(data);
        const PlsResult pooled = estimate(model, moments, EstimationOptions{});
        BootstrapOptions boot;
        boot.resamples = 200;
        GroupOptions options;
        options.pairs = GroupOptions::Pairs::all;
        TwinsAndOther out;
        out.groups = estimate_groups(model, data, pooled, moments, EstimationOptions{}, std::vector<AnswerScale>(data.columns.size(), {1, 10}),
                                     boot, options);
        out.compared = pooled.paths.size() + 5 + 6;
        return out;
    }();
    return t;
}

TEST(MgaPairTests, IdenticalGroupsDoNotDifferAndDistantOnesDo) {
    const TwinsAndOther& t = twins_and_other();
    ASSERT_EQ(t.groups.groups[0].name, "other");
    const MgaResult result = multigroup_tests(
        t.groups, with_tests({MgaTest::parametric, MgaTest::welch, MgaTest::henseler, MgaTest::ci_parametric, MgaTest::ci_overlap}));
    EXPECT_TRUE(result.notes.empty());
    ASSERT_EQ(result.rows.size(), 5 * 3 * t.compared);
    int twins = 0, index_rows = 0;
    for (const MgaRow& row : result.rows) {
        const bool twin = row.a == 1 && row.b == 2;  // "same-1" and "same-2"
        if (twin) {
            ++twins;
            EXPECT_EQ(row.difference, 0.0);
            if (row.test == MgaTest::parametric || row.test == MgaTest::welch) {
                EXPECT_EQ(row.statistic, 0.0);
                EXPECT_DOUBLE_EQ(row.p, 1.0);
            }
            // The twins' bootstraps draw different resamples (streams follow the label): Pr ≈ ½.
            if (row.test == MgaTest::henseler) EXPECT_GT(row.p, 0.5) << row.statistic;
            EXPECT_FALSE(row.significant) << mga_test_name(row.test);
        } else if (row.parameter->kind == BootstrapParameter::Kind::csi_index) {
            ++index_rows;
            // C001 against C003: every index differs clearly, by every test.
            if (row.test == MgaTest::parametric || row.test == MgaTest::welch || row.test == MgaTest::henseler)
                EXPECT_LT(row.p, 0.001) << mga_test_name(row.test);
            EXPECT_TRUE(row.significant) << mga_test_name(row.test) << " " << row.a << " " << row.b << " " << row.parameter->to;
        }
    }
    EXPECT_EQ(twins, static_cast<int>(5 * t.compared));
    EXPECT_EQ(index_rows, 5 * 2 * 6);
}

TEST(MgaSarstedt, RunsOnRealBootstrapsWithOneRowPerComparedParameter) {
    const TwinsAndOther& t = twins_and_other();
    MgaOptions options;
    options.omnibus = true;
    options.permutations = 199;
    options.p_adjust = PValueAdjustment::bonferroni;
    options.threads = 1;
    const MgaResult one = multigroup_tests(t.groups, options);
    options.threads = 2;
    const MgaResult two = multigroup_tests(t.groups, options);
    ASSERT_EQ(one.rows.size(), t.compared);
    for (std::size_t i = 0; i < one.rows.size(); ++i) {
        EXPECT_EQ(one.rows[i].p, two.rows[i].p);
        EXPECT_GE(one.rows[i].p, 1.0 / 200);
        EXPECT_DOUBLE_EQ(one.rows[i].p_adjusted, std::min(1.0, one.rows[i].p * static_cast<double>(t.compared)));
        if (one.rows[i].parameter->kind == BootstrapParameter::Kind::csi_index) EXPECT_DOUBLE_EQ(one.rows[i].p, 1.0 / 200);
    }
}

TEST(MgaKlesel, StatisticIsTheSumOfPairwiseDistancesBetweenImpliedCorrelations) {
    const Model same = population(0.6, 0.5, 0.1, 0.8), other = population(0.1, 0.1, 0.5, 0.55);
    const Study s = study(same, stack({sample(same, 200, 1), sample(same, 200, 2), sample(other, 200, 3)}));
    const OverallDifference result = klesel(s, 2, 1, 0);
    ASSERT_EQ(result.rows.size(), 2u);
    std::vector<Eigen::MatrixXd> implied;
    for (int g = 0; g < 3; ++g) implied.push_back(implied_of_group(s.model, s.data, g));
    double dg = 0, duls = 0;
    for (int g = 0; g < 3; ++g)
        for (int h = g + 1; h < 3; ++h) {
            dg += geodesic(implied[static_cast<std::size_t>(g)], implied[static_cast<std::size_t>(h)]);
            duls += squared_euclidean(implied[static_cast<std::size_t>(g)], implied[static_cast<std::size_t>(h)]);
        }
    EXPECT_EQ(result.rows[0].method, OmnibusTest::klesel_dg);
    EXPECT_EQ(result.rows[1].method, OmnibusTest::klesel_duls);
    EXPECT_NEAR(result.rows[0].statistic, dg, 1e-10 * dg);
    EXPECT_NEAR(result.rows[1].statistic, duls, 1e-12 * duls);
    EXPECT_FALSE(result.rows[0].parameter);
    EXPECT_EQ(result.rows[0].a, -1);
    EXPECT_EQ(result.rows[0].used, 2);
}

TEST(MgaKlesel, DetectsDifferentPopulationsAndNotTheSameOne) {
    const Model first = population(0.6, 0.5, 0.1, 0.8), second = population(0.1, 0.1, 0.5, 0.55);
    const Study differ = study(first, stack({sample(first, 200, 21), sample(second, 200, 22)}));
    const Study alike = study(first, stack({sample(first, 200, 23), sample(first, 200, 24)}));
    for (const MgaRow& row : klesel(differ, 99, 5, 0).rows) {
        EXPECT_EQ(row.used, 99);
        EXPECT_DOUBLE_EQ(row.p, 0.01) << omnibus_test_name(row.method);  // no permutation reaches it
        EXPECT_TRUE(row.significant);
    }
    for (const MgaRow& row : klesel(alike, 99, 5, 0).rows) {
        EXPECT_GT(row.p, 0.1) << omnibus_test_name(row.method);
        EXPECT_FALSE(row.significant);
    }
}

TEST(MgaKlesel, SameSeedSameResultForAnyThreadCount) {
    const Model first = population(0.6, 0.5, 0.1, 0.8), second = population(0.5, 0.4, 0.2, 0.7);
    const Study s = study(first, stack({sample(first, 120, 31), sample(second, 120, 32)}));
    const OverallDifference one = klesel(s, 40, 77, 1), two = klesel(s, 40, 77, 2);
    ASSERT_EQ(one.rows.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(one.rows[i].p, two.rows[i].p);
        EXPECT_EQ(one.rows[i].statistic, two.rows[i].statistic);
        EXPECT_EQ(one.rows[i].used, 40);
    }
    EXPECT_EQ(klesel(s, 40, 77, 2).rows[0].p, one.rows[0].p);
    EXPECT_EQ(overall_model_difference_steps(MgaOptions{}), 0);
}

TEST(MgaKlesel, PooledModeReEstimatesEveryGroupUnderThePooledWeights) {
    const Model first = population(0.6, 0.5, 0.1, 0.8), second = population(0.1, 0.1, 0.5, 0.55);
    const Study s = study(first, stack({sample(first, 150, 51), sample(second, 150, 52)}));
    GroupOptions pooled_mode;
    pooled_mode.pooled = true;
    const GroupsResult groups =
        estimate_groups(s.model, s.data, s.pooled, s.moments, EstimationOptions{}, {}, BootstrapOptions{}, pooled_mode);
    MgaOptions options;
    options.omnibus = true;
    options.permutations = 19;
    const OverallDifference result =
        overall_model_difference(s.model, s.data, s.pooled, s.moments, EstimationOptions{}, pooled_mode, groups, options);
    ASSERT_EQ(result.rows.size(), 2u);
    // By hand: each group's implied correlations from its own moments and the pooled raw weights.
    const Eigen::VectorXd raw = s.pooled.outer_weights.cwiseQuotient(s.moments.sds);
    std::vector<Eigen::MatrixXd> implied;
    for (int g = 0; g < 2; ++g) {
        std::vector<double> values;
        Eigen::Index rows = 0;
        for (Eigen::Index r = 0; r < s.data.rows; ++r)
            if (s.data.group_of_row[static_cast<std::size_t>(r)] == g) {
                values.insert(values.end(), s.data.values.begin() + r * s.data.cols(), s.data.values.begin() + (r + 1) * s.data.cols());
                ++rows;
            }
        const IndicatorMoments moments = compute_moments(
            testing_support::dataset_from(s.data.columns, Eigen::Map<const RowMatrix>(values.data(), rows, s.data.cols())));
        const PlsResult fit = estimate_with_weights(s.model, moments, EstimationOptions{}, raw.cwiseProduct(moments.sds));
        EXPECT_LT((fit.path_coefficients - groups.groups[static_cast<std::size_t>(g)].result.path_coefficients).cwiseAbs().maxCoeff(), 1e-12);
        implied.push_back(implied_indicator_correlation(s.model, fit, moments, ImpliedModel::estimated));
    }
    EXPECT_NEAR(result.rows[1].statistic, squared_euclidean(implied[0], implied[1]), 1e-12);
    EXPECT_NEAR(result.rows[0].statistic, geodesic(implied[0], implied[1]), 1e-10);
    EXPECT_EQ(result.rows[0].used, 19);
}

TEST(MgaKlesel, PermutationsThatCannotBeEstimatedAreCountedAndLeftOut) {
    // Indicator x1 is 0 but for one respondent in each group: a permutation that puts both in one
    // group leaves x1 constant in the other, which cannot be estimated.
    const Model model = population(0.6, 0.5, 0.1, 0.8);
    Dataset data = stack({sample(model, 60, 41), sample(model, 60, 42)});
    for (Eigen::Index r = 0; r < data.rows; ++r) data.values[static_cast<std::size_t>(r * data.cols())] = r == 5 || r == 70 ? 1.0 : 0.0;
    const Study s = study(model, data);
    ASSERT_EQ(s.groups.failed, 0);
    const OverallDifference result = klesel(s, 30, 9, 2);
    EXPECT_GT(result.permutations_failed, 3);
    EXPECT_LT(result.permutations_failed, 27);
    ASSERT_EQ(static_cast<int>(result.failures.size()), result.permutations_failed);
    EXPECT_NE(result.failures.front().reason.find("x1"), std::string::npos) << result.failures.front().reason;
    ASSERT_EQ(result.rows.size(), 2u);
    EXPECT_EQ(result.rows[1].used, 30 - result.permutations_failed);
    ASSERT_FALSE(result.notes.empty());
    EXPECT_NE(result.notes.front().find("left out"), std::string::npos);
}

}  // namespace mga_test
}  // namespace
}  // namespace csipls

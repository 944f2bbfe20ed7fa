#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <numeric>

#include "csipls/core/assessment.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/model_file.hpp"
#include "test_helpers.hpp"

using namespace csipls;

namespace {

using Fixture = testing_support::CcsiExample;
const Fixture& ccsi() { return testing_support::ccsi_example(); }

BootstrapOptions options_with(int resamples, std::uint64_t seed, int threads) {
    BootstrapOptions options;
    options.resamples = resamples;
    options.seed = seed;
    options.threads = threads;
    return options;
}

}  // namespace

TEST(Bootstrap, SameDrawsForAnyThreadCountAndOtherSeedDiffers) {
    const Fixture& f = ccsi();
    const BootstrapResult one = bootstrap(f.model, f.data, f.original, options_with(200, 42, 1));
    const BootstrapResult two = bootstrap(f.model, f.data, f.original, options_with(200, 42, 2));
    const BootstrapResult three = bootstrap(f.model, f.data, f.original, options_with(200, 42, 3));
    ASSERT_EQ(one.succeeded, 200);
    EXPECT_TRUE(one.draws.cwiseEqual(two.draws).all());
    EXPECT_TRUE(one.draws.cwiseEqual(three.draws).all());
    for (std::size_t i = 0; i < one.summaries.size(); ++i) {
        EXPECT_EQ(one.summaries[i].se, two.summaries[i].se);
        EXPECT_EQ(one.summaries[i].ci_lower, three.summaries[i].ci_lower);
    }
    const BootstrapResult other = bootstrap(f.model, f.data, f.original, options_with(200, 43, 2));
    EXPECT_FALSE(one.draws.cwiseEqual(other.draws).all());
}

// A replicate's weighted cross-product must equal estimating the resample written out row by row.
TEST(Bootstrap, ReplicateEqualsEstimateOnExplicitResample) {
    const Fixture& f = ccsi();
    const std::uint64_t seed = 7;
    const BootstrapResult result = bootstrap(f.model, f.data, f.original, options_with(3, seed, 1));
    const Eigen::Index n = f.data.rows;
    int htmt_checked = 0;
    for (int r = 0; r < 3; ++r) {
        // The documented stream of replicate r.
        boost::random::mt19937_64 engine(testing_support::splitmix64(testing_support::splitmix64(seed) ^ static_cast<std::uint64_t>(r)));
        boost::random::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
        Eigen::MatrixXd rows(n, f.data.cols());
        for (Eigen::Index i = 0; i < n; ++i) rows.row(i) = f.data.matrix().row(pick(engine));
        const Dataset resample = testing_support::dataset_from(f.data.columns, rows);
        const IndicatorMoments resample_moments = compute_moments(resample);
        const PlsResult expected = estimate(f.model, resample_moments, f.original.options);
        const Assessment assessment = assess(f.model, expected, resample_moments);
        const Eigen::VectorXd draw = result.draws.row(r).transpose();
        for (std::size_t i = 0; i < result.parameters.size(); ++i) {
            const auto& parameter = result.parameters[i];
            if (parameter.kind == BootstrapParameter::Kind::path)
                EXPECT_NEAR(draw[static_cast<Eigen::Index>(i)], expected.path_coefficients(parameter.from, parameter.to), 1e-9);
            if (parameter.kind == BootstrapParameter::Kind::outer_weight)
                EXPECT_NEAR(draw[static_cast<Eigen::Index>(i)], expected.outer_weights[parameter.from], 1e-9);
            if (parameter.kind == BootstrapParameter::Kind::r2)
                EXPECT_NEAR(draw[static_cast<Eigen::Index>(i)], expected.r2[parameter.to], 1e-9);
            if (parameter.kind == BootstrapParameter::Kind::htmt) {
                const auto pair = std::find_if(assessment.htmt.begin(), assessment.htmt.end(), [&](const auto& e) {
                    return e.a == parameter.from && e.b == parameter.to;
                });
                ASSERT_NE(pair, assessment.htmt.end());
                EXPECT_NEAR(draw[static_cast<Eigen::Index>(i)], pair->value, 1e-9);
                ++htmt_checked;
            }
        }
    }
    EXPECT_EQ(htmt_checked, 3 * 15);
}

TEST(Bootstrap, HtmtOfEveryPairIsBootstrapped) {
    const Fixture& f = ccsi();
    const BootstrapResult result = bootstrap(f.model, f.data, f.original, options_with(3, 7, 1));
    const auto count = std::count_if(result.parameters.begin(), result.parameters.end(),
                                     [](const auto& p) { return p.kind == BootstrapParameter::Kind::htmt; });
    EXPECT_EQ(count, 15);  // 6 constructs
}

TEST(Bootstrap, SummariesFollowTheirDefinitions) {
    const Fixture& f = ccsi();
    BootstrapOptions options = options_with(301, 5, 0);
    const BootstrapResult percentile = bootstrap(f.model, f.data, f.original, options);
    options.ci = ConfidenceInterval::basic;
    const BootstrapResult basic = bootstrap(f.model, f.data, f.original, options);
    for (std::size_t i = 0; i < percentile.parameters.size(); ++i) {
        const auto column = percentile.draws.col(static_cast<Eigen::Index>(i));
        const auto& s = percentile.summaries[i];
        const double mean = column.mean();
        const double sd = std::sqrt((column.array() - mean).square().sum() / 300.0);
        EXPECT_NEAR(s.boot_mean, mean, 1e-14);
        EXPECT_NEAR(s.se, sd, 1e-14);
        EXPECT_NEAR(s.bias, mean - s.estimate, 1e-14);
        EXPECT_NEAR(s.t, s.estimate / sd, 1e-10);
        // Quantile type 7 with 301 draws: h = 300·0.025 = 7.5, halfway between the 8th and 9th.
        std::vector<double> sorted(column.begin(), column.end());
        std::sort(sorted.begin(), sorted.end());
        EXPECT_NEAR(s.ci_lower, 0.5 * (sorted[7] + sorted[8]), 1e-14);
        EXPECT_NEAR(s.ci_upper, 0.5 * (sorted[292] + sorted[293]), 1e-14);
        EXPECT_NEAR(basic.summaries[i].ci_lower, 2 * s.estimate - s.ci_upper, 1e-14);
        EXPECT_NEAR(basic.summaries[i].ci_upper, 2 * s.estimate - s.ci_lower, 1e-14);
    }
    // p-values: two-sided Student t with n − 1 = 499 degrees of freedom.
    for (const auto& s : percentile.summaries) {
        ASSERT_GE(s.p, 0.0);
        ASSERT_LE(s.p, 1.0);
        if (std::abs(s.t) > 10) EXPECT_LT(s.p, 1e-18);
        if (std::abs(s.t) < 1.0) EXPECT_GT(s.p, 0.3);
    }
}

TEST(Bootstrap, BcaIntervalsAreCloseToPercentileOnWellBehavedData) {
    const Fixture& f = ccsi();
    BootstrapOptions options = options_with(500, 9, 0);
    const BootstrapResult percentile = bootstrap(f.model, f.data, f.original, options);
    options.ci = ConfidenceInterval::bca;
    const BootstrapResult bca = bootstrap(f.model, f.data, f.original, options);
    int differ = 0;
    for (std::size_t i = 0; i < bca.summaries.size(); ++i) {
        const auto& s = bca.summaries[i];
        EXPECT_LT(s.ci_lower, s.ci_upper);
        EXPECT_NEAR(s.ci_lower, percentile.summaries[i].ci_lower, 0.05);
        EXPECT_NEAR(s.ci_upper, percentile.summaries[i].ci_upper, 0.05);
        if (s.ci_lower != percentile.summaries[i].ci_lower) ++differ;
    }
    EXPECT_GT(differ, 0);  // bias correction and acceleration moved the bounds
}

TEST(Bootstrap, FailedResamplesAreCountedWithTheirReason) {
    // x2 differs from its mode in one respondent of 12: about (11/12)^12 = 35 % of resamples miss
    // that respondent, leaving x2 constant.
    Eigen::MatrixXd values(12, 4);
    for (int i = 0; i < 12; ++i) values.row(i) << i % 5, (i == 3 ? 2.0 : 1.0), (i * 7) % 5, (i * 3) % 4 + (i % 2);
    Model model;
    model.constructs = {testing_support::block("X", {"x1", "x2"}), testing_support::block("Y", {"y1", "y2"})};
    model.paths = {testing_support::path("X", "Y")};
    const Dataset data = testing_support::dataset_from({"x1", "x2", "y1", "y2"}, values);
    const PlsResult original = estimate(model, compute_moments(data), EstimationOptions{});
    const BootstrapResult result = bootstrap(model, data, original, options_with(400, 1, 2));
    EXPECT_GT(result.failures.size(), 60u);
    EXPECT_LT(result.failures.size(), 220u);
    EXPECT_EQ(result.succeeded + static_cast<int>(result.failures.size()), 400);
    EXPECT_EQ(result.draws.rows(), result.succeeded);
    EXPECT_THAT(result.failures.front().reason, testing::HasSubstr("indicator 'x2' is constant in this resample"));
    EXPECT_TRUE(std::is_sorted(result.replicate_of_draw.begin(), result.replicate_of_draw.end()));
}

TEST(Bootstrap, SignChangeAlignsDrawsWithTheOriginal) {
    const Fixture& f = ccsi();
    BootstrapOptions options = options_with(100, 3, 0);
    options.sign_change = SignChange::individual;
    const BootstrapResult individual = bootstrap(f.model, f.data, f.original, options);
    for (std::size_t i = 0; i < individual.parameters.size(); ++i) {
        const auto kind = individual.parameters[i].kind;
        if (kind != BootstrapParameter::Kind::outer_weight && kind != BootstrapParameter::Kind::loading) continue;
        const double sign = individual.summaries[i].estimate > 0 ? 1.0 : -1.0;
        EXPECT_TRUE((individual.draws.col(static_cast<Eigen::Index>(i)).array() * sign >= 0).all());
    }
    // cSEM's "individual": every estimate, paths and effects included, takes its original's sign.
    for (std::size_t i = 0; i < individual.parameters.size(); ++i) {
        const double sign = individual.summaries[i].estimate >= 0 ? 1.0 : -1.0;
        EXPECT_TRUE((individual.draws.col(static_cast<Eigen::Index>(i)).array() * sign >= 0).all())
            << parameter_label(f.original, individual.parameters[i]);
    }
    options.sign_change = SignChange::construct;
    const BootstrapResult construct = bootstrap(f.model, f.data, f.original, options);
    EXPECT_EQ(construct.succeeded, 100);
    // After a construct-level change, each block's loadings agree with the original's on balance.
    for (Eigen::Index row = 0; row < construct.draws.rows(); ++row) {
        std::vector<double> agreement(f.original.constructs.size(), 0.0);
        for (std::size_t i = 0; i < construct.parameters.size(); ++i)
            if (construct.parameters[i].kind == BootstrapParameter::Kind::loading)
                agreement[static_cast<std::size_t>(construct.parameters[i].from)] +=
                    construct.summaries[i].estimate * construct.draws(row, static_cast<Eigen::Index>(i));
        for (double value : agreement) EXPECT_GE(value, 0.0);
    }
}

// A construct whose indicators barely correlate with the rest flips sign between resamples under
// the centroid scheme; the construct-level change must undo exactly those flips.
TEST(Bootstrap, ConstructSignChangeUndoesFlippedBlocks) {
    Eigen::MatrixXd values(60, 4);
    for (int i = 0; i < 60; ++i) {
        const double a = std::sin(i * 1.7), noise = std::cos(i * 2.3);
        values.row(i) << a, a + 0.5 * noise, 0.05 * a + std::sin(i * 0.9), std::cos(i * 0.4);
    }
    Model model;
    model.constructs = {testing_support::block("X", {"x1", "x2"}), testing_support::block("Y", {"y1", "y2"})};
    model.paths = {testing_support::path("X", "Y")};
    const Dataset data = testing_support::dataset_from({"x1", "x2", "y1", "y2"}, values);
    EstimationOptions estimation;
    estimation.scheme = InnerScheme::centroid;
    const PlsResult original = estimate(model, compute_moments(data), estimation);
    BootstrapOptions options = options_with(200, 4, 1);
    const BootstrapResult plain = bootstrap(model, data, original, options);
    options.sign_change = SignChange::construct;
    const BootstrapResult changed = bootstrap(model, data, original, options);
    ASSERT_EQ(plain.replicate_of_draw, changed.replicate_of_draw);
    int flipped = 0;
    for (std::size_t i = 0; i < plain.parameters.size(); ++i) {
        const auto& parameter = plain.parameters[i];
        if (parameter.kind != BootstrapParameter::Kind::path) continue;
        for (Eigen::Index row = 0; row < plain.draws.rows(); ++row) {
            const double before = plain.draws(row, static_cast<Eigen::Index>(i));
            const double after = changed.draws(row, static_cast<Eigen::Index>(i));
            EXPECT_NEAR(std::abs(after), std::abs(before), 1e-15);  // a sign change, never a new value
            if (after != before) ++flipped;
        }
    }
    EXPECT_GT(flipped, 0);
}

TEST(Bootstrap, PValueIsTwoSidedStudentT) {
    // 2·P(T₉ > 2.8579717199230545), computed independently with mpmath.
    EXPECT_NEAR(two_sided_p_value(2.8579717199230545, 9), 0.0188426099039559, 1e-14);
    EXPECT_NEAR(two_sided_p_value(-2.8579717199230545, 9), 0.0188426099039559, 1e-14);
    EXPECT_TRUE(std::isnan(two_sided_p_value(std::numeric_limits<double>::quiet_NaN(), 9)));
}

// BCa recomputed here from its definition (Efron 1987): z0 from the share of draws below the
// estimate, acceleration from leave-one-out estimates made with estimate() on the reduced data.
TEST(Bootstrap, BcaBoundsFollowEfronsDefinition) {
    const Fixture& f = ccsi();
    const Eigen::Index n = 40;
    const Dataset small = testing_support::dataset_from(f.data.columns, f.data.matrix().topRows(n));
    const PlsResult original = estimate(f.model, compute_moments(small), f.original.options);
    BootstrapOptions options = options_with(300, 21, 2);
    options.ci = ConfidenceInterval::bca;
    options.ci_level = 0.9;
    const BootstrapResult result = bootstrap(f.model, small, original, options);
    ASSERT_GE(result.succeeded, 250);
    EXPECT_EQ(result.jackknife_groups, n);
    const auto parameters = result.parameters;
    std::vector<PlsResult> leave_one_out;
    for (Eigen::Index drop = 0; drop < n; ++drop) {
        Eigen::MatrixXd rows(n - 1, small.cols());
        for (Eigen::Index i = 0, r = 0; i < n; ++i)
            if (i != drop) rows.row(r++) = small.matrix().row(i);
        leave_one_out.push_back(estimate(f.model, compute_moments(testing_support::dataset_from(small.columns, rows)), original.options));
    }
    auto normal_quantile = [](double p) {  // by bisection on erfc, independent of Boost
        double low = -10, high = 10;
        for (int k = 0; k < 200; ++k) {
            const double mid = 0.5 * (low + high);
            (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? low : high) = mid;
        }
        return 0.5 * (low + high);
    };
    auto normal_cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    int checked = 0;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        if (parameters[i].kind != BootstrapParameter::Kind::path) continue;
        const auto& parameter = parameters[i];
        const double estimate_value = original.path_coefficients(parameter.from, parameter.to);
        std::vector<double> draws(result.draws.col(static_cast<Eigen::Index>(i)).begin(), result.draws.col(static_cast<Eigen::Index>(i)).end());
        std::sort(draws.begin(), draws.end());
        const double B = static_cast<double>(draws.size());
        const double below = static_cast<double>(std::count_if(draws.begin(), draws.end(), [&](double v) { return v < estimate_value; }));
        const double z0 = normal_quantile(below / B);
        std::vector<double> jack;
        for (const auto& r : leave_one_out) jack.push_back(r.path_coefficients(parameter.from, parameter.to));
        const double mean = std::accumulate(jack.begin(), jack.end(), 0.0) / static_cast<double>(jack.size());
        double cubes = 0, squares = 0;
        for (double v : jack) {
            cubes += std::pow(mean - v, 3);
            squares += std::pow(mean - v, 2);
        }
        const double a = cubes / (6 * std::pow(squares, 1.5));
        auto bound = [&](double probability) {
            const double z = normal_quantile(probability);
            const double adjusted = normal_cdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
            const double h = (B - 1) * adjusted;
            const auto lo = static_cast<std::size_t>(std::floor(h));
            return draws[lo] + (h - std::floor(h)) * (draws[std::min(lo + 1, draws.size() - 1)] - draws[lo]);
        };
        EXPECT_NEAR(result.summaries[i].ci_lower, bound(0.05), 1e-9) << parameter_label(original, parameter);
        EXPECT_NEAR(result.summaries[i].ci_upper, bound(0.95), 1e-9) << parameter_label(original, parameter);
        ++checked;
    }
    EXPECT_EQ(checked, 11);
}

TEST(Bootstrap, TooFewSuccessesLeaveEverythingButTheEstimateUndefined) {
    const Fixture& f = ccsi();
    PlsResult strict = f.original;
    strict.options.max_iterations = 1;  // every replicate fails to converge
    const BootstrapResult result = bootstrap(f.model, f.data, strict, options_with(20, 1, 2));
    EXPECT_EQ(result.succeeded, 0);
    EXPECT_EQ(result.failures.size(), 20u);
    EXPECT_EQ(result.summaries[0].estimate, f.original.path_coefficients(f.original.paths[0].from, f.original.paths[0].to));
    EXPECT_TRUE(std::isnan(result.summaries[0].se));
    EXPECT_TRUE(std::isnan(result.summaries[0].p));
    BootstrapOptions one;
    one.resamples = 1;
    EXPECT_THROW(one.validate(), UsageError);
}

TEST(Bootstrap, CancelStopsWithoutAResult) {
    const Fixture& f = ccsi();
    BootstrapMonitor monitor;
    monitor.cancel = true;
    EXPECT_THROW(bootstrap(f.model, f.data, f.original, options_with(50, 1, 2), &monitor), Cancelled);
    BootstrapMonitor watching;
    bootstrap(f.model, f.data, f.original, options_with(50, 1, 2), &watching);
    EXPECT_EQ(watching.completed.load(), 50);
}

TEST(Bootstrap, ParametersCoverPathsWeightsLoadingsR2AndEffects) {
    const Fixture& f = ccsi();
    const auto parameters = bootstrap_parameters(f.original);
    std::map<BootstrapParameter::Kind, int> count;
    for (const auto& parameter : parameters) ++count[parameter.kind];
    EXPECT_EQ(count[BootstrapParameter::Kind::path], 11);
    EXPECT_EQ(count[BootstrapParameter::Kind::outer_weight], 18);
    EXPECT_EQ(count[BootstrapParameter::Kind::loading], 18);
    EXPECT_EQ(count[BootstrapParameter::Kind::r2], 5);
    EXPECT_EQ(parameter_label(f.original, parameters[0]), "预期质量 ~ 品牌形象");
    BootstrapOptions bad;
    bad.ci_level = 1.5;
    EXPECT_THROW(bad.validate(), UsageError);
}

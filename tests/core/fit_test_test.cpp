#include <Eigen/Eigenvalues>
#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <string>

#include "csipls/core/assessment.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/core/simulate.hpp"
#include "test_helpers.hpp"

using namespace csipls;

namespace {

using Fixture = testing_support::CcsiExample;
const Fixture& ccsi() { return testing_support::ccsi_example(); }

FitTestOptions options_with(int resamples, std::uint64_t seed, int threads) {
    FitTestOptions options;
    options.resamples = resamples;
    options.seed = seed;
    options.threads = threads;
    return options;
}

Eigen::MatrixXd symmetric_root(const Eigen::MatrixXd& m, double power) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m);
    const Eigen::VectorXd scaled = solver.eigenvalues().array().pow(power).matrix();
    return solver.eigenvectors() * scaled.asDiagonal() * solver.eigenvectors().transpose();
}

void expect_same(const FitStatisticTest& a, const FitStatisticTest& b) {
    EXPECT_EQ(a.observed, b.observed);
    EXPECT_EQ(a.quantile_95, b.quantile_95);
    EXPECT_EQ(a.quantile_99, b.quantile_99);
    EXPECT_EQ(a.exceeds_95, b.exceeds_95);
    EXPECT_EQ(a.exceeds_99, b.exceeds_99);
    EXPECT_EQ(a.p_value, b.p_value);
}

// A three-construct chain A → B → C with three indicators per block; `structure` holds the paths.
constexpr const char* chain_blocks =
    "A =~ 0.8*a1 + 0.7*a2 + 0.75*a3\n"
    "B =~ 0.8*b1 + 0.75*b2 + 0.7*b3\n"
    "C =~ 0.75*c1 + 0.8*c2 + 0.7*c3\n";
// The same chain measured without error: one indicator per construct (a path analysis).
constexpr const char* single_blocks = "A =~ 1*a1\nB =~ 1*b1\nC =~ 1*c1\n";
constexpr const char* estimated_paths = "B ~ A\nC ~ B\n";
constexpr const char* null_paths = "B ~ 0.5*A\nC ~ 0.4*B\n";
constexpr const char* misspecified_paths = "B ~ 0.5*A\nC ~ 0.6*A + 0.1*B\n";  // the estimated model omits A → C

struct Replications {
    std::vector<double> srmr_p;
    int rejected_95 = 0;
    int failures = 0;
    int draws = 0;
    double mean_p() const {
        double sum = 0;
        for (double p : srmr_p) sum += p;
        return sum / static_cast<double>(srmr_p.size());
    }
    int p_below(double level) const {
        return static_cast<int>(std::count_if(srmr_p.begin(), srmr_p.end(), [&](double p) { return p < level; }));
    }
    // For failure messages and the test report (--gtest_output=xml records it).
    std::string summary() const {
        char text[200];
        std::snprintf(text, sizeof text,
                      "%zu replications: mean SRMR p %.3f, p < 0.05: %d, p < 0.5: %d, rejected at 5%%: %d; "
                      "%d draws, %d replicates dropped",
                      srmr_p.size(), mean_p(), p_below(0.05), p_below(0.5), rejected_95, draws, failures);
        ::testing::Test::RecordProperty("replications", text);
        return text;
    }
};

// Draws `count` data sets of n continuous respondents from the common-factor population of
// `population_text`, estimates the chain model of `blocks` (PLS, or PLSc with `consistent`) and runs
// the fit test with B resamples on each. Fixed seeds: the outcome is the same on every run.
Replications replicate_fit_test(const std::string& blocks, const std::string& population_paths, int count,
                                Eigen::Index n, int resamples, bool consistent, std::uint64_t first_seed) {
    const Model population = parse_model(blocks + population_paths, "population");
    const Model estimated = parse_model(blocks + estimated_paths, "estimated");
    Replications out;
    for (int rep = 0; rep < count; ++rep) {
        SimulationOptions simulation;
        simulation.n = n;
        simulation.discrete = false;
        simulation.seed = first_seed + static_cast<std::uint64_t>(rep);
        const Dataset data = simulate(population, simulation);
        const IndicatorMoments moments = compute_moments(data);
        PlsResult original = estimate(estimated, moments, EstimationOptions{});
        if (consistent) original = make_consistent(estimated, original, moments);  // the test follows it
        const FitTestResult result = bootstrap_fit_test(
            estimated, data, original, moments, options_with(resamples, 1000 + static_cast<std::uint64_t>(rep), 2));
        out.srmr_p.push_back(result.srmr.p_value);
        out.rejected_95 += result.srmr.exceeds_95 ? 1 : 0;
        out.failures += static_cast<int>(result.failures.size());
        out.draws += result.succeeded;
    }
    return out;
}

}  // namespace

TEST(FitTest, SameResultForAnyThreadCountAndOtherSeedDiffers) {
    const Fixture& f = ccsi();
    const FitTestResult one = bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(200, 42, 1));
    const FitTestResult two = bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(200, 42, 2));
    const FitTestResult three = bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(200, 42, 3));
    ASSERT_GE(one.succeeded, 190);
    for (const FitTestResult* other : {&two, &three}) {
        ASSERT_EQ(one.succeeded, other->succeeded);
        EXPECT_EQ(one.replicate_of_draw, other->replicate_of_draw);
        EXPECT_TRUE(one.draws.cwiseEqual(other->draws).all());
        ASSERT_EQ(one.failures.size(), other->failures.size());
        for (std::size_t i = 0; i < one.failures.size(); ++i) {
            EXPECT_EQ(one.failures[i].replicate, other->failures[i].replicate);
            EXPECT_EQ(one.failures[i].reason, other->failures[i].reason);
        }
        expect_same(one.srmr, other->srmr);
        expect_same(one.d_uls, other->d_uls);
        expect_same(one.d_g, other->d_g);
    }
    const FitTestResult other_seed =
        bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(200, 43, 2));
    ASSERT_EQ(other_seed.draws.cols(), 3);
    EXPECT_NE(one.srmr.quantile_95, other_seed.srmr.quantile_95);
    const Eigen::Index rows = std::min(one.draws.rows(), other_seed.draws.rows());
    EXPECT_FALSE(one.draws.topRows(rows).cwiseEqual(other_seed.draws.topRows(rows)).all());

    // PLSc resamples (a PLSc original), with their inadmissible replicates, likewise.
    const PlsResult plsc = make_consistent(f.model, f.original, f.moments);
    const FitTestResult plsc_one = bootstrap_fit_test(f.model, f.data, plsc, f.moments, options_with(100, 42, 1));
    const FitTestResult plsc_two = bootstrap_fit_test(f.model, f.data, plsc, f.moments, options_with(100, 42, 2));
    EXPECT_EQ(plsc_one.replicate_of_draw, plsc_two.replicate_of_draw);
    EXPECT_TRUE(plsc_one.draws.cwiseEqual(plsc_two.draws).all());
    EXPECT_FALSE(plsc_one.draws.topRows(10).cwiseEqual(one.draws.topRows(10)).all());
    expect_same(plsc_one.srmr, plsc_two.srmr);
}

TEST(FitTest, ObservedValuesAreTheAssessmentsFit) {
    const Fixture& f = ccsi();
    const FitTestResult result = bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(0, 1, 1));
    const FitMeasures fit = assess(f.model, f.original, f.moments).fit.estimated_model;
    EXPECT_EQ(result.srmr.observed, fit.srmr);
    EXPECT_EQ(result.d_uls.observed, fit.d_uls);
    EXPECT_EQ(result.d_g.observed, fit.d_g);
    // No resamples: no reference distribution, nothing decided.
    EXPECT_EQ(result.succeeded, 0);
    EXPECT_EQ(result.draws.rows(), 0);
    EXPECT_TRUE(std::isnan(result.srmr.quantile_95));
    EXPECT_TRUE(std::isnan(result.srmr.p_value));
    EXPECT_FALSE(result.srmr.exceeds_95);
}

// Replicate r is the documented computation: the Bollen–Stine data X* = Z S^{-1/2} Σ̂^{1/2},
// resampled from mt19937_64(splitmix64(splitmix64(seed ^ fit_test_stream) ^ r)), written out row by
// row, estimated as the original was (PLS, or PLSc for a PLSc original) and assessed.
TEST(FitTest, ReplicateEqualsAssessingAnExplicitResampleOfTheTransformedData) {
    const Fixture& f = ccsi();
    const std::uint64_t seed = 11;
    const Eigen::Index n = f.data.rows;
    const Eigen::MatrixXd x = f.data.matrix();
    const Eigen::MatrixXd z =
        (x.rowwise() - f.moments.means.transpose()).array().rowwise() / f.moments.sds.transpose().array();
    for (const bool consistent : {false, true}) {
        SCOPED_TRACE(consistent ? "PLSc" : "PLS");
        const PlsResult original = consistent ? make_consistent(f.model, f.original, f.moments) : f.original;
        const FitTestResult result =
            bootstrap_fit_test(f.model, f.data, original, f.moments, options_with(6, seed, 1));
        const Eigen::MatrixXd implied =
            implied_indicator_correlation(f.model, original, f.moments, ImpliedModel::estimated);
        const Eigen::MatrixXd transformed =
            z * symmetric_root(f.moments.correlation, -0.5) * symmetric_root(implied, 0.5);
        // The transformed data have exactly the model-implied correlations.
        const Dataset transformed_data = testing_support::dataset_from(f.data.columns, transformed);
        EXPECT_LT((compute_moments(transformed_data).correlation - implied).cwiseAbs().maxCoeff(), 1e-12);

        ASSERT_GE(result.succeeded, 3);
        for (int row = 0; row < result.succeeded; ++row) {
            const int r = result.replicate_of_draw[static_cast<std::size_t>(row)];
            const std::uint64_t stream = testing_support::splitmix64(testing_support::splitmix64(seed ^ fit_test_stream) ^ static_cast<std::uint64_t>(r));
            boost::random::mt19937_64 engine(stream);
            boost::random::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
            Eigen::MatrixXd rows(n, transformed.cols());
            for (Eigen::Index i = 0; i < n; ++i) rows.row(i) = transformed.row(pick(engine));
            const IndicatorMoments moments = compute_moments(testing_support::dataset_from(f.data.columns, rows));
            PlsResult estimate_r = estimate(f.model, moments, f.original.options);
            if (consistent) estimate_r = make_consistent(f.model, estimate_r, moments);
            const FitMeasures expected = assess(f.model, estimate_r, moments).fit.estimated_model;
            EXPECT_NEAR(result.draws(row, 0), expected.srmr, 1e-9) << "replicate " << r;
            EXPECT_NEAR(result.draws(row, 1), expected.d_uls, 1e-8) << "replicate " << r;
            EXPECT_NEAR(result.draws(row, 2), expected.d_g, 1e-8) << "replicate " << r;
        }
    }
}

TEST(FitTest, QuantilesDecisionsAndPValuesFollowTheDraws) {
    const Fixture& f = ccsi();
    const FitTestResult result = bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(301, 5, 0));
    ASSERT_EQ(result.draws.rows(), result.succeeded);
    ASSERT_EQ(static_cast<int>(result.replicate_of_draw.size()), result.succeeded);
    ASSERT_EQ(result.succeeded + static_cast<int>(result.failures.size()), 301);
    const FitStatisticTest* tests[] = {&result.srmr, &result.d_uls, &result.d_g};
    for (int s = 0; s < 3; ++s) {
        const FitStatisticTest& t = *tests[s];
        std::vector<double> sorted(result.draws.col(s).begin(), result.draws.col(s).end());
        std::sort(sorted.begin(), sorted.end());
        auto type7 = [&](double probability) {
            const double h = (static_cast<double>(sorted.size()) - 1.0) * probability;
            const auto low = static_cast<std::size_t>(std::floor(h));
            return sorted[low] + (h - static_cast<double>(low)) * (sorted[low + 1] - sorted[low]);
        };
        EXPECT_DOUBLE_EQ(t.quantile_95, type7(0.95));
        EXPECT_DOUBLE_EQ(t.quantile_99, type7(0.99));
        EXPECT_LE(t.quantile_95, t.quantile_99);
        EXPECT_EQ(t.exceeds_95, t.observed >= t.quantile_95);
        EXPECT_EQ(t.exceeds_99, t.observed >= t.quantile_99);
        const auto at_least = std::count_if(sorted.begin(), sorted.end(), [&](double v) { return v >= t.observed; });
        EXPECT_EQ(t.p_value, static_cast<double>(at_least) / static_cast<double>(sorted.size()));
        // The decisions agree with the p-value up to the interpolation between order statistics.
        if (t.p_value > 0.06) EXPECT_FALSE(t.exceeds_95);
        if (t.p_value < 0.04) EXPECT_TRUE(t.exceeds_95);
    }
}

TEST(FitTest, RefusesBadOptionsForeignMomentsAndASingularImpliedMatrix) {
    const Fixture& f = ccsi();
    EXPECT_THROW(bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(-1, 1, 1)), UsageError);
    EXPECT_THROW(bootstrap_fit_test(f.model, f.data, f.original, f.moments, options_with(10, 1, -2)), UsageError);

    // Moments of other respondents (the first 400 of them).
    Dataset part = f.data;
    part.rows = 400;
    part.values.resize(static_cast<std::size_t>(400 * part.cols()));
    const IndicatorMoments other = compute_moments(part);
    EXPECT_THROW(bootstrap_fit_test(f.model, f.data, f.original, other, options_with(10, 1, 1)), EstimationError);
    IndicatorMoments shifted = f.moments;
    shifted.correlation(0, 1) = shifted.correlation(1, 0) = f.moments.correlation(0, 1) + 0.01;
    EXPECT_THROW(bootstrap_fit_test(f.model, f.data, f.original, shifted, options_with(10, 1, 1)), EstimationError);

    // Unit loadings in the first block make its implied correlations all 1: a singular Σ̂.
    PlsResult degenerate = f.original;
    for (Eigen::Index k = 0; k < degenerate.loadings.size(); ++k)
        if (degenerate.block_of_indicator[k] == 0) degenerate.loadings[k] = 1.0;
    try {
        bootstrap_fit_test(f.model, f.data, degenerate, f.moments, options_with(10, 1, 1));
        ADD_FAILURE() << "a singular model-implied matrix was accepted";
    } catch (const EstimationError& error) {
        EXPECT_NE(std::string(error.what()).find("positive definite model-implied"), std::string::npos) << error.what();
    }
}

// Under H0 the p-value of a valid test is uniform on (0, 1) (here on the grid k/B). With R
// replications the share below 0.05 is Binomial(R, 0.05)/R and the mean p has sd 0.289/√R.
// For R = 60: the mean p lies in 0.5 ± 0.15 (4 sd) and at most 12 of 60 p-values fall below 0.05
// (P(Binomial(60, 0.05) ≥ 13) ≈ 1e-5), leaving room for a bootstrap test that is only
// asymptotically exact and for the dropped inadmissible replicates, while a test with a real size
// problem (the plain-PLS case below rejects every time) fails. Seeds are fixed, so the outcome is
// deterministic; these bounds say how far it may move when the seeds change.
//
// PLSc on common-factor data: the consistent loadings and construct correlations make Σ̂ consistent
// for the population, so H0 holds (cSEM's default setting, csem(.disattenuate = TRUE)).
TEST(FitTestNull, ConsistentPlsOnCommonFactorDataGivesRoughlyUniformPValues) {
    const Replications r = replicate_fit_test(chain_blocks, null_paths, 60, 300, 199, true, 500);
    SCOPED_TRACE(r.summary());
    EXPECT_LE(r.p_below(0.05), 12);
    EXPECT_GT(r.mean_p(), 0.35);
    EXPECT_LT(r.mean_p(), 0.65);
    // The lower half of the unit interval gets a share near one half too (sd 0.065 for R = 60).
    EXPECT_GE(r.p_below(0.5), 18);
    EXPECT_LE(r.p_below(0.5), 42);
    EXPECT_GT(r.draws, 60 * 199 * 3 / 4);  // inadmissible PLSc replicates are dropped, but not most
}

// Plain PLS with one indicator per construct: Σ̂ is the path model's implied correlation matrix,
// which the population matches exactly.
TEST(FitTestNull, PlainPlsPathModelGivesRoughlyUniformPValues) {
    const Replications r = replicate_fit_test(single_blocks, null_paths, 60, 300, 199, false, 900);
    SCOPED_TRACE(r.summary());
    EXPECT_LE(r.p_below(0.05), 12);
    EXPECT_GT(r.mean_p(), 0.35);
    EXPECT_LT(r.mean_p(), 0.65);
    EXPECT_GE(r.p_below(0.5), 18);
    EXPECT_LE(r.p_below(0.5), 42);
    EXPECT_EQ(r.failures, 0);
}

// A property of the method, pinned so that nobody reads the plain-PLS test as a test of a
// common-factor model: for a reflective block of two or more indicators, Σ̂ holds λλ' (PLS composite
// loadings) within the block, and no population with measurement error has within-block
// correlations equal to the products of its composite loadings (composite loadings exceed the
// factor loadings). So with plain PLS H0 is false for every common-factor population and the
// rejection rate goes to 1 with n; at n = 300 it is already (nearly) always rejected.
TEST(FitTestNull, PlainPlsRejectsCommonFactorDataWithMultiIndicatorBlocks) {
    const Replications r = replicate_fit_test(chain_blocks, null_paths, 20, 300, 99, false, 700);
    SCOPED_TRACE(r.summary());
    EXPECT_GE(r.rejected_95, 16);
}

// A population where A drives C strongly (C ~ 0.6 A + 0.1 B) estimated without the path A → C:
// rejected at 5 % (SRMR above its 95 % quantile) in at least 9 of 10 data sets of n = 500.
TEST(FitTestMisspecified, OmittedPathIsRejectedWithConsistentPls) {
    const Replications r = replicate_fit_test(chain_blocks, misspecified_paths, 10, 500, 199, true, 300);
    SCOPED_TRACE(r.summary());
    EXPECT_GE(r.rejected_95, 9);
    EXPECT_GE(r.p_below(0.05), 9);
}

TEST(FitTestMisspecified, OmittedPathIsRejectedInAPathModel) {
    const Replications r = replicate_fit_test(single_blocks, misspecified_paths, 10, 500, 199, false, 100);
    SCOPED_TRACE(r.summary());
    EXPECT_GE(r.rejected_95, 9);
}

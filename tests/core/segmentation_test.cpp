#include <Eigen/Cholesky>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/segmentation.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/io/model_file.hpp"

using namespace csipls;

namespace {

// Loyalty follows value in one segment and image in the other.
const char* const value_driven = R"(
Value =~ 0.85*v1 + 0.8*v2 + 0.85*v3
Image =~ 0.85*i1 + 0.8*i2 + 0.85*i3
Loyalty =~ 0.85*l1 + 0.8*l2 + 0.85*l3
Loyalty ~ 0.8*Value + -0.4*Image
)";
const char* const image_driven = R"(
Value =~ 0.85*v1 + 0.8*v2 + 0.85*v3
Image =~ 0.85*i1 + 0.8*i2 + 0.85*i3
Loyalty =~ 0.85*l1 + 0.8*l2 + 0.85*l3
Loyalty ~ -0.4*Value + 0.8*Image
)";

struct Scored {
    Model model;
    Dataset data;
    Eigen::MatrixXd scores;
};

Scored scored(const Dataset& data) {
    Scored out{parse_model(value_driven, "value.model"), data, {}};
    const IndicatorMoments moments = compute_moments(data);
    const PlsResult result = estimate(out.model, moments, EstimationOptions{});
    out.scores = construct_scores(result, moments, data);
    return out;
}

SimulationOptions continuous(Eigen::Index n, std::uint64_t seed) {
    SimulationOptions options;
    options.n = n;
    options.seed = seed;
    options.discrete = false;
    return options;
}

const Scored& mixture() {
    static const Scored data = scored(simulate_mixture({parse_model(value_driven, "value.model"), parse_model(image_driven, "image.model")},
                                                       {0.6, 0.4}, continuous(600, 7)));
    return data;
}

FimixOptions range(int k_min, int k_max) {
    FimixOptions options;
    options.k_min = k_min;
    options.k_max = k_max;
    options.starts = 5;
    options.tolerance = 1e-8;
    options.seed = 3;
    options.max_iterations = 500;
    return options;
}

int best_k(const std::vector<SegmentSolution>& solutions, double FimixCriteria::*criterion) {
    const auto best = std::min_element(solutions.begin(), solutions.end(), [&](const SegmentSolution& a, const SegmentSolution& b) {
        return a.criteria.*criterion < b.criteria.*criterion;
    });
    return best->k;
}

// Normal density written out, with no logarithm: an independent check of the E-step.
double normal_density(double x, double mean, double variance) {
    return std::exp(-(x - mean) * (x - mean) / (2 * variance)) / std::sqrt(2 * M_PI * variance);
}

}  // namespace

TEST(Fimix, ParameterCountOfKnownModels) {
    // Loyalty ~ Value + Image: R = 2 paths, P = 1 endogenous; K = 2: 1 + 2·(2 + 1) = 7.
    EXPECT_EQ(fimix_parameter_count(2, 2, 1), 7);
    // The CCSI model: 11 paths, 5 endogenous constructs; K = 3: 2 + 3·16 = 50.
    const Model ccsi = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    const Eigen::MatrixXd scores = Eigen::MatrixXd::Random(60, static_cast<Eigen::Index>(ccsi.constructs.size()));
    FimixOptions options = range(3, 3);
    options.starts = 1;
    options.max_iterations = 2;
    EXPECT_EQ(fimix(ccsi, scores, options).front().parameters, 50);
}

TEST(Fimix, LogLikelihoodAndPosteriorMatchADirectComputation) {
    const Model model = parse_model(value_driven, "value.model");
    Eigen::MatrixXd scores(4, 3);
    scores << 0.5, -1.0, 0.2,  //
        -0.3, 0.4, -0.6,       //
        1.2, 0.1, 1.5,         //
        -0.8, -0.7, 0.3;
    std::vector<SegmentModel> segments(2);
    const double shares[2] = {0.3, 0.7}, value_path[2] = {0.9, 0.1}, image_path[2] = {0.0, 0.6}, variance[2] = {0.2, 0.5};
    for (int k = 0; k < 2; ++k) {
        segments[k].share = shares[k];
        segments[k].path_coefficients = Eigen::MatrixXd::Zero(3, 3);
        segments[k].path_coefficients(0, 2) = value_path[k];
        segments[k].path_coefficients(1, 2) = image_path[k];
        segments[k].residual_variance = Eigen::Vector3d(NAN, NAN, variance[k]);
    }
    Eigen::MatrixXd posterior;
    const double log_likelihood = fimix_log_likelihood(model, scores, segments, posterior);
    double expected = 0;
    for (int i = 0; i < 4; ++i) {
        double joint[2], total = 0;
        for (int k = 0; k < 2; ++k) {
            joint[k] = shares[k] * normal_density(scores(i, 2), value_path[k] * scores(i, 0) + image_path[k] * scores(i, 1), variance[k]);
            total += joint[k];
        }
        expected += std::log(total);
        for (int k = 0; k < 2; ++k) EXPECT_NEAR(posterior(i, k), joint[k] / total, 1e-14) << "respondent " << i << ", segment " << k;
    }
    EXPECT_NEAR(log_likelihood, expected, 1e-12);
}

TEST(Fimix, SolutionIsAFixedPointOfTheWeightedRegressions) {
    const Scored& data = mixture();
    const SegmentSolution solution = fimix(data.model, data.scores, range(2, 2)).front();
    ASSERT_TRUE(solution.ok()) << solution.error;
    Eigen::MatrixXd posterior;
    EXPECT_NEAR(fimix_log_likelihood(data.model, data.scores, solution.segments, posterior), solution.log_likelihood, 1e-9);
    // Posterior-weighted least squares of Loyalty on Value and Image, computed here.
    const Eigen::MatrixXd x = data.scores.leftCols(2);
    const Eigen::VectorXd y = data.scores.col(2);
    for (int k = 0; k < 2; ++k) {
        const Eigen::VectorXd w = posterior.col(k);
        const Eigen::Vector2d beta = (x.transpose() * w.asDiagonal() * x).ldlt().solve(x.transpose() * w.asDiagonal() * y);
        const double variance = (w.array() * (y - x * beta).array().square()).sum() / w.sum();
        EXPECT_NEAR(solution.segments[k].path_coefficients(0, 2), beta[0], 1e-4);
        EXPECT_NEAR(solution.segments[k].path_coefficients(1, 2), beta[1], 1e-4);
        EXPECT_NEAR(solution.segments[k].residual_variance[2], variance, 1e-4);
        EXPECT_NEAR(solution.segments[k].share, w.mean(), 1e-4);
    }
}

TEST(Fimix, RecoversTwoSegmentsAndCriteriaPickTwo) {
    const Scored& data = mixture();
    const std::vector<SegmentSolution> solutions = fimix(data.model, data.scores, range(1, 3));
    ASSERT_EQ(solutions.size(), 3u);
    for (const auto& solution : solutions) ASSERT_TRUE(solution.ok()) << solution.error;
    EXPECT_EQ(best_k(solutions, &FimixCriteria::bic), 2);
    EXPECT_EQ(best_k(solutions, &FimixCriteria::caic), 2);
    EXPECT_EQ(best_k(solutions, &FimixCriteria::aic3), 2);
    EXPECT_EQ(best_k(solutions, &FimixCriteria::mdl5), 2);
    const SegmentSolution& two = solutions[1];
    // Segments by decreasing share: the value-driven 60 % first.
    EXPECT_NEAR(two.segments[0].share, 0.6, 0.06);
    EXPECT_NEAR(two.segments[1].share, 0.4, 0.06);
    // Paths on PLS scores are attenuated by the composites' reliability (about 0.9 here).
    EXPECT_NEAR(two.segments[0].path_coefficients(0, 2), 0.8 * 0.9, 0.1);
    EXPECT_NEAR(two.segments[0].path_coefficients(1, 2), -0.4 * 0.9, 0.1);
    EXPECT_NEAR(two.segments[1].path_coefficients(0, 2), -0.4 * 0.9, 0.1);
    EXPECT_NEAR(two.segments[1].path_coefficients(1, 2), 0.8 * 0.9, 0.1);
    // Hard assignment against the truth: chance gives 0; overlapping segments keep it below 1.
    // The best one can do: each respondent assigned by the regressions fitted on the true segments.
    std::vector<SegmentModel> truth(2);
    const Eigen::MatrixXd x = data.scores.leftCols(2);
    for (int k = 0; k < 2; ++k) {
        std::vector<Eigen::Index> rows;
        for (Eigen::Index i = 0; i < data.scores.rows(); ++i)
            if (data.data.group_of_row[static_cast<std::size_t>(i)] == k) rows.push_back(i);
        const Eigen::MatrixXd xk = x(rows, Eigen::all);
        const Eigen::VectorXd yk = data.scores(rows, 2);
        const Eigen::Vector2d beta = (xk.transpose() * xk).ldlt().solve(xk.transpose() * yk);
        truth[k].share = static_cast<double>(rows.size()) / static_cast<double>(x.rows());
        truth[k].path_coefficients = Eigen::MatrixXd::Zero(3, 3);
        truth[k].path_coefficients.col(2).head(2) = beta;
        truth[k].residual_variance = Eigen::Vector3d(NAN, NAN, (yk - xk * beta).squaredNorm() / static_cast<double>(rows.size()));
    }
    Eigen::MatrixXd oracle_posterior;
    fimix_log_likelihood(data.model, data.scores, truth, oracle_posterior);
    std::vector<int> oracle(static_cast<std::size_t>(x.rows()));
    for (Eigen::Index i = 0; i < x.rows(); ++i) oracle[static_cast<std::size_t>(i)] = oracle_posterior(i, 1) > oracle_posterior(i, 0);
    const double ari = adjusted_rand_index(two.assignment, data.data.group_of_row);
    const double oracle_ari = adjusted_rand_index(oracle, data.data.group_of_row);
    std::printf("adjusted Rand index against the true segments: FIMIX %.3f, known segment regressions %.3f; entropy %.3f\n", ari,
                oracle_ari, two.criteria.entropy);
    EXPECT_GT(ari, 0.25);
    EXPECT_GT(ari, 0.9 * oracle_ari);
    EXPECT_GT(two.criteria.entropy, 0.2);
    EXPECT_TRUE(std::isnan(solutions[0].criteria.entropy));
}

TEST(Fimix, CriteriaPickOneOnHomogeneousData) {
    const Scored data = scored(simulate(parse_model(value_driven, "value.model"), continuous(300, 8)));
    const std::vector<SegmentSolution> solutions = fimix(data.model, data.scores, range(1, 3));
    EXPECT_EQ(best_k(solutions, &FimixCriteria::bic), 1);
    EXPECT_EQ(best_k(solutions, &FimixCriteria::caic), 1);
    EXPECT_EQ(best_k(solutions, &FimixCriteria::mdl5), 1);
}

TEST(Fimix, SameResultForAnyThreadCount) {
    const Scored& data = mixture();
    FimixOptions options = range(2, 3);
    options.threads = 1;
    const auto one = fimix(data.model, data.scores, options);
    options.threads = 3;
    const auto three = fimix(data.model, data.scores, options);
    for (std::size_t k = 0; k < one.size(); ++k) {
        EXPECT_EQ(one[k].log_likelihood, three[k].log_likelihood);
        EXPECT_EQ(one[k].best_start, three[k].best_start);
        EXPECT_TRUE(one[k].posterior == three[k].posterior);
    }
}

TEST(Fimix, BadInputIsRefusedClearly) {
    const Scored& data = mixture();
    EXPECT_THAT([&] { fimix(data.model, data.scores, range(0, 2)); },
                testing::ThrowsMessage<UsageError>(testing::HasSubstr("`segmentation.k` must be at least 1")));
    const Model exogenous = parse_model("A =~ a1 + a2\nB =~ b1 + b2\n", "flat.model");
    EXPECT_THAT([&] { fimix(exogenous, Eigen::MatrixXd::Random(20, 2), range(1, 2)); },
                testing::ThrowsMessage<ModelError>(testing::HasSubstr("flat.model: the model has no endogenous construct")));
    // 12 respondents: K = 1 and 2 fit (segments of at least 4), K = 4 does not and is reported.
    FimixOptions options = range(1, 4);
    const auto solutions = fimix(data.model, data.scores.topRows(12), options);
    EXPECT_TRUE(solutions[0].ok());
    EXPECT_THAT(solutions[3].error, testing::HasSubstr("K = 4 needs at least 4 × 4 = 16 respondents"));
    // K = 3 on 12 respondents: every segment must keep an expected size of 4, so EM empties one
    // in every start; the K is reported with the reason while K = 1 is estimated (above).
    const SegmentSolution& three = solutions[2];
    EXPECT_EQ(three.failed_starts, options.starts);
    EXPECT_THAT(three.error, testing::HasSubstr("every one of the 5 starts degenerated (start 1: segment "));
    EXPECT_THAT(three.error, testing::HasSubstr("emptied"));
}

TEST(Fimix, AdjustedRandIndexOfKnownPartitions) {
    EXPECT_DOUBLE_EQ(adjusted_rand_index({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);
    // Contingency [[2,1],[0,2]]: Σ C(n_ij,2) = 2, rows 3+1, cols 1+3, C(5,2) = 10: (2 − 1.6)/(4 − 1.6) = 1/6.
    EXPECT_NEAR(adjusted_rand_index({0, 0, 0, 1, 1}, {0, 0, 1, 1, 1}), 1.0 / 6.0, 1e-15);
}

TEST(Simulate, MixtureDrawsEachPopulationsShare) {
    const Dataset data = simulate_mixture({parse_model(value_driven, "value.model"), parse_model(image_driven, "image.model")},
                                          {0.25, 0.75}, continuous(101, 1));
    EXPECT_EQ(data.rows, 101);
    EXPECT_EQ(std::count(data.group_of_row.begin(), data.group_of_row.end(), 0), 25);
    EXPECT_EQ(data.group_names, (std::vector<std::string>{"S1", "S2"}));
    EXPECT_THROW(simulate_mixture({parse_model(value_driven, "v")}, {0.5}, continuous(10, 1)), UsageError);
}

namespace {

PosOptions pos_options(int starts) {
    PosOptions options;
    options.k = 2;
    options.starts = starts;
    options.seed = 5;
    return options;
}

}  // namespace

TEST(PlsPos, RecoversTwoSegments) {
    const Scored& data = mixture();
    const SegmentSolution solution = pls_pos(data.model, data.data, EstimationOptions{}, pos_options(2));
    ASSERT_TRUE(solution.ok()) << solution.error;
    EXPECT_TRUE(solution.converged);
    EXPECT_NEAR(solution.segments[0].share, 0.6, 0.1);
    // Segment PLS paths are standardized within the segment: the population's signs and order.
    EXPECT_GT(solution.segments[0].path_coefficients(0, 2), 0.5);
    EXPECT_LT(solution.segments[0].path_coefficients(1, 2), -0.2);
    EXPECT_LT(solution.segments[1].path_coefficients(0, 2), -0.2);
    EXPECT_GT(solution.segments[1].path_coefficients(1, 2), 0.5);
    const double ari = adjusted_rand_index(solution.assignment, data.data.group_of_row);
    std::printf("PLS-POS adjusted Rand index against the true segments: %.3f; summed R² %.3f\n", ari, solution.objective);
    EXPECT_GT(ari, 0.2);
    // The objective is the segments' summed R², each from its own PLS estimation.
    double summed = 0;
    for (int s = 0; s < 2; ++s) {
        std::vector<Eigen::Index> rows;
        for (Eigen::Index i = 0; i < data.data.rows; ++i)
            if (solution.assignment[static_cast<std::size_t>(i)] == s) rows.push_back(i);
        Dataset part = data.data;
        part.rows = static_cast<Eigen::Index>(rows.size());
        part.values.clear();
        for (const Eigen::Index i : rows)
            for (Eigen::Index j = 0; j < data.data.cols(); ++j) part.values.push_back(data.data.matrix()(i, j));
        part.group_of_row.clear();
        summed += estimate(data.model, compute_moments(part), EstimationOptions{}).r2[2];
    }
    EXPECT_NEAR(solution.objective, summed, 1e-8);
}

TEST(PlsPos, KeepsTheMinimumSizeAndRefusesTooLargeK) {
    const Scored& data = mixture();
    PosOptions options = pos_options(1);
    options.min_segment_size = 280;
    const SegmentSolution solution = pls_pos(data.model, data.data, EstimationOptions{}, options);
    ASSERT_TRUE(solution.ok());
    EXPECT_GE(*std::min_element(solution.sizes.begin(), solution.sizes.end()), 280);
    options.min_segment_size = 301;
    EXPECT_THAT(pls_pos(data.model, data.data, EstimationOptions{}, options).error,
                testing::HasSubstr("K = 2 needs at least 2 × 301 = 602 respondents"));
}

TEST(DescribeSegments, FTestAndChiSquareOfKnownTables) {
    // Means 2 and 5: between 13.5 (1 df), within 4 (4 df), F = 13.5; P(F(1,4) > 13.5) = P(|t_4| > √13.5),
    // 0.0213116 by numerical integration of the t density.
    const SegmentDescription means =
        describe_segments("age", (Eigen::VectorXd(7) << 1, 2, 3, 4, 5, 6, NAN).finished(), {0, 0, 0, 1, 1, 1, 1}, 2);
    EXPECT_EQ(means.n, (std::vector<Eigen::Index>{3, 3}));
    EXPECT_DOUBLE_EQ(means.mean[1], 5.0);
    EXPECT_DOUBLE_EQ(means.sd[0], 1.0);
    EXPECT_NEAR(means.f, 13.5, 1e-12);
    EXPECT_EQ(means.df_within, 4);
    EXPECT_NEAR(means.f_p, 0.0213116, 1e-6);
    // Counts [[2, 1], [0, 2]] (levels × segments): χ² = 20/9 on 1 df, p = erfc(√(χ²/2)) = 0.1360371.
    const SegmentDescription shares = describe_segments("region", (Eigen::VectorXd(5) << 1, 1, 1, 2, 2).finished(), {0, 0, 1, 1, 1}, 2);
    EXPECT_EQ(shares.levels, (std::vector<double>{1, 2}));
    EXPECT_NEAR(shares.shares(0, 1), 1.0 / 3.0, 1e-15);
    EXPECT_NEAR(shares.chi2, 20.0 / 9.0, 1e-12);
    EXPECT_EQ(shares.chi2_df, 1);
    EXPECT_NEAR(shares.chi2_p, 0.1360371, 1e-6);
}

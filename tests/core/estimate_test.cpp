#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using namespace csipls::testing_support;
using testing::HasSubstr;

namespace {

// Two blocks of two indicators with a positive definite correlation matrix.
Eigen::MatrixXd two_block_correlation() {
    Eigen::MatrixXd s(4, 4);
    s << 1.0, 0.5, 0.3, 0.2,  //
        0.5, 1.0, 0.25, 0.35,  //
        0.3, 0.25, 1.0, 0.4,   //
        0.2, 0.35, 0.4, 1.0;
    return s;
}

Model two_blocks(MeasurementMode mode) {
    Model model;
    model.constructs = {block("A", {"a1", "a2"}, mode), block("B", {"b1", "b2"}, mode)};
    model.paths = {path("A", "B")};
    return model;
}

EstimationOptions tight(InnerScheme scheme) {
    EstimationOptions options;
    options.scheme = scheme;
    options.tolerance = 1e-13;
    return options;
}

}  // namespace

// With two mode-A blocks every scheme reaches the same fixed point, w_A ∝ S_AB w_B and
// w_B ∝ S_BA w_A: the first singular vectors of S_AB (Wold's PLS of two blocks).
TEST(Estimate, TwoModeABlocksGiveFirstSingularVectors) {
    const Eigen::MatrixXd s = two_block_correlation();
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(s.block(0, 2, 2, 2), Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::VectorXd wa = svd.matrixU().col(0), wb = svd.matrixV().col(0);
    if (wa.sum() < 0) wa = -wa;
    if (wb.sum() < 0) wb = -wb;
    wa /= std::sqrt(wa.dot(s.block(0, 0, 2, 2) * wa));
    wb /= std::sqrt(wb.dot(s.block(2, 2, 2, 2) * wb));
    const double path_value = wa.dot(s.block(0, 2, 2, 2) * wb);

    const Model model = two_blocks(MeasurementMode::reflective);
    for (InnerScheme scheme : {InnerScheme::path, InnerScheme::centroid, InnerScheme::factorial}) {
        const PlsResult result = estimate(model, moments_for(model, s, 100), tight(scheme));
        ASSERT_TRUE(result.converged) << to_string(scheme);
        EXPECT_NEAR(result.outer_weights[0], wa[0], 1e-10) << to_string(scheme);
        EXPECT_NEAR(result.outer_weights[1], wa[1], 1e-10);
        EXPECT_NEAR(result.outer_weights[2], wb[0], 1e-10);
        EXPECT_NEAR(result.outer_weights[3], wb[1], 1e-10);
        EXPECT_NEAR(result.path_coefficients(0, 1), path_value, 1e-10);
        EXPECT_NEAR(result.r2[1], path_value * path_value, 1e-10);
        // adjusted R² = 1 − (1 − R²)(n − 1)/(n − k − 1) with n = 100, k = 1
        EXPECT_NEAR(result.r2_adj[1], 1.0 - (1.0 - path_value * path_value) * 99.0 / 98.0, 1e-10);
        EXPECT_TRUE(std::isnan(result.r2[0]));
        // Loadings are the correlations of indicators with their composite: S_AA w_A.
        EXPECT_NEAR(result.loadings[0], (s.block(0, 0, 2, 2) * wa)[0], 1e-10);
        EXPECT_NEAR(result.cross_loadings(0, 1), (s.block(0, 2, 2, 2) * wb)[0], 1e-10);
    }
}

// Two mode-B blocks: the fixed point is canonical correlation analysis, so the path equals the
// first canonical correlation, the square root of the largest eigenvalue of S_AA⁻¹ S_AB S_BB⁻¹ S_BA.
TEST(Estimate, TwoModeBBlocksGiveFirstCanonicalCorrelation) {
    const Eigen::MatrixXd s = two_block_correlation();
    const Eigen::MatrixXd saa = s.block(0, 0, 2, 2), sbb = s.block(2, 2, 2, 2), sab = s.block(0, 2, 2, 2);
    const Eigen::MatrixXd product = saa.inverse() * sab * sbb.inverse() * sab.transpose();
    const double canonical = std::sqrt(Eigen::EigenSolver<Eigen::MatrixXd>(product).eigenvalues().real().maxCoeff());

    const Model model = two_blocks(MeasurementMode::formative);
    const PlsResult result = estimate(model, moments_for(model, s, 100), tight(InnerScheme::path));
    ASSERT_TRUE(result.converged);
    EXPECT_NEAR(result.path_coefficients(0, 1), canonical, 1e-10);
    // The weights have unit composite variance.
    const Eigen::Vector2d wa = result.outer_weights.head(2);
    EXPECT_NEAR(wa.dot(saa * wa), 1.0, 1e-12);
}

TEST(Estimate, ChainEffectsMultiplyAlongRoutes) {
    // Single-indicator blocks make constructs equal to indicators, so paths are plain regressions.
    Model model;
    model.constructs = {block("A", {"a"}), block("B", {"b"}), block("C", {"c"})};
    model.paths = {path("A", "B"), path("B", "C"), path("A", "C")};
    Eigen::MatrixXd s(3, 3);
    s << 1.0, 0.6, 0.5, 0.6, 1.0, 0.7, 0.5, 0.7, 1.0;
    const PlsResult result = estimate(model, moments_for(model, s, 50), tight(InnerScheme::path));
    // C on A and B: β = R⁻¹ r
    const double det = 1.0 - 0.36;
    const double beta_a = (0.5 - 0.6 * 0.7) / det;
    const double beta_b = (0.7 - 0.6 * 0.5) / det;
    EXPECT_NEAR(result.path_coefficients(0, 1), 0.6, 1e-12);
    EXPECT_NEAR(result.path_coefficients(0, 2), beta_a, 1e-12);
    EXPECT_NEAR(result.path_coefficients(1, 2), beta_b, 1e-12);
    EXPECT_NEAR(result.indirect_effects(0, 2), 0.6 * beta_b, 1e-12);
    EXPECT_NEAR(result.total_effects(0, 2), beta_a + 0.6 * beta_b, 1e-12);
    EXPECT_NEAR(result.indirect_effects(0, 1), 0.0, 1e-15);
    EXPECT_EQ(result.indirect_routes(0, 2), 1);
    EXPECT_EQ(result.indirect_routes(0, 1), 0);
    EXPECT_NEAR(result.r2[2], beta_a * 0.5 + beta_b * 0.7, 1e-12);
    EXPECT_EQ(result.outer_weights[0], 1.0);
}

TEST(Estimate, ReportsNonConvergenceWithoutThrowing) {
    const Eigen::MatrixXd s = two_block_correlation();
    const Model model = two_blocks(MeasurementMode::reflective);
    EstimationOptions options = tight(InnerScheme::path);
    options.max_iterations = 1;
    const PlsResult result = estimate(model, moments_for(model, s, 100), options);
    EXPECT_FALSE(result.converged);
    EXPECT_EQ(result.iterations, 1);
    EXPECT_GT(result.last_weight_change, options.tolerance);
}

TEST(Estimate, RefusesSingularFormativeBlock) {
    Model model = two_blocks(MeasurementMode::formative);
    Eigen::MatrixXd s = two_block_correlation();
    s(0, 1) = s(1, 0) = 1.0;  // a1 and a2 identical
    s(1, 2) = s(2, 1) = s(0, 2);
    s(1, 3) = s(3, 1) = s(0, 3);
    try {
        estimate(model, moments_for(model, s, 100), tight(InnerScheme::path));
        FAIL() << "expected ModelError";
    } catch (const ModelError& error) {
        EXPECT_THAT(error.what(), HasSubstr("formative block 'A' is singular"));
    }
}

TEST(Estimate, RefusesTooFewRespondents) {
    Model model;
    model.constructs = {block("A", {"a"}), block("B", {"b"}), block("C", {"c"}), block("Y", {"y1", "y2"})};
    model.paths = {path("A", "Y"), path("B", "Y"), path("C", "Y")};
    EXPECT_EQ(minimum_respondents(model), 5);  // three predictors: n > k + 1
    const Eigen::MatrixXd s = Eigen::MatrixXd::Identity(5, 5) * 0.5 + Eigen::MatrixXd::Constant(5, 5, 0.5);
    try {
        estimate(model, moments_for(model, s, 4), tight(InnerScheme::path));
        FAIL() << "expected ModelError";
    } catch (const ModelError& error) {
        EXPECT_THAT(error.what(), HasSubstr("too few respondents: the data have 4 and the model needs at least 5"));
    }
}

TEST(Estimate, ScoresHaveUnitVarianceAndFollowWeights) {
    Eigen::MatrixXd values(6, 3);
    values << 1, 2, 3,  //
        2, 1, 4,        //
        3, 4, 2,        //
        4, 3, 6,        //
        5, 6, 5,        //
        6, 4, 7;
    Model model;
    model.constructs = {block("A", {"a1", "a2"}), block("B", {"b"})};
    model.paths = {path("A", "B")};
    const Dataset data = dataset_from({"a1", "a2", "b"}, values);
    const IndicatorMoments moments = compute_moments(data);
    const PlsResult result = estimate(model, moments, tight(InnerScheme::path));
    const Eigen::MatrixXd scores = construct_scores(result, moments, data);
    for (Eigen::Index j = 0; j < 2; ++j) {
        const Eigen::VectorXd centred = scores.col(j).array() - scores.col(j).mean();
        EXPECT_NEAR(scores.col(j).mean(), 0.0, 1e-12);
        EXPECT_NEAR(centred.squaredNorm() / 5.0, 1.0, 1e-12);
    }
    const double z_a1 = (values(0, 0) - moments.means[0]) / moments.sds[0];
    const double z_a2 = (values(0, 1) - moments.means[1]) / moments.sds[1];
    EXPECT_NEAR(scores(0, 0), result.outer_weights[0] * z_a1 + result.outer_weights[1] * z_a2, 1e-12);
    // The correlation of the scores is the path coefficient of a one-predictor model.
    const Eigen::MatrixXd centred = scores.rowwise() - scores.colwise().mean();
    EXPECT_NEAR(centred.col(0).dot(centred.col(1)) / 5.0, result.path_coefficients(0, 1), 1e-12);
}

TEST(EstimationOptions, ValidateNamesTheOption) {
    EstimationOptions options;
    options.tolerance = -1;
    EXPECT_THROW(options.validate(), UsageError);
    options = {};
    options.max_iterations = 0;
    EXPECT_THROW(options.validate(), UsageError);
    EXPECT_EQ(inner_scheme_from_string("factorial"), InnerScheme::factorial);
    EXPECT_EQ(inner_scheme_from_string("Path"), std::nullopt);
}

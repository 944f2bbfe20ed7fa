#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/moments.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using testing::HasSubstr;

TEST(Moments, MatchHandComputedValues) {
    // x = 1,2,3,4 ; y = 2,4,5,9 ; z = 4,3,2,1
    Eigen::MatrixXd values(4, 3);
    values << 1, 2, 4, 2, 4, 3, 3, 5, 2, 4, 9, 1;
    const auto moments = compute_moments(testing_support::dataset_from({"x", "y", "z"}, values));
    EXPECT_EQ(moments.n_obs, 4);
    EXPECT_DOUBLE_EQ(moments.means[0], 2.5);
    EXPECT_DOUBLE_EQ(moments.means[1], 5.0);
    // var(x) = 5/3, var(y) = 26/3, cov(x,y) = 11/3 (divisor n - 1)
    EXPECT_NEAR(moments.sds[0], std::sqrt(5.0 / 3.0), 1e-15);
    EXPECT_NEAR(moments.sds[1], std::sqrt(26.0 / 3.0), 1e-15);
    EXPECT_NEAR(moments.correlation(0, 1), 11.0 / std::sqrt(5.0 * 26.0), 1e-15);
    EXPECT_NEAR(moments.correlation(0, 2), -1.0, 1e-15);
    EXPECT_NEAR(moments.correlation(1, 0), moments.correlation(0, 1), 0.0);
    EXPECT_EQ(moments.correlation(1, 1), 1.0);
}

TEST(Moments, BlockedPassEqualsDirectFormulaOnManyRows) {
    // More rows than one block of the moments pass, with a large offset that a naive
    // sum-of-squares formula would lose precision on.
    const Eigen::Index n = 5000;
    Eigen::MatrixXd values(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        values(i, 0) = 1e6 + static_cast<double>(i % 7);
        values(i, 1) = static_cast<double>((i * 13) % 11);
    }
    const auto moments = compute_moments(testing_support::dataset_from({"a", "b"}, values));
    const Eigen::MatrixXd centred = values.rowwise() - values.colwise().mean();
    const Eigen::MatrixXd covariance = centred.transpose() * centred / static_cast<double>(n - 1);
    EXPECT_NEAR(moments.sds[0], std::sqrt(covariance(0, 0)), 1e-12);
    EXPECT_NEAR(moments.correlation(0, 1), covariance(0, 1) / std::sqrt(covariance(0, 0) * covariance(1, 1)), 1e-13);
}

TEST(Moments, RefuseConstantIndicatorByName) {
    Eigen::MatrixXd values(3, 2);
    values << 1, 5, 2, 5, 3, 5;
    try {
        compute_moments(testing_support::dataset_from({"ok", "SAT2"}, values));
        FAIL() << "expected ModelError";
    } catch (const ModelError& error) {
        EXPECT_THAT(error.what(), HasSubstr("indicator 'SAT2' is constant"));
    }
}

TEST(Moments, RefuseSingleRow) {
    Eigen::MatrixXd values(1, 2);
    values << 1, 2;
    EXPECT_THROW(compute_moments(testing_support::dataset_from({"a", "b"}, values)), ModelError);
}

// Frequency weights: giving a respondent weight 2 must equal listing them twice, for the moments
// and everything estimated from them (including adjusted R², which depends on n).
TEST(Moments, DuplicatingARowEqualsWeightTwo) {
    const auto& example = testing_support::ccsi_example();
    const Eigen::Index n = 100;
    const auto x = example.data.matrix().topRows(n);
    Eigen::MatrixXd duplicated(n + 1, x.cols());
    duplicated.topRows(n) = x;
    duplicated.row(n) = x.row(7);
    Dataset weighted = testing_support::dataset_from(example.data.columns, x);
    weighted.case_weights = Eigen::VectorXd::Ones(n);
    weighted.case_weights[7] = 2.0;

    const IndicatorMoments a = compute_moments(testing_support::dataset_from(example.data.columns, duplicated));
    const IndicatorMoments b = compute_moments(weighted);
    EXPECT_EQ(a.n_obs, 101);
    EXPECT_EQ(b.n_obs, 101);
    EXPECT_LT((a.means - b.means).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((a.sds - b.sds).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((a.correlation - b.correlation).cwiseAbs().maxCoeff(), 1e-12);

    const PlsResult from_duplicates = estimate(example.model, a, EstimationOptions{});
    const PlsResult from_weights = estimate(example.model, b, EstimationOptions{});
    EXPECT_LT((from_duplicates.path_coefficients - from_weights.path_coefficients).cwiseAbs().maxCoeff(), 1e-10);
    for (Eigen::Index j = 0; j < from_weights.r2_adj.size(); ++j)
        if (from_weights.is_endogenous(static_cast<int>(j)))
            EXPECT_NEAR(from_duplicates.r2_adj[j], from_weights.r2_adj[j], 1e-10) << j;
    EXPECT_LT((from_duplicates.outer_weights - from_weights.outer_weights).cwiseAbs().maxCoeff(), 1e-10);
    // A weight that is not 1 changes the answer (the weights are really used).
    weighted.case_weights[7] = 5.0;
    EXPECT_GT((compute_moments(weighted).means - b.means).cwiseAbs().maxCoeff(), 1e-6);
}

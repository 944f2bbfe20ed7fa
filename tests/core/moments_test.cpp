#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/error.hpp"
#include "csipls/moments.hpp"
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

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "csipls/core/error.hpp"
#include "csipls/core/ipma.hpp"
#include "test_helpers.hpp"

namespace csipls {
namespace {

using testing_support::ccsi_example;

// IPMA by its definition, on respondent-level scores: rescale every answer to 0-100, form each
// construct's score with the index weights, regress each endogenous score on its predictors
// (unstandardized OLS with an intercept), and sum the path products into total effects.
TEST(Ipma, ImportanceIsTheUnstandardizedTotalEffectOfRescaledScores) {
    const auto& e = ccsi_example();
    const std::vector<AnswerScale> scales(e.data.columns.size(), AnswerScale{1, 10});
    const CsiIndex index = csi_indices(e.original, e.moments.means, e.moments.sds, scales);
    const int loyalty = 5;
    const IpmaResult ipma = importance_performance(e.original, index, e.moments, scales, loyalty);

    const Eigen::MatrixXd x = e.data.matrix();
    const Eigen::MatrixXd rescaled = ((x.array() - 1.0) / 9.0 * 100.0).matrix();
    Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(x.cols(), 6);
    for (Eigen::Index k = 0; k < x.cols(); ++k) weights(k, e.original.block_of_indicator[k]) = index.rescaled_weights[k];
    const Eigen::MatrixXd scores = rescaled * weights;
    Eigen::MatrixXd direct = Eigen::MatrixXd::Zero(6, 6);
    for (int to = 0; to < 6; ++to) {
        std::vector<int> predictors;
        for (const auto& link : e.original.paths)
            if (link.to == to) predictors.push_back(link.from);
        if (predictors.empty()) continue;
        Eigen::MatrixXd design(x.rows(), static_cast<Eigen::Index>(predictors.size()) + 1);
        design.col(0).setOnes();
        for (std::size_t i = 0; i < predictors.size(); ++i) design.col(static_cast<Eigen::Index>(i) + 1) = scores.col(predictors[i]);
        const Eigen::VectorXd beta = design.colPivHouseholderQr().solve(scores.col(to));
        for (std::size_t i = 0; i < predictors.size(); ++i) direct(predictors[i], to) = beta[static_cast<Eigen::Index>(i) + 1];
    }
    const Eigen::MatrixXd total = (Eigen::MatrixXd::Identity(6, 6) - direct).inverse() - Eigen::MatrixXd::Identity(6, 6);

    ASSERT_EQ(ipma.constructs.size(), 5u);  // every other construct drives loyalty
    for (const auto& entry : ipma.constructs) {
        EXPECT_NEAR(entry.importance, total(entry.construct, loyalty), 1e-9) << e.original.constructs[entry.construct];
        EXPECT_NEAR(entry.performance, scores.col(entry.construct).mean(), 1e-9);
    }
    ASSERT_EQ(ipma.indicators.size(), 15u);  // the drivers' indicators, not loyalty's own
    for (const auto& entry : ipma.indicators) {
        EXPECT_NEAR(entry.importance, index.rescaled_weights[entry.indicator] * total(entry.construct, loyalty), 1e-9);
        EXPECT_NEAR(entry.performance, rescaled.col(entry.indicator).mean(), 1e-9);
    }
}

TEST(Ipma, QuadrantsSplitAtTheMeans) {
    const auto& e = ccsi_example();
    const std::vector<AnswerScale> scales(e.data.columns.size(), AnswerScale{1, 10});
    const CsiIndex index = csi_indices(e.original, e.moments.means, e.moments.sds, scales);
    const IpmaResult ipma = importance_performance(e.original, index, e.moments, scales, 5);
    double importance = 0, performance = 0;
    for (const auto& entry : ipma.constructs) {
        importance += entry.importance / 5;
        performance += entry.performance / 5;
    }
    EXPECT_NEAR(ipma.construct_importance_mean, importance, 1e-12);
    EXPECT_NEAR(ipma.construct_performance_mean, performance, 1e-12);
    for (const auto& entry : ipma.constructs) {
        const bool important = entry.importance >= importance, performing = entry.performance >= performance;
        const IpmaQuadrant expected = important ? (performing ? IpmaQuadrant::keep_up : IpmaQuadrant::priority)
                                                : (performing ? IpmaQuadrant::possible_overkill : IpmaQuadrant::low_priority);
        EXPECT_EQ(entry.quadrant, expected);
    }
    EXPECT_EQ(to_string(IpmaQuadrant::possible_overkill), "possible_overkill");
    // Brand image is an exogenous construct: nothing drives it.
    EXPECT_THROW(importance_performance(e.original, index, e.moments, scales, 0), UsageError);
}

}  // namespace
}  // namespace csipls

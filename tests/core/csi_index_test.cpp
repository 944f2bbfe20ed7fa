#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/model_file.hpp"

using namespace csipls;

namespace {

struct Example {
    Model model;
    Dataset data;
    IndicatorMoments moments;
    PlsResult result;
};

const Example& example() {
    static const Example e = [] {
        Example out;
        out.model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
        out.data = read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", out.model.all_indicators());
        out.moments = compute_moments(out.data);
        out.result = estimate(out.model, out.moments, EstimationOptions{});
        return out;
    }();
    return e;
}

}  // namespace

// By hand from the example data: for 感知价值 (PV1, PV2) the unstandardized weights w/sd,
// rescaled to sum 1, weight the item means mapped from 1–10 onto 0–100.
TEST(CsiIndex, MatchesAHandComputationOnTheExampleData) {
    const Example& e = example();
    const std::vector<AnswerScale> scales(e.result.indicators.size(), AnswerScale{1, 10});
    const CsiIndex index = csi_indices(e.result, e.moments.means, e.moments.sds, scales);

    const int value = e.model.construct_index("感知价值");
    const auto x = e.data.matrix();
    const int pv1 = e.data.column_index("PV1"), pv2 = e.data.column_index("PV2");
    auto mean = [&](int k) { return x.col(k).mean(); };
    auto sd = [&](int k) { return std::sqrt((x.col(k).array() - mean(k)).square().sum() / (x.rows() - 1.0)); };
    const double u1 = e.result.outer_weights[pv1] / sd(pv1), u2 = e.result.outer_weights[pv2] / sd(pv2);
    const double by_hand = (u1 * (mean(pv1) - 1) / 9 * 100 + u2 * (mean(pv2) - 1) / 9 * 100) / (u1 + u2);
    EXPECT_NEAR(index.index[value], by_hand, 1e-10);
    EXPECT_NEAR(index.rescaled_weights[pv1] + index.rescaled_weights[pv2], 1.0, 1e-14);
    EXPECT_NEAR(index.rescaled_weights[pv1], u1 / (u1 + u2), 1e-14);
    for (bool flagged : index.negative_weight) EXPECT_FALSE(flagged);
    for (Eigen::Index j = 0; j < index.index.size(); ++j) {
        EXPECT_GT(index.index[j], 40.0);
        EXPECT_LT(index.index[j], 90.0);
    }
}

TEST(CsiIndex, SingleItemIndexIsTheRescaledMeanAndNegativeWeightsAreFlagged) {
    PlsResult result;
    result.constructs = {"A", "B"};
    result.indicators = {"a", "b1", "b2"};
    result.block_of_indicator = {0, 1, 1};
    result.outer_weights = Eigen::Vector3d(1.0, 0.9, -0.2);
    const Eigen::Vector3d means(7.3, 5.0, 6.0), sds(2.0, 1.0, 1.0);
    const CsiIndex index = csi_indices(result, means, sds, {{1, 10}, {0, 10}, {0, 10}});
    EXPECT_NEAR(index.index[0], (7.3 - 1) / 9 * 100, 1e-12);
    EXPECT_NEAR(index.index[1], (0.9 * 50 - 0.2 * 60) / 0.7, 1e-12);
    EXPECT_FALSE(index.negative_weight[0]);
    EXPECT_TRUE(index.negative_weight[1]);
    EXPECT_THROW(csi_indices(result, means, sds, {{1, 10}, {5, 5}, {0, 10}}), UsageError);
}

TEST(CsiIndex, BootstrapGivesEachIndexASeAndAnInterval) {
    const Example& e = example();
    BootstrapOptions options;
    options.resamples = 200;
    options.index_scales.assign(e.result.indicators.size(), AnswerScale{1, 10});
    const BootstrapResult boot = bootstrap(e.model, e.data, e.result, options);
    const CsiIndex index = csi_indices(e.result, e.moments.means, e.moments.sds, options.index_scales);
    int seen = 0;
    for (std::size_t i = 0; i < boot.parameters.size(); ++i) {
        if (boot.parameters[i].kind != BootstrapParameter::Kind::csi_index) continue;
        const auto& s = boot.summaries[i];
        EXPECT_NEAR(s.estimate, index.index[boot.parameters[i].to], 1e-9);
        // 500 respondents on a 10-point scale: about one index point of standard error.
        EXPECT_GT(s.se, 0.3);
        EXPECT_LT(s.se, 3.0);
        EXPECT_LT(s.ci_lower, s.estimate);
        EXPECT_GT(s.ci_upper, s.estimate);
        ++seen;
    }
    EXPECT_EQ(seen, 6);
}

TEST(CsiIndex, ModelScaleStatementsResolvePerIndicatorAndBlock) {
    const Model model = parse_model("scale 1:10\nA =~ a1 + a2\nB =~ b1 + b2\nB ~ A\nscale 0:5 B a2\nreverse b2\n", "s.model");
    const auto scales = model_answer_scales(model);
    ASSERT_EQ(scales.size(), 4u);
    EXPECT_DOUBLE_EQ(scales[0]->max, 10.0);
    EXPECT_DOUBLE_EQ(scales[1]->max, 5.0);  // a2 named on its own
    EXPECT_DOUBLE_EQ(scales[2]->min, 0.0);  // b1 through its construct
    EXPECT_EQ(reversed_indicators(model), (std::vector<bool>{false, false, false, true}));
    const Model unknown = parse_model("A =~ a1\nB =~ b1\nB ~ A\nscale 1:7 C\n", "u.model");
    try {
        model_answer_scales(unknown);
        FAIL() << "an unknown name must be refused";
    } catch (const ModelError& error) {
        EXPECT_STREQ(error.what(), "u.model:4: 'scale' names 'C', which is neither a construct nor an indicator of the model");
    }
    EXPECT_THROW(reversed_indicators(parse_model("A =~ a1\nB =~ b1\nB ~ A\nreverse B\n", "r.model")), ModelError);
}

TEST(CsiIndex, ReverseCodingMirrorsAnswersOnTheirScale) {
    Dataset data;
    data.columns = {"x", "y"};
    data.rows = 3;
    data.values = {1, 1, 4, 2, 7, std::nan("")};
    reverse_code(data, {false, true}, {AnswerScale{1, 7}, AnswerScale{0, 10}});
    EXPECT_EQ(data.values[0], 1.0);
    EXPECT_EQ(data.values[2], 4.0);
    EXPECT_EQ(data.values[1], 9.0);
    EXPECT_EQ(data.values[3], 8.0);
    EXPECT_TRUE(std::isnan(data.values[5]));  // a missing answer stays missing
}

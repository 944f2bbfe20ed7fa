// The indices of CSI practice on small data worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "csipls/core/error.hpp"
#include "csipls/core/practice_indices.hpp"
#include "test_helpers.hpp"

namespace csipls {
namespace {

using testing_support::block;
using testing_support::dataset_from;

const AnswerScale seven{1, 7};

TEST(PracticeIndices, ItemScoresOnMinus90To90ByHand) {
    Model model;
    model.constructs = {block("Sat", {"X", "Y"}), block("Val", {"Z"})};
    Eigen::MatrixXd values(4, 3);
    values << 1, 7, 4,  //
        2, 7, 4,        //
        7, NAN, 4,      // Y not answered: Y's mean uses its three answers
        4, 5, 4;
    const Dataset data = dataset_from({"X", "Y", "Z"}, values);
    const ItemScores s = item_scores(model, data, seven);
    // X: 1, 2, 7, 4 → −90, −60, +90, 0 → mean −15. Y: 7, 7, 5 → +90, +90, +30 → 70. Z: 4 → 0.
    ASSERT_EQ(s.items.size(), 3u);
    EXPECT_NEAR(s.mean[0], -15, 1e-12);
    EXPECT_NEAR(s.mean[1], 70, 1e-12);
    EXPECT_NEAR(s.mean[2], 0, 1e-12);
    EXPECT_EQ(s.answered[0], 4);
    EXPECT_EQ(s.answered[1], 3);
    EXPECT_EQ(s.construct_of_item[1], "Sat");
    // Sat = (−15 + 70) / 2 = 27.5; Val = 0.
    EXPECT_NEAR(s.construct_mean[0], 27.5, 1e-12);
    EXPECT_NEAR(s.construct_mean[1], 0, 1e-12);

    // Case weights 1, 1, 2, 0: X = (−90 − 60 + 2·90 + 0·0) / 4 = 7.5; Y = (90 + 90 + 0·30) / 2 = 90.
    Dataset weighted = data;
    weighted.case_weights = Eigen::Vector4d(1, 1, 2, 0);
    const ItemScores w = item_scores(model, weighted, seven);
    EXPECT_NEAR(w.mean[0], 7.5, 1e-12);
    EXPECT_NEAR(w.mean[1], 90, 1e-12);
    EXPECT_EQ(w.answered[1], 2);
}

std::vector<WeightNode> two_levels() {
    // CSI = 0.6·Q + 0.4·S; Q = 0.4·A + 0.6·B; S = 0.5·C + 0.5·D.
    auto node = [](const char* name, const char* parent, double weight) { return WeightNode{name, parent, weight, 0}; };
    return {node("Q", "CSI", 0.6), node("S", "CSI", 0.4), node("A", "Q", 0.4),
            node("B", "Q", 0.6),   node("C", "S", 0.5),   node("D", "S", 0.5)};
}

TEST(PracticeIndices, TwoLevelFixedWeightIndexByHand) {
    Eigen::MatrixXd values(2, 4);
    values << 1, 7, 1, 4,  //
        7, 7, 1, 7;
    const Dataset data = dataset_from({"A", "B", "C", "D"}, values);
    const HierarchicalIndex h = hierarchical_index(two_levels(), data, seven);
    // Means A 4, B 7, C 1, D 5.5 → 0–100: 50, 100, 0, 75. Q = 0.4·50 + 0.6·100 = 80;
    // S = 0.5·0 + 0.5·75 = 37.5; CSI = 0.6·80 + 0.4·37.5 = 63.
    const std::vector<std::string> order{"CSI", "Q", "S", "A", "B", "C", "D"};
    const std::vector<double> expected{63, 80, 37.5, 50, 100, 0, 75};
    ASSERT_EQ(h.nodes, order);
    for (std::size_t i = 0; i < order.size(); ++i) EXPECT_NEAR(h.values[i], expected[i], 1e-12) << order[i];
    EXPECT_TRUE(h.parents[0].empty());
    EXPECT_EQ(h.parents[3], "Q");
    EXPECT_FALSE(h.leaf[1]);
    EXPECT_TRUE(h.leaf[3]);
    EXPECT_EQ(h.answered[3], 2);

    const Dataset without_d = dataset_from({"A", "B", "C"}, values.leftCols(3));
    EXPECT_THROW(hierarchical_index(two_levels(), without_d, seven), csipls::InputError);
}

TEST(PracticeIndices, PairedGapByHand) {
    Eigen::MatrixXd values(5, 2);
    values << 5, 3,  //
        6, 5,        //
        4, 4,        //
        7, 4,        //
        NAN, 2;      // no perceived answer: the pair is left out
    const Dataset data = dataset_from({"P", "E"}, values);
    const ExpectationGap g = expectation_gap(data, 0, 1, seven);
    // d = 2, 1, 0, 3: mean 1.5; squared deviations 0.25 + 0.25 + 2.25 + 2.25 = 5; sd = √(5/3);
    // se = sd/2 = 0.6454972243679028; t = 2.32379000772445 on 3 df; p from the closed form of
    // Student's t with 3 df, 1 − 2·(1/2 + (x/(1+x²) + atan x)/π), x = t/√3.
    EXPECT_EQ(g.perceived, "P");
    EXPECT_EQ(g.n, 4);
    EXPECT_DOUBLE_EQ(g.mean, 1.5);
    EXPECT_NEAR(g.sd, std::sqrt(5.0 / 3), 1e-14);
    EXPECT_NEAR(g.se, 0.6454972243679028, 1e-14);
    EXPECT_NEAR(g.t, 2.32379000772445, 1e-12);
    EXPECT_EQ(g.df, 3);
    EXPECT_NEAR(g.p, 0.10272807885839885, 1e-10);
    // On 0–100 (1–7: a range of 6): 1.5·100/6 = 25, se 10.75828707279838.
    EXPECT_NEAR(g.mean_0_100, 25, 1e-12);
    EXPECT_NEAR(g.se_0_100, 10.75828707279838, 1e-12);
}

}  // namespace
}  // namespace csipls

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "csipls/core/error.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/index_table.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/core/two_stage.hpp"
#include "test_helpers.hpp"

namespace csipls {
namespace {

using testing_support::ccsi_example;

// Four simulated companies of 150 respondents on the CCSI population model.
struct Companies {
    Model model;
    Dataset data;
    IndicatorMoments moments;
    PlsResult pooled;
    std::vector<AnswerScale> scales;
};

const Companies& companies() {
    static const Companies c = [] {
        Companies out;
        out.model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
        const Model population = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model");
        SimulationOptions options;
        options.n = 150;
        options.groups = 4;
        options.seed = 99;
        out.data = simulate(population, options);
        out.moments = compute_moments(out.data);
        out.pooled = estimate(out.model, out.moments, EstimationOptions{});
        out.scales.assign(out.data.columns.size(), AnswerScale{1, 10});
        return out;
    }();
    return c;
}

// The rows of one group, copied out by hand.
Dataset rows_of(const Dataset& data, int code) {
    std::vector<double> values;
    Eigen::Index rows = 0;
    for (Eigen::Index r = 0; r < data.rows; ++r)
        if (data.group_of_row[static_cast<std::size_t>(r)] == code) {
            values.insert(values.end(), data.values.begin() + r * data.cols(), data.values.begin() + (r + 1) * data.cols());
            ++rows;
        }
    Dataset part;
    part.columns = data.columns;
    part.values = values;
    part.rows = rows;
    return part;
}

TEST(Groups, NaturalOrderPutsNumbersByValue) {
    std::vector<std::string> labels = {"B10", "B2", "A", "B1", "b", "B02x", "10", "9"};
    std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return natural_less(a, b); });
    EXPECT_EQ(labels, (std::vector<std::string>{"9", "10", "A", "B1", "B2", "B02x", "B10", "b"}));
    EXPECT_FALSE(natural_less("x", "x"));
    EXPECT_TRUE(natural_less("x01", "x1") != natural_less("x1", "x01"));  // a strict order even for ties
}

TEST(Groups, SeparateModeEqualsEstimatingEachGroupOnItsOwn) {
    const Companies& c = companies();
    const GroupsResult groups = estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales,
                                                BootstrapOptions{}, GroupOptions{});
    ASSERT_EQ(groups.groups.size(), 4u);
    EXPECT_EQ(groups.failed, 0);
    for (int g = 0; g < 4; ++g) {
        const GroupEstimate& group = groups.groups[static_cast<std::size_t>(g)];
        EXPECT_EQ(group.name, "C00" + std::to_string(g + 1));
        const Dataset part = rows_of(c.data, g);
        EXPECT_EQ(group.n_obs, 150);
        const IndicatorMoments moments = compute_moments(part);
        const PlsResult alone = estimate(c.model, moments, EstimationOptions{});
        EXPECT_LT((group.result.path_coefficients - alone.path_coefficients).cwiseAbs().maxCoeff(), 1e-12);
        // The satisfaction index by hand: unstandardized weights rescaled to sum 1, on 0-100.
        const int satisfaction = 4;
        double weighted = 0, weights = 0;
        for (Eigen::Index k = 0; k < moments.means.size(); ++k) {
            if (alone.block_of_indicator[k] != satisfaction) continue;
            const double w = alone.outer_weights[k] / moments.sds[k];
            weighted += w * (moments.means[k] - 1.0) / 9.0 * 100.0;
            weights += w;
        }
        EXPECT_NEAR(group.index[satisfaction], weighted / weights, 1e-10);
    }
    // The simulated companies differ in their answer centres, so their indices differ.
    EXPECT_GT(std::abs(groups.groups[0].index[4] - groups.groups[1].index[4]), 1.0);
}

TEST(Groups, PooledModeKeepsThePooledWeights) {
    const Companies& c = companies();
    GroupOptions options;
    options.pooled = true;
    const GroupsResult groups =
        estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, BootstrapOptions{}, options);
    const Eigen::VectorXd pooled_raw = c.pooled.outer_weights.cwiseQuotient(c.moments.sds);
    for (int g = 0; g < 4; ++g) {
        const GroupEstimate& group = groups.groups[static_cast<std::size_t>(g)];
        const IndicatorMoments moments = compute_moments(rows_of(c.data, g));
        // Index by hand with the pooled unstandardized weights and the group's means.
        for (int j = 0; j < 6; ++j) {
            double weighted = 0, weights = 0;
            for (Eigen::Index k = 0; k < moments.means.size(); ++k) {
                if (c.pooled.block_of_indicator[k] != j) continue;
                weighted += pooled_raw[k] * (moments.means[k] - 1.0) / 9.0 * 100.0;
                weights += pooled_raw[k];
            }
            EXPECT_NEAR(group.index[j], weighted / weights, 1e-10) << "group " << g << " construct " << j;
        }
        // Its construct scores are the pooled raw weights applied to its rows: their correlation
        // is what the group's paths are regressed on.
        const Eigen::VectorXd group_weights = group.result.outer_weights.cwiseQuotient(moments.sds);
        for (Eigen::Index k = 0; k < group_weights.size(); ++k) {
            const int j = c.pooled.block_of_indicator[k];
            double ratio_group = 0, ratio_pooled = 0;
            for (Eigen::Index m = 0; m < group_weights.size(); ++m)
                if (c.pooled.block_of_indicator[m] == j) {
                    ratio_group += group_weights[m];
                    ratio_pooled += pooled_raw[m];
                }
            EXPECT_NEAR(group_weights[k] / ratio_group, pooled_raw[k] / ratio_pooled, 1e-12);
        }
    }
}

TEST(Groups, BootstrapStreamsDependOnTheLabelNotOnOtherGroupsOrThreads) {
    const Companies& c = companies();
    BootstrapOptions boot;
    boot.resamples = 60;
    GroupOptions one_thread, two_threads;
    one_thread.threads = 1;
    two_threads.threads = 2;
    const GroupsResult a = estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, boot, one_thread);
    const GroupsResult b = estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, boot, two_threads);
    for (std::size_t g = 0; g < 4; ++g) {
        ASSERT_TRUE(a.groups[g].bootstrap && b.groups[g].bootstrap);
        EXPECT_EQ(a.groups[g].bootstrap->draws, b.groups[g].bootstrap->draws);
    }
    // Drop company C001: the others' draws stay the same.
    Dataset fewer = c.data;
    std::vector<double> values;
    std::vector<int> group_of_row;
    for (Eigen::Index r = 0; r < c.data.rows; ++r)
        if (c.data.group_of_row[static_cast<std::size_t>(r)] != 0) {
            values.insert(values.end(), c.data.values.begin() + r * c.data.cols(), c.data.values.begin() + (r + 1) * c.data.cols());
            group_of_row.push_back(c.data.group_of_row[static_cast<std::size_t>(r)]);
        }
    fewer.values = values;
    fewer.rows = static_cast<Eigen::Index>(group_of_row.size());
    fewer.group_of_row = group_of_row;  // code 0 stays in group_names but has no rows
    fewer.group_names = {"C002", "C003", "C004"};
    for (auto& code : fewer.group_of_row) --code;
    const IndicatorMoments moments = compute_moments(fewer);
    const PlsResult pooled = estimate(c.model, moments, EstimationOptions{});
    const GroupsResult d = estimate_groups(c.model, fewer, pooled, moments, EstimationOptions{}, c.scales, boot, two_threads);
    ASSERT_EQ(d.groups.size(), 3u);
    for (std::size_t g = 0; g < 3; ++g) {
        EXPECT_EQ(d.groups[g].name, a.groups[g + 1].name);
        EXPECT_EQ(d.groups[g].bootstrap->draws, a.groups[g + 1].bootstrap->draws);
    }
    // The kept draws are the compared quantities: paths, R² and indices.
    EXPECT_EQ(a.groups[0].bootstrap->draws.cols(), static_cast<Eigen::Index>(a.groups[0].bootstrap->parameters.size()));
    EXPECT_EQ(a.groups[0].bootstrap->parameters.size(), c.pooled.paths.size() + 5 + 6);
}

TEST(Groups, IdenticalGroupsDoNotDifferAndDistinctOnesDo) {
    // Company C001's rows twice, under labels "same-1" and "same-2", plus C003.
    const Companies& c = companies();
    const Dataset first = rows_of(c.data, 0), third = rows_of(c.data, 2);
    Dataset data;
    data.columns = c.data.columns;
    data.group_names = {"same-1", "same-2", "other"};
    for (int copy = 0; copy < 2; ++copy) {
        data.values.insert(data.values.end(), first.values.begin(), first.values.end());
        data.group_of_row.insert(data.group_of_row.end(), static_cast<std::size_t>(first.rows), copy);
    }
    data.values.insert(data.values.end(), third.values.begin(), third.values.end());
    data.group_of_row.insert(data.group_of_row.end(), static_cast<std::size_t>(third.rows), 2);
    data.rows = first.rows * 2 + third.rows;
    const IndicatorMoments moments = compute_moments(data);
    const PlsResult pooled = estimate(c.model, moments, EstimationOptions{});
    BootstrapOptions boot;
    boot.resamples = 100;
    GroupOptions options;
    options.permutations = 99;
    options.pairs = GroupOptions::Pairs::all;
    const GroupsResult groups = estimate_groups(c.model, data, pooled, moments, EstimationOptions{}, c.scales, boot, options);
    ASSERT_EQ(groups.groups[0].name, "other");  // natural order
    int checked_same = 0, significant_other = 0;
    for (const GroupDifference& d : groups.differences) {
        const std::string a = groups.groups[static_cast<std::size_t>(d.a)].name, b = groups.groups[static_cast<std::size_t>(d.b)].name;
        EXPECT_EQ(d.permutations_used, 99);
        if (a.rfind("same", 0) == 0 && b.rfind("same", 0) == 0) {
            EXPECT_NEAR(d.difference, 0.0, 1e-12);
            EXPECT_DOUBLE_EQ(d.permutation_p, 1.0);  // every permutation reaches a difference of 0
            EXPECT_GT(d.bootstrap_p, 0.999);
            ++checked_same;
        } else if (d.parameter.kind == BootstrapParameter::Kind::csi_index) {
            // C001 and C003 have answer centres far apart: each index differs clearly.
            EXPECT_LT(d.permutation_p, 0.05) << a << " vs " << b;
            EXPECT_LT(d.bootstrap_p, 0.001) << a << " vs " << b;
            EXPECT_GT(d.se, 0.0);
            ++significant_other;
        }
    }
    EXPECT_EQ(checked_same, static_cast<int>(pooled.paths.size() + 5 + 6));
    EXPECT_EQ(significant_other, 12);
}

TEST(Groups, AGroupTooSmallIsReportedAndTheOthersStillRun) {
    const Companies& c = companies();
    Dataset data = c.data;
    data.group_names.push_back("tiny");
    for (int r = 0; r < 3; ++r) data.group_of_row[static_cast<std::size_t>(r)] = 4;
    const GroupsResult groups =
        estimate_groups(c.model, data, c.pooled, c.moments, EstimationOptions{}, c.scales, BootstrapOptions{}, GroupOptions{});
    ASSERT_EQ(groups.groups.size(), 5u);
    EXPECT_EQ(groups.failed, 1);
    EXPECT_EQ(groups.groups[4].name, "tiny");
    EXPECT_NE(groups.groups[4].error.find("too few respondents"), std::string::npos) << groups.groups[4].error;
    EXPECT_TRUE(groups.groups[0].ok());
    EXPECT_EQ(groups.groups[0].n_obs, 147);
    // Pairs with the failed group are not tested; the other pairs are (5 groups: automatic = all).
    for (const auto& d : groups.differences) EXPECT_TRUE(d.a != 4 && d.b != 4);
    EXPECT_FALSE(groups.differences.empty());
}

TEST(Groups, ListedPairsMustNameGroupsInTheData) {
    const Companies& c = companies();
    GroupOptions options;
    options.pairs = GroupOptions::Pairs::listed;
    options.listed_pairs = {{"C001", "C404"}};
    EXPECT_THROW(estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, BootstrapOptions{}, options),
                 UsageError);
    options.listed_pairs = {{"C004", "C002"}};
    const GroupsResult groups =
        estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, BootstrapOptions{}, options);
    ASSERT_FALSE(groups.differences.empty());
    EXPECT_EQ(groups.differences.front().a, 3);
    EXPECT_EQ(groups.differences.front().b, 1);
    EXPECT_THROW(estimate_groups(c.model, ccsi_example().data, c.pooled, c.moments, EstimationOptions{}, c.scales,
                                 BootstrapOptions{}, GroupOptions{}),
                 UsageError);  // no group column
}

// With two stages every group estimates stage 1 on its own rows, then stage 2 on what that gives,
// and its interaction path is on seminr's scale, as the pooled estimate's.
TEST(Groups, TwoStageModelsReEstimateStageOneInEachGroup) {
    const Companies& c = companies();
    const Model model = parse_model("Image =~ BI1 + BI2 + BI3\nQuality =~ PQ1 + PQ2 + PQ3 + PQ4\nSat =~ SAT1 + SAT2 + SAT3\n"
                                    "Sat ~ Image + Quality + Image:Quality\n",
                                    "moderated.model");
    const StagedModel staged = stage_model(model, StagingOptions{});
    std::vector<Eigen::Index> all(static_cast<std::size_t>(c.data.rows));
    std::iota(all.begin(), all.end(), Eigen::Index{0});
    Dataset items = rows_of_data(c.data, all);
    {
        std::vector<int> keep;
        for (const auto& item : staged.items) keep.push_back(items.column_index(item));
        Eigen::MatrixXd values = items.matrix()(Eigen::all, keep);
        items.columns = staged.items;
        items.values.assign(values.size(), 0);
        Eigen::Map<RowMatrix>(items.values.data(), values.rows(), values.cols()) = values;
    }
    GroupOptions options;
    options.stages.staged = &staged;
    const EstimationOptions estimation;
    const Dataset pooled_data = group_data(items, all, estimation, options);
    IndicatorMoments pooled_moments;
    const PlsResult pooled = estimate_group(staged.stage2, pooled_data, estimation, options, Eigen::VectorXd(), &pooled_moments);
    const GroupsResult groups = estimate_groups(staged.stage2, items, pooled, pooled_moments, estimation, {}, BootstrapOptions{}, options);
    ASSERT_EQ(groups.groups.size(), 4u);
    const int interaction = staged.interaction_constructs.front(), sat = 2;
    const GroupRows by_group = group_rows(items);
    for (std::size_t g = 0; g < 4; ++g) {
        ASSERT_TRUE(groups.groups[g].ok()) << groups.groups[g].error;
        // By hand: stage 1 on the group's items, stage 2 on its scores, the interaction rescaled.
        const Dataset part = rows_of_data(items, by_group.rows[g]);
        const IndicatorMoments first_moments = compute_moments(part);
        const PlsResult first = estimate(staged.stage1, first_moments, estimation);
        const IndicatorMoments second_moments = compute_moments(stage_two_data(staged, part, first_moments, first, {}));
        PlsResult expected = estimate(staged.stage2, second_moments, estimation);
        rescale_interactions(staged, second_moments.sds, expected);
        EXPECT_NEAR(groups.groups[g].result.path_coefficients(interaction, sat), expected.path_coefficients(interaction, sat), 1e-12);
        EXPECT_NEAR(groups.groups[g].result.r2[sat], expected.r2[sat], 1e-12);
        // Stage 2 alone on the pooled stage-1 scores of the group's rows is another estimate.
        PlsResult stage_two_only = estimate(staged.stage2, compute_moments(rows_of_data(pooled_data, by_group.rows[g])), estimation);
        EXPECT_GT(std::abs(stage_two_only.r2[sat] - expected.r2[sat]), 1e-8) << "group " << g;
    }
    options.pooled = true;
    EXPECT_THROW(options.validate(), UsageError) << "pooled weights would have to hold in stage 1 too";
}

TEST(IndexTable, AggregatesAreWeightedMeansWithSesFromTheDraws) {
    const Companies& c = companies();
    BootstrapOptions boot;
    boot.resamples = 400;
    const GroupsResult groups = estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, boot, GroupOptions{});
    AggregationPlan plan;
    plan.levels = {"industry"};
    plan.members = {{"C001", 1.0, {"banks"}}, {"C002", 3.0, {"banks"}}, {"C003", 2.0, {"insurers"}}, {"C004", 2.0, {"insurers"}}};
    const auto rows = aggregate_indices(groups, plan, c.pooled.constructs, 0.95);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].label, "banks");
    EXPECT_EQ(rows[1].label, "insurers");
    EXPECT_EQ(rows[2].label, "(total)");
    EXPECT_EQ(rows[2].level, "total");
    EXPECT_EQ(rows[0].n_obs, 300);
    EXPECT_EQ(rows[2].members, 4);
    const auto& g = groups.groups;
    for (int j = 0; j < 6; ++j) {
        EXPECT_NEAR(rows[0].index[j], (1 * g[0].index[j] + 3 * g[1].index[j]) / 4, 1e-10);
        EXPECT_NEAR(rows[2].index[j], (g[0].index[j] + 3 * g[1].index[j] + 2 * g[2].index[j] + 2 * g[3].index[j]) / 8, 1e-10);
        // Independent groups: the draw-wise se is close to sqrt(sum of (w se)^2).
        const auto se = [&](int group) {
            for (std::size_t i = 0; i < g[static_cast<std::size_t>(group)].bootstrap->parameters.size(); ++i) {
                const auto& parameter = g[static_cast<std::size_t>(group)].bootstrap->parameters[i];
                if (parameter.kind == BootstrapParameter::Kind::csi_index && parameter.to == j)
                    return g[static_cast<std::size_t>(group)].bootstrap->summaries[i].se;
            }
            return 0.0;
        };
        const double expected = std::sqrt(std::pow(se(0) / 4, 2) + std::pow(3 * se(1) / 4, 2));
        EXPECT_NEAR(rows[0].se[j], expected, 0.15 * expected) << j;
        EXPECT_LT(rows[0].ci_lower[j], rows[0].index[j]);
        EXPECT_GT(rows[0].ci_upper[j], rows[0].index[j]);
        // Averaging independent groups makes the total tighter than any one group.
        EXPECT_LT(rows[2].se[j], std::min({se(0), se(1), se(2), se(3)}));
    }
    // Groups not in the data and bad weights are refused.
    plan.members.push_back({"C999", 1.0, {"banks"}});
    EXPECT_THROW(aggregate_indices(groups, plan, c.pooled.constructs, 0.95), InputError);
    plan.members.back() = {"C001", 0.0, {"banks"}};
    EXPECT_THROW(aggregate_indices(groups, plan, c.pooled.constructs, 0.95), InputError);
}

TEST(IndexTable, RowsForAllThenEachGroupWithIntervals) {
    const Companies& c = companies();
    BootstrapOptions boot;
    boot.resamples = 50;
    boot.index_scales = c.scales;
    const GroupsResult groups = estimate_groups(c.model, c.data, c.pooled, c.moments, EstimationOptions{}, c.scales, boot, GroupOptions{});
    const CsiIndex all = csi_indices(c.pooled, c.moments.means, c.moments.sds, c.scales);
    const BootstrapResult overall = bootstrap(c.model, c.data, c.pooled, boot);
    const IndexTable table = make_index_table(c.pooled, all, &overall, &groups, 0.95);
    ASSERT_EQ(table.rows.size(), 5u);
    EXPECT_EQ(table.rows[0].label, "(all)");
    EXPECT_EQ(table.rows[0].n_obs, 600);
    EXPECT_EQ(table.rows[0].index, all.index);
    EXPECT_EQ(table.rows[3].label, "C003");
    EXPECT_EQ(table.rows[3].index, groups.groups[2].index);
    for (const auto& row : table.rows)
        for (int j = 0; j < 6; ++j) {
            EXPECT_GT(row.se[j], 0.0);
            EXPECT_LT(row.ci_lower[j], row.index[j]);
            EXPECT_GT(row.ci_upper[j], row.index[j]);
        }
    // The whole sample is larger than any company: its interval is narrower.
    EXPECT_LT(table.rows[0].se[4], table.rows[1].se[4]);
}

}  // namespace
}  // namespace csipls

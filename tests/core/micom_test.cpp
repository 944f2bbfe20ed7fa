#include "csipls/core/micom.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <numeric>
#include <fstream>
#include <nlohmann/json.hpp>

#include "csipls/core/error.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

namespace csipls {
namespace {

namespace fs = std::filesystem;

EstimationOptions reference_settings() {
    EstimationOptions options;
    options.tolerance = 1e-10;  // cSEM's, as the reference states
    return options;
}

struct GenderStudy {
    Model model;
    Dataset data;
    GroupsResult groups;
    nlohmann::json reference;
};

// The reference's case: satisfaction.csv by gender, every group estimated on its own.
const GenderStudy* gender_study() {
    static const std::optional<GenderStudy> study = []() -> std::optional<GenderStudy> {
        const fs::path shared(CSIPLS_SHARED_DIR);
        const fs::path reference_file = shared / "reference" / "micom_satisfaction_gender.json";
        if (!fs::exists(reference_file) || !fs::exists(shared / "data" / "satisfaction.csv")) return std::nullopt;
        GenderStudy out;
        std::ifstream in(reference_file);
        out.reference = nlohmann::json::parse(in);
        out.model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/validation/micom_satisfaction_gender/model.model");
        CsvOptions csv;
        csv.group_column = "gender";
        out.data = read_csv((shared / "data" / "satisfaction.csv").string(), out.model.all_indicators(), csv);
        const IndicatorMoments moments = compute_moments(out.data);
        const PlsResult pooled = estimate(out.model, moments, reference_settings());
        out.groups = estimate_groups(out.model, out.data, pooled, moments, reference_settings(), {}, BootstrapOptions{}, GroupOptions{});
        return out;
    }();
    return study ? &*study : nullptr;
}

MicomResult run_micom(const GenderStudy& study, int permutations, MicomCompositeData composite_data, int threads = 0,
                      std::uint64_t seed = 1234) {
    MicomOptions options;
    options.permutations = permutations;
    options.seed = seed;
    options.composite_data = composite_data;
    options.threads = threads;
    return micom(study.model, study.data, study.groups, reference_settings(), {{0, 1}}, options);
}

#define SKIP_WITHOUT_SHARED(study)                                                                                          \
    if (!(study)) GTEST_SKIP() << "the shared folder " << CSIPLS_SHARED_DIR                                                 \
                                << " with data/satisfaction.csv and reference/micom_satisfaction_gender.json is absent"

TEST(Micom, GroupsAreFemaleThenMaleAsInTheReference) {
    const GenderStudy* study = gender_study();
    SKIP_WITHOUT_SHARED(study);
    ASSERT_EQ(study->groups.groups.size(), 2u);
    EXPECT_EQ(study->groups.groups[0].name, "female");
    EXPECT_EQ(study->groups.groups[0].n_obs, 148);
    EXPECT_EQ(study->groups.groups[1].n_obs, 102);
}

// Every deterministic number (c in both forms, mean differences, log variance ratios) to 1e-6; the
// permutation quantities within the Monte Carlo error of 5000 permutations (another random stream).
TEST(Micom, MatchesCsemOnTheSatisfactionDataByGender) {
    const GenderStudy* study = gender_study();
    SKIP_WITHOUT_SHARED(study);
    const auto& ref = study->reference["results"];
    for (const auto composite_data : {MicomCompositeData::raw_pooled, MicomCompositeData::standardized_pooled}) {
        const MicomResult result = run_micom(*study, 5000, composite_data);
        ASSERT_EQ(result.pairs.size(), 1u);
        const MicomPair& pair = result.pairs[0];
        ASSERT_TRUE(pair.ok()) << pair.error;
        EXPECT_EQ(pair.permutations_used, 5000);
        ASSERT_EQ(pair.constructs.size(), 6u);
        for (std::size_t k = 0; k < 6; ++k) {
            const MicomConstruct& row = pair.constructs[k];
            const auto& step2 = ref["step2_compositional_invariance"][k];
            const auto& step3 = ref["step3_equality_of_means_and_variances"][k];
            const std::string name = step2["construct"];
            ASSERT_EQ(study->model.constructs[k].name, name);
            const auto& expected2 = composite_data == MicomCompositeData::raw_pooled ? step2 : step2["variant_standardized_pooled_data"];
            EXPECT_NEAR(row.c, expected2["c"].get<double>(), 1e-6) << name;
            // p ± 0.02 and the quantile ± 0.0015 are about 4 Monte Carlo standard errors here.
            EXPECT_NEAR(row.c_p, expected2["p_value"].get<double>(), 0.02) << name;
            EXPECT_NEAR(row.c_p_share, expected2["p_value"].get<double>(), 0.02) << name;
            EXPECT_NEAR(row.c_quantile, expected2["permutation_quantile_5pct"].get<double>(), 0.0015) << name;
            EXPECT_NEAR(row.mean_diff, step3["mean_difference"]["value"].get<double>(), 1e-6) << name;
            EXPECT_NEAR(row.log_var_ratio, step3["log_variance_ratio"]["value"].get<double>(), 1e-6) << name;
            EXPECT_NEAR(row.mean_p, step3["mean_difference"]["p_value"].get<double>(), 0.025) << name;
            EXPECT_NEAR(row.mean_p_share, step3["mean_difference"]["p_value"].get<double>(), 0.025) << name;
            EXPECT_NEAR(row.var_p, step3["log_variance_ratio"]["p_value"].get<double>(), 0.025) << name;
            EXPECT_NEAR(row.mean_lower, step3["mean_difference"]["permutation_ci_2.5pct"].get<double>(), 0.02) << name;
            EXPECT_NEAR(row.mean_upper, step3["mean_difference"]["permutation_ci_97.5pct"].get<double>(), 0.02) << name;
            EXPECT_NEAR(row.var_lower, step3["log_variance_ratio"]["permutation_ci_2.5pct"].get<double>(), 0.035) << name;
            EXPECT_NEAR(row.var_upper, step3["log_variance_ratio"]["permutation_ci_97.5pct"].get<double>(), 0.035) << name;
            // Value fails compositional invariance; the others hold fully (reference verdicts).
            EXPECT_EQ(to_string(row.verdict), std::string(name == "Value" ? "none" : "full")) << name;
        }
    }
}

TEST(Micom, SameBitsForAnyThreadCountAndSeedChangesTheDraws) {
    const GenderStudy* study = gender_study();
    SKIP_WITHOUT_SHARED(study);
    const MicomResult one = run_micom(*study, 200, MicomCompositeData::standardized_pooled, 1);
    const MicomResult two = run_micom(*study, 200, MicomCompositeData::standardized_pooled, 2);
    const MicomResult other = run_micom(*study, 200, MicomCompositeData::standardized_pooled, 2, 99);
    bool any_differs = false;
    for (std::size_t k = 0; k < 6; ++k) {
        const auto& a = one.pairs[0].constructs[k];
        const auto& b = two.pairs[0].constructs[k];
        EXPECT_EQ(a.c_quantile, b.c_quantile);
        EXPECT_EQ(a.c_p, b.c_p);
        EXPECT_EQ(a.mean_lower, b.mean_lower);
        EXPECT_EQ(a.var_upper, b.var_upper);
        EXPECT_EQ(a.var_p, b.var_p);
        EXPECT_EQ(a.c, other.pairs[0].constructs[k].c);
        any_differs = any_differs || a.c_quantile != other.pairs[0].constructs[k].c_quantile;
    }
    EXPECT_TRUE(any_differs);
}

// Simulated groups: two copies of the same respondents are invariant (c = 1, p = 1); groups whose
// answers differ in level are caught at step 3.
struct Twins {
    Model model;
    Dataset data;
};

Twins twins(double shift_of_second) {
    Twins out;
    out.model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    const Model population = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model");
    SimulationOptions options;
    options.n = 200;
    options.seed = 5;
    const Dataset one = simulate(population, options);
    const Dataset picked = [&] {
        Dataset d;
        d.columns = out.model.all_indicators();
        d.rows = one.rows;
        for (Eigen::Index r = 0; r < one.rows; ++r)
            for (const auto& name : d.columns) d.values.push_back(one.values[static_cast<std::size_t>(r * one.cols() + one.column_index(name))]);
        return d;
    }();
    out.data.columns = picked.columns;
    out.data.rows = 2 * picked.rows;
    out.data.values = picked.values;
    for (const double v : picked.values) out.data.values.push_back(v + shift_of_second);
    out.data.group_names = {"first", "second"};
    out.data.group_of_row.assign(static_cast<std::size_t>(picked.rows), 0);
    out.data.group_of_row.resize(static_cast<std::size_t>(out.data.rows), 1);
    return out;
}

MicomResult micom_of(const Twins& t, int threads = 0) {
    const IndicatorMoments moments = compute_moments(t.data);
    const PlsResult pooled = estimate(t.model, moments, EstimationOptions{});
    const GroupsResult groups = estimate_groups(t.model, t.data, pooled, moments, EstimationOptions{}, {}, BootstrapOptions{}, GroupOptions{});
    MicomOptions options;
    options.permutations = 100;
    options.seed = 3;
    options.threads = threads;
    return micom(t.model, t.data, groups, EstimationOptions{}, {{0, 1}}, options);
}

TEST(Micom, IdenticalGroupsAreFullyInvariant) {
    const MicomResult result = micom_of(twins(0.0));
    ASSERT_TRUE(result.pairs[0].ok()) << result.pairs[0].error;
    for (const auto& row : result.pairs[0].constructs) {
        EXPECT_NEAR(row.c, 1.0, 1e-12);
        EXPECT_DOUBLE_EQ(row.c_p, 1.0);
        EXPECT_NEAR(row.mean_diff, 0.0, 1e-12);
        EXPECT_NEAR(row.log_var_ratio, 0.0, 1e-12);
        EXPECT_GT(row.mean_p, 0.9);
        EXPECT_EQ(row.verdict, MicomVerdict::full);
    }
}

TEST(Micom, ShiftedAnswersFailEqualMeans) {
    // Every answer of the second group one point higher: same weights, different composite means.
    const MicomResult result = micom_of(twins(1.0));
    ASSERT_TRUE(result.pairs[0].ok()) << result.pairs[0].error;
    for (const auto& row : result.pairs[0].constructs) {
        EXPECT_NEAR(row.c, 1.0, 1e-12);
        EXPECT_LT(row.mean_diff, 0.0);
        EXPECT_LT(row.mean_p, 0.02);
        EXPECT_LT(row.mean_diff, row.mean_lower);
        EXPECT_EQ(row.verdict, MicomVerdict::partial);
    }
}

TEST(Micom, APairWithAGroupThatCouldNotBeEstimatedSaysWhich) {
    Twins t = twins(0.0);
    // The second group never varies in its first indicator.
    for (Eigen::Index r = t.data.rows / 2; r < t.data.rows; ++r) t.data.values[static_cast<std::size_t>(r * t.data.cols())] = 5;
    const IndicatorMoments moments = compute_moments(t.data);
    const PlsResult pooled = estimate(t.model, moments, EstimationOptions{});
    const GroupsResult groups = estimate_groups(t.model, t.data, pooled, moments, EstimationOptions{}, {}, BootstrapOptions{}, GroupOptions{});
    MicomOptions options;
    options.permutations = 10;
    const MicomResult result = micom(t.model, t.data, groups, EstimationOptions{}, {{0, 1}}, options);
    ASSERT_FALSE(result.pairs[0].ok());
    EXPECT_NE(result.pairs[0].error.find("group 'second'"), std::string::npos) << result.pairs[0].error;
    EXPECT_TRUE(result.pairs[0].constructs.empty());
    ASSERT_EQ(result.pairs[0].configural_problems.size(), 1u);
    EXPECT_EQ(result.pairs[0].configural_problems[0],
              "indicator '" + t.data.columns[0] + "' does not vary in group 'second' (every answer 5)");
}

TEST(Micom, RefusesTooFewPermutationsPooledGroupsAndCaseWeights) {
    const Twins t = twins(0.0);
    const IndicatorMoments moments = compute_moments(t.data);
    const PlsResult pooled = estimate(t.model, moments, EstimationOptions{});
    GroupsResult groups = estimate_groups(t.model, t.data, pooled, moments, EstimationOptions{}, {}, BootstrapOptions{}, GroupOptions{});
    MicomOptions options;
    options.permutations = 0;
    EXPECT_THROW(micom(t.model, t.data, groups, EstimationOptions{}, {{0, 1}}, options), UsageError);
    options.permutations = 10;
    groups.pooled = true;
    EXPECT_THROW(micom(t.model, t.data, groups, EstimationOptions{}, {{0, 1}}, options), UsageError);
    groups.pooled = false;
    Dataset weighted = t.data;
    weighted.case_weights = Eigen::VectorXd::Ones(weighted.rows);
    EXPECT_THROW(micom(t.model, weighted, groups, EstimationOptions{}, {{0, 1}}, options), UsageError);
}

// Three groups: the deterministic statistics against their definitions worked here from the data,
// for cSEM's pooling of all groups and for a pair's own rows.
TEST(Micom, ThreeGroupsPoolAllGroupsAsCsemOrEachPairsOwnRows) {
    const Model model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    const Model population = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model");
    SimulationOptions simulation;
    simulation.n = 100;
    simulation.groups = 3;
    simulation.seed = 8;
    simulation.group_spread = 0.2;
    const Dataset data = simulate(population, simulation);
    const IndicatorMoments moments = compute_moments(data);
    const PlsResult pooled = estimate(model, moments, EstimationOptions{});
    const GroupsResult groups = estimate_groups(model, data, pooled, moments, EstimationOptions{}, {}, BootstrapOptions{}, GroupOptions{});
    const GroupRows by_group = group_rows(data);
    MicomOptions options;
    options.permutations = 30;
    const std::vector<std::pair<int, int>> pairs = {{0, 1}, {0, 2}, {1, 2}};

    // c, mean difference and log variance ratio of groups a, b computed on `rows` by hand.
    auto expected = [&](const std::vector<Eigen::Index>& rows, int a, int b, int construct) {
        Dataset part;
        part.columns = data.columns;
        part.rows = static_cast<Eigen::Index>(rows.size());
        for (const Eigen::Index r : rows)
            part.values.insert(part.values.end(), data.values.begin() + r * data.cols(), data.values.begin() + (r + 1) * data.cols());
        const IndicatorMoments m = compute_moments(part);
        Eigen::Index start = 0, size = 0;
        for (int j = 0; j <= construct; ++j) {
            start += size;
            size = static_cast<Eigen::Index>(model.constructs[static_cast<std::size_t>(j)].indicators.size());
        }
        const Eigen::MatrixXd z = ((part.matrix().rowwise() - m.means.transpose()).array().rowwise() / m.sds.transpose().array()).matrix();
        const Eigen::VectorXd ha = z.middleCols(start, size) * groups.groups[static_cast<std::size_t>(a)].result.outer_weights.segment(start, size);
        const Eigen::VectorXd hb = z.middleCols(start, size) * groups.groups[static_cast<std::size_t>(b)].result.outer_weights.segment(start, size);
        const auto cor = [](const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
            const Eigen::ArrayXd dx = x.array() - x.mean(), dy = y.array() - y.mean();
            return (dx * dy).sum() / std::sqrt((dx * dx).sum() * (dy * dy).sum());
        };
        const Eigen::MatrixXd scores = construct_scores(estimate(model, m, EstimationOptions{}), m, part);
        double sum[2] = {0, 0}, sq[2] = {0, 0}, n[2] = {0, 0};
        for (Eigen::Index i = 0; i < part.rows; ++i) {
            const int g = data.group_of_row[static_cast<std::size_t>(rows[static_cast<std::size_t>(i)])];
            const int which = by_group.names[static_cast<std::size_t>(a)] == data.group_names[static_cast<std::size_t>(g)]   ? 0
                              : by_group.names[static_cast<std::size_t>(b)] == data.group_names[static_cast<std::size_t>(g)] ? 1
                                                                                                                              : -1;
            if (which < 0) continue;
            sum[which] += scores(i, construct);
            sq[which] += scores(i, construct) * scores(i, construct);
            n[which] += 1;
        }
        const double mean_a = sum[0] / n[0], mean_b = sum[1] / n[1];
        const double var_a = (sq[0] - n[0] * mean_a * mean_a) / (n[0] - 1), var_b = (sq[1] - n[1] * mean_b * mean_b) / (n[1] - 1);
        return std::array<double, 3>{cor(ha, hb), mean_a - mean_b, std::log(var_a) - std::log(var_b)};
    };

    std::vector<Eigen::Index> all_rows(static_cast<std::size_t>(data.rows));
    std::iota(all_rows.begin(), all_rows.end(), Eigen::Index{0});
    const MicomResult all = micom(model, data, groups, EstimationOptions{}, pairs, options);
    options.pooling = MicomPooling::pair;
    const MicomResult own = micom(model, data, groups, EstimationOptions{}, pairs, options);
    double largest_gap = 0;
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        const auto [a, b] = pairs[p];
        std::vector<Eigen::Index> pair_rows = by_group.rows[static_cast<std::size_t>(a)];
        pair_rows.insert(pair_rows.end(), by_group.rows[static_cast<std::size_t>(b)].begin(), by_group.rows[static_cast<std::size_t>(b)].end());
        std::sort(pair_rows.begin(), pair_rows.end());
        ASSERT_TRUE(all.pairs[p].ok() && own.pairs[p].ok());
        for (int k = 0; k < static_cast<int>(model.constructs.size()); ++k) {
            const auto on_all = expected(all_rows, a, b, k);
            const auto on_pair = expected(pair_rows, a, b, k);
            const MicomConstruct& x = all.pairs[p].constructs[static_cast<std::size_t>(k)];
            const MicomConstruct& y = own.pairs[p].constructs[static_cast<std::size_t>(k)];
            EXPECT_NEAR(x.c, on_all[0], 1e-10);
            EXPECT_NEAR(x.mean_diff, on_all[1], 1e-10);
            EXPECT_NEAR(x.log_var_ratio, on_all[2], 1e-10);
            EXPECT_NEAR(y.c, on_pair[0], 1e-10);
            EXPECT_NEAR(y.mean_diff, on_pair[1], 1e-10);
            EXPECT_NEAR(y.log_var_ratio, on_pair[2], 1e-10);
            largest_gap = std::max(largest_gap, std::abs(x.mean_diff - y.mean_diff));
        }
    }
    EXPECT_GT(largest_gap, 1e-3) << "with three groups the two poolings are different statistics";
}

}  // namespace
}  // namespace csipls

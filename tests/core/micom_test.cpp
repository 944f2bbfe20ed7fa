#include "csipls/core/micom.hpp"

#include <gtest/gtest.h>

#include <filesystem>
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

}  // namespace
}  // namespace csipls

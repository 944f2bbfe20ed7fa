// Replication cases: every validation/*/case.json names a model (in this repository), data and
// reference numbers (in ../shared) and a tolerance. Each case is estimated through the same library
// calls and JSON writer as `csipls estimate`, and every reference number it holds is compared.
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>

#include "csipls/core/assessment.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/result_writers.hpp"

namespace fs = std::filesystem;
using csipls::Json;

namespace {

constexpr int skipped_exit_code = 77;  // ctest SKIP_RETURN_CODE

Json load_json(const fs::path& path) { return Json::parse(csipls::read_text_file(path.string())); }

struct Case {
    fs::path directory;
    Json spec;
};

std::vector<Case> load_cases() {
    std::vector<Case> cases;
    for (const auto& entry : fs::directory_iterator(fs::path(CSIPLS_SOURCE_DIR) / "validation"))
        if (fs::exists(entry.path() / "case.json")) cases.push_back({entry.path(), load_json(entry.path() / "case.json")});
    std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.directory < b.directory; });
    return cases;
}

// Compares {name: number} (or nested objects of them) found in both, and requires the same keys.
void expect_same_numbers(const Json& ours, const Json& reference, double tolerance, const std::string& where) {
    if (reference.is_number()) {
        ASSERT_TRUE(ours.is_number()) << where << ": ours is " << ours.dump();
        EXPECT_NEAR(ours.get<double>(), reference.get<double>(), tolerance) << where;
        return;
    }
    if (reference.is_null()) {
        EXPECT_TRUE(ours.is_null()) << where;
        return;
    }
    ASSERT_TRUE(reference.is_object()) << where;
    ASSERT_TRUE(ours.is_object()) << where;
    EXPECT_EQ(ours.size(), reference.size()) << where << ": different number of entries";
    for (const auto& [key, value] : reference.items()) {
        ASSERT_TRUE(ours.contains(key)) << where << ": missing '" << key << "'";
        expect_same_numbers(ours.at(key), value, tolerance, where + "." + key);
    }
}

// Lists of {from, to, estimate}, matched by (from, to) whatever their order.
void expect_same_effects(const Json& ours, const Json& reference, double tolerance, const std::string& where) {
    ASSERT_EQ(ours.size(), reference.size()) << where << ": different number of entries";
    for (const auto& expected : reference) {
        const auto match = std::find_if(ours.begin(), ours.end(), [&](const Json& entry) {
            return entry.at("from") == expected.at("from") && entry.at("to") == expected.at("to");
        });
        ASSERT_NE(match, ours.end()) << where << ": no " << expected.at("from") << " -> " << expected.at("to");
        EXPECT_NEAR(match->at("estimate").get<double>(), expected.at("estimate").get<double>(), tolerance)
            << where << ": " << expected.at("from") << " -> " << expected.at("to");
    }
}

// Lists of {a, b, value} matched by the unordered pair.
void expect_same_pairs(const Json& ours, const Json& reference, double tolerance, const std::string& where) {
    ASSERT_EQ(ours.size(), reference.size()) << where;
    for (const auto& expected : reference) {
        const auto match = std::find_if(ours.begin(), ours.end(), [&](const Json& entry) {
            return (entry.at("a") == expected.at("a") && entry.at("b") == expected.at("b")) ||
                   (entry.at("a") == expected.at("b") && entry.at("b") == expected.at("a"));
        });
        ASSERT_NE(match, ours.end()) << where << ": no pair " << expected.at("a") << ", " << expected.at("b");
        if (expected.at("value").is_null())
            EXPECT_TRUE(match->at("value").is_null()) << where;
        else
            EXPECT_NEAR(match->at("value").get<double>(), expected.at("value").get<double>(), tolerance)
                << where << ": " << expected.at("a") << ", " << expected.at("b");
    }
}

// The assessment keys of the JSON result against whatever assessment measures the reference holds.
void expect_same_assessment(const csipls::Model& model, const csipls::PlsResult& result,
                            const csipls::IndicatorMoments& moments, const Json& reference, double tolerance) {
    Json ours;
    csipls::add_assessment_to_json(ours, result, csipls::assess(model, result, moments));
    for (const char* key : {"cronbach_alpha", "rho_a", "rho_c", "ave"})
        if (reference.contains(key)) expect_same_numbers(ours.at("reliability").at(key), reference.at(key), tolerance, key);
    const std::pair<const char*, const char*> pair_keys[] = {
        {"htmt_signed", "htmt"}, {"htmt_absolute", "htmt_absolute"}, {"htmt2", "htmt2"}};
    for (const auto& [reference_key, our_key] : pair_keys)
        if (reference.contains(reference_key))
            expect_same_pairs(ours.at(our_key), reference.at(reference_key).at("pairs"), tolerance, our_key);
    if (reference.contains("fit"))
        for (const char* which : {"estimated_model", "saturated_model"})
            for (const char* measure : {"srmr", "d_uls", "d_g"})
                EXPECT_NEAR(ours.at("fit").at(which).at(measure).get<double>(),
                            reference.at("fit").at(which).at(measure).get<double>(), tolerance)
                    << which << " " << measure;
    if (reference.contains("gof")) EXPECT_NEAR(ours.at("gof").get<double>(), reference.at("gof").get<double>(), tolerance);
    if (reference.contains("f2")) {
        Json expected = Json::array();
        for (const auto& entry : reference.at("f2"))
            expected.push_back({{"from", entry.at("from")}, {"to", entry.at("to")}, {"estimate", entry.at("f2")}});
        Json got = Json::array();
        for (const auto& entry : ours.at("f2"))
            got.push_back({{"from", entry.at("from")}, {"to", entry.at("to")}, {"estimate", entry.at("value")}});
        expect_same_effects(got, expected, tolerance, "f2");
    }
    if (reference.contains("vif_structural"))
        for (const auto& block : reference.at("vif_structural"))
            for (const auto& [predictor, value] : block.at("vif").items()) {
                const auto match = std::find_if(ours.at("vif_structural").begin(), ours.at("vif_structural").end(), [&](const Json& e) {
                    return e.at("dependent") == block.at("dependent") && e.at("predictor") == predictor;
                });
                ASSERT_NE(match, ours.at("vif_structural").end()) << "vif " << block.at("dependent") << " " << predictor;
                EXPECT_NEAR(match->at("value").get<double>(), value.get<double>(), tolerance) << "vif " << predictor;
            }
    EXPECT_TRUE(ours.at("admissibility").at("admissible").get<bool>());
}

class Replication : public testing::TestWithParam<Case> {};

TEST_P(Replication, MatchesReference) {
    const Case& c = GetParam();
    const fs::path shared(CSIPLS_SHARED_DIR);
    const double tolerance = c.spec.at("tolerance").get<double>();
    // Cross-checks against our independent numpy implementation keep their numbers in the repository.
    const bool reference_in_repo = c.spec.value("reference_in_repo", false);
    const Json reference = load_json((reference_in_repo ? fs::path(CSIPLS_SOURCE_DIR) : shared) /
                                     c.spec.at("reference").get<std::string>());

    const csipls::Model model = csipls::read_model_file((fs::path(CSIPLS_SOURCE_DIR) / c.spec.at("model").get<std::string>()).string());
    const csipls::Dataset data = csipls::read_csv((shared / c.spec.at("data").get<std::string>()).string(), model.all_indicators());
    csipls::EstimationOptions options;
    const Json& settings = c.spec.at("settings");
    options.scheme = *csipls::inner_scheme_from_string(settings.at("scheme").get<std::string>());
    options.tolerance = settings.at("tolerance").get<double>();
    options.max_iterations = settings.at("max_iterations").get<int>();

    const csipls::IndicatorMoments moments = csipls::compute_moments(data);
    const csipls::PlsResult result = csipls::estimate(model, moments, options);
    ASSERT_TRUE(result.converged);
    const Json ours = csipls::result_to_json(result, moments, csipls::RunProvenance{});

    expect_same_effects(ours.at("paths"), reference.at("paths"), tolerance, "paths");
    expect_same_numbers(ours.at("outer_weights"), reference.at("outer_weights"), tolerance, "outer_weights");
    expect_same_numbers(ours.at("loadings"), reference.at("loadings"), tolerance, "loadings");
    expect_same_numbers(ours.at("r2"), reference.at("r2"), tolerance, "r2");
    expect_same_numbers(ours.at("r2_adj"), reference.at("r2_adj"), tolerance, "r2_adj");
    if (reference.contains("indirect_effects"))
        expect_same_effects(ours.at("effects").at("indirect"), reference.at("indirect_effects"), tolerance, "indirect");
    if (reference.contains("total_effects"))
        expect_same_effects(ours.at("effects").at("total"), reference.at("total_effects"), tolerance, "total");
    if (reference.contains("construct_correlations")) {
        const Json& expected = reference.at("construct_correlations");
        ASSERT_EQ(ours.at("construct_correlations").at("rows"), expected.at("rows"));
        const Json& values = ours.at("construct_correlations").at("values");
        for (std::size_t i = 0; i < expected.at("values").size(); ++i)
            for (std::size_t j = 0; j < expected.at("values")[i].size(); ++j)
                EXPECT_NEAR(values[i][j].get<double>(), expected.at("values")[i][j].get<double>(), tolerance)
                    << "construct_correlations " << i << "," << j;
    }
    if (reference.contains("indicator_means"))
        for (const auto& [name, mean] : reference.at("indicator_means").items()) {
            EXPECT_NEAR(ours.at("indicators").at(name).at("mean").get<double>(), mean.get<double>(), tolerance) << name;
            EXPECT_NEAR(ours.at("indicators").at(name).at("sd").get<double>(),
                        reference.at("indicator_sd").at(name).get<double>(), tolerance) << name;
        }
    if (reference.contains("csi_index_0_100") && c.spec.contains("scale")) {
        const csipls::AnswerScale scale{c.spec.at("scale")[0].get<double>(), c.spec.at("scale")[1].get<double>()};
        const csipls::CsiIndex index = csipls::csi_indices(
            result, moments.means, moments.sds, std::vector<csipls::AnswerScale>(result.indicators.size(), scale));
        const Json indices = csipls::csi_index_to_json(result, index, std::vector<csipls::AnswerScale>(result.indicators.size(), scale));
        expect_same_numbers(indices.at("values"), reference.at("csi_index_0_100").at("values"), tolerance, "csi_index");
    }
    expect_same_assessment(model, result, moments, reference, tolerance);
    if (reference.contains("construct_scores_first_rows")) {
        const Eigen::MatrixXd scores = csipls::construct_scores(result, moments, data);
        const Json& rows = reference.at("construct_scores_first_rows");
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (std::size_t j = 0; j < rows[i].size(); ++j)
                EXPECT_NEAR(scores(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)), rows[i][j].get<double>(), tolerance)
                    << "construct score row " << i << ", construct " << result.constructs[j];
    }
}

// The bootstrap against the reference's independent 5000-resample run: standard errors within 5 %,
// percentile bounds within 0.02 (the draws are random, so not to the digit).
TEST(BootstrapReplication, EcsiMobiStandardErrorsAndPercentileBounds) {
    const fs::path shared(CSIPLS_SHARED_DIR);
    const Json reference = load_json(shared / "reference/ecsi_mobi_path.json");
    const csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model");
    const csipls::Dataset data = csipls::read_csv((shared / "data/mobi.csv").string(), model.all_indicators());
    csipls::EstimationOptions options;
    options.tolerance = 1e-10;
    const csipls::PlsResult result = csipls::estimate(model, csipls::compute_moments(data), options);
    csipls::BootstrapOptions boot;
    boot.resamples = 5000;
    const csipls::BootstrapResult resampled = csipls::bootstrap(model, data, result, boot);
    EXPECT_EQ(resampled.failures.size(), 0u);
    const Json ours = csipls::bootstrap_to_json(result, resampled);
    int compared = 0;
    for (const auto& expected : reference.at("bootstrap").at("paths")) {
        const std::string label = expected.at("parameter");
        const auto match = std::find_if(ours.at("paths").begin(), ours.at("paths").end(), [&](const Json& entry) {
            return entry.at("to").get<std::string>() + " ~ " + entry.at("from").get<std::string>() == label;
        });
        ASSERT_NE(match, ours.at("paths").end()) << label;
        const double reference_se = expected.at("boot_se_sd_n_minus_1").get<double>();
        EXPECT_NEAR(match->at("se").get<double>() / reference_se, 1.0, 0.05) << label;
        EXPECT_NEAR(match->at("ci_lower").get<double>(), expected.at("ci_percentile_2.5").get<double>(), 0.02) << label;
        EXPECT_NEAR(match->at("ci_upper").get<double>(), expected.at("ci_percentile_97.5").get<double>(), 0.02) << label;
        ++compared;
    }
    EXPECT_EQ(compared, 12);
}

INSTANTIATE_TEST_SUITE_P(Cases, Replication, testing::ValuesIn(load_cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.directory.filename().string(); });

}  // namespace

int main(int argc, char** argv) {
    if (!fs::is_directory(CSIPLS_SHARED_DIR)) {
        std::cout << "validation skipped: the shared data folder " << CSIPLS_SHARED_DIR
                  << " is absent (clone with ../shared beside the repository, or set -DCSIPLS_SHARED_DIR)\n";
        return skipped_exit_code;
    }
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

// End-to-end tests of the tests between groups in `csipls estimate`: MICOM (--micom) and the
// multi-group tests (--mga, --omnibus, --p-adjust) on simulated companies and on the public MICOM
// reference, their result contract, their determinism over thread counts, and their refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using json = nlohmann::json;
using testing::HasSubstr;

class GroupTestsCli : public CliHarness {
protected:
    GroupTestsCli() : CliHarness("csipls_group_tests_e2e", 300) {}

    // K simulated companies of N respondents in companies.csv.
    void simulate(int groups, int n) {
        ASSERT_EQ(run({"simulate", "--model", ccsi_population.string(), "--n", std::to_string(n), "--groups", std::to_string(groups),
                       "--seed", "21", "--out", "companies.csv"})
                      .exit_code,
                  0);
    }
    std::vector<std::string> estimate(std::vector<std::string> extra) {
        std::vector<std::string> args = {"estimate", "--model", ccsi_model.string(), "--data", "companies.csv", "--group", "company"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

TEST_F(GroupTestsCli, MicomAndEveryMgaTestFollowTheContractAndIgnoreTheThreadCount) {
    simulate(3, 120);
    const std::vector<std::string> options = {"--scale", "1:10", "--bootstrap", "60", "--permutations", "40", "--micom", "--mga", "all",
                                              "--omnibus", "--p-adjust", "holm", "--seed", "5"};
    auto with = [&](const std::string& threads, const std::string& out) {
        auto args = estimate(options);
        args.insert(args.end(), {"--threads", threads, "--out", out});
        return args;
    };
    const RunResult one = run(with("1", "one.json"));
    ASSERT_EQ(one.exit_code, 0) << one;
    const RunResult two = run(with("2", "two.json"));
    ASSERT_EQ(two.exit_code, 0) << two;
    EXPECT_EQ(read_file(dir_ / "one.json"), read_file(dir_ / "two.json")) << "same seed, same bytes, for any thread count";

    const json result = json::parse(read_file(dir_ / "one.json"));
    ASSERT_TRUE(result["micom"].is_array());
    EXPECT_EQ(result["micom"].size(), 3u * 6u);  // 3 pairs × 6 constructs
    EXPECT_EQ(result["micom_settings"]["permutations"], 40);
    ASSERT_TRUE(result["mga"].is_array());
    std::set<std::string> tests, methods;
    for (const auto& row : result["mga"]) {
        for (const char* key : {"a", "b", "test", "kind", "from", "to", "construct", "difference", "statistic", "df", "p", "p_adjusted"})
            ASSERT_TRUE(row.contains(key)) << key << " in " << row.dump();
        tests.insert(row["test"].get<std::string>());
        if (row["test"] == "omnibus") {
            EXPECT_TRUE(row["a"].is_null());
            methods.insert(row["method"].get<std::string>());
        } else {
            EXPECT_TRUE(row["a"].is_string());
        }
        if (row["kind"] == "path") {
            EXPECT_TRUE(row["from"].is_string());
            EXPECT_TRUE(row["construct"].is_null());
        }
        if (row["kind"] == "csi_index") EXPECT_TRUE(row["construct"].is_string());
        if (row["p"].is_number() && row["p_adjusted"].is_number())
            EXPECT_GE(row["p_adjusted"].get<double>(), row["p"].get<double>() - 1e-15);
    }
    EXPECT_EQ(tests, (std::set<std::string>{"permutation", "parametric", "welch", "henseler", "ci_parametric", "ci_overlap", "omnibus"}));
    EXPECT_EQ(methods, (std::set<std::string>{"sarstedt", "klesel_dg", "klesel_duls"}));
    EXPECT_EQ(result["mga_settings"]["p_adjust"], "holm");
    EXPECT_EQ(result["settings"]["options"]["groups.mga"].size(), 6u);
    EXPECT_THAT(one.err, testing::Not(HasSubstr("error")));

    const RunResult summary = run(estimate(options));
    ASSERT_EQ(summary.exit_code, 0) << summary;
    EXPECT_THAT(summary.out, HasSubstr("MICOM (Henseler, Ringle & Sarstedt 2016)"));
    EXPECT_THAT(summary.out, HasSubstr("Multi-group tests (p adjusted: holm"));
    EXPECT_THAT(summary.out, HasSubstr("the significant of 420 rows (all are in the JSON result)"));  // 3 pairs × 22 × 6 + 22 + 2
}

// The public reference through the command line: cSEM's raw-data c and the paper's standardized one.
TEST_F(GroupTestsCli, MicomOnTheSatisfactionDataMatchesCsem) {
    const fs::path shared(CSIPLS_SHARED_DIR);
    const fs::path reference_file = shared / "reference" / "micom_satisfaction_gender.json";
    if (!fs::exists(reference_file) || !fs::exists(shared / "data" / "satisfaction.csv"))
        GTEST_SKIP() << "the shared folder " << CSIPLS_SHARED_DIR << " with the MICOM reference is absent";
    const json reference = json::parse(read_file(reference_file));
    for (const std::string data_form : {"raw", "standardized"}) {
        const std::string out = data_form + ".json";
        const RunResult r = run({"estimate", "--model", (source_dir / "validation" / "micom_satisfaction_gender" / "model.model").string(),
                                 "--data", (shared / "data" / "satisfaction.csv").string(), "--group", "gender", "--micom",
                                 "--micom-data", data_form, "--permutations", "1000", "--tolerance", "1e-10", "--out", out});
        ASSERT_EQ(r.exit_code, 0) << r;
        const json result = json::parse(read_file(dir_ / out));
        EXPECT_EQ(result["micom_settings"]["composite_data"], data_form + "_pooled");
        for (std::size_t k = 0; k < 6; ++k) {
            const json& ours = result["micom"][k];
            const json& step2 = reference["results"]["step2_compositional_invariance"][k];
            const json& step3 = reference["results"]["step3_equality_of_means_and_variances"][k];
            EXPECT_EQ(ours["a"], "female");
            EXPECT_EQ(ours["construct"], step2["construct"]);
            const json& c = data_form == "raw" ? step2 : step2["variant_standardized_pooled_data"];
            EXPECT_NEAR(ours["c"].get<double>(), c["c"].get<double>(), 1e-6);
            EXPECT_NEAR(ours["mean_diff"].get<double>(), step3["mean_difference"]["value"].get<double>(), 1e-6);
            EXPECT_NEAR(ours["log_var_ratio"].get<double>(), step3["log_variance_ratio"]["value"].get<double>(), 1e-6);
            EXPECT_EQ(ours["verdict"], step2["construct"] == "Value" ? "none" : "full");
        }
    }
}

TEST_F(GroupTestsCli, RefusalsNameTheFlag) {
    simulate(3, 60);
    expect_clean_failure(run(estimate({"--micom"})), 2, {"--micom", "--permutations"});
    expect_clean_failure(run(estimate({"--mga", "parametric"})), 2, {"--mga", "parametric", "--bootstrap"});
    expect_clean_failure(run(estimate({"--mga", "permutation"})), 2, {"--mga", "--permutations"});
    expect_clean_failure(run(estimate({"--mga", "bayes"})), 2, {"--mga", "bayes"});
    expect_clean_failure(run(estimate({"--p-adjust", "holm"})), 2, {"--p-adjust", "--mga"});
    expect_clean_failure(run(estimate({"--micom", "--permutations", "20", "--pooled"})), 2, {"--micom", "--pooled"});
    expect_clean_failure(run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--micom", "--permutations", "20"}),
                         2, {"--micom", "--group"});
}

TEST_F(GroupTestsCli, OneGroupOnlyIsNamed) {
    simulate(1, 80);
    expect_clean_failure(run(estimate({"--micom", "--permutations", "20"})), 2, {"--micom", "one group only ('C001')"});
    expect_clean_failure(run(estimate({"--omnibus", "--permutations", "20"})), 2, {"--omnibus", "one group only ('C001')"});
}

// Pairs grow quadratically: all pairs of 50 companies (1225) are over the limit of 1000.
TEST_F(GroupTestsCli, TooManyPairsAreRefusedWithTheLimit) {
    simulate(50, 30);
    expect_clean_failure(run(estimate({"--group-pairs", "all", "--mga", "permutation", "--permutations", "10"})), 2,
                         {"50 groups give 1225 pairs", "at most 1000 pairs", "--group-pairs"});
    expect_clean_failure(run(estimate({"--omnibus", "--permutations", "10"})), 2, {"--omnibus", "50 groups give 1225 pairs", "at most 1000"});
}

TEST_F(GroupTestsCli, AGroupThatCannotBeEstimatedLeavesTheOtherPairs) {
    simulate(3, 80);
    // Company C002 never varies in BI1: it cannot be estimated, the pair C001-C003 still is tested.
    std::string csv = read_file(dir_ / "companies.csv");
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < csv.size();) {
        const auto end = csv.find('\n', start);
        lines.push_back(csv.substr(start, end - start));
        start = end == std::string::npos ? csv.size() : end + 1;
    }
    const auto header = lines[0];
    const auto bi1 = static_cast<std::size_t>(std::count(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(header.find("BI1")), ','));
    std::string rewritten = header + "\n";
    for (std::size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        std::vector<std::string> cells;
        std::stringstream row(lines[i]);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        if (std::find(cells.begin(), cells.end(), "C002") != cells.end()) cells[bi1] = "5";
        for (std::size_t j = 0; j < cells.size(); ++j) rewritten += (j ? "," : "") + cells[j];
        rewritten += "\n";
    }
    write_file(dir_ / "companies.csv", rewritten);
    const RunResult r = run(estimate({"--micom", "--permutations", "20", "--out", "result.json"}));
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("MICOM of groups 'C001' and 'C002' not tested: group 'C002' could not be estimated"));
    const json result = json::parse(read_file(dir_ / "result.json"));
    EXPECT_EQ(result["micom"].size(), 6u) << "only C001-C003 is tested";
    EXPECT_EQ(result["micom"][0]["b"], "C003");
}

TEST_F(GroupTestsCli, AGroupWithTooFewRespondentsIsNamedAndTheOthersAreTested) {
    simulate(2, 80);
    // Two respondents of a third company: too few for the model.
    std::string csv = read_file(dir_ / "companies.csv");
    std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
    const std::string tiny = last.substr(0, last.find("C002")) + "tiny" + last.substr(last.find("C002") + 4);
    write_file(dir_ / "companies.csv", csv + tiny + tiny);
    const RunResult r = run(estimate({"--micom", "--permutations", "20", "--group-pairs", "all", "--out", "result.json"}));
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("group 'tiny' (2 respondents) could not be estimated"));
    EXPECT_THAT(r.err, HasSubstr("MICOM of groups 'C001' and 'tiny' not tested"));
    const json result = json::parse(read_file(dir_ / "result.json"));
    EXPECT_EQ(result["micom"].size(), 6u) << "C001-C002 is tested";
    EXPECT_EQ(result["micom"][0]["b"], "C002");
}

}  // namespace

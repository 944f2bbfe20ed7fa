// End-to-end tests of the specific indirect effects: in the JSON result, restricted by --routes, in
// the report, and the refusals of --routes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using json = nlohmann::json;
using testing::HasSubstr;

class MediationCli : public CliHarness {
protected:
    MediationCli() : CliHarness("csipls_mediation_e2e", 120) {}
};

TEST_F(MediationCli, RoutesInTheResultTheSummaryAndTheReport) {
    const RunResult all = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--bootstrap", "100", "--seed",
                               "2", "--out", "all.json"});
    ASSERT_EQ(all.exit_code, 0) << all;
    const json everything = json::parse(read_file(dir_ / "all.json"));
    ASSERT_TRUE(everything["specific_indirect_effects"].is_array());
    // The routes of each antecedent and consequence add up to its indirect effect.
    ASSERT_FALSE(everything["effects"]["indirect"].empty());
    for (const auto& effect : everything["effects"]["indirect"]) {
        double sum = 0;
        for (const auto& route : everything["specific_indirect_effects"])
            if (route["from"] == effect["from"] && route["to"] == effect["to"]) sum += route["estimate"].get<double>();
        EXPECT_NEAR(sum, effect["estimate"].get<double>(), 1e-12) << effect.dump();
    }
    const std::string from = everything["specific_indirect_effects"][0]["from"];
    const std::string to = everything["specific_indirect_effects"][0]["to"];
    for (const auto& route : everything["specific_indirect_effects"]) {
        EXPECT_GE(route["route"].size(), 3u);
        EXPECT_TRUE(route["se"].is_number());
        // A type where the model has the direct path to compare with.
        EXPECT_EQ(route["mediation"].is_string(), route["direct_path"].get<bool>()) << route.dump();
    }

    const RunResult some = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--bootstrap", "100", "--seed",
                                "2", "--routes", from + ":" + to, "--out", "some.json"});
    ASSERT_EQ(some.exit_code, 0) << some;
    const json restricted = json::parse(read_file(dir_ / "some.json"));
    ASSERT_FALSE(restricted["specific_indirect_effects"].empty());
    for (const auto& route : restricted["specific_indirect_effects"]) {
        EXPECT_EQ(route["from"], from);
        EXPECT_EQ(route["to"], to);
    }
    EXPECT_EQ(restricted["specific_indirect_effects"][0], everything["specific_indirect_effects"][0]) << "the same numbers";
    EXPECT_EQ(restricted["mediation"]["routes"]["from"], from);

    const RunResult summary = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--routes", "*:" + to});
    ASSERT_EQ(summary.exit_code, 0) << summary;
    EXPECT_THAT(summary.out, HasSubstr("Specific indirect effects (product of the paths along each route)"));

    const RunResult report = run({"report", "--result", "all.json", "--out", "report.html"});
    ASSERT_EQ(report.exit_code, 0) << report;
    const std::string html = read_file(dir_ / "report.html");
    EXPECT_THAT(html, HasSubstr("<h2>Mediation: specific indirect effects</h2>"));
    EXPECT_THAT(html, HasSubstr(from + " → "));
}

TEST_F(MediationCli, RoutesMustNameConstructs) {
    expect_clean_failure(run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--routes", "Foo:*"}), 2,
                         {"--routes", "'Foo' is not a construct"});
    expect_clean_failure(run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--routes", "Foo"}), 2,
                         {"--routes", "FROM:TO"});
}

}  // namespace

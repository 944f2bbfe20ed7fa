// The versioned result contract end to end: `csipls estimate` writes schema_version and the
// constructs' modes; compare, report --result and simulate --params read results through one
// reader, refuse a newer schema version naming the file and both versions, and read an older
// (unversioned) result with a warning.
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "csipls/io/result_schema.hpp"

namespace csipls::cli_test {
namespace {

using Json = nlohmann::ordered_json;
using testing::HasSubstr;

class ResultContractCliTest : public CliHarness {
protected:
    ResultContractCliTest() : CliHarness("csipls_contract_e2e", 120) {}

    // The CCSI model with perceived value (感知价值) formative, estimated with indices to `name`.
    void estimate_formative(const std::string& name) {
        std::string model = read_file(ccsi_model);
        const std::string reflective = "感知价值 =~";
        model.replace(model.find(reflective), reflective.size(), "感知价值 <~");
        write("formative.model", model);
        const auto r = run({"estimate", "--model", "formative.model", "--data", ccsi_data.string(), "--scale", "1:10", "--out", name});
        ASSERT_EQ(r.exit_code, 0) << r;
    }
    Json read_json(const std::string& name) { return Json::parse(read_file(dir_ / name)); }
    void write_json(const std::string& name, const Json& json) { write(name, json.dump(2) + "\n"); }
};

TEST_F(ResultContractCliTest, EstimateWritesSchemaVersionAfterEngineAndTheModes) {
    estimate_formative("r.json");
    const Json result = read_json("r.json");
    ASSERT_GE(result.size(), 2u);
    EXPECT_EQ(std::next(result.begin()).key(), "schema_version");
    EXPECT_EQ(result["schema_version"], result_schema_version);
    ASSERT_TRUE(result["constructs"].is_array());
    ASSERT_EQ(result["constructs"].size(), 6u);
    for (const auto& c : result["constructs"]) {
        EXPECT_EQ(c["mode"], c["name"] == "感知价值" ? "formative" : "reflective") << c;
        // The indicators are those of the block, in its order.
        std::vector<std::string> block;
        for (const auto& [indicator, weight] : result["outer_weights"][c["name"].get<std::string>()].items()) block.push_back(indicator);
        EXPECT_EQ(c["indicators"].get<std::vector<std::string>>(), block);
    }
}

TEST_F(ResultContractCliTest, ReportTakesModesFromTheResultAndFallsBackForOldResults) {
    estimate_formative("r.json");
    Json result = read_json("r.json");
    // vif_formative emptied: the modes must come from `constructs`.
    result["vif_formative"] = Json::array();
    write_json("no-vif.json", result);
    auto r = run({"report", "--result", "no-vif.json", "--out", "a.html"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.err, "") << r;
    const std::string page = read_file(dir_ / "a.html");
    EXPECT_THAT(page, HasSubstr("data-name=\"感知价值\" data-mode=\"formative\""));
    EXPECT_THAT(page, HasSubstr("data-name=\"顾客满意\" data-mode=\"reflective\""));

    // An older result: no schema_version, no constructs; the modes come from vif_formative, with a warning.
    result = read_json("r.json");
    result.erase("schema_version");
    result.erase("constructs");
    write_json("old.json", result);
    r = run({"report", "--result", "old.json", "--out", "b.html"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("csipls: warning: old.json: no schema_version"));
    EXPECT_THAT(r.err, HasSubstr("measurement modes inferred from vif_formative"));
    EXPECT_THAT(read_file(dir_ / "b.html"), HasSubstr("data-name=\"感知价值\" data-mode=\"formative\""));
}

TEST_F(ResultContractCliTest, NewerSchemaVersionIsRefusedByEveryReader) {
    estimate_formative("r.json");
    Json result = read_json("r.json");
    result["schema_version"] = result_schema_version + 1;
    write_json("future.json", result);
    const std::vector<std::string> needles{"future.json", "result schema version 2 is newer than this csipls reads (1)"};
    expect_clean_failure(run({"report", "--result", "future.json", "--out", "a.html"}), 1, needles);
    expect_clean_failure(run({"compare", "r.json", "future.json"}), 1, needles);
    expect_clean_failure(run({"simulate", "--model", ccsi_population.string(), "--params", "future.json", "--n", "50",
                              "--out", "s.csv"}),
                         1, needles);
    EXPECT_EQ(files(), (std::vector<std::string>{"formative.model", "future.json", "r.json"}));
}

TEST_F(ResultContractCliTest, OlderResultsAreReadWithAWarningByCompareAndSimulate) {
    estimate_formative("r.json");
    Json result = read_json("r.json");
    result.erase("schema_version");
    result.erase("constructs");
    write_json("old.json", result);
    auto r = run({"compare", "old.json", "r.json", "--out", "c.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("old.json: no schema_version"));
    EXPECT_THAT(read_json("c.json")["warnings"].dump(), HasSubstr("old.json: no schema_version"));
    r = run({"simulate", "--model", ccsi_population.string(), "--params", "old.json", "--n", "50", "--out", "s.csv"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("csipls: warning: old.json: no schema_version"));
    // A result that lacks what simulate needs is refused naming the file and the key.
    result.erase("loadings");
    write_json("no-loadings.json", result);
    expect_clean_failure(run({"simulate", "--model", ccsi_population.string(), "--params", "no-loadings.json", "--n", "50",
                              "--out", "s2.csv"}),
                         1, {"no-loadings.json", "'loadings'"});
}

}  // namespace
}  // namespace csipls::cli_test

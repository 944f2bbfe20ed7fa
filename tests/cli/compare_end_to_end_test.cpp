// End-to-end tests of `csipls compare`: two waves simulated with `csipls simulate` (the second with
// answers centred higher), estimated with a bootstrap, then compared by the binary run as a child
// process. Failure cases check the CLI's contract: exit code 1, one "csipls: error:" line naming
// the file, and an existing output left byte for byte as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using testing::HasSubstr;

class CompareCliTest : public CliHarness {
protected:
    CompareCliTest() : CliHarness("csipls_compare_e2e", 120) {}


    // A wave: `groups` simulated companies of 150 respondents with answers centred at `centre` on
    // 1–10, estimated with 100 resamples and written to `name`.
    void wave(const std::string& name, const std::string& centre, int groups, const std::string& seed) {
        const auto sim = run({"simulate", "--model", ccsi_population.string(), "--n", "150", "--groups", std::to_string(groups),
                              "--centre", centre, "--seed", seed, "--out", name + ".csv"});
        ASSERT_EQ(sim.exit_code, 0) << sim;
        const auto est = run({"estimate", "--model", ccsi_model.string(), "--data", name + ".csv", "--group", "company",
                              "--scale", "1:10", "--bootstrap", "100", "--threads", "2", "--out", name});
        ASSERT_EQ(est.exit_code, 0) << est;
    }
};

using Json = nlohmann::ordered_json;

TEST_F(CompareCliTest, HigherCentreIsASignificantRise) {
    wave("old.json", "0.6", 3, "1");
    wave("new.json", "0.7", 4, "2");
    const auto r = run({"compare", "old.json", "new.json", "--out", "change.json", "--table", "change.csv"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("顾客满意"));
    EXPECT_THAT(r.out, testing::ContainsRegex("C004 +only in the new wave \\(added\\)"));

    const Json old_json = Json::parse(read_file(dir_ / "old.json"));
    const Json new_json = Json::parse(read_file(dir_ / "new.json"));
    const Json change = Json::parse(read_file(dir_ / "change.json"));
    EXPECT_EQ(change["input"]["old"]["path"], "old.json");
    EXPECT_EQ(change["input"]["new"]["path"], "new.json");
    EXPECT_EQ(change["input"]["old"]["xxh64"].get<std::string>().size(), 16u);
    EXPECT_EQ(change["engine"]["name"], "csipls");
    ASSERT_EQ(change["rows"].size(), 5u);  // (all), C001–C003, and C004 added
    EXPECT_EQ(change["rows"][4]["group"], "C004");
    EXPECT_EQ(change["rows"][4]["status"], "added");

    // The overall satisfaction index: the change and its se recomputed here from the two results.
    const std::string sat = "顾客满意";
    const double old_index = old_json["csi_index"]["values"][sat], new_index = new_json["csi_index"]["values"][sat];
    double old_se = 0, new_se = 0;
    for (const auto& item : old_json["bootstrap"]["csi_index"]) if (item["construct"] == sat) old_se = item["se"];
    for (const auto& item : new_json["bootstrap"]["csi_index"]) if (item["construct"] == sat) new_se = item["se"];
    const Json& overall = change["rows"][0]["changes"][sat];
    EXPECT_EQ(change["rows"][0]["group"], "(all)");
    EXPECT_DOUBLE_EQ(overall["change"].get<double>(), new_index - old_index);
    EXPECT_DOUBLE_EQ(overall["se"].get<double>(), std::sqrt(old_se * old_se + new_se * new_se));
    EXPECT_GT(overall["change"].get<double>(), 5);  // centre 0.6 → 0.7 of a 0–100 range: about 10 points
    EXPECT_LT(overall["p"].get<double>(), 1e-6);
    EXPECT_TRUE(overall["significant"].get<bool>());

    // Company C002: its row of the index table in each wave.
    const Json& c2 = change["rows"][2];
    EXPECT_EQ(c2["group"], "C002");
    double c2_old = 0, c2_new = 0;
    for (const auto& row : old_json["index_table"]["rows"]) if (row["group"] == "C002") c2_old = row["index"][sat];
    for (const auto& row : new_json["index_table"]["rows"]) if (row["group"] == "C002") c2_new = row["index"][sat];
    EXPECT_DOUBLE_EQ(c2["changes"][sat]["change"].get<double>(), c2_new - c2_old);

    const std::string csv = read_file(dir_ / "change.csv");
    EXPECT_THAT(csv, testing::StartsWith("group,level,construct,status,n_old,n_new,old,new,change,se,z,p,ci_lower,ci_upper,significant,note\n"));
    EXPECT_THAT(csv, HasSubstr("C004,group,,added,,150,"));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 4 * 6 + 1);

    // Same inputs, same bytes.
    const auto again = run({"compare", "old.json", "new.json", "--out", "again.json"});
    ASSERT_EQ(again.exit_code, 0) << again;
    EXPECT_EQ(read_file(dir_ / "again.json"), read_file(dir_ / "change.json"));
}

TEST_F(CompareCliTest, IdenticalWavesChangeZeroWithPOne) {
    wave("w.json", "0.7", 2, "3");
    const auto r = run({"compare", "w.json", "w.json", "--out", "same.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const Json change = Json::parse(read_file(dir_ / "same.json"));
    ASSERT_EQ(change["rows"].size(), 3u);
    for (const auto& row : change["rows"]) {
        ASSERT_EQ(row["status"], "both");
        for (const auto& [construct, c] : row["changes"].items()) {
            EXPECT_EQ(c["change"].get<double>(), 0) << construct;
            EXPECT_EQ(c["p"].get<double>(), 1) << construct;
            EXPECT_FALSE(c["significant"].get<bool>());
        }
    }
}

TEST_F(CompareCliTest, MalformedOrIndexlessResultIsRefusedAndOutputKept) {
    wave("w.json", "0.7", 2, "4");
    write("out.json", "precious\n");
    write("broken.json", "{\"engine\": {\"name\": \"csipls\",\n  oops }\n");
    auto r = run({"compare", "w.json", "broken.json", "--out", "out.json"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr("csipls: error: broken.json: not a JSON result"));
    EXPECT_THAT(r.err, HasSubstr("line 2"));
    EXPECT_EQ(read_file(dir_ / "out.json"), "precious\n");

    const auto sim = run({"simulate", "--model", ccsi_population.string(), "--n", "100", "--out", "plain.csv"});
    ASSERT_EQ(sim.exit_code, 0) << sim;
    const auto est = run({"estimate", "--model", ccsi_model.string(), "--data", "plain.csv", "--out", "plain.json"});
    ASSERT_EQ(est.exit_code, 0) << est;
    r = run({"compare", "plain.json", "w.json", "--out", "out.json", "--table", "t.csv"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr("csipls: error: plain.json: the result has no CSI indices"));
    EXPECT_EQ(read_file(dir_ / "out.json"), "precious\n");
    EXPECT_FALSE(fs::exists(dir_ / "t.csv"));

    write("other.json", "[1, 2]\n");
    r = run({"compare", "w.json", "other.json"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr("other.json: not a JSON result of csipls estimate"));

    r = run({"compare", "w.json"});
    EXPECT_EQ(r.exit_code, 2) << r;
    r = run({"compare", "w.json", "w.json", "--out", "w.json"});
    EXPECT_EQ(r.exit_code, 2) << r;
}

TEST_F(CompareCliTest, DifferentScalesAreRefusedNoBootstrapWarns) {
    const auto sim = run({"simulate", "--model", ccsi_population.string(), "--n", "120", "--scale", "1:7", "--out", "s.csv"});
    ASSERT_EQ(sim.exit_code, 0) << sim;
    for (const std::string scale : {"1:7", "0:10"}) {
        const auto est = run({"estimate", "--model", ccsi_model.string(), "--data", "s.csv", "--scale", scale, "--out",
                              "s" + scale.substr(0, 1) + ".json"});
        ASSERT_EQ(est.exit_code, 0) << est;
    }
    auto r = run({"compare", "s1.json", "s0.json"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr("different answer scales: indicator 'BI1' is 1:7 in s1.json but 0:10 in s0.json"));

    r = run({"compare", "s1.json", "s1.json", "--out", "nb.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("s1.json has no bootstrap"));
    const Json change = Json::parse(read_file(dir_ / "nb.json"));
    EXPECT_TRUE(change["rows"][0]["changes"]["顾客满意"]["se"].is_null());
    EXPECT_EQ(change["rows"][0]["changes"]["顾客满意"]["change"].get<double>(), 0);
}

}  // namespace

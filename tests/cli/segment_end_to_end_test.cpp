// End-to-end tests of `csipls segment`: FIMIX and PLS-POS results in the JSON, the summary, the
// assignments file (one line per data row, empty for a row listwise deletion left out) and the
// refusals of bad K.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using json = nlohmann::json;
using testing::HasSubstr;

class SegmentCli : public CliHarness {
protected:
    SegmentCli() : CliHarness("csipls_segment_e2e", 120) {}
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST_F(SegmentCli, FimixWritesCriteriaSegmentsAndAssignments) {
    // Row 3 loses an answer: listwise deletion leaves it without a segment.
    std::vector<std::string> data = lines_of(read_file(ccsi_data));
    data[3] = "," + data[3].substr(data[3].find(',') + 1);
    std::string text;
    for (const auto& line : data) text += line + "\n";
    write_file(dir_ / "data.csv", text);
    const RunResult fimix = run({"segment", "--model", ccsi_model.string(), "--data", (dir_ / "data.csv").string(), "--k", "1..3",
                                 "--starts", "3", "--seed", "4", "--segment-stop", "1e-6", "--out", "fimix.json", "--assignments", "fimix.csv"});
    ASSERT_EQ(fimix.exit_code, 0) << fimix;
    const json result = json::parse(read_file(dir_ / "fimix.json"));
    const json& segmentation = result["segmentation"];
    EXPECT_EQ(segmentation["method"], "fimix");
    EXPECT_EQ(segmentation["n"], 499);
    EXPECT_EQ(segmentation["rows_left_out"], 1);
    ASSERT_EQ(segmentation["solutions"].size(), 3u);
    EXPECT_THAT(segmentation["definitions"]["mdl5"].get<std::string>(), HasSubstr("(5 + 1)/2 ln(n) N_k"));
    // CCSI: 11 paths and 5 endogenous constructs, N_k = (K − 1) + 16 K.
    for (int k = 1; k <= 3; ++k) EXPECT_EQ(segmentation["solutions"][k - 1]["criteria"]["parameters"], (k - 1) + 16 * k);
    const int k = segmentation["k"];
    EXPECT_EQ(segmentation["segments"].size(), static_cast<std::size_t>(k));
    EXPECT_EQ(segmentation["segments"][0]["paths"].size(), 11u);
    const std::vector<std::string> assignments = lines_of(read_file(dir_ / "fimix.csv"));
    ASSERT_EQ(assignments.size(), 501u);
    std::string header = "row,segment";
    for (int p = 1; p <= k; ++p) header += ",p" + std::to_string(p);
    EXPECT_EQ(assignments[0], header);
    EXPECT_EQ(assignments[3], "3," + std::string(static_cast<std::size_t>(k), ','));
    EXPECT_THAT(assignments[1], testing::StartsWith("1,"));
    EXPECT_EQ(result["settings"]["options"]["segmentation.k"], json::array({1, 3}));

    // The segments feed the group machinery: each segment estimated on its own, the row without a
    // segment left out.
    const RunResult grouped = run({"estimate", "--model", ccsi_model.string(), "--data", (dir_ / "data.csv").string(), "--segments",
                                   "fimix.csv", "--out", "grouped.json"});
    ASSERT_EQ(grouped.exit_code, 0) << grouped;
    const json groups = json::parse(read_file(dir_ / "grouped.json"))["groups"];
    ASSERT_EQ(groups["results"].size(), static_cast<std::size_t>(k));
    int total = 0;
    for (int s = 0; s < k; ++s) {
        EXPECT_EQ(groups["results"][s]["group"], "segment " + std::to_string(s + 1));
        EXPECT_EQ(groups["results"][s]["n_obs"], segmentation["sizes"][s]);
        total += groups["results"][s]["n_obs"].get<int>();
    }
    EXPECT_EQ(total, 499);
    write_file(dir_ / "short.csv", "row,segment\n1,1\n2,2\n");
    const RunResult short_file = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--segments", "short.csv"});
    EXPECT_EQ(short_file.exit_code, 1) << short_file;
    EXPECT_THAT(short_file.err, HasSubstr("short.csv: 2 rows of segments for the 500 rows of"));

    const RunResult summary = run({"segment", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--k", "2", "--starts", "2",
                                   "--segment-stop", "1e-6", "--describe", "LOY1"});
    ASSERT_EQ(summary.exit_code, 0) << summary;
    EXPECT_THAT(summary.out, HasSubstr("Segments described"));
    EXPECT_THAT(summary.out, testing::ContainsRegex("\n  LOY1 +[0-9]"));
    const RunResult no_column = run({"segment", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--k", "1", "--describe", "age"});
    EXPECT_NE(no_column.exit_code, 0) << no_column;
    EXPECT_THAT(no_column.err, HasSubstr("age"));
    EXPECT_THAT(summary.out, HasSubstr("Hidden segments (FIMIX-PLS, 500 respondents)"));
    EXPECT_THAT(summary.out, HasSubstr("Segment paths (K = 2)"));
}

TEST_F(SegmentCli, PosWritesHardAssignments) {
    const RunResult pos = run({"segment", "--method", "pos", "--k", "2", "--starts", "2", "--model", ccsi_model.string(), "--data",
                               ccsi_data.string(), "--out", "pos.json", "--assignments", "pos.csv"});
    ASSERT_EQ(pos.exit_code, 0) << pos;
    const json segmentation = json::parse(read_file(dir_ / "pos.json"))["segmentation"];
    EXPECT_EQ(segmentation["method"], "pos");
    EXPECT_EQ(segmentation["sizes"][0].get<int>() + segmentation["sizes"][1].get<int>(), 500);
    EXPECT_GE(segmentation["sizes"][1].get<int>(), 25);  // 5 % of 500
    const std::vector<std::string> assignments = lines_of(read_file(dir_ / "pos.csv"));
    ASSERT_EQ(assignments.size(), 501u);
    EXPECT_EQ(assignments[0], "row,segment");
}

TEST_F(SegmentCli, SimulatesAMixtureWithItsSegmentColumn) {
    const RunResult mixture = run({"simulate", "--model", ccsi_population.string(), "--mixture", ccsi_population.string() + ":0.25",
                                   "--n", "40", "--out", "mix.csv"});
    ASSERT_EQ(mixture.exit_code, 0) << mixture;
    const std::vector<std::string> lines = lines_of(read_file(dir_ / "mix.csv"));
    ASSERT_EQ(lines.size(), 41u);
    EXPECT_THAT(lines[0], testing::StartsWith("segment,BI1,"));
    EXPECT_THAT(lines[30], testing::StartsWith("S1,"));
    EXPECT_THAT(lines[31], testing::StartsWith("S2,"));
    const RunResult bad = run({"simulate", "--model", ccsi_population.string(), "--mixture", ccsi_population.string() + ":1.5",
                               "--n", "40", "--out", "bad.csv"});
    EXPECT_EQ(bad.exit_code, 2) << bad;
    EXPECT_THAT(bad.err, HasSubstr("--mixture takes FILE:SHARE"));
}

TEST_F(SegmentCli, RefusesImpossibleK) {
    const std::vector<std::string> base = {"segment", "--model", ccsi_model.string(), "--data", ccsi_data.string()};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    };
    const RunResult zero = with({"--k", "0"});
    EXPECT_EQ(zero.exit_code, 2) << zero;
    EXPECT_THAT(zero.err, HasSubstr("--k must be at least 1"));
    const RunResult range = with({"--method", "pos", "--k", "1..3"});
    EXPECT_EQ(range.exit_code, 2) << range;
    EXPECT_THAT(range.err, HasSubstr("--k: PLS-POS takes one number of segments"));
    // 500 respondents, segments of at least 6 (4 predictors of satisfaction + 2): K = 90 is too many,
    // reported for that K (a warning), not fatal.
    const RunResult too_many = with({"--k", "90", "--starts", "1", "--out", "many.json"});
    ASSERT_EQ(too_many.exit_code, 0) << too_many;
    EXPECT_THAT(too_many.err, HasSubstr("K = 90 needs at least 90 × 6 = 540 respondents"));
}

}  // namespace

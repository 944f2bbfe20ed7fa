// End-to-end tests of the indices of CSI practice in `csipls estimate` (--item-scores,
// --weights-index, --gap): a survey simulated on 1–7, the expected figures computed here from the
// CSV by plain arithmetic, and a weights file naming an item the data lack.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using testing::HasSubstr;

// Column means of a simple numeric CSV (no quotes), by name.
std::map<std::string, std::vector<double>> read_columns(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> names;
    std::stringstream header(line);
    for (std::string cell; std::getline(header, cell, ',');) names.push_back(cell);
    std::map<std::string, std::vector<double>> columns;
    while (std::getline(in, line)) {
        std::stringstream row(line);
        std::size_t j = 0;
        for (std::string cell; std::getline(row, cell, ','); ++j) columns[names[j]].push_back(std::stod(cell));
    }
    return columns;
}

double mean(const std::vector<double>& x) {
    double sum = 0;
    for (double v : x) sum += v;
    return sum / static_cast<double>(x.size());
}

class PracticeCliTest : public CliHarness {
protected:
    PracticeCliTest() : CliHarness("csipls_practice_e2e", 120) {}


};

using Json = nlohmann::ordered_json;

TEST_F(PracticeCliTest, ItemScoresWeightsIndexAndGapFromTheData) {
    auto r = run({"simulate", "--model", ccsi_population.string(), "--n", "300", "--scale", "1:7", "--out", "s.csv"});
    ASSERT_EQ(r.exit_code, 0) << r;
    write("w.csv", "node,parent,weight\nimage,CSI,0.3\nsatisfaction,CSI,0.7\nBI1,image,0.4\nBI2,image,0.6\n"
                   "SAT1,satisfaction,0.5\nSAT2,satisfaction,0.5\n");
    r = run({"estimate", "--model", ccsi_model.string(), "--data", "s.csv", "--scale", "1:7", "--item-scores",
             "--weights-index", "w.csv", "--gap", "SAT1:EQ1", "--out", "r.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const auto data = read_columns(dir_ / "s.csv");
    const Json json = Json::parse(read_file(dir_ / "r.json"));
    const Json& practice = json["practice_indices"];
    ASSERT_TRUE(practice.is_object()) << json.dump().substr(0, 500);

    // −90…+90: −90 + 180·(mean − 1)/6.
    const double bi1 = mean(data.at("BI1"));
    EXPECT_EQ(practice["item_scores"]["items"][0]["item"], "BI1");
    EXPECT_NEAR(practice["item_scores"]["items"][0]["mean"].get<double>(), -90 + 30 * (bi1 - 1), 1e-9);

    // 0–100 per item: (mean − 1)/6·100, then 0.3·(0.4·BI1 + 0.6·BI2) + 0.7·(0.5·SAT1 + 0.5·SAT2).
    auto scaled = [&](const char* item) { return (mean(data.at(item)) - 1) / 6 * 100; };
    const double csi = 0.3 * (0.4 * scaled("BI1") + 0.6 * scaled("BI2")) + 0.7 * (0.5 * scaled("SAT1") + 0.5 * scaled("SAT2"));
    const Json& root = practice["weights_index"]["nodes"][0];
    EXPECT_EQ(root["node"], "CSI");
    EXPECT_NEAR(root["value"].get<double>(), csi, 1e-9);
    EXPECT_EQ(json["input"]["weights_index"]["path"], "w.csv");

    std::vector<double> d;
    for (std::size_t i = 0; i < data.at("SAT1").size(); ++i) d.push_back(data.at("SAT1")[i] - data.at("EQ1")[i]);
    const Json& gap = practice["gaps"]["items"][0];
    EXPECT_NEAR(gap["mean"].get<double>(), mean(d), 1e-12);
    double squares = 0;
    for (double v : d) squares += (v - mean(d)) * (v - mean(d));
    EXPECT_NEAR(gap["se"].get<double>(), std::sqrt(squares / 299) / std::sqrt(300.0), 1e-12);
    EXPECT_NEAR(gap["mean_0_100"].get<double>(), mean(d) / 6 * 100, 1e-10);

    // The summary has the block too.
    r = run({"estimate", "--model", ccsi_model.string(), "--data", "s.csv", "--scale", "1:7", "--item-scores"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("Indices of CSI practice"));
}

TEST_F(PracticeCliTest, UnknownItemNamesTheWeightsFileLine) {
    auto r = run({"simulate", "--model", ccsi_population.string(), "--n", "100", "--scale", "1:7", "--out", "s.csv"});
    ASSERT_EQ(r.exit_code, 0) << r;
    write("w.csv", "node,parent,weight\nBI1,CSI,0.5\nX999,CSI,0.5\n");
    write("r.json", "kept\n");
    r = run({"estimate", "--model", ccsi_model.string(), "--data", "s.csv", "--scale", "1:7", "--weights-index", "w.csv",
             "--out", "r.json"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr("csipls: error: w.csv:3: item 'X999' is not a column of s.csv"));
    EXPECT_EQ(read_file(dir_ / "r.json"), "kept\n");

    r = run({"estimate", "--model", ccsi_model.string(), "--data", "s.csv", "--item-scores"});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("--scale"));
}

}  // namespace

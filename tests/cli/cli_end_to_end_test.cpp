// End-to-end tests of the `csipls` command line: the binary is run as a child process (fork/exec,
// no shell, so arguments need no quoting) with stdout and stderr captured in files, on small data
// and model files written by each test into its own temporary directory.
//
// Every failure case checks the whole contract of the CLI's error path: the exit code (1 for bad
// data, model or I/O, 2 for bad usage), one line on stderr starting with "csipls: error: " that
// names the culprit, nothing on stdout, and an existing --out file left byte for byte as it was,
// with no temporary file left beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <readstat.h>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#ifndef CSIPLS_SHARED_DIR
#error "CSIPLS_SHARED_DIR must name the shared data folder"
#endif

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using nlohmann::json;
using testing::AllOf;
using testing::AnyOf;
using testing::HasSubstr;
using testing::MatchesRegex;
using testing::Not;
using testing::StartsWith;

const fs::path ecsi_model = source_dir / "models" / "ecsi.model";

const std::vector<std::string> ccsi_constructs = {"品牌形象", "预期质量", "感知质量", "感知价值", "顾客满意", "顾客忠诚"};

// models/ccsi.model without its comments, so that tests can name line numbers.
const std::string ccsi_model_text =
    "品牌形象 =~ BI1 + BI2 + BI3\n"                              // 1
    "预期质量 =~ EQ1 + EQ2 + EQ3\n"                              // 2
    "感知质量 =~ PQ1 + PQ2 + PQ3 + PQ4\n"                        // 3
    "感知价值 =~ PV1 + PV2\n"                                    // 4
    "顾客满意 =~ SAT1 + SAT2 + SAT3\n"                           // 5
    "顾客忠诚 =~ LOY1 + LOY2 + LOY3\n"                           // 6
    "预期质量 ~ 品牌形象\n"                                      // 7
    "感知质量 ~ 品牌形象 + 预期质量\n"                           // 8
    "感知价值 ~ 预期质量 + 感知质量\n"                           // 9
    "顾客满意 ~ 品牌形象 + 预期质量 + 感知质量 + 感知价值\n"     // 10
    "顾客忠诚 ~ 品牌形象 + 顾客满意\n";                          // 11

// ---------------------------------------------------------------------------------------------
// Small file and text helpers

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator)) parts.push_back(part);
    if (!text.empty() && text.back() == separator) {
        // getline drops a trailing empty field; keep lines semantics (a trailing '\n' ends the last line).
        if (separator != '\n') parts.emplace_back();
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i) text += (i ? separator : "") + parts[i];
    return text;
}

// `text` with the one occurrence of `from` replaced by `to`; fails the test if `from` is absent.
std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the text";
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// The first `rows` data rows of data/ccsi_example.csv, as lines (header first), without line ends.
std::vector<std::string> ccsi_lines(std::size_t rows) {
    auto lines = split(read_file(ccsi_data), '\n');
    EXPECT_GE(lines.size(), rows + 1);
    lines.resize(std::min(lines.size(), rows + 1));
    return lines;
}

std::string csv_text(const std::vector<std::string>& lines) {
    return join(lines, "\n") + "\n";
}

// Replaces the cell of `column` in data row `row` (1-based: row 1 is file line 2).
void set_cell(std::vector<std::string>& lines, std::size_t row, const std::string& column, const std::string& value) {
    const auto header = split(lines.at(0), ',');
    const auto at = std::find(header.begin(), header.end(), column);
    ASSERT_NE(at, header.end()) << column;
    auto fields = split(lines.at(row), ',');
    fields.at(static_cast<std::size_t>(at - header.begin())) = value;
    lines.at(row) = join(fields, ",");
}

// Every column of `column` in a numeric CSV table with a header (no quoting).
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> cells;  // rows of raw cell text
};

Table parse_table(const std::string& text) {
    Table table;
    auto lines = split(text, '\n');
    if (lines.empty()) return table;
    table.header = split(lines[0], ',');
    for (std::size_t i = 1; i < lines.size(); ++i) table.cells.push_back(split(lines[i], ','));
    return table;
}

double to_double(const std::string& text) {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    EXPECT_EQ(used, text.size()) << "'" << text << "' is not a whole number literal";
    return value;
}

// (from, to) -> estimate, from the "paths" array of a JSON result.
std::map<std::pair<std::string, std::string>, double> path_estimates(const json& result) {
    std::map<std::pair<std::string, std::string>, double> paths;
    for (const auto& entry : result.at("paths"))
        paths[{entry.at("from").get<std::string>(), entry.at("to").get<std::string>()}] = entry.at("estimate").get<double>();
    return paths;
}

// ---------------------------------------------------------------------------------------------
// The fixture

class CliTest : public CliHarness {
protected:
    CliTest() : CliHarness("csipls_cli_e2e", 60) {}

    json read_json(const fs::path& path) { return json::parse(read_file(path)); }
};

// ---------------------------------------------------------------------------------------------
// Happy paths

using CliEstimate = CliTest;

TEST_F(CliEstimate, SummaryOnStdoutNamesTheConstructsAndConvergence) {
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.err, "") << r;
    for (const auto& construct : ccsi_constructs) EXPECT_THAT(r.out, HasSubstr(construct)) << r;
    EXPECT_THAT(r.out, HasSubstr("converged")) << r;
    EXPECT_THAT(r.out, HasSubstr("500 respondents")) << r;
    for (const char* indicator : {"BI1", "PQ4", "LOY3"}) EXPECT_THAT(r.out, HasSubstr(indicator)) << r;
}

TEST_F(CliEstimate, RelativePathsResolveAgainstTheWorkingDirectory) {
    const RunResult r = run({"estimate", "--model", "models/ccsi.model", "--data", "data/ccsi_example.csv"}, source_dir);
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("顾客满意")) << r;
    EXPECT_THAT(r.out, HasSubstr("converged")) << r;
}

TEST_F(CliEstimate, JsonResultAndScoresFiles) {
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out",
                             "result.json", "--scores", "scores.csv"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, "") << "with --out nothing is printed" << r;
    EXPECT_EQ(r.err, "") << r;

    json result;
    ASSERT_NO_THROW(result = read_json(dir_ / "result.json"));
    for (const char* key : {"engine", "input", "settings", "n_obs", "converged", "iterations", "paths", "outer_weights",
                            "loadings", "r2", "r2_adj", "effects"})
        EXPECT_TRUE(result.contains(key)) << key;
    EXPECT_EQ(result["engine"]["name"], "csipls");
    EXPECT_THAT(result["engine"]["version"].get<std::string>(), MatchesRegex(R"([0-9]+\.[0-9]+\.[0-9]+.*)"));
    EXPECT_EQ(result["n_obs"], 500);
    EXPECT_EQ(result["converged"], true);
    EXPECT_TRUE(result["iterations"].is_number_integer());
    EXPECT_GE(result["iterations"].get<int>(), 1);
    EXPECT_LE(result["iterations"].get<int>(), 300);
    ASSERT_TRUE(result["paths"].is_array());
    EXPECT_EQ(result["paths"].size(), 11u);
    for (const char* kind : {"direct", "indirect", "total"}) EXPECT_TRUE(result["effects"].contains(kind)) << kind;
    for (const auto& construct : ccsi_constructs) {
        EXPECT_TRUE(result["outer_weights"].contains(construct)) << construct;
        EXPECT_TRUE(result["loadings"].contains(construct)) << construct;
    }
    // R² exists for the five endogenous constructs and lies in [0, 1].
    EXPECT_EQ(result["r2"].size(), 5u);
    for (const auto& [name, value] : result["r2"].items()) {
        EXPECT_GT(value.get<double>(), 0.0) << name;
        EXPECT_LT(value.get<double>(), 1.0) << name;
        EXPECT_LE(result["r2_adj"][name].get<double>(), value.get<double>()) << name;
    }
    // The value in the summary: 品牌形象 -> 预期质量 = 0.3798.
    const auto paths = path_estimates(result);
    EXPECT_NEAR((paths.at({"品牌形象", "预期质量"})), 0.3798, 5e-5);

    const Table scores = parse_table(read_file(dir_ / "scores.csv"));
    EXPECT_EQ(scores.header, ccsi_constructs);
    ASSERT_EQ(scores.cells.size(), 500u);
    for (std::size_t j = 0; j < scores.header.size(); ++j) {
        std::vector<double> column;
        for (const auto& row : scores.cells) {
            ASSERT_EQ(row.size(), scores.header.size());
            column.push_back(to_double(row[j]));
        }
        double mean = 0;
        for (double v : column) mean += v;
        mean /= static_cast<double>(column.size());
        double ss = 0;
        for (double v : column) ss += (v - mean) * (v - mean);
        const double sd = std::sqrt(ss / static_cast<double>(column.size() - 1));
        EXPECT_LT(std::abs(mean), 1e-9) << scores.header[j];
        EXPECT_NEAR(sd, 1.0, 1e-9) << scores.header[j];
    }
    EXPECT_EQ(listing(dir_), (std::vector<std::string>{".capture", "result.json", "scores.csv"}))
        << "no temporary file may be left behind";
}

TEST_F(CliEstimate, IdenticalRunsGiveByteIdenticalOutput) {
    std::vector<std::string> args = {"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string()};
    const RunResult a = run(args);
    const RunResult b = run(args);
    ASSERT_EQ(a.exit_code, 0) << a;
    ASSERT_EQ(b.exit_code, 0) << b;
    EXPECT_EQ(a.out, b.out);

    auto with_files = [&](const std::string& tag) {
        auto v = args;
        v.insert(v.end(), {"--out", "r" + tag + ".json", "--scores", "s" + tag + ".csv"});
        return v;
    };
    ASSERT_EQ(run(with_files("1")).exit_code, 0);
    ASSERT_EQ(run(with_files("2")).exit_code, 0);
    EXPECT_EQ(read_file(dir_ / "r1.json"), read_file(dir_ / "r2.json"));
    EXPECT_EQ(read_file(dir_ / "s1.csv"), read_file(dir_ / "s2.csv"));
}

TEST_F(CliEstimate, CentroidSchemeGivesOtherPathEstimates) {
    const std::vector<std::string> base = {"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string()};
    auto args_path = base, args_centroid = base;
    args_path.insert(args_path.end(), {"--out", "path.json"});
    args_centroid.insert(args_centroid.end(), {"--scheme", "centroid", "--out", "centroid.json"});
    ASSERT_EQ(run(args_path).exit_code, 0);
    const RunResult r = run(args_centroid);
    ASSERT_EQ(r.exit_code, 0) << r;
    const json path = read_json(dir_ / "path.json");
    const json centroid = read_json(dir_ / "centroid.json");
    EXPECT_EQ(path["settings"]["inner_scheme"], "path");
    EXPECT_EQ(centroid["settings"]["inner_scheme"], "centroid");
    const auto p = path_estimates(path);
    const auto c = path_estimates(centroid);
    ASSERT_EQ(p.size(), c.size());
    double largest_difference = 0;
    for (const auto& [link, estimate] : p) largest_difference = std::max(largest_difference, std::abs(estimate - c.at(link)));
    EXPECT_GT(largest_difference, 1e-6) << "the centroid scheme gave the same path estimates as the path scheme";
}

TEST_F(CliEstimate, EcsiOnMobiMatchesTheReference) {
    const fs::path mobi = fs::path(CSIPLS_SHARED_DIR) / "data" / "mobi.csv";
    if (!fs::exists(mobi)) GTEST_SKIP() << mobi.string() << " is not present; the ECSI/mobi reference check is skipped";
    const RunResult r =
        run({"estimate", "--model", ecsi_model.string(), "--data", mobi.string(), "--tolerance", "1e-10", "--out", "r.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const json result = read_json(dir_ / "r.json");
    EXPECT_EQ(result["n_obs"], 250);
    EXPECT_NEAR((path_estimates(result).at({"Image", "Expectation"})), 0.504913933624729, 1e-9);
}

TEST_F(CliEstimate, NonConvergenceExits3AndStillWritesTheResult) {
    write("out/result.json", "SENTINEL\n");
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--max-iter", "1",
                             "--out", "out/result.json"});
    EXPECT_EQ(r.exit_code, 3) << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_THAT(r.err, HasSubstr("did not converge")) << r;
    EXPECT_THAT(r.err, HasSubstr("--max-iter")) << "the message should say how to fix it" << r;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r;
    json result;
    ASSERT_NO_THROW(result = read_json(dir_ / "out" / "result.json"));
    EXPECT_EQ(result["converged"], false);
    EXPECT_EQ(result["iterations"], 1);
    EXPECT_EQ(result["paths"].size(), 11u);
    EXPECT_EQ(listing(dir_ / "out"), std::vector<std::string>{"result.json"});

    // Without --out the summary is still printed, and says so.
    const RunResult printed =
        run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--max-iter", "1"});
    EXPECT_EQ(printed.exit_code, 3) << printed;
    EXPECT_THAT(printed.out, HasSubstr("顾客满意")) << printed;
    EXPECT_THAT(printed.err, HasSubstr("did not converge")) << printed;
}

// Non-convergence is reported, the result is written and the exit code (3) tells scripts; the
// message is a warning about a result, not an error that prevented one.
TEST_F(CliEstimate, NonConvergenceIsLabelledAWarning) {
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--max-iter", "1",
                             "--out", "result.json"});
    EXPECT_EQ(r.exit_code, 3) << r;
    EXPECT_THAT(r.err, StartsWith("csipls: warning: ")) << r;
}

using CliInfo = CliTest;

TEST_F(CliInfo, HelpAndVersion) {
    const RunResult help = run({"--help"});
    EXPECT_EQ(help.exit_code, 0) << help;
    EXPECT_THAT(help.out, HasSubstr("usage:")) << help;
    EXPECT_THAT(help.out, AllOf(HasSubstr("estimate"), HasSubstr("simulate"))) << help;
    EXPECT_EQ(help.err, "") << help;

    const RunResult version = run({"--version"});
    EXPECT_EQ(version.exit_code, 0) << version;
    EXPECT_THAT(version.out, MatchesRegex("csipls [0-9]+\\.[0-9]+\\.[0-9]+ \\([0-9a-z-]+\\)\n")) << version;
    EXPECT_EQ(version.err, "") << version;
}

TEST_F(CliInfo, EstimateHelpListsEveryOption) {
    const RunResult r = run({"estimate", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.err, "") << r;
    for (const char* option :
         {"--model", "--data", "--delimiter", "--scheme", "--tolerance", "--max-iter", "--out", "--scores"})
        EXPECT_THAT(r.out, HasSubstr(option)) << r;
}

TEST_F(CliInfo, SimulateHelpListsItsOptions) {
    const RunResult r = run({"simulate", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r;
    for (const char* option : {"--model", "--n", "--seed", "--scale", "--continuous", "--out"})
        EXPECT_THAT(r.out, HasSubstr(option)) << r;
}

TEST_F(CliInfo, NoArgumentsPrintsUsageAndExits2) {
    const RunResult r = run({});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_THAT(r.err, HasSubstr("usage:")) << r;
}

// ---------------------------------------------------------------------------------------------
// simulate

using CliSimulate = CliTest;

TEST_F(CliSimulate, SameSeedSameBytesOtherSeedOtherData) {
    auto simulate = [&](const std::string& seed, const std::string& out) {
        return run({"simulate", "--model", ccsi_population.string(), "--n", "300", "--seed", seed, "--out", out});
    };
    const RunResult a = simulate("7", "a.csv");
    ASSERT_EQ(a.exit_code, 0) << a;
    EXPECT_EQ(a.out, "") << a;
    EXPECT_EQ(a.err, "") << a;
    ASSERT_EQ(simulate("7", "b.csv").exit_code, 0);
    ASSERT_EQ(simulate("8", "c.csv").exit_code, 0);
    const std::string first = read_file(dir_ / "a.csv");
    EXPECT_EQ(first, read_file(dir_ / "b.csv")) << "the same seed must give the same bytes";
    EXPECT_NE(first, read_file(dir_ / "c.csv")) << "another seed must give other data";

    const Table table = parse_table(first);
    EXPECT_EQ(table.header.size(), 18u);
    EXPECT_EQ(table.header.front(), "BI1");
    EXPECT_EQ(table.header.back(), "LOY3");
    ASSERT_EQ(table.cells.size(), 300u);
    std::set<double> seen;
    for (const auto& row : table.cells) {
        ASSERT_EQ(row.size(), 18u);
        for (const auto& cell : row) {
            ASSERT_THAT(cell, MatchesRegex("[0-9]+")) << "not an integer answer";
            const double value = to_double(cell);
            ASSERT_GE(value, 1);
            ASSERT_LE(value, 10);
            seen.insert(value);
        }
    }
    EXPECT_GE(seen.size(), 5u) << "the answers should use much of the 1..10 scale";
}

TEST_F(CliSimulate, ContinuousGivesNonIntegers) {
    const RunResult r = run({"simulate", "--model", ccsi_population.string(), "--n", "50", "--seed", "7", "--continuous",
                             "--out", "x.csv"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const Table table = parse_table(read_file(dir_ / "x.csv"));
    ASSERT_EQ(table.cells.size(), 50u);
    std::size_t non_integers = 0, cells = 0;
    for (const auto& row : table.cells)
        for (const auto& cell : row) {
            const double value = to_double(cell);
            ++cells;
            if (value != std::floor(value)) ++non_integers;
        }
    EXPECT_EQ(non_integers, cells) << "continuous data should hold no whole numbers";
}

// Large simulated samples estimate the same population: two seeds at n = 20000 agree with a
// reference sample of n = 200000 to within 0.05 on every path.
TEST_F(CliSimulate, LargeSamplesAgreeOnThePathEstimates) {
    auto sample_paths = [&](const std::string& n, const std::string& seed) {
        const std::string data = "sim-" + seed + ".csv", result = "sim-" + seed + ".json";
        const RunResult s = run({"simulate", "--model", ccsi_population.string(), "--n", n, "--seed", seed,
                                 "--continuous", "--out", data});
        EXPECT_EQ(s.exit_code, 0) << s;
        const RunResult e = run({"estimate", "--model", ccsi_model.string(), "--data", data, "--out", result});
        EXPECT_EQ(e.exit_code, 0) << e;
        fs::remove(dir_ / data);
        return path_estimates(read_json(dir_ / result));
    };
    const auto reference = sample_paths("200000", "3");
    ASSERT_EQ(reference.size(), 11u);
    for (const char* seed : {"1", "2"}) {
        const auto sample = sample_paths("20000", seed);
        ASSERT_EQ(sample.size(), reference.size());
        for (const auto& [link, estimate] : reference)
            EXPECT_NEAR(sample.at(link), estimate, 0.05) << link.first << " -> " << link.second << ", seed " << seed;
    }
}

// ---------------------------------------------------------------------------------------------
// Malformed input: every test gives --out pointing at an existing file, which must survive.

class CliFailure : public CliTest {
protected:
    static constexpr const char* sentinel_text = "SENTINEL: a previous result that must survive a failed run\n";

    void SetUp() override {
        CliTest::SetUp();
        out_dir_ = dir_ / "out";
        fs::create_directories(out_dir_);
        write_file(out_dir_ / "result.json", sentinel_text);
    }

    fs::path out_file() const { return out_dir_ / "result.json"; }

    // csipls estimate with `model`, `data`, the extra arguments, and --out at the sentinel.
    RunResult estimate(const fs::path& model, const fs::path& data, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"estimate", "--model", model.string(), "--data", data.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"--out", out_file().string()});
        return run(args);
    }

    void expect_sentinel_intact() {
        const std::string now = read_file(out_file());
        EXPECT_TRUE(now == sentinel_text) << "a failed run must leave the --out file alone; it now holds:\n"
                                          << shown(now, 300);
        EXPECT_EQ(listing(out_dir_), std::vector<std::string>{"result.json"}) << "no temporary file may be left behind";
    }

    // The whole failure contract: exit code, one clean line naming `needles`, the --out file intact.
    void expect_failure(const RunResult& r, int exit_code, const std::vector<std::string>& needles) {
        expect_clean_failure(r, exit_code, needles);
        expect_sentinel_intact();
    }

    fs::path out_dir_;
};

using CliBadData = CliFailure;

TEST_F(CliBadData, MissingFile) {
    const RunResult r = estimate(ccsi_model, dir_ / "no-such.csv");
    expect_failure(r, 1, {"no-such.csv", "cannot open"});
}

TEST_F(CliBadData, PathIsADirectory) {
    fs::create_directories(dir_ / "a-folder.csv");
    const RunResult r = estimate(ccsi_model, dir_ / "a-folder.csv");
    expect_failure(r, 1, {"a-folder.csv"});
    EXPECT_THAT(r.err, AnyOf(HasSubstr("directory"), HasSubstr("not a regular file"))) << r;
}

TEST_F(CliBadData, EmptyFile) {
    const fs::path data = write("empty.csv", "");
    expect_failure(estimate(ccsi_model, data), 1, {"empty.csv", "empty"});
}

TEST_F(CliBadData, HeaderOnly) {
    const fs::path data = write("header.csv", csv_text(ccsi_lines(0)));
    expect_failure(estimate(ccsi_model, data), 1, {"header.csv", "no data rows"});
}

TEST_F(CliBadData, NonNumericCellNamesLineAndColumn) {
    auto lines = ccsi_lines(30);
    set_cell(lines, 6, "PQ3", "abc");  // file line 7
    const fs::path data = write("text-cell.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"text-cell.csv:7", "'PQ3'", "not a number", "abc"});
}

// An empty cell is a missing answer; --predict needs whole respondents, so only listwise deletion.
TEST_F(CliBadData, EmptyCellWithPredictNeedsListwise) {
    auto lines = ccsi_lines(60);
    set_cell(lines, 11, "SAT2", "");  // file line 12
    const fs::path data = write("empty-cell.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data, {"--predict", "--missing-treatment", "mean"}), 2,
                   {"--predict needs whole respondents", "missing values (1 in", "empty-cell.csv", "listwise"});
}

TEST_F(CliBadData, RowWithTooFewFields) {
    auto lines = ccsi_lines(30);
    lines[8] = lines[8].substr(0, lines[8].rfind(','));  // file line 9 loses its last field
    const fs::path data = write("short-row.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"short-row.csv:9", "17", "18"});
}

TEST_F(CliBadData, RowWithTooManyFields) {
    auto lines = ccsi_lines(30);
    lines[20] += ",5";  // file line 21
    const fs::path data = write("long-row.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"long-row.csv:21", "19", "18"});
}

TEST_F(CliBadData, DuplicateColumnThatTheModelUses) {
    auto lines = ccsi_lines(30);
    lines[0] = replace_once(lines[0], "EQ2", "EQ1");
    const fs::path data = write("duplicate.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"duplicate.csv:1", "'EQ1'", "twice"});
}

TEST_F(CliBadData, DuplicateColumnThatTheModelDoesNotUseIsFine) {
    auto lines = ccsi_lines(100);
    lines[0] += ",note,note";
    for (std::size_t i = 1; i < lines.size(); ++i) lines[i] += ",x,y";
    const fs::path data = write("unused-duplicate.csv", csv_text(lines));
    const RunResult r = estimate(ccsi_model, data);
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(read_json(out_file())["n_obs"], 100);
}

TEST_F(CliBadData, IndicatorMissingFromTheHeader) {
    auto lines = ccsi_lines(30);
    lines[0] = replace_once(lines[0], "LOY2", "LOYALTY2");
    const fs::path data = write("missing-column.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"missing-column.csv:1", "'LOY2'", "not in the header"});
}

TEST_F(CliBadData, BinaryGarbageWithNulBytes) {
    std::mt19937 random(42);
    std::string bytes(4096, '\0');
    for (auto& b : bytes) b = static_cast<char>(random() & 0xFF);
    bytes[0] = 'P';
    bytes[1] = 'K';
    bytes[2] = '\x03';
    bytes[3] = '\0';  // a NUL in the first line, as in a zip or xlsx file
    const fs::path data = write("garbage.csv", bytes);
    expect_failure(estimate(ccsi_model, data), 1, {"garbage.csv", "NUL"});
}

// A PNG's first line is "\x89PNG\r\n": no NUL there, but a byte that is not UTF-8. The message
// must still be one clean line of valid UTF-8 (the raw byte escaped, as the model parser does).
TEST_F(CliBadData, BinaryGarbageWithoutNulInTheFirstLine) {
    std::mt19937 random(7);
    std::string bytes = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    for (int i = 0; i < 4000; ++i) bytes += static_cast<char>(random() & 0xFF);
    const fs::path data = write("picture.csv", bytes);
    expect_failure(estimate(ccsi_model, data), 1, {"picture.csv"});
}

TEST_F(CliBadData, UnterminatedQuotedField) {
    auto lines = ccsi_lines(30);
    set_cell(lines, 14, "BI2", "\"7");  // file line 15: the quote never closes
    const fs::path data = write("open-quote.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"open-quote.csv:15", "quoted field is not closed"});
}

TEST_F(CliBadData, GarbageAfterAClosingQuote) {
    auto lines = ccsi_lines(30);
    set_cell(lines, 4, "BI2", "\"7\"x");  // file line 5
    const fs::path data = write("after-quote.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"after-quote.csv:5", "'x'", "closing quote"});
}

TEST_F(CliBadData, WrongDelimiterSuggestsTheOption) {
    std::string text = csv_text(ccsi_lines(30));
    std::replace(text.begin(), text.end(), ',', ';');
    const fs::path data = write("semicolons.csv", text);
    expect_failure(estimate(ccsi_model, data), 1, {"semicolons.csv", "--delimiter"});
    // ... and with the option the file is fine.
    const RunResult fixed = estimate(ccsi_model, data, {"--delimiter", ";"});
    EXPECT_EQ(fixed.exit_code, 0) << fixed;
}

// A free-text answer (Chinese, longer than the 40 bytes quoted) in a numeric column: the quoted
// cell must not be cut in the middle of a character.
TEST_F(CliBadData, LongChineseTextInANumericColumn) {
    auto lines = ccsi_lines(30);
    set_cell(lines, 3, "PV1", "非常满意非常满意非常满意非常满意非常满意");  // file line 4
    const fs::path data = write("chinese-cell.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"chinese-cell.csv:4", "'PV1'", "not a number"});
}

TEST_F(CliBadData, ErrorLineCountsLinesInsideQuotedFields) {
    auto lines = ccsi_lines(30);
    lines[0] = "comment," + lines[0];
    for (std::size_t i = 1; i < lines.size(); ++i) lines[i] = (i <= 3 ? "\"two\nlines\"," : "ok,") + lines[i];
    set_cell(lines, 5, "EQ3", "?");  // record 5 starts on file line 9 (three records above span two lines)
    const fs::path data = write("multiline.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"multiline.csv:9", "'EQ3'"});
}

struct BadNumber {
    std::string cell;
    std::string phrase;
};

class CliBadNumber : public CliFailure, public testing::WithParamInterface<BadNumber> {};

TEST_P(CliBadNumber, IsRefusedWithLineAndColumn) {
    auto lines = ccsi_lines(30);
    set_cell(lines, 9, "SAT3", GetParam().cell);  // file line 10
    const fs::path data = write("number.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"number.csv:10", "'SAT3'", GetParam().cell, GetParam().phrase});
}

INSTANTIATE_TEST_SUITE_P(CliNonFiniteAndOutOfRange, CliBadNumber,
                         testing::Values(BadNumber{"nan", "finite"}, BadNumber{"NaN", "finite"},
                                         BadNumber{"inf", "finite"}, BadNumber{"-inf", "finite"},
                                         BadNumber{"Infinity", "finite"}, BadNumber{"1e999", "out of range"},
                                         BadNumber{"-1e999", "out of range"}),
                         [](const testing::TestParamInfo<BadNumber>& param_info) {
                             std::string name;
                             for (char c : param_info.param.cell) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                             return name + "_" + std::to_string(param_info.index);
                         });

using CliGoodData = CliTest;

// Columns the model does not use may hold anything: text, quoted commas, quotes, line breaks,
// empty cells.
TEST_F(CliGoodData, UnusedTextColumnWithQuotedCommasAndLineBreaks) {
    auto lines = ccsi_lines(500);
    lines[0] = "comment," + lines[0] + ",remark";
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string comment = i % 3 == 0 ? "\"good, but \"\"slow\"\"\nsecond line\"" : i % 3 == 1 ? "" : "plain";
        lines[i] = comment + "," + lines[i] + "," + (i % 2 ? "\"a,b\"" : "n/a");
    }
    const fs::path data = write("with-text.csv", csv_text(lines));
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--out", "text.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const RunResult plain =
        run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out", "plain.json"});
    ASSERT_EQ(plain.exit_code, 0) << plain;
    const json with_text = read_json(dir_ / "text.json");
    EXPECT_EQ(with_text["n_obs"], 500);
    EXPECT_EQ(path_estimates(with_text), path_estimates(read_json(dir_ / "plain.json")));
}

TEST_F(CliGoodData, Utf8BomAndCrlfGiveTheSameEstimates) {
    const fs::path data = write("bom-crlf.csv", "\xEF\xBB\xBF" + join(ccsi_lines(500), "\r\n") + "\r\n");
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--out", "bom.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const RunResult plain =
        run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out", "plain.json"});
    ASSERT_EQ(plain.exit_code, 0) << plain;
    const json bom = read_json(dir_ / "bom.json");
    const json reference = read_json(dir_ / "plain.json");
    EXPECT_EQ(bom["n_obs"], 500);
    EXPECT_EQ(path_estimates(bom), path_estimates(reference));
    EXPECT_EQ(bom["outer_weights"], reference["outer_weights"]);
    EXPECT_EQ(bom["r2"], reference["r2"]);
}

TEST_F(CliGoodData, ColumnsInAnotherOrderGiveTheSameEstimates) {
    const auto lines = ccsi_lines(500);
    std::vector<std::string> reversed;
    for (const auto& line : lines) {
        auto fields = split(line, ',');
        std::reverse(fields.begin(), fields.end());
        reversed.push_back(join(fields, ","));
    }
    const fs::path data = write("reversed.csv", csv_text(reversed));
    ASSERT_EQ(run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--out", "a.json"}).exit_code, 0);
    ASSERT_EQ(run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out", "b.json"}).exit_code,
              0);
    EXPECT_EQ(path_estimates(read_json(dir_ / "a.json")), path_estimates(read_json(dir_ / "b.json")));
}

// ---------------------------------------------------------------------------------------------
// Malformed models, and data the model cannot be estimated from

using CliBadModel = CliFailure;

TEST_F(CliBadModel, MissingFile) {
    expect_failure(estimate(dir_ / "no-such.model", ccsi_data), 1, {"no-such.model", "cannot open"});
}

TEST_F(CliBadModel, EmptyFile) {
    const fs::path model = write("empty.model", "");
    expect_failure(estimate(model, ccsi_data), 1, {"empty.model", "no statements"});
}

TEST_F(CliBadModel, OnlyComments) {
    const fs::path model = write("comments.model", "# nothing here yet\n\n# still nothing\n");
    expect_failure(estimate(model, ccsi_data), 1, {"comments.model", "no statements"});
}

TEST_F(CliBadModel, SyntaxErrorNamesLineAndToken) {
    const fs::path model = write("syntax.model", replace_once(ccsi_model_text, "PQ2 + PQ3", "PQ2 PQ2b + PQ3"));
    expect_failure(estimate(model, ccsi_data), 1, {"syntax.model:3", "'PQ2b'"});
}

TEST_F(CliBadModel, UnknownOperatorNamesLineAndToken) {
    const fs::path model = write("operator.model", replace_once(ccsi_model_text, "感知价值 =~", "感知价值 =>"));
    expect_failure(estimate(model, ccsi_data), 1, {"operator.model:4", "'=>'"});
}

TEST_F(CliBadModel, UndefinedConstructInAPath) {
    const fs::path model =
        write("undefined.model", replace_once(ccsi_model_text, "感知价值 ~ 预期质量 +", "感知价值 ~ 预期品质 +"));
    expect_failure(estimate(model, ccsi_data), 1, {"undefined.model:9", "'预期品质'"});
}

TEST_F(CliBadModel, IndicatorInTwoBlocks) {
    const fs::path model = write("two-blocks.model", replace_once(ccsi_model_text, "EQ3\n", "EQ3 + BI2\n"));
    expect_failure(estimate(model, ccsi_data), 1, {"two-blocks.model", "'BI2'", "品牌形象", "预期质量"});
}

TEST_F(CliBadModel, StructuralCycle) {
    const fs::path model = write("cycle.model", ccsi_model_text + "品牌形象 ~ 顾客忠诚\n");
    expect_failure(estimate(model, ccsi_data), 1, {"cycle.model", "cycle", "品牌形象", "顾客忠诚"});
}

TEST_F(CliBadModel, ConstructWithoutIndicators) {
    const fs::path model = write("no-indicators.model", ccsi_model_text + "形象 =~\n");
    expect_failure(estimate(model, ccsi_data), 1, {"no-indicators.model:12", "=~"});
}

TEST_F(CliBadModel, ConstructUsedInAPathButNeverMeasured) {
    const fs::path model = write("unmeasured.model", ccsi_model_text + "顾客忠诚 ~ 投诉\n");
    expect_failure(estimate(model, ccsi_data), 1, {"unmeasured.model:12", "'投诉'"});
}

TEST_F(CliBadModel, ConstantIndicatorInTheData) {
    auto lines = ccsi_lines(100);
    for (std::size_t row = 1; row < lines.size(); ++row) set_cell(lines, row, "PQ2", "5");
    const fs::path data = write("constant.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"'PQ2'", "constant"});
}

TEST_F(CliBadModel, SingularFormativeBlock) {
    auto lines = ccsi_lines(100);
    const auto header = split(lines[0], ',');
    const auto pv1 = static_cast<std::size_t>(std::find(header.begin(), header.end(), "PV1") - header.begin());
    for (std::size_t row = 1; row < lines.size(); ++row) set_cell(lines, row, "PV2", split(lines[row], ',').at(pv1));
    const fs::path data = write("identical.csv", csv_text(lines));
    const fs::path model = write("formative.model", replace_once(ccsi_model_text, "感知价值 =~", "感知价值 <~"));
    expect_failure(estimate(model, data), 1, {"'感知价值'", "singular"});
}

TEST_F(CliBadModel, TooFewRespondents) {
    const fs::path data = write("three.csv", csv_text(ccsi_lines(3)));
    expect_failure(estimate(ccsi_model, data), 1, {"too few respondents", "3"});
}

TEST_F(CliBadModel, UnreadableModelIsUtf16) {
    std::string utf16 = "\xFF\xFE";
    for (char c : std::string("F =~ a + b\n")) utf16 += std::string{c, '\0'};
    const fs::path model = write("utf16.model", utf16);
    expect_failure(estimate(model, ccsi_data), 1, {"utf16.model", "UTF-16"});
}

// ---------------------------------------------------------------------------------------------
// Usage errors

using CliUsage = CliFailure;

TEST_F(CliUsage, UnknownCommand) {
    const RunResult r = run({"frobnicate", "--model", ccsi_model.string(), "--out", out_file().string()});
    expect_failure(r, 2, {"'frobnicate'"});
}

TEST_F(CliUsage, UnknownOption) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--bogus"}), 2, {"'--bogus'"});
}

TEST_F(CliUsage, MissingModel) {
    const RunResult r = run({"estimate", "--data", ccsi_data.string(), "--out", out_file().string()});
    expect_failure(r, 2, {"--model"});
}

TEST_F(CliUsage, MissingData) {
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--out", out_file().string()});
    expect_failure(r, 2, {"--data"});
}

TEST_F(CliUsage, BogusScheme) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--scheme", "bogus"}), 2, {"--scheme", "'bogus'"});
}

TEST_F(CliUsage, ToleranceNotANumber) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--tolerance", "abc"}), 2, {"--tolerance", "abc"});
}

TEST_F(CliUsage, NegativeTolerance) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--tolerance", "-1"}), 2, {"--tolerance", "-1"});
}

TEST_F(CliUsage, ZeroMaxIterations) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--max-iter", "0"}), 2, {"--max-iter", "0"});
}

TEST_F(CliUsage, TwoCharacterDelimiter) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--delimiter", "::"}), 2, {"--delimiter", "'::'"});
}

TEST_F(CliUsage, QuoteAsDelimiter) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--delimiter", "\""}), 2, {"--delimiter"});
}

TEST_F(CliUsage, OptionGivenTwice) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--scheme", "path", "--scheme", "centroid"}), 2, {"--scheme"});
}

// A stray word (a typo, or a second file name meant for an option) must not be silently ignored.
TEST_F(CliUsage, StrayPositionalArgument) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"stray-word"}), 2, {"stray-word"});
}

TEST_F(CliUsage, OutIsADirectory) {
    fs::create_directories(dir_ / "results");
    const RunResult r =
        run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out", "results"});
    expect_clean_failure(r, 1, {"results", "directory"});
    EXPECT_TRUE(fs::is_directory(dir_ / "results"));
    EXPECT_TRUE(fs::is_empty(dir_ / "results"));
    for (const auto& name : listing(dir_)) EXPECT_THAT(name, Not(HasSubstr("tmp"))) << "temporary file left behind";
}

TEST_F(CliUsage, OutInAMissingDirectory) {
    const fs::path target = dir_ / "no-such-dir" / "result.json";
    const RunResult r =
        run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out", target.string()});
    expect_clean_failure(r, 1, {target.string()});
    EXPECT_FALSE(fs::exists(dir_ / "no-such-dir"));
}

TEST_F(CliUsage, OutEqualToTheDataFileIsRefused) {
    const fs::path data = write("data.csv", read_file(ccsi_data));
    const std::string before = read_file(data);
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", "data.csv", "--out", "./data.csv"});
    expect_clean_failure(r, 2, {"--out", "data.csv"});
    EXPECT_EQ(read_file(data), before) << "the data file was changed";
    for (const auto& name : listing(dir_)) EXPECT_THAT(name, Not(HasSubstr("tmp"))) << "temporary file left behind";
}

TEST_F(CliUsage, ScoresEqualToTheDataFileIsRefused) {
    const fs::path data = write("data.csv", read_file(ccsi_data));
    const std::string before = read_file(data);
    const RunResult r = estimate(ccsi_model, data, {"--scores", data.string()});
    expect_failure(r, 2, {"--scores", "data.csv"});
    EXPECT_EQ(read_file(data), before) << "the data file was changed";
}

TEST_F(CliUsage, OutAndScoresNameTheSameFile) {
    const RunResult r = estimate(ccsi_model, ccsi_data, {"--scores", out_file().string()});
    expect_failure(r, 2, {"--out", "--scores"});
}

// Two spellings of one new file: the scores must not silently replace the JSON result.
TEST_F(CliUsage, OutAndScoresNameTheSameFileSpelledDifferently) {
    const fs::path other_spelling = out_dir_ / "." / "result.json";
    const RunResult r = estimate(ccsi_model, ccsi_data, {"--scores", other_spelling.string()});
    expect_failure(r, 2, {"--out", "--scores"});
}

TEST_F(CliUsage, OutAndScoresNameTheSameNewFileSpelledDifferently) {
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out",
                             "new.json", "--scores", "./new.json"});
    expect_clean_failure(r, 2, {"--out", "--scores"});
    EXPECT_FALSE(fs::exists(dir_ / "new.json")) << "a refused run must write nothing";
}

// When --scores cannot be written the run fails (exit 1); the --out file must then not have been
// replaced either: a failed run changes no output.
TEST_F(CliUsage, ScoresInAMissingDirectoryLeavesOutUntouched) {
    const fs::path scores = dir_ / "no-such-dir" / "scores.csv";
    const RunResult r = estimate(ccsi_model, ccsi_data, {"--scores", scores.string()});
    expect_failure(r, 1, {scores.string()});
}

TEST_F(CliUsage, SimulateZeroRespondents) {
    const RunResult r =
        run({"simulate", "--model", ccsi_population.string(), "--n", "0", "--out", out_file().string()});
    expect_failure(r, 2, {"--n", "0"});
}

TEST_F(CliUsage, SimulateBadScale) {
    const RunResult r = run({"simulate", "--model", ccsi_population.string(), "--n", "10", "--scale", "10:1", "--out",
                             out_file().string()});
    expect_failure(r, 2, {"--scale", "10:1"});
}

TEST_F(CliUsage, SimulateMissingOut) {
    const RunResult r = run({"simulate", "--model", ccsi_population.string(), "--n", "10"});
    expect_failure(r, 2, {"--out"});
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

using CliBootstrap = CliFailure;

TEST_F(CliBootstrap, OneAndTwoThreadsGiveByteIdenticalResultsAndAnotherSeedDiffers) {
    const fs::path model = fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model";
    const fs::path data = fs::path(CSIPLS_SOURCE_DIR) / "data/ccsi_example.csv";
    auto boot = [&](const std::string& threads, const std::string& seed, const std::string& out) {
        return run({"estimate", "--model", model.string(), "--data", data.string(), "--bootstrap", "300", "--threads", threads,
                    "--seed", seed, "--ci", "bca", "--out", (dir_ / out).string()});
    };
    const RunResult one = boot("1", "11", "one.json");
    const RunResult two = boot("2", "11", "two.json");
    const RunResult other = boot("2", "12", "other.json");
    ASSERT_EQ(one.exit_code, 0) << one;
    ASSERT_EQ(two.exit_code, 0) << two;
    ASSERT_EQ(other.exit_code, 0) << other;
    EXPECT_EQ(read_file(dir_ / "one.json"), read_file(dir_ / "two.json"));
    const json a = read_json(dir_ / "one.json").at("bootstrap");
    const json b = read_json(dir_ / "other.json").at("bootstrap");
    EXPECT_NE(a.at("paths"), b.at("paths"));
    EXPECT_EQ(a.at("resamples"), 300);
    EXPECT_EQ(a.at("seed"), 11);
    EXPECT_EQ(a.at("failed"), 0);
    EXPECT_EQ(a.at("ci_type"), "bca");
    EXPECT_EQ(a.at("ci_level"), 0.95);
    EXPECT_EQ(a.at("paths").size(), 11u);
    EXPECT_EQ(a.at("outer_weights").size(), 18u);
    EXPECT_EQ(a.at("r2").size(), 5u);
    for (const auto& entry : a.at("paths")) {
        for (const char* key : {"from", "to", "estimate", "boot_mean", "bias", "se", "t", "p", "ci_lower", "ci_upper"})
            EXPECT_TRUE(entry.contains(key)) << key;
        EXPECT_NEAR(entry.at("t").get<double>(), entry.at("estimate").get<double>() / entry.at("se").get<double>(), 1e-12);
        EXPECT_LT(entry.at("ci_lower").get<double>(), entry.at("ci_upper").get<double>());
    }
}

TEST_F(CliBootstrap, SummaryTableAndSavedDraws) {
    const RunResult r = run({"estimate", "--model", (fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model").string(), "--data",
                             (fs::path(CSIPLS_SOURCE_DIR) / "data/ccsi_example.csv").string(), "--bootstrap", "50",
                             "--save-draws", (dir_ / "draws.csv").string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("Bootstrap: 50 resamples (0 failed)"));
    EXPECT_THAT(r.out, HasSubstr("顾客忠诚 ~ 顾客满意"));
    EXPECT_THAT(r.out, HasSubstr("***"));
    EXPECT_TRUE(r.err.empty()) << "no progress bar when stderr is not a terminal" << r;
    const auto lines = split(read_file(dir_ / "draws.csv"), '\n');
    ASSERT_GE(lines.size(), 51u);
    EXPECT_THAT(lines[0], testing::StartsWith("replicate,预期质量 ~ 品牌形象,"));
    EXPECT_THAT(lines[1], testing::StartsWith("0,"));
    EXPECT_THAT(lines[50], testing::StartsWith("49,"));
}

TEST_F(CliBootstrap, CtrlCStopsCleanlyWithoutWriting) {
    const RunResult r = run({"estimate", "--model", (fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model").string(), "--data",
                             (fs::path(CSIPLS_SOURCE_DIR) / "data/ccsi_example.csv").string(), "--bootstrap", "1000000",
                             "--out", out_file().string()},
                            {}, 400);
    expect_failure(r, 130, {"interrupted; nothing was written"});
}

TEST_F(CliBootstrap, BadBootstrapOptions) {
    const fs::path model = fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model";
    const fs::path data = fs::path(CSIPLS_SOURCE_DIR) / "data/ccsi_example.csv";
    expect_failure(estimate(model, data, {"--bootstrap", "-5"}), 2, {"--bootstrap"});
    expect_failure(estimate(model, data, {"--bootstrap", "10", "--ci", "normal"}), 2, {"--ci", "normal"});
    expect_failure(estimate(model, data, {"--bootstrap", "10", "--ci-level", "1.5"}), 2, {"--ci-level"});
    expect_failure(estimate(model, data, {"--bootstrap", "10", "--sign-change", "flip"}), 2, {"--sign-change", "flip"});
    expect_failure(estimate(model, data, {"--bootstrap", "10", "--seed", "-1"}), 2, {"--seed", "-1"});
    expect_failure(estimate(model, data, {"--bootstrap", "10", "--threads", "-2"}), 2, {"--threads"});
    expect_failure(estimate(model, data, {"--save-draws", (dir_ / "d.csv").string()}), 2, {"--save-draws needs --bootstrap"});
}

TEST_F(CliBootstrap, ConsistentBootstrapAndFitTestAreThreadIndependent) {
    const fs::path model = fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model";
    const fs::path data = fs::path(CSIPLS_SOURCE_DIR) / "data/ccsi_example.csv";
    auto boot = [&](const std::string& threads, const std::string& out) {
        return run({"estimate", "--model", model.string(), "--data", data.string(), "--consistent", "--bootstrap", "100",
                    "--fit-test", "99", "--threads", threads, "--scale", "1:10", "--out", (dir_ / out).string()});
    };
    const RunResult one = boot("1", "one.json");
    const RunResult two = boot("2", "two.json");
    ASSERT_EQ(one.exit_code, 0) << one;
    ASSERT_EQ(two.exit_code, 0) << two;
    EXPECT_EQ(read_file(dir_ / "one.json"), read_file(dir_ / "two.json"));
    const json result = read_json(dir_ / "one.json");
    EXPECT_EQ(result.at("settings").at("consistent"), true);
    const json& fit = result.at("fit_test");
    EXPECT_EQ(fit.at("resamples"), 99);
    for (const char* measure : {"srmr", "d_uls", "d_g"}) {
        EXPECT_LT(fit.at(measure).at("quantile_95").get<double>(), fit.at(measure).at("quantile_99").get<double>());
        EXPECT_GE(fit.at(measure).at("p").get<double>(), 0.0);
        EXPECT_LE(fit.at(measure).at("p").get<double>(), 1.0);
    }
    // The example data were drawn from this model: its exact fit is not rejected.
    EXPECT_FALSE(fit.at("srmr").at("exceeds_95").get<bool>());
    EXPECT_EQ(result.at("bootstrap").at("csi_index").size(), 6u);
}

TEST_F(CliEstimate, PredictionAndAssessmentKeys) {
    const RunResult r = run({"estimate", "--model", (fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model").string(), "--data",
                             (fs::path(CSIPLS_SOURCE_DIR) / "data/ccsi_example.csv").string(), "--predict", "--folds", "5",
                             "--repetitions", "2", "--out", (dir_ / "p.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    const json result = read_json(dir_ / "p.json");
    const json& q2 = result.at("prediction").at("q2_blindfolding");
    EXPECT_EQ(q2.at("omission_distance"), 7);
    EXPECT_EQ(q2.at("q2").size(), 5u);  // endogenous constructs
    for (const auto& [construct, value] : q2.at("q2").items()) EXPECT_GT(value.get<double>(), 0.0) << construct;
    const json& predicted = result.at("prediction").at("pls_predict");
    EXPECT_EQ(predicted.at("folds"), 5);
    EXPECT_EQ(predicted.at("indicators").size(), 15u);  // indicators of the 5 endogenous constructs
    for (const char* key : {"reliability", "htmt", "htmt2", "fit", "gof", "f2", "vif_structural", "admissibility"})
        EXPECT_TRUE(result.contains(key)) << key;
    EXPECT_TRUE(result.at("admissibility").at("admissible").get<bool>());
}

TEST_F(CliEstimate, CaseWeightTwoEqualsADuplicatedRespondent) {
    auto lines = ccsi_lines(120);
    std::vector<std::string> duplicated = lines;
    duplicated.push_back(lines[5]);
    std::vector<std::string> weighted = lines;
    weighted[0] += ",weight";
    for (std::size_t i = 1; i < weighted.size(); ++i) weighted[i] += (i == 5 ? ",2" : ",1");
    const fs::path model = fs::path(CSIPLS_SOURCE_DIR) / "models/ccsi.model";
    const RunResult a = run({"estimate", "--model", model.string(), "--data", write("dup.csv", csv_text(duplicated)).string(),
                             "--scale", "1:10", "--out", (dir_ / "a.json").string()});
    const RunResult b = run({"estimate", "--model", model.string(), "--data", write("w.csv", csv_text(weighted)).string(),
                             "--case-weights", "weight", "--scale", "1:10", "--out", (dir_ / "b.json").string()});
    ASSERT_EQ(a.exit_code, 0) << a;
    ASSERT_EQ(b.exit_code, 0) << b;
    const json ja = read_json(dir_ / "a.json"), jb = read_json(dir_ / "b.json");
    EXPECT_EQ(jb.at("settings").at("case_weights"), "weight");
    EXPECT_EQ(ja.at("n_obs"), jb.at("n_obs"));
    for (const auto& [key, value] : path_estimates(ja)) EXPECT_NEAR(value, path_estimates(jb).at(key), 1e-10);
    for (const auto& [construct, value] : ja.at("csi_index").at("values").items())
        EXPECT_NEAR(value.get<double>(), jb.at("csi_index").at("values").at(construct).get<double>(), 1e-9) << construct;
    for (const auto& [construct, value] : ja.at("r2_adj").items())
        EXPECT_NEAR(value.get<double>(), jb.at("r2_adj").at(construct).get<double>(), 1e-10) << construct;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Missing answers, SPSS files and European CSV (issue 7)

namespace {

// The CCSI example's first `rows` rows with a fixed set of cells replaced by `code` (about 3 %).
std::vector<std::string> ccsi_with_missing(std::size_t rows, const std::string& code, std::size_t* blanked = nullptr,
                                           std::size_t* incomplete_rows = nullptr) {
    auto lines = ccsi_lines(rows);
    const auto header = split(lines[0], ',');
    std::size_t cells = 0, incomplete = 0;
    for (std::size_t r = 1; r < lines.size(); ++r) {
        auto fields = split(lines[r], ',');
        bool any = false;
        for (std::size_t c = 0; c < fields.size(); ++c)
            if ((r * 31 + c * 17) % 37 == 0) fields[c] = code, ++cells, any = true;
        incomplete += any;
        lines[r] = join(fields, ",");
    }
    if (blanked) *blanked = cells;
    if (incomplete_rows) *incomplete_rows = incomplete;
    return lines;
}

ssize_t write_sav_bytes(const void* bytes, size_t length, void* file) {
    return static_cast<ssize_t>(std::fwrite(bytes, 1, length, static_cast<FILE*>(file)));
}

// A CSV table (header, numbers, empty = missing) as an SPSS file written by ReadStat; the first
// column gets value labels and 99 as a user-missing value.
void write_sav(const fs::path& path, const std::vector<std::string>& lines, bool compressed) {
    FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    readstat_writer_t* writer = readstat_writer_init();
    readstat_set_data_writer(writer, write_sav_bytes);
    if (compressed) readstat_writer_set_compression(writer, READSTAT_COMPRESS_BINARY);
    readstat_label_set_t* labels = readstat_add_label_set(writer, READSTAT_TYPE_DOUBLE, "scale");
    readstat_label_double_value(labels, 1, "very poor");
    readstat_label_double_value(labels, 10, "excellent");
    std::vector<readstat_variable_t*> variables;
    for (const auto& name : split(lines[0], ',')) {
        variables.push_back(readstat_add_variable(writer, name.c_str(), READSTAT_TYPE_DOUBLE, 0));
        if (variables.size() == 1) {
            readstat_variable_set_label_set(variables.back(), labels);
            readstat_variable_add_missing_double_value(variables.back(), 99);
        }
    }
    readstat_begin_writing_sav(writer, file, static_cast<long>(lines.size() - 1));
    for (std::size_t r = 1; r < lines.size(); ++r) {
        readstat_begin_row(writer);
        const auto fields = split(lines[r], ',');
        for (std::size_t c = 0; c < variables.size(); ++c) {
            if (fields[c].empty())
                readstat_insert_missing_value(writer, variables[c]);
            else
                readstat_insert_double_value(writer, variables[c], std::stod(fields[c]));
        }
        readstat_end_row(writer);
    }
    readstat_end_writing(writer);
    readstat_writer_free(writer);
    std::fclose(file);
}

}  // namespace

using CliMissing = CliTest;

TEST_F(CliMissing, EveryTreatmentReportsWhatWasMissing) {
    std::size_t cells = 0, incomplete = 0;
    const fs::path data = write("coded.csv", csv_text(ccsi_with_missing(120, "-99", &cells, &incomplete)));
    ASSERT_GT(cells, 20u);
    for (const std::string treatment : {"listwise", "mean", "pairwise", "em"}) {
        const fs::path out = dir_ / (treatment + ".json");
        const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--missing", "-99",
                                 "--missing-treatment", treatment, "--out", out.string()});
        ASSERT_EQ(r.exit_code, 0) << r;
        const json result = read_json(out);
        EXPECT_EQ(result["settings"]["missing_treatment"], treatment);
        EXPECT_EQ(result["settings"]["missing_codes"], json::array({-99.0}));
        EXPECT_EQ(result["missing"]["missing_values"], cells);
        EXPECT_EQ(result["missing"]["respondents"], 120);
        EXPECT_EQ(result["missing"]["complete_respondents"], 120 - incomplete);
        EXPECT_EQ(result["missing"]["respondents_used"], treatment == "listwise" ? 120 - incomplete : 120);
        std::size_t per_indicator = 0;
        for (const auto& [name, count] : result["missing"]["missing_per_indicator"].items()) per_indicator += count.get<std::size_t>();
        EXPECT_EQ(per_indicator, cells);
        if (treatment == "listwise") EXPECT_EQ(result["n_obs"], 120 - incomplete);
        if (treatment == "mean" || treatment == "em") EXPECT_EQ(result["n_obs"], 120);
        if (treatment == "em") EXPECT_GT(result["missing"]["em_iterations"], 1);
        if (treatment == "pairwise") EXPECT_LT(result["missing"]["fewest_pairs"], 120);
    }
    // Without --missing the code is an answer: --scale catches it and suggests the option.
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--scale", "1:10"});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("coded.csv: indicator 'BI1' has answers from -99 to 10, outside its scale 1:10 (if -99 means no "
                                 "answer, add --missing -99)")) << r;
}

TEST_F(CliMissing, SummaryScoresAndBootstrap) {
    const fs::path data = write("blank.csv", csv_text(ccsi_with_missing(100, "NA")));
    const RunResult summary = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--missing-treatment", "em"});
    ASSERT_EQ(summary.exit_code, 0) << summary;
    EXPECT_THAT(summary.out, HasSubstr("treatment em: 100 respondents used (EM converged in")) << summary;
    EXPECT_THAT(summary.out, HasSubstr("per indicator: BI1 ")) << summary;
    // Listwise scores leave the respondents it did not use empty; mean replacement fills them.
    for (const std::string treatment : {"listwise", "mean"}) {
        const fs::path scores = dir_ / (treatment + "-scores.csv");
        const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--missing-treatment",
                                 treatment, "--scores", scores.string(), "--out", (dir_ / "r.json").string()});
        ASSERT_EQ(r.exit_code, 0) << r;
        const auto lines = split(read_file(scores), '\n');
        ASSERT_EQ(lines.size(), 101u);
        // Rows as ccsi_with_missing blanks them: data row r misses a cell when (31r + 17c) % 37 == 0.
        for (std::size_t r = 1; r <= 100; ++r) {
            bool incomplete = false;
            for (std::size_t c = 0; c < 18; ++c) incomplete = incomplete || (r * 31 + c * 17) % 37 == 0;
            const std::string expected = incomplete && treatment == "listwise" ? "^,,,,,$" : "^[-0-9.e]+(,[-0-9.e]+){5}$";
            EXPECT_THAT(lines[r], MatchesRegex(expected)) << treatment << " row " << r;
        }
    }
    // The bootstrap resamples respondents with their missing answers: the same bytes for 1 and 2 threads.
    std::string first;
    for (const std::string threads : {"1", "2"}) {
        const fs::path out = dir_ / ("boot" + threads + ".json");
        const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--missing-treatment",
                                 "pairwise", "--bootstrap", "50", "--threads", threads, "--out", out.string()});
        ASSERT_EQ(r.exit_code, 0) << r;
        auto result = read_json(out);
        EXPECT_EQ(result["bootstrap"]["succeeded"], 50);
        if (first.empty())
            first = result["bootstrap"].dump();
        else
            EXPECT_EQ(result["bootstrap"].dump(), first);
    }
    // --fit-test and --predict run on the complete cases under listwise deletion.
    const RunResult predicted = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--predict", "--folds",
                                     "5", "--repetitions", "1", "--out", (dir_ / "p.json").string()});
    ASSERT_EQ(predicted.exit_code, 0) << predicted;
    EXPECT_TRUE(read_json(dir_ / "p.json").contains("prediction"));
}

TEST_F(CliMissing, SpssFilesGiveTheEstimatesOfTheSameCsv) {
    auto lines = ccsi_with_missing(150, "");
    const fs::path csv = write("survey.csv", csv_text(lines));
    const fs::path sav = dir_ / "survey.sav";
    const fs::path zsav = dir_ / "survey.zsav";
    write_sav(sav, lines, false);
    write_sav(zsav, lines, true);
    // A user-missing 99 in the SPSS file is missing too; in the CSV it is written as a blank already.
    json reference;
    for (const fs::path& data : {csv, sav, zsav}) {
        const fs::path out = dir_ / (data.filename().string() + ".json");
        const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--missing-treatment",
                                 "mean", "--out", out.string()});
        ASSERT_EQ(r.exit_code, 0) << r;
        const json result = read_json(out);
        if (reference.is_null()) {
            reference = result;
            continue;
        }
        EXPECT_EQ(result["paths"], reference["paths"]) << data;
        EXPECT_EQ(result["missing"], reference["missing"]) << data;
        EXPECT_EQ(result["input"]["data"]["path"], data.string());
    }
}

TEST_F(CliMissing, DecimalCommaGivesTheEstimatesOfTheSameCsv) {
    auto lines = ccsi_lines(80);
    std::string european;
    for (std::size_t r = 0; r < lines.size(); ++r) {
        auto fields = split(lines[r], ',');
        if (r > 0)
            for (auto& f : fields) f += ",25";  // 7 -> 7,25
        european += join(fields, ";") + "\n";
        if (r > 0) {
            for (auto& f : fields) f.replace(f.find(','), 1, ".");
            lines[r] = join(fields, ",");
        }
    }
    const fs::path dotted = write("dotted.csv", csv_text(lines));
    const fs::path comma = write("comma.csv", european);
    const RunResult a = run({"estimate", "--model", ccsi_model.string(), "--data", dotted.string(), "--out", (dir_ / "a.json").string()});
    const RunResult b = run({"estimate", "--model", ccsi_model.string(), "--data", comma.string(), "--decimal-comma", "--out",
                             (dir_ / "b.json").string()});
    ASSERT_EQ(a.exit_code, 0) << a;
    ASSERT_EQ(b.exit_code, 0) << b;
    EXPECT_EQ(read_json(dir_ / "a.json")["paths"], read_json(dir_ / "b.json")["paths"]);
    EXPECT_EQ(read_json(dir_ / "b.json")["settings"]["delimiter"], ";");
}

TEST_F(CliMissing, CorpRepEstimatesWithEveryTreatment) {
    const fs::path corp_rep = fs::path(CSIPLS_SHARED_DIR) / "data" / "corp_rep_data.csv";
    if (!fs::exists(corp_rep)) GTEST_SKIP() << corp_rep << " is not there: ../shared is absent";
    const fs::path model = write("corp_rep.model",
                                 "COMP =~ comp_1 + comp_2 + comp_3\nLIKE =~ like_1 + like_2 + like_3\nCUSA =~ cusa\n"
                                 "CUSL =~ cusl_1 + cusl_2 + cusl_3\nCUSA ~ COMP + LIKE\nCUSL ~ COMP + LIKE + CUSA\n");
    for (const std::string treatment : {"listwise", "mean", "pairwise", "em"}) {
        const fs::path out = dir_ / (treatment + ".json");
        const RunResult r = run({"estimate", "--model", model.string(), "--data", corp_rep.string(), "--missing", "-99",
                                 "--missing-treatment", treatment, "--bootstrap", "100", "--out", out.string()});
        ASSERT_EQ(r.exit_code, 0) << r;
        const json result = read_json(out);
        EXPECT_EQ(result["missing"]["missing_values"], 11) << treatment;
        EXPECT_EQ(result["missing"]["complete_respondents"], 336) << treatment;
        EXPECT_EQ(result["bootstrap"]["succeeded"], 100) << treatment;
    }
}

using CliBadMissing = CliFailure;

TEST_F(CliBadMissing, MissingCodeThatIsNotANumber) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--missing", "-99,abc"}), 2, {"--missing takes numbers", "-99,abc"});
}

TEST_F(CliBadMissing, UnknownTreatment) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--missing-treatment", "multiple"}), 2,
                   {"--missing-treatment must be listwise, mean, pairwise or em", "multiple"});
}

TEST_F(CliBadMissing, IndicatorWithoutAnswers) {
    auto lines = ccsi_lines(40);
    for (std::size_t r = 1; r < lines.size(); ++r) set_cell(lines, r, "PV2", "-99");
    const fs::path data = write("no-pv2.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data, {"--missing", "-99", "--missing-treatment", "em"}), 1,
                   {"no-pv2.csv", "indicator 'PV2' has 0 answer(s) (40 of 40 missing)"});
}

TEST_F(CliBadMissing, ListwiseWithoutCompleteRespondents) {
    auto lines = ccsi_lines(40);
    for (std::size_t r = 1; r < lines.size(); ++r) set_cell(lines, r, r % 2 ? "BI1" : "LOY3", "");
    const fs::path data = write("no-complete.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"no-complete.csv", "only 0 respondent(s) answered every indicator"});
}

TEST_F(CliBadMissing, PairwiseCorrelationsNotPositiveDefinite) {
    std::string text = "a1,a2,b1,b2\n";
    // a1 and a2 answered together agree, a2 and b1 agree, a1 and b1 disagree: no data set has these correlations.
    const char* rows[] = {"1,1,,", "2,2,,", "3,3,,", ",1,1,", ",2,2,", ",3,3,", "1,,3,", "2,,2,", "3,,1,",
                          "1,,,2", "2,,,3", "3,,,1", ",1,,2", ",2,,1", ",3,,3", ",,1,1", ",,2,3", ",,3,2"};
    for (const char* row : rows) text += std::string(row) + "\n";
    const fs::path data = write("inconsistent.csv", text);
    const fs::path model = write("ab.model", "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A\n");
    expect_failure(estimate(model, data, {"--missing-treatment", "pairwise"}), 1,
                   {"inconsistent.csv", "pairwise-complete correlation matrix is not positive definite"});
}

TEST_F(CliBadMissing, FitTestNeedsListwise) {
    const fs::path data = write("blank.csv", csv_text(ccsi_with_missing(60, "")));
    expect_failure(estimate(ccsi_model, data, {"--fit-test", "20", "--missing-treatment", "em"}), 2,
                   {"--fit-test needs whole respondents", "blank.csv"});
}

TEST_F(CliBadMissing, MissingCaseWeight) {
    auto lines = ccsi_lines(40);
    for (std::size_t r = 0; r < lines.size(); ++r) lines[r] += r == 0 ? ",w" : (r == 9 ? "," : ",1");
    const fs::path data = write("weights.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data, {"--case-weights", "w"}), 1,
                   {"weights.csv:10", "column 'w' (field 19)", "the case weight is missing"});
}

TEST_F(CliBadMissing, NotAvailableTextIsNotAMissingCode) {
    auto lines = ccsi_lines(40);
    set_cell(lines, 5, "EQ2", "n/a");
    const fs::path data = write("na-text.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data), 1, {"na-text.csv:6", "'EQ2'", "not a number 'n/a'"});
}

TEST_F(CliBadMissing, DecimalCommaWithDotDelimiter) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--decimal-comma", "--delimiter", "."}), 2,
                   {"--decimal-comma", "delimiter cannot be ',' or '.'"});
}

TEST_F(CliBadMissing, DotInADecimalCommaFile) {
    auto lines = ccsi_lines(40);
    set_cell(lines, 3, "PQ1", "7.5");
    for (auto& line : lines) std::replace(line.begin(), line.end(), ',', ';');
    const fs::path data = write("dot.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data, {"--decimal-comma"}), 1, {"dot.csv:4", "'PQ1'", "decimal mark is ','", "7.5"});
}

TEST_F(CliBadMissing, DecimalCommaWithoutTheOption) {
    auto lines = ccsi_lines(40);
    set_cell(lines, 7, "BI1", "7#5");
    for (auto& line : lines) std::replace(line.begin(), line.end(), ',', ';');
    for (auto& line : lines) std::replace(line.begin(), line.end(), '#', ',');
    const fs::path data = write("comma.csv", csv_text(lines));
    expect_failure(estimate(ccsi_model, data, {"--delimiter", "semicolon"}), 1, {"comma.csv:8", "'BI1'", "use --decimal-comma"});
}

TEST_F(CliBadMissing, SavThatIsText) {
    const fs::path data = write("text.sav", read_file(ccsi_data));
    expect_failure(estimate(ccsi_model, data), 1, {"text.sav", "not a readable SPSS"});
}

TEST_F(CliBadMissing, SavCutShort) {
    const fs::path whole = dir_ / "whole.sav";
    write_sav(whole, ccsi_lines(100), false);
    const std::string bytes = read_file(whole);
    const fs::path data = write("cut.sav", bytes.substr(0, bytes.size() * 2 / 3));
    expect_failure(estimate(ccsi_model, data), 1, {"cut.sav"});
}

TEST_F(CliBadMissing, SavWithoutAnIndicator) {
    auto lines = ccsi_lines(50);
    for (auto& line : lines) line = line.substr(0, line.rfind(','));  // drop LOY3
    const fs::path data = dir_ / "short.zsav";
    write_sav(data, lines, true);
    expect_failure(estimate(ccsi_model, data), 1, {"short.zsav", "variable 'LOY3' is not in the SPSS file"});
}

TEST_F(CliBadMissing, SavUserMissingLeavesTooFewAnswers) {
    auto lines = ccsi_lines(50);
    for (std::size_t r = 1; r < lines.size(); ++r) set_cell(lines, r, "BI1", r == 1 ? "3" : "99");  // 99 is user-missing
    const fs::path data = dir_ / "user-missing.sav";
    write_sav(data, lines, false);
    expect_failure(estimate(ccsi_model, data, {"--missing-treatment", "mean"}), 1,
                   {"user-missing.sav", "indicator 'BI1' has 1 answer(s) (49 of 50 missing)"});
}

// ---------------------------------------------------------------------------------------------
// Groups, index tables, answer scales in the model file, reverse-coded items

using CliGroups = CliTest;

TEST_F(CliGroups, EachGroupsIndexEqualsEstimatingItsRowsAlone) {
    const fs::path data = dir_ / "companies.csv";
    ASSERT_EQ(run({"simulate", "--model", ccsi_population.string(), "--n", "120", "--groups", "3", "--seed", "5", "--out",
                   data.string()}).exit_code, 0);
    const fs::path table_path = dir_ / "index.csv", result_path = dir_ / "result.json";
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--group", "company",
                             "--scale", "1:10", "--bootstrap", "100", "--index-table", table_path.string(), "--out",
                             result_path.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    const Table table = parse_table(read_file(table_path));
    ASSERT_EQ(table.cells.size(), 4u);  // (all) and three companies
    EXPECT_EQ(table.header.at(0), "group");
    EXPECT_EQ(table.header.at(3), ccsi_constructs[0]);
    EXPECT_EQ(table.cells[0][0], "(all)");
    EXPECT_EQ(table.cells[0][2], "360");
    EXPECT_EQ(table.cells[2][0], "C002");
    EXPECT_EQ(table.cells[2][1], "group");

    // Company C002's rows on their own give the same index.
    auto lines = split(read_file(data), '\n');
    std::vector<std::string> own = {lines[0]};
    for (const auto& line : lines)
        if (line.rfind("C002,", 0) == 0) own.push_back(line);
    ASSERT_EQ(own.size(), 121u);
    const fs::path alone_data = write("c002.csv", csv_text(own)), alone_result = dir_ / "alone.json";
    ASSERT_EQ(run({"estimate", "--model", ccsi_model.string(), "--data", alone_data.string(), "--scale", "1:10", "--out",
                   alone_result.string()}).exit_code, 0);
    const json alone = json::parse(read_file(alone_result));
    const json grouped = json::parse(read_file(result_path));
    for (std::size_t j = 0; j < ccsi_constructs.size(); ++j) {
        const double expected = alone["csi_index"]["values"][ccsi_constructs[j]].get<double>();
        EXPECT_NEAR(to_double(table.cells[2][3 + j]), expected, 1e-9) << ccsi_constructs[j];
        EXPECT_NEAR(grouped["index_table"]["rows"][2]["index"][ccsi_constructs[j]].get<double>(), expected, 1e-9);
        // CI columns bracket the index.
        EXPECT_LT(to_double(table.cells[2][3 + 6 + 3 * j + 1]), expected);
        EXPECT_GT(to_double(table.cells[2][3 + 6 + 3 * j + 2]), expected);
    }
    EXPECT_EQ(grouped["groups"]["count"], 3);
    EXPECT_EQ(grouped["groups"]["differences"].size(), 3u * (11 + 5 + 6));  // 3 pairs × (paths, R², indices)
}

TEST_F(CliGroups, AggregatesFollowTheWeightsFile) {
    const fs::path data = dir_ / "companies.csv";
    ASSERT_EQ(run({"simulate", "--model", ccsi_population.string(), "--n", "100", "--groups", "3", "--out", data.string()})
                  .exit_code, 0);
    const fs::path weights = write("weights.csv", "company,weight,industry\nC001,1,banks\nC002,3,banks\nC003,2,insurers\n");
    const fs::path result_path = dir_ / "result.json";
    const RunResult r = run({"estimate", "--model", ccsi_model.string(), "--data", data.string(), "--group", "company",
                             "--scale", "1:10", "--aggregate", weights.string(), "--out", result_path.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    const json rows = json::parse(read_file(result_path))["index_table"]["rows"];
    ASSERT_EQ(rows.size(), 1u + 3u + 3u);  // (all), companies, banks, insurers, (total)
    EXPECT_EQ(rows[4]["group"], "banks");
    EXPECT_EQ(rows[4]["level"], "industry");
    EXPECT_EQ(rows[6]["group"], "(total)");
    const std::string& satisfaction = ccsi_constructs[4];
    const double c1 = rows[1]["index"][satisfaction], c2 = rows[2]["index"][satisfaction], c3 = rows[3]["index"][satisfaction];
    EXPECT_NEAR(rows[4]["index"][satisfaction].get<double>(), (c1 + 3 * c2) / 4, 1e-10);
    EXPECT_NEAR(rows[5]["index"][satisfaction].get<double>(), c3, 1e-10);
    EXPECT_NEAR(rows[6]["index"][satisfaction].get<double>(), (c1 + 3 * c2 + 2 * c3) / 6, 1e-10);
}

TEST_F(CliGroups, ModelFileScaleAndReversedItemGiveTheOriginalEstimates) {
    // LOY3 worded negatively in the data (11 - answer); the model says so and gives the scale.
    auto lines = ccsi_lines(500);
    const auto header = split(lines[0], ',');
    const auto loy3 = static_cast<std::size_t>(std::find(header.begin(), header.end(), "LOY3") - header.begin());
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto fields = split(lines[i], ',');
        fields.at(loy3) = std::to_string(11 - std::stoi(fields.at(loy3)));
        lines[i] = join(fields, ",");
    }
    const fs::path reversed_data = write("reversed.csv", csv_text(lines));
    const fs::path model = write("ccsi-reverse.model", ccsi_model_text + "scale 1:10\nreverse LOY3  # negatively worded\n");
    const fs::path original = dir_ / "original.json", recoded = dir_ / "recoded.json";
    ASSERT_EQ(run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--scale", "1:10", "--out",
                   original.string()}).exit_code, 0);
    const RunResult r = run({"estimate", "--model", model.string(), "--data", reversed_data.string(), "--out", recoded.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    const json a = json::parse(read_file(original)), b = json::parse(read_file(recoded));
    for (const auto& [link, estimate] : path_estimates(a)) EXPECT_NEAR(path_estimates(b).at(link), estimate, 1e-12);
    for (const auto& construct : ccsi_constructs)
        EXPECT_NEAR(b["csi_index"]["values"][construct].get<double>(), a["csi_index"]["values"][construct].get<double>(), 1e-9);
}

using CliBadGroups = CliFailure;

TEST_F(CliBadGroups, GroupOptionsNeedAGroupColumn) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--pooled"}), 2, {"need --group"});
    expect_failure(estimate(ccsi_model, ccsi_data, {"--group", "company"}), 1, {"the group column 'company' is not in the header"});
    expect_failure(estimate(ccsi_model, ccsi_data, {"--group", "BI1"}), 2, {"group column 'BI1' is also an indicator"});
}

TEST_F(CliBadGroups, IndicesNeedAnAnswerScale) {
    expect_failure(estimate(ccsi_model, ccsi_data, {"--ipma", "顾客忠诚"}), 2, {"--ipma", "--scale MIN:MAX or a 'scale' statement"});
    expect_failure(estimate(ccsi_model, ccsi_data, {"--index-table", (dir_ / "t.csv").string()}), 2, {"--index-table"});
    EXPECT_FALSE(fs::exists(dir_ / "t.csv"));
    const fs::path model = write("reverse.model", ccsi_model_text + "reverse LOY3\n");
    expect_failure(estimate(model, ccsi_data), 2, {"reverse.model", "reverse-coded items are recoded on their answer scale"});
    const fs::path partial = write("partial.model", ccsi_model_text + "scale 1:10 顾客忠诚\n");
    expect_failure(estimate(partial, ccsi_data), 2, {"partial.model", "give no answer scale to BI1"});
    const fs::path unknown = write("unknown.model", ccsi_model_text + "scale 1:10 Loyalty\n");
    expect_failure(estimate(unknown, ccsi_data), 1, {"unknown.model:12", "'scale' names 'Loyalty'"});
    expect_failure(estimate(ccsi_model, ccsi_data, {"--scale", "1:10", "--ipma", "Nope"}), 2, {"--ipma: 'Nope' is not a construct"});
}

TEST_F(CliBadGroups, BadAggregationFileNamesTheLine) {
    const fs::path data = dir_ / "companies.csv";
    ASSERT_EQ(run({"simulate", "--model", ccsi_population.string(), "--n", "60", "--groups", "2", "--out", data.string()})
                  .exit_code, 0);
    const fs::path weights = write("weights.csv", "company,weight\nC001,1\nC002,heavy\n");
    expect_failure(estimate(ccsi_model, data, {"--group", "company", "--scale", "1:10", "--aggregate", weights.string()}), 1,
                   {"weights.csv:3", "column 'weight': 'heavy' is not a positive number"});
    expect_failure(estimate(ccsi_model, data, {"--group", "company", "--scale", "1:10", "--aggregate", weights.string(),
                                               "--index-table", weights.string()}),
                   2, {"--index-table", "would overwrite the input file", "weights.csv"});
    EXPECT_EQ(read_file(weights), "company,weight\nC001,1\nC002,heavy\n");
    const fs::path stranger = write("stranger.csv", "company,weight\nC001,1\nC009,1\n");
    expect_failure(estimate(ccsi_model, data, {"--group", "company", "--scale", "1:10", "--aggregate", stranger.string()}), 1,
                   {"group 'C009', which is not in the data"});
}

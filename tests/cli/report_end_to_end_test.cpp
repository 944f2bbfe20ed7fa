// End-to-end tests of `csipls report` and `csipls diagram`: the binary runs as a child process on
// the bundled CCSI example; the report is opened in headless Chromium (skipped, with a message,
// when Debian's chromium is not installed) and Graphviz checks the DOT (skipped without `dot`).
// Failure cases check the CLI's contract: exit code, one "csipls: error:" line naming the file,
// and an existing output left byte for byte as it was, with no temporary beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#ifndef CSIPLS_BINARY_DIR
#error "CSIPLS_BINARY_DIR must name the build directory (screenshots are saved there)"
#endif

#include "cli_harness.hpp"
#include "test_helpers.hpp"

namespace {

using namespace csipls::cli_test;
using csipls::testing_support::count;
using csipls::testing_support::count_regex;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;


// The first of `names` found on PATH or as an absolute path, or "".
std::string find_program(std::initializer_list<const char*> names) {
    const char* path = std::getenv("PATH");
    for (const char* name : names) {
        if (name[0] == '/' && ::access(name, X_OK) == 0) return name;
        std::stringstream dirs(path ? path : "/usr/bin:/bin");
        for (std::string dir; std::getline(dirs, dir, ':');) {
            const fs::path candidate = fs::path(dir) / name;
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        }
    }
    return "";
}

class ReportCliTest : public CliHarness {
protected:
    ReportCliTest() : CliHarness("csipls_report_e2e", 120) {}

    // Estimates the CCSI example with a bootstrap, saving the result and the draws.
    void estimate_ccsi() {
        const auto r = run({"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--scale", "1:10",
                            "--bootstrap", "100", "--threads", "2", "--out", "r.json", "--save-draws", "d.csv"});
        ASSERT_EQ(r.exit_code, 0) << r;
    }

    void expect_refused(const RunResult& r, int code, const std::string& culprit) {
        EXPECT_EQ(r.exit_code, code) << r;
        EXPECT_THAT(r.err, StartsWith("csipls: error: ")) << r;
        EXPECT_THAT(r.err, HasSubstr(culprit)) << r;
        EXPECT_EQ(count(r.err, "\n"), 1u) << r;
        EXPECT_EQ(r.out, "") << r;
    }
};

TEST_F(ReportCliTest, FromTheResultAndFromTheDataGiveTheSameBytes) {
    estimate_ccsi();
    const auto from_result = run({"report", "--result", "r.json", "--draws", "d.csv", "--out", "a.html"});
    ASSERT_EQ(from_result.exit_code, 0) << from_result;
    const auto from_data = run({"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--scale", "1:10",
                                "--bootstrap", "100", "--threads", "1", "--out", "b.html"});
    ASSERT_EQ(from_data.exit_code, 0) << from_data;
    const std::string html = read_file(dir_ / "a.html");
    EXPECT_EQ(html, read_file(dir_ / "b.html"));
    EXPECT_EQ(count(html, "class=\"construct\""), 6u);
    EXPECT_EQ(count_regex(html, "<g class=\"path[ \"]"), 11u);
    EXPECT_EQ(count(html, "class=\"chart histogram\""), 11u);
    EXPECT_THAT(html, HasSubstr("顾客满意"));
    EXPECT_THAT(html, HasSubstr("xxh64 <code>23bc262027296bdf</code>"));  // the data file's hash
    EXPECT_THAT(html, HasSubstr("<section id=\"indices\">"));
    EXPECT_THAT(html, Not(HasSubstr("<script")));
    // Nothing from the network: the only URLs are the SVG namespace names.
    EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

TEST_F(ReportCliTest, MalformedResultIsRefusedAndTheOutputKept) {
    write("bad.json", "{\"engine\": {\"name\": \"csipls\"},\n \"paths\": [1, 2,\n");
    write("report.html", "keep me");
    expect_refused(run({"report", "--result", "bad.json", "--out", "report.html"}), 1, "bad.json: not valid JSON");
    EXPECT_EQ(read_file(dir_ / "report.html"), "keep me");
    EXPECT_EQ(files(), (std::vector<std::string>{"bad.json", "report.html"}));  // no temporary left
}

TEST_F(ReportCliTest, ResultWithoutRequiredKeysNamesTheKey) {
    write("r.json", "{\"engine\": {\"name\": \"csipls\"}, \"outer_weights\": {}, \"loadings\": {}}");
    write("report.html", "keep me");
    expect_refused(run({"report", "--result", "r.json", "--out", "report.html"}), 1, "r.json: not a csipls result: 'paths'");
    EXPECT_EQ(read_file(dir_ / "report.html"), "keep me");
    write("r.json", "{\"engine\": 1, \"paths\": 2}");
    expect_refused(run({"report", "--result", "r.json", "--out", "report.html"}), 1, "r.json: not a csipls result: 'engine'");
    EXPECT_EQ(read_file(dir_ / "report.html"), "keep me");
}

TEST_F(ReportCliTest, DrawsOfAnotherRunAreRefused) {
    estimate_ccsi();
    write("short.csv", read_file(dir_ / "d.csv").substr(0, read_file(dir_ / "d.csv").find('\n') + 1));  // header only
    expect_refused(run({"report", "--result", "r.json", "--draws", "short.csv", "--out", "x.html"}), 1,
                   "short.csv: 0 replicates, but the bootstrap of r.json has 100");
    EXPECT_FALSE(fs::exists(dir_ / "x.html"));
}

TEST_F(ReportCliTest, ControlChartNeedsPerPeriodIndices) {
    estimate_ccsi();  // no groups: the index table has the (all) row only
    expect_refused(run({"report", "--result", "r.json", "--period", "quarter", "--out", "x.html"}), 1,
                   "r.json: no control chart: the result's 'index_table' has no row per period");
    EXPECT_FALSE(fs::exists(dir_ / "x.html"));
}

TEST_F(ReportCliTest, ControlChartOfFourQuarters) {
    // The CCSI example cut into four quarters of 125 respondents.
    std::stringstream lines(read_file(ccsi_data));
    std::string data, line;
    for (int row = -1; std::getline(lines, line); ++row)
        if (!line.empty()) data += line + "," + (row < 0 ? "quarter" : "2024Q" + std::to_string(row / 125 + 1)) + "\n";
    write("quarters.csv", data);
    const auto r = run({"report", "--model", ccsi_model.string(), "--data", "quarters.csv", "--scale", "1:10",
                        "--bootstrap", "60", "--threads", "2", "--period", "quarter", "--out", "q.html"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const std::string html = read_file(dir_ / "q.html");
    EXPECT_THAT(html, HasSubstr("<section id=\"control\">"));
    EXPECT_THAT(html, HasSubstr("per period of <code>quarter</code>"));
    EXPECT_EQ(count(html, "<circle class=\"in-control\"") + count(html, "<circle class=\"out-of-control\""), 4u);
    EXPECT_THAT(html, HasSubstr("se being that period&#39;s bootstrap standard error"));
    for (const char* quarter : {"2024Q1", "2024Q2", "2024Q3", "2024Q4"}) EXPECT_THAT(html, HasSubstr(quarter));
    // The same result saved and reported later gives the same page.
    const auto saved = run({"estimate", "--model", ccsi_model.string(), "--data", "quarters.csv", "--scale", "1:10",
                            "--bootstrap", "60", "--group", "quarter", "--out", "q.json", "--save-draws", "qd.csv"});
    ASSERT_EQ(saved.exit_code, 0) << saved;
    const auto later = run({"report", "--result", "q.json", "--draws", "qd.csv", "--period", "quarter", "--out", "q2.html"});
    ASSERT_EQ(later.exit_code, 0) << later;
    EXPECT_EQ(read_file(dir_ / "q2.html"), html);
}

TEST_F(ReportCliTest, GroupsComparedFromAGroupEstimate) {
    // The report tests' group fixture data: two groups of 120 in the column 'gender'.
    const fs::path fixture = source_dir / "tests" / "fixtures" / "report_groups";
    const auto r = run({"estimate", "--model", (fixture / "groups.model").string(), "--data", (fixture / "groups.csv").string(),
                        "--scale", "1:10", "--group", "gender", "--bootstrap", "40", "--threads", "2", "--out", "g.json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const auto report = run({"report", "--result", "g.json", "--out", "g.html"});
    ASSERT_EQ(report.exit_code, 0) << report;
    const std::string html = read_file(dir_ / "g.html");
    EXPECT_THAT(html, HasSubstr("<section id=\"groups\">"));
    EXPECT_THAT(html, HasSubstr("Groups of the column <code>gender</code>: 2 groups"));
    EXPECT_EQ(count(html, "<table class=\"numbers by-column group-table\">"), 3u);  // paths, R², indices
    EXPECT_EQ(count(html, "<th>female<br><span class=\"ci\">n = 120</span></th>"), 3u);
    EXPECT_THAT(html, HasSubstr("<tr><td>Image → Loyalty</td>"));
    EXPECT_THAT(html, HasSubstr("each group&#39;s from its own bootstrap"));
}

TEST_F(ReportCliTest, UsageErrors) {
    expect_refused(run({"report", "--result", "r.json", "--model", "m", "--out", "x.html"}), 2, "exclude each other");
    expect_refused(run({"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--draws", "d.csv",
                        "--out", "x.html"}),
                   2, "--draws goes with --result");
    expect_refused(run({"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--out",
                        ccsi_data.string()}),
                   2, "would overwrite the input file");
    expect_refused(run({"diagram", "--model", ccsi_model.string()}), 2, "diagram needs --svg FILE, --dot FILE or both");
    const auto help = run({"report", "--help"});
    EXPECT_EQ(help.exit_code, 0) << help;
    EXPECT_THAT(help.out, HasSubstr("--result"));
    EXPECT_THAT(help.out, HasSubstr("--bootstrap"));
}

// The page's visible text: the style sheet, then every tag (with its attributes) removed.
std::string visible_text(std::string html) {
    html = std::regex_replace(html, std::regex("<style>[^]*?</style>"), " ");
    return std::regex_replace(html, std::regex("<[^>]*>"), " ");
}

TEST_F(ReportCliTest, ChineseReportOfEcsiOnMobi) {
    const fs::path mobi = fs::path(CSIPLS_SHARED_DIR) / "data" / "mobi.csv";
    if (!fs::exists(mobi)) GTEST_SKIP() << mobi.string() << " is not present: the Chinese report is not checked";
    const auto estimated = run({"estimate", "--model", (source_dir / "models" / "ecsi.model").string(), "--data", mobi.string(), "--scale", "1:10",
                                "--bootstrap", "30", "--threads", "2", "--out", "r.json", "--save-draws", "d.csv"});
    ASSERT_EQ(estimated.exit_code, 0) << estimated;
    const auto zh = run({"report", "--result", "r.json", "--draws", "d.csv", "--lang", "zh", "--out", "zh.html"});
    ASSERT_EQ(zh.exit_code, 0) << zh;
    const auto en = run({"report", "--result", "r.json", "--draws", "d.csv", "--out", "en.html"});
    ASSERT_EQ(en.exit_code, 0) << en;
    const auto en_named = run({"report", "--result", "r.json", "--draws", "d.csv", "--lang", "en", "--out", "en2.html"});
    ASSERT_EQ(en_named.exit_code, 0) << en_named;
    EXPECT_EQ(read_file(dir_ / "en2.html"), read_file(dir_ / "en.html"));

    const std::string html = read_file(dir_ / "zh.html");
    EXPECT_THAT(html, HasSubstr("<html lang=\"zh\">"));
    EXPECT_THAT(read_file(dir_ / "en.html"), HasSubstr("<html lang=\"en\">"));
    for (const char* title : {"路径图", "结构模型", "中介：特定间接效应", "顾客满意度指数（0-100）", "测量模型", "信度与收敛效度",
                              "判别效度", "共线性（VIF）", "模型拟合与可采纳性", "路径的自助法分布", "运行与可复现性"})
        EXPECT_THAT(html, HasSubstr(std::string("<h2>") + title + "</h2>")) << title;
    for (const char* header : {"<th>自</th>", "<th>至</th>", "<th>估计值</th>", "<th>构念</th>", "<th>指标</th>", "<th>载荷</th>",
                               "<th>外部权重</th>", "<th>路线</th>", "<th>调整 R²</th>", "<th>受访者</th>", "<th>重抽样次数</th>"})
        EXPECT_THAT(html, HasSubstr(header)) << header;
    EXPECT_THAT(html, HasSubstr("<td>反映型</td>"));
    EXPECT_THAT(html, HasSubstr(">30 次抽样</text>"));  // the histograms' captions
    // The model's names are never translated.
    for (const char* name : {"Satisfaction", "Loyalty", "IMAG1", "CUSL3"}) EXPECT_THAT(html, HasSubstr(name)) << name;

    // The settings tables print the result's own keys and values (JSON, in English) and are left out.
    std::string text = visible_text(html);
    text.erase(text.find("设置"));
    for (const char* english : {"Path diagram", "Structural model", "Customer satisfaction", "Mediation", "Route", "Measurement model",
                                "Reliability", "Discriminant validity", "Collinearity", "Model fit", "Bootstrap", "Estimate",
                                "Construct", "Indicator", "Loading", "Outer weight", "reflective", "Brackets", "Marked",
                                "Thresholds", "Diagonal", "Heterotrait", "Respondents", "Estimated by", "Rendered by", "commit",
                                "converged", "iterations", "draws", "Solid line", "Explained variance", "Adjusted", "Admissibility",
                                "admissible", "constructs", "paths", "respondents", "Indices", "Index of", "study report", "Dependent",
                                "Predictor", "Model", "estimated", "saturated", "cut-off", "interval", "below", "above", "Group",
                                "with their", "Each route", "complementary", "indirect_only", "direct_only"}) {
        const auto at = text.find(english);
        EXPECT_EQ(at, std::string::npos) << english << " in: " << text.substr(at < 100 ? 0 : at - 100, 200);
    }
}

TEST_F(ReportCliTest, UnknownLanguageIsRefused) {
    expect_refused(run({"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--lang", "fr", "--out",
                        "x.html"}),
                   2, "en or zh");
    EXPECT_EQ(files(), std::vector<std::string>{});
}

TEST_F(ReportCliTest, DiagramOfTheStructureAlone) {
    const auto r = run({"diagram", "--model", ccsi_model.string(), "--svg", "ccsi.svg", "--dot", "ccsi.dot"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const std::string svg = read_file(dir_ / "ccsi.svg");
    EXPECT_THAT(svg, StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    EXPECT_EQ(count(svg, "class=\"construct\""), 6u);
    EXPECT_EQ(count_regex(svg, "<g class=\"path[ \"]"), 11u);
    EXPECT_EQ(count(svg, "R² ="), 0u);  // no data, no estimates
    const std::string dot = read_file(dir_ / "ccsi.dot");
    EXPECT_EQ(count(dot, "shape=ellipse"), 6u);
    EXPECT_EQ(count(dot, "shape=box"), 18u);
    EXPECT_EQ(count_regex(dot, "\"c:[^\"]+\" -> \"c:[^\"]+\" \\[penwidth"), 11u);
}

TEST_F(ReportCliTest, BadLayoutLineIsRefusedNamingFileAndLine) {
    write("bad.model", "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A\nlayout A | Loyalty\n");
    const auto r = run({"diagram", "--model", "bad.model", "--svg", "d.svg"});
    expect_refused(r, 1, "bad.model:4: 'layout' names 'Loyalty', which is not a construct of the model");
    EXPECT_EQ(files(), (std::vector<std::string>{"bad.model"}));
}

TEST_F(ReportCliTest, DiagramWithEstimates) {
    const auto r = run({"diagram", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--bootstrap", "50",
                        "--svg", "ccsi.svg"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const std::string svg = read_file(dir_ / "ccsi.svg");
    EXPECT_EQ(count(svg, "R² = "), 5u);
    EXPECT_THAT(svg, HasSubstr(">0.380***</text>"));  // 品牌形象 -> 预期质量 (0.3798)
    EXPECT_EQ(files(), (std::vector<std::string>{"ccsi.svg"}));
}

TEST_F(ReportCliTest, DotIsValidGraphviz) {
    const std::string dot = find_program({"dot"});
    if (dot.empty()) GTEST_SKIP() << "Graphviz 'dot' is not installed (Debian package graphviz): DOT not checked by Graphviz";
    const auto r = run({"diagram", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--dot", "ccsi.dot"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const auto rendered = run_program(dot, {"-Tsvg", "ccsi.dot", "-o", "ccsi.svg"});
    EXPECT_EQ(rendered.exit_code, 0) << rendered;
    EXPECT_EQ(rendered.err, "") << rendered;
    EXPECT_THAT(read_file(dir_ / "ccsi.svg"), HasSubstr("顾客满意"));
}

// --- headless Chromium -------------------------------------------------------------------------

class ReportBrowserTest : public ReportCliTest {
protected:
    void SetUp() override {
        ReportCliTest::SetUp();
        chromium_ = find_program({"chromium", "chromium-browser", "google-chrome"});
        if (chromium_.empty())
            GTEST_SKIP() << "headless Chromium is not installed (Debian package chromium; .ci/install-deps installs it): "
                            "the report is not checked in a browser";
    }

    // Chromium's flags for a run that needs no display, no sandbox (root in CI containers) and no
    // shared profile (tests run in parallel).
    std::vector<std::string> browser_flags() const {
        return {"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                "--user-data-dir=" + (dir_ / "profile").string()};
    }

    // Loads the page: the DOM after load, and the page's console messages (Chromium logs each as
    // an INFO:CONSOLE line with --enable-logging=stderr).
    std::pair<std::string, std::vector<std::string>> load(const fs::path& page) {
        auto flags = browser_flags();
        flags.insert(flags.end(), {"--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + page.string()});
        const auto r = run_program(chromium_, flags);
        EXPECT_EQ(r.exit_code, 0) << r;
        std::vector<std::string> console;
        std::stringstream lines(r.err);
        for (std::string line; std::getline(lines, line);)
            if (line.find(":CONSOLE") != std::string::npos) console.push_back(line);
        return {r.out, console};
    }

    void screenshot(const fs::path& page, const fs::path& png, const std::string& size) {
        fs::remove(png);
        auto flags = browser_flags();
        flags.insert(flags.end(), {"--window-size=" + size, "--screenshot=" + png.string(), "file://" + page.string()});
        const auto r = run_program(chromium_, flags);
        EXPECT_EQ(r.exit_code, 0) << r;
        const std::string bytes = read_file(png);
        EXPECT_GT(bytes.size(), 10000u) << png;
        EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << png;
    }

    std::string chromium_;
};

TEST_F(ReportBrowserTest, CcsiReportLoadsWithoutConsoleErrors) {
    estimate_ccsi();
    const auto r = run({"report", "--result", "r.json", "--draws", "d.csv", "--out", "report.html"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const auto [dom, console] = load(dir_ / "report.html");
    EXPECT_TRUE(console.empty()) << "console messages:\n" << testing::PrintToString(console);
    EXPECT_EQ(count(dom, "class=\"construct\""), 6u);
    EXPECT_EQ(count_regex(dom, "<g class=\"path[ \"]"), 11u);
    EXPECT_THAT(dom, HasSubstr("</html>"));
}

// The screenshots shown in the README: written to <build>/docs-screenshots/, never into the source
// tree (docs/screenshots/refresh.sh copies them there). Paths are relative to the repository, as
// a user would type them, so the report's title names no temporary folder.
TEST_F(ReportBrowserTest, ScreenshotsOfTheCcsiAndEcsiReports) {
    const fs::path mobi = fs::path(CSIPLS_SHARED_DIR) / "data" / "mobi.csv";
    struct Shot {
        std::string name;
        std::vector<std::string> args;
    };
    std::vector<Shot> shots = {{"report-ccsi", {"--model", "models/ccsi.model", "--data", "data/ccsi_example.csv", "--scale", "1:10"}}};
    if (fs::exists(mobi))
        shots.push_back({"report-ecsi-mobi", {"--model", "models/ecsi.model", "--data", fs::relative(mobi, source_dir).string(), "--scale", "1:10"}});
    else
        std::cerr << mobi.string() << " is not present: no ECSI screenshot\n";
    const fs::path out = fs::path(CSIPLS_BINARY_DIR) / "docs-screenshots";
    fs::create_directories(out);
    for (const auto& shot : shots) {
        SCOPED_TRACE(shot.name);
        std::vector<std::string> args = {"report"};
        args.insert(args.end(), shot.args.begin(), shot.args.end());
        args.insert(args.end(), {"--bootstrap", "100", "--threads", "2", "--out", (dir_ / (shot.name + ".html")).string()});
        const auto r = run(args, source_dir);
        ASSERT_EQ(r.exit_code, 0) << r;
        screenshot(dir_ / (shot.name + ".html"), out / (shot.name + ".png"), "1100,1350");
    }
}

TEST_F(ReportBrowserTest, TwentyConstructReportLoads) {
    // 20 constructs in 5 layers, each fed by two of the layer before, plus paths that skip layers.
    std::string model;
    for (int c = 0; c < 20; ++c)
        model += "F" + std::to_string(c) + " =~ " + "x" + std::to_string(c) + "a + x" + std::to_string(c) + "b + x" +
                 std::to_string(c) + "c\n";
    int paths = 0;
    for (int layer = 1; layer < 5; ++layer)
        for (int k = 0; k < 4; ++k) {
            model += "F" + std::to_string(4 * layer + k) + " ~ F" + std::to_string(4 * (layer - 1) + k) + " + F" +
                     std::to_string(4 * (layer - 1) + (k + 1) % 4) + "\n";
            paths += 2;
        }
    model += "F19 ~ F2\nF14 ~ F1\nF9 ~ F0\n";
    paths += 3;
    write("m20.model", model);
    const auto simulated = run({"simulate", "--model", "m20.model", "--n", "400", "--out", "d20.csv"});
    ASSERT_EQ(simulated.exit_code, 0) << simulated;
    const auto r = run({"report", "--model", "m20.model", "--data", "d20.csv", "--scale", "1:10", "--bootstrap", "30",
                        "--threads", "2", "--out", "r20.html"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const auto [dom, console] = load(dir_ / "r20.html");
    EXPECT_TRUE(console.empty()) << "console messages:\n" << testing::PrintToString(console);
    EXPECT_EQ(count(dom, "class=\"construct\""), 20u);
    EXPECT_EQ(count_regex(dom, "<g class=\"path[ \"]"), static_cast<std::size_t>(paths));
    fs::create_directories(fs::path(CSIPLS_BINARY_DIR) / "docs-screenshots");
    screenshot(dir_ / "r20.html", fs::path(CSIPLS_BINARY_DIR) / "docs-screenshots" / "report-20-constructs.png", "1100,1100");
}

}  // namespace

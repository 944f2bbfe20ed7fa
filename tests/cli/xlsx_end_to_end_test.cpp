// `--xlsx` of `csipls estimate` and `csipls report` end to end: the workbook of a grouped bootstrap
// run is read back by openpyxl (tests/xlsx/read_back.py), an independent reader, and every cell
// compared with the JSON result; the same inputs give the same bytes by every route (estimate,
// report --result, report --model/--data); an unwritable path fails cleanly with nothing written.
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using testing::HasSubstr;

// Every python3 on PATH, then Debian's (the harness runs programs by path, without a shell): the
// first may be a virtual environment's or pyenv's without openpyxl while /usr/bin/python3 has it.
std::vector<std::string> python_interpreters() {
    std::vector<std::string> found;
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    std::string dir;
    const auto add = [&](const fs::path& candidate) {
        if (::access(candidate.c_str(), X_OK) == 0 &&
            std::find(found.begin(), found.end(), candidate.string()) == found.end())
            found.push_back(candidate.string());
    };
    while (std::getline(dirs, dir, ':')) add(fs::path(dir.empty() ? "." : dir) / "python3");
    add("/usr/bin/python3");
    return found;
}

class XlsxCli : public CliHarness {
protected:
    XlsxCli() : CliHarness("csipls_xlsx_e2e", 300) {}

    void simulate() {
        ASSERT_EQ(run({"simulate", "--model", ccsi_population.string(), "--n", "120", "--groups", "3", "--seed", "21", "--out",
                       "companies.csv"})
                      .exit_code,
                  0);
    }
    // `full`: every table the workbook has; else a quick plain estimate.
    std::vector<std::string> options(bool full = true) const {
        std::vector<std::string> args{"--model", ccsi_model.string(), "--data", "companies.csv", "--scale", "1:10"};
        if (full)
            args.insert(args.end(), {"--bootstrap", "50", "--group", "company", "--permutations", "20", "--micom", "--mga", "all"});
        return args;
    }
    std::vector<std::string> estimate(std::vector<std::string> outputs, bool full = true) const {
        std::vector<std::string> args{"estimate"};
        const auto o = options(full);
        args.insert(args.end(), o.begin(), o.end());
        args.insert(args.end(), outputs.begin(), outputs.end());
        return args;
    }
};

TEST_F(XlsxCli, WorkbookEqualsTheJsonCellForCellAndIsReproducible) {
    simulate();
    const RunResult r = run(estimate({"--xlsx", "out.xlsx", "--out", "out.json"}));
    ASSERT_EQ(r.exit_code, 0) << r;

    // Every route to a workbook of these inputs gives the same bytes.
    const RunResult again = run(estimate({"--xlsx", "again.xlsx"}));
    ASSERT_EQ(again.exit_code, 0) << again;
    const std::string bytes = read_file(dir_ / "out.xlsx");
    EXPECT_EQ(read_file(dir_ / "again.xlsx"), bytes) << "two runs of the same inputs must give the same bytes";
    const RunResult from_result = run({"report", "--result", "out.json", "--xlsx", "report.xlsx"});
    ASSERT_EQ(from_result.exit_code, 0) << from_result;
    EXPECT_EQ(read_file(dir_ / "report.xlsx"), bytes) << "report --result renders the same workbook";
    std::vector<std::string> report_args{"report"};
    const auto o = options();
    report_args.insert(report_args.end(), o.begin(), o.end());
    report_args.insert(report_args.end(), {"--xlsx", "estimated.xlsx", "--out", "estimated.html"});
    const RunResult from_data = run(report_args);
    ASSERT_EQ(from_data.exit_code, 0) << from_data;
    EXPECT_EQ(read_file(dir_ / "estimated.xlsx"), bytes) << "report --model/--data renders the same workbook";
    EXPECT_EQ(files(), (std::vector<std::string>{"again.xlsx", "companies.csv", "estimated.html", "estimated.xlsx", "out.json",
                                                 "out.xlsx", "report.xlsx"}))
        << "no temporary left behind";

    const fs::path script = source_dir / "tests" / "xlsx" / "read_back.py";
    RunResult back;
    back.exit_code = 77;
    back.err = "python3 not found";
    std::string interpreter;
    for (const auto& python : python_interpreters()) {
        interpreter = python;
        back = run_program(python, {script.string(), "out.xlsx", "out.json", "--sheets",
                                    "Paths,Outer weights,Loadings,R2,Reliability,HTMT,Fit,Indices,Index table,"
                                    "Groups,Group differences,MICOM,MGA,Specific indirect effects,Settings"});
        if (back.exit_code != 77) break;  // 77: this interpreter has no openpyxl
    }
    if (back.exit_code == 77)
        GTEST_SKIP() << "the workbook is not read back (install python3-openpyxl): " << back.err;
    EXPECT_EQ(back.exit_code, 0) << back;
    EXPECT_THAT(back.out, HasSubstr("numbers equal to the JSON's")) << back;

    // The comparison is exact: a path one double away from the workbook's is a difference.
    nlohmann::ordered_json nudged = nlohmann::ordered_json::parse(read_file(dir_ / "out.json"));
    const double estimate = nudged["paths"][0]["estimate"].get<double>();
    nudged["paths"][0]["estimate"] = std::nextafter(estimate, 2.0);
    write_file(dir_ / "nudged.json", nudged.dump(2));
    const RunResult differs = run_program(interpreter, {script.string(), "out.xlsx", "nudged.json"});
    EXPECT_EQ(differs.exit_code, 1) << differs;
    EXPECT_THAT(differs.err, HasSubstr("Paths!C2")) << differs;
}

TEST_F(XlsxCli, UnwritablePathFailsCleanlyAndNothingIsWritten) {
    simulate();
    const std::string no_dir = (dir_ / "no-such-dir" / "out.xlsx").string();
    const RunResult r = run(estimate({"--xlsx", no_dir, "--out", "out.json", "--index-table", "index.csv"}, false));
    expect_clean_failure(r, 1, {no_dir});
    EXPECT_EQ(files(), std::vector<std::string>{"companies.csv"}) << "the other outputs are not written either";

    write_file(dir_ / "report.html", "old page");
    const RunResult report = run({"report", "--model", ccsi_model.string(), "--data", "companies.csv", "--out", "report.html",
                                  "--xlsx", no_dir});
    expect_clean_failure(report, 1, {no_dir});
    EXPECT_EQ(read_file(dir_ / "report.html"), "old page") << "the page is left as it was";

    fs::create_directory(dir_ / "a-directory");
    const RunResult directory = run(estimate({"--xlsx", "a-directory"}, false));
    expect_clean_failure(directory, 1, {"a-directory", "is a directory"});
    EXPECT_EQ(files(), (std::vector<std::string>{"a-directory", "companies.csv", "report.html"}));
}

TEST_F(XlsxCli, OutputsThatCollideOrReplaceAnInputAreRefused) {
    simulate();
    expect_clean_failure(run(estimate({"--xlsx", "same.file", "--out", "same.file"}, false)), 2, {"--xlsx", "same file"});
    expect_clean_failure(run(estimate({"--xlsx", "companies.csv"}, false)), 2, {"--xlsx", "would overwrite the input"});
    expect_clean_failure(run({"report", "--model", ccsi_model.string(), "--data", "companies.csv"}), 2, {"--out", "--xlsx"});
    EXPECT_EQ(files(), std::vector<std::string>{"companies.csv"});
}

}  // namespace

// End-to-end tests of `csipls report --pdf`. The real print needs headless Chromium and poppler's
// pdfinfo and pdftotext (Debian chromium, poppler-utils; skipped with a message without them). The
// failure cases need neither: a stand-in browser (a shell script named by CSIPLS_CHROMIUM) fails,
// hangs, writes a non-PDF or a PDF, so that every path of the printer is exercised anywhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <signal.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli_harness.hpp"

namespace csipls::cli_test {
namespace {

using testing::HasSubstr;
using testing::Not;

std::size_t testing_count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// The first of `names` found on PATH, or "".
std::string program_on_path(std::initializer_list<const char*> names) {
    const char* path = std::getenv("PATH");
    for (const char* name : names) {
        std::stringstream dirs(path ? path : "/usr/bin:/bin");
        for (std::string dir; std::getline(dirs, dir, ':');) {
            const fs::path candidate = fs::path(dir) / name;
            if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        }
    }
    return "";
}

// An environment variable set (or unset) for the runs of one test; the children inherit it.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

class PdfCliTest : public CliHarness {
protected:
    PdfCliTest() : CliHarness("csipls_pdf_e2e", 120) {}

    // The CCSI example's result; `bootstrap` 0 for none (the failure cases need no intervals).
    void estimate_ccsi(int bootstrap) {
        std::vector<std::string> args{"estimate", "--model", ccsi_model.string(), "--data", ccsi_data.string(),
                                      "--scale", "1:10", "--threads", "2", "--out", "r.json"};
        if (bootstrap > 0) args.insert(args.end(), {"--bootstrap", std::to_string(bootstrap)});
        const auto r = run(args);
        ASSERT_EQ(r.exit_code, 0) << r;
    }

    // A stand-in browser: a shell script given the browser's arguments.
    std::string fake_browser(const std::string& name, const std::string& body) {
        const fs::path path = write(name, "#!/bin/sh\n" + body);
        fs::permissions(path, fs::perms::owner_all);
        return path.string();
    }

    // Writes `contents` where --print-to-pdf= says.
    std::string browser_writing(const std::string& contents) {
        return fake_browser("writes.sh", "for a in \"$@\"; do case \"$a\" in --print-to-pdf=*) printf '" + contents +
                                             "' > \"${a#--print-to-pdf=}\";; esac; done\n");
    }
};

TEST_F(PdfCliTest, MissingBrowserFailsCleanlyAndWritesNothing) {
    write("report.html", "keep me");
    const std::vector<std::string> args{"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(),
                                        "--scale", "1:10", "--out", "report.html", "--xlsx", "b.xlsx", "--pdf", "r.pdf"};
    {
        const ScopedEnv chosen("CSIPLS_CHROMIUM", "/nonexistent/chromium");
        expect_clean_failure(run(args), 1, {"CSIPLS_CHROMIUM names /nonexistent/chromium", "not an executable file"});
    }
    {
        const ScopedEnv chosen("CSIPLS_CHROMIUM", std::nullopt);
        fs::create_directory(dir_ / "empty");
        const ScopedEnv path("PATH", (dir_ / "empty").string());
        expect_clean_failure(run(args), 1, {"--pdf needs headless Chromium", "chromium", "CSIPLS_CHROMIUM"});
    }
    EXPECT_EQ(read_file(dir_ / "report.html"), "keep me");
    EXPECT_EQ(files(), (std::vector<std::string>{"empty", "report.html"}));
}

TEST_F(PdfCliTest, FailingBrowserFailsCleanlyAndWritesNothing) {
    estimate_ccsi(0);
    write("report.html", "keep me");
    const std::vector<std::string> args{"report", "--result", "r.json", "--out", "report.html", "--xlsx", "b.xlsx",
                                        "--pdf", "r.pdf"};
    {
        const ScopedEnv chosen("CSIPLS_CHROMIUM", fake_browser("fails.sh", "echo 'noise'\necho 'cannot open display' >&2\nexit 3\n"));
        expect_clean_failure(run(args), 1, {"fails.sh failed to print the report (exit status 3): cannot open display"});
    }
    {
        const ScopedEnv chosen("CSIPLS_CHROMIUM", fake_browser("silent.sh", "exit 0\n"));
        expect_clean_failure(run(args), 1, {"silent.sh exited without writing a PDF"});
    }
    {
        const ScopedEnv chosen("CSIPLS_CHROMIUM", browser_writing("<html>not a pdf</html>"));
        expect_clean_failure(run(args), 1, {"writes.sh wrote a file that is not a PDF"});
    }
    EXPECT_EQ(read_file(dir_ / "report.html"), "keep me");
    EXPECT_EQ(files(), (std::vector<std::string>{"fails.sh", "r.json", "report.html", "silent.sh", "writes.sh"}));
}

TEST_F(PdfCliTest, HangingBrowserIsStoppedAtTheTimeoutWithItsHelpers) {
    estimate_ccsi(0);
    // The browser's helper (a background sleep) is in its process group and must go with it.
    const fs::path helper = dir_ / "helper.pid";
    const ScopedEnv chosen("CSIPLS_CHROMIUM",
                           fake_browser("hangs.sh", "sleep 60 &\necho $! > '" + helper.string() + "'\nexec sleep 60\n"));
    const ScopedEnv timeout("CSIPLS_PDF_TIMEOUT", "1");
    const auto start = std::chrono::steady_clock::now();
    const auto r = run({"report", "--result", "r.json", "--pdf", "r.pdf"});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    expect_clean_failure(r, 1, {"hangs.sh did not finish printing within 1 s", "CSIPLS_PDF_TIMEOUT"});
    EXPECT_LT(seconds, 10.0);
    EXPECT_EQ(files(), (std::vector<std::string>{"hangs.sh", "helper.pid", "r.json"}));
    // Killed: gone, or a zombie until its new parent reaps it.
    const pid_t pid = std::stoi(read_file(helper));
    bool gone = false;
    for (int tries = 0; tries < 40 && !gone; ++tries) {
        std::string stat;
        try {
            stat = read_file(fs::path("/proc") / std::to_string(pid) / "stat");
        } catch (const std::exception&) {
        }
        gone = stat.empty() || stat.find(") Z") != std::string::npos;
        if (!gone) ::usleep(50000);
    }
    EXPECT_TRUE(gone) << "the browser's helper " << pid << " still runs";
    if (!gone) ::kill(pid, SIGKILL);

    const ScopedEnv bad("CSIPLS_PDF_TIMEOUT", "soon");
    expect_clean_failure(run({"report", "--result", "r.json", "--pdf", "r.pdf"}), 2, {"CSIPLS_PDF_TIMEOUT", "'soon'"});
}

TEST_F(PdfCliTest, InterruptWhilePrintingStopsTheBrowserAndWritesNothing) {
    estimate_ccsi(0);
    const ScopedEnv chosen("CSIPLS_CHROMIUM", fake_browser("hangs.sh", "exec sleep 61\n"));
    const auto start = std::chrono::steady_clock::now();
    const auto r = run({"report", "--result", "r.json", "--out", "r.html", "--pdf", "r.pdf"}, {}, 700);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
    expect_clean_failure(r, 130, {"interrupted; nothing was written"});
    EXPECT_EQ(files(), (std::vector<std::string>{"hangs.sh", "r.json"}));
}

TEST_F(PdfCliTest, UnwritablePathFailsCleanlyAndWritesNothing) {
    estimate_ccsi(0);
    write("report.html", "keep me");
    // A stand-in that prints a (tiny) PDF, so that only the path can fail.
    const ScopedEnv chosen("CSIPLS_CHROMIUM", browser_writing("%%PDF-1.4\\n%%EOF\\n"));
    const auto r = run({"report", "--result", "r.json", "--out", "report.html", "--pdf", "missing/dir/r.pdf"});
    expect_clean_failure(r, 1, {"missing/dir/r.pdf"});
    EXPECT_EQ(read_file(dir_ / "report.html"), "keep me");
    EXPECT_EQ(files(), (std::vector<std::string>{"r.json", "report.html", "writes.sh"}));
    // The same stand-in with a writable path: all three outputs, the PDF as the browser printed it.
    const auto ok = run({"report", "--result", "r.json", "--out", "report.html", "--xlsx", "b.xlsx", "--pdf", "r.pdf"});
    ASSERT_EQ(ok.exit_code, 0) << ok;
    EXPECT_EQ(read_file(dir_ / "r.pdf"), "%PDF-1.4\n%EOF\n");
    EXPECT_THAT(read_file(dir_ / "report.html"), testing::StartsWith("<!DOCTYPE html>"));
    EXPECT_EQ(files(), (std::vector<std::string>{"b.xlsx", "r.json", "r.pdf", "report.html", "writes.sh"}));
    // A relative CSIPLS_CHROMIUM is relative to where csipls runs, not to where the browser does.
    const ScopedEnv relative("CSIPLS_CHROMIUM", "./writes.sh");
    const auto again = run({"report", "--result", "r.json", "--pdf", "again.pdf"});
    ASSERT_EQ(again.exit_code, 0) << again;
    EXPECT_EQ(read_file(dir_ / "again.pdf"), "%PDF-1.4\n%EOF\n");
}

TEST_F(PdfCliTest, UsageErrors) {
    estimate_ccsi(0);
    expect_clean_failure(run({"report", "--result", "r.json", "--out", "a.html", "--pdf", "./a.html"}), 2,
                         {"--out and --pdf name the same file"});
    expect_clean_failure(run({"report", "--result", "r.json", "--xlsx", "a.xlsx", "--pdf", "a.xlsx"}), 2,
                         {"--xlsx and --pdf name the same file"});
    expect_clean_failure(run({"report", "--result", "r.json", "--pdf", "r.json"}), 2, {"--pdf", "would overwrite the input file"});
    {
        // Refused before the estimation, not after it.
        const ScopedEnv bad("CSIPLS_PDF_TIMEOUT", "0");
        expect_clean_failure(run({"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--pdf", "x.pdf"}), 2,
                             {"CSIPLS_PDF_TIMEOUT must be a whole number of seconds", "'0'"});
    }
    const auto help = run({"report", "--help"});
    EXPECT_EQ(help.exit_code, 0) << help;
    EXPECT_THAT(help.out, HasSubstr("--pdf"));
    EXPECT_EQ(files(), (std::vector<std::string>{"r.json"}));
}

// --- headless Chromium and poppler --------------------------------------------------------------

class PdfPrintTest : public PdfCliTest {
protected:
    void SetUp() override {
        PdfCliTest::SetUp();
        if (program_on_path({"chromium", "chromium-browser", "google-chrome"}).empty())
            GTEST_SKIP() << "headless Chromium is not installed (Debian package chromium; .ci/install-deps installs it): "
                            "report --pdf is not checked";
        pdfinfo_ = program_on_path({"pdfinfo"});
        pdftotext_ = program_on_path({"pdftotext"});
        if (pdfinfo_.empty() || pdftotext_.empty())
            GTEST_SKIP() << "pdfinfo and pdftotext are not installed (Debian package poppler-utils; .ci/install-deps "
                            "installs it): the PDF of report --pdf is not checked";
    }

    int page_count(const std::string& pdf) {
        const auto r = run_program(pdfinfo_, {pdf});
        EXPECT_EQ(r.exit_code, 0) << r;
        std::smatch m;
        EXPECT_TRUE(std::regex_search(r.out, m, std::regex("Pages:\\s+(\\d+)"))) << r;
        EXPECT_THAT(r.out, HasSubstr("(A4)")) << r;
        return m.empty() ? -1 : std::stoi(m[1]);
    }

    std::string text_of(const std::string& pdf) {
        const auto r = run_program(pdftotext_, {"-enc", "UTF-8", pdf, pdf + ".txt"});
        EXPECT_EQ(r.exit_code, 0) << r;
        return read_file(dir_ / (pdf + ".txt"));
    }

    // Every index of the result's index table as the report prints it (one decimal), and its interval's
    // bounds: those are in the table alone (the bar chart labels the indices too), so a table cut at
    // the page's right edge is caught. Returns how many indices were checked.
    std::size_t expect_every_index(const std::string& text, const nlohmann::json& result) {
        const auto printed = [](const nlohmann::json& value) {
            char out[32];
            std::snprintf(out, sizeof out, "%.1f", value.get<double>());
            return std::string(out);
        };
        std::size_t indices = 0;
        for (const auto& row : result.at("index_table").at("rows"))
            for (const auto& [name, value] : row.at("index").items()) {
                EXPECT_THAT(text, HasSubstr(printed(value))) << "the index of " << name;
                EXPECT_THAT(text, HasSubstr("[" + printed(row.at("ci_lower").at(name)) + ","))
                    << "the interval's lower bound of " << name;
                EXPECT_THAT(text, HasSubstr(printed(row.at("ci_upper").at(name)) + "]")) << "the interval's upper bound of " << name;
                ++indices;
            }
        return indices;
    }

    std::string pdfinfo_, pdftotext_;
};

TEST_F(PdfPrintTest, CcsiPdfHasEveryConstructAndIndex) {
    estimate_ccsi(100);
    const auto r = run({"report", "--result", "r.json", "--out", "r.html", "--xlsx", "r.xlsx", "--pdf", "r.pdf"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(files(), (std::vector<std::string>{"r.html", "r.json", "r.pdf", "r.xlsx"}));
    EXPECT_EQ(read_file(dir_ / "r.pdf").substr(0, 5), "%PDF-");
    // The page on screen is the same with or without --pdf: the print CSS goes into the printed copy only.
    const auto plain = run({"report", "--result", "r.json", "--out", "plain.html"});
    ASSERT_EQ(plain.exit_code, 0) << plain;
    EXPECT_EQ(read_file(dir_ / "plain.html"), read_file(dir_ / "r.html"));

    // Contents, then a page or more per section (diagram, structural model, mediation, indices, ...).
    const int pages = page_count("r.pdf");
    EXPECT_GE(pages, 10);
    EXPECT_LE(pages, 25);
    const std::string text = text_of("r.pdf");
    // The page numbers of the margin boxes.
    EXPECT_THAT(text, HasSubstr("1 / " + std::to_string(pages)));
    EXPECT_THAT(text, HasSubstr(std::to_string(pages) + " / " + std::to_string(pages)));

    const auto result = nlohmann::json::parse(read_file(dir_ / "r.json"));
    std::size_t constructs = 0;
    for (const auto& [name, weights] : result.at("outer_weights").items()) {
        EXPECT_THAT(text, HasSubstr(name)) << "construct " << name;
        ++constructs;
    }
    EXPECT_EQ(constructs, 6u);
    EXPECT_EQ(expect_every_index(text, result), 6u);
    // The check's own premise: the page prints the index with one decimal.
    char first[32];
    std::snprintf(first, sizeof first, "<td>%.1f<br>", result.at("index_table").at("rows")[0].at("index").begin()->get<double>());
    EXPECT_THAT(read_file(dir_ / "r.html"), HasSubstr(first));
    EXPECT_THAT(text, HasSubstr("顾客满意"));
}

TEST_F(PdfPrintTest, TwentyConstructTablesKeepTheirRightHandColumns) {
    // 20 constructs in 5 layers of 4, each fed by two of the layer before: an index table and an HTMT
    // matrix of 20 columns, wider than A4 at the page's type size.
    std::string model;
    for (int c = 0; c < 20; ++c) {
        const std::string x = "x" + std::to_string(c);
        model += "F" + std::to_string(c) + " =~ " + x + "a + " + x + "b + " + x + "c\n";
    }
    for (int c = 4; c < 20; ++c)
        model += "F" + std::to_string(c) + " ~ F" + std::to_string(c - 4) + " + F" + std::to_string((c - 4) / 4 * 4 + (c + 1) % 4) + "\n";
    write("m20.model", model);
    const auto simulated = run({"simulate", "--model", "m20.model", "--n", "400", "--out", "d20.csv"});
    ASSERT_EQ(simulated.exit_code, 0) << simulated;
    const auto estimated = run({"estimate", "--model", "m20.model", "--data", "d20.csv", "--scale", "1:10", "--bootstrap", "30",
                                "--threads", "2", "--out", "r.json"});
    ASSERT_EQ(estimated.exit_code, 0) << estimated;
    const auto r = run({"report", "--result", "r.json", "--pdf", "r.pdf"});
    ASSERT_EQ(r.exit_code, 0) << r;
    const int pages = page_count("r.pdf");
    EXPECT_GE(pages, 10);
    EXPECT_LE(pages, 40);
    const std::string text = text_of("r.pdf");
    EXPECT_EQ(expect_every_index(text, nlohmann::json::parse(read_file(dir_ / "r.json"))), 20u);
    // The HTMT matrix's last column header and the Fornell-Larcker diagonal's last √AVE.
    EXPECT_GE(testing_count(text, "F19"), 4u);
}

// In Chinese (--lang zh), which also checks that the CJK fonts print.
TEST_F(PdfPrintTest, FromTheDataThePdfAlone) {
    const auto r = run({"report", "--model", ccsi_model.string(), "--data", ccsi_data.string(), "--scale", "1:10",
                        "--lang", "zh", "--pdf", "only.pdf"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(files(), (std::vector<std::string>{"only.pdf"}));
    const int pages = page_count("only.pdf");
    EXPECT_GE(pages, 6);
    EXPECT_LE(pages, 25);
    std::string text = text_of("only.pdf");
    // A long title wraps where the page ends, which depends on the model's path: read it unwrapped.
    std::erase(text, '\n');
    EXPECT_THAT(text, HasSubstr("品牌形象"));
    // Section titles of the Chinese report (the model's names are Chinese too, so these are the labels').
    for (const char* title : {"结构模型", "测量模型", "判别效度", "顾客满意度指数研究报告"}) EXPECT_THAT(text, HasSubstr(title)) << title;
    EXPECT_THAT(text, Not(HasSubstr("Structural model")));
}

}  // namespace
}  // namespace csipls::cli_test

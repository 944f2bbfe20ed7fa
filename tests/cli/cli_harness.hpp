// The harness shared by the end-to-end suites of the `csipls` command line: the binary (or another
// program, such as Graphviz or Chromium) runs as a child process by fork/exec, with no shell, so
// arguments need no quoting, and with stdout and stderr captured in files, in a temporary
// directory of the test's own.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

#ifndef CSIPLS_EXECUTABLE
#error "CSIPLS_EXECUTABLE must name the csipls binary"
#endif
#ifndef CSIPLS_SOURCE_DIR
#error "CSIPLS_SOURCE_DIR must name the source tree"
#endif

namespace csipls::cli_test {

namespace fs = std::filesystem;

inline const fs::path source_dir = CSIPLS_SOURCE_DIR;
inline const fs::path ccsi_model = source_dir / "models" / "ccsi.model";
inline const fs::path ccsi_data = source_dir / "data" / "ccsi_example.csv";
inline const fs::path ccsi_population = source_dir / "data" / "ccsi_population.model";

// Throws rather than returning "", so that a missing output is not mistaken for an empty one.
inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("test cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

inline void write_file(const fs::path& path, const std::string& contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) throw std::runtime_error("test cannot write " + path.string());
}

// RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
inline bool is_valid_utf8(const std::string& text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char lead = s[i];
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;
        if (lead < 0x80) {
            length = 1;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        } else {
            return false;
        }
        if (i + length > n) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const unsigned char c = s[i + k];
            if (c < (k == 1 ? low : 0x80) || c > (k == 1 ? high : 0xBF)) return false;
        }
        i += length;
    }
    return true;
}

// Sorted, so that a listing can be compared with an expected vector.
inline std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct RunResult {
    int exit_code = -1;  // 128 + signal number when the process was killed by a signal
    bool signaled = false;
    std::string out;
    std::string err;
    std::string command;
};

// Text for a failure message: as is when it is valid UTF-8, else with every byte that is not
// printable ASCII written as \xNN (raw bytes would garble the terminal); cut after `limit` bytes.
inline std::string shown(const std::string& text, std::size_t limit = 2000) {
    std::string cut = text.substr(0, limit);
    std::string out;
    if (is_valid_utf8(cut)) {
        out = cut;
    } else {
        for (unsigned char c : cut) {
            if ((c >= 0x20 && c < 0x7F) || c == '\n') {
                out += static_cast<char>(c);
            } else {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02X", c);
                out += hex;
            }
        }
    }
    return out + (text.size() > limit ? "..." : "");
}

inline std::ostream& operator<<(std::ostream& os, const RunResult& r) {
    return os << "\n  command: " << r.command << "\n  exit code: " << r.exit_code
              << (r.signaled ? " (killed by a signal)" : "") << "\n  stdout: [" << shown(r.out) << "]\n  stderr: ["
              << shown(r.err) << "]\n";
}

// A clean failure: the exit code, nothing on stdout, and one line on stderr that starts with
// "csipls: error: ", is valid UTF-8 (terminals, log collectors) and contains every one of `needles`.
inline void expect_clean_failure(const RunResult& r, int exit_code, const std::vector<std::string>& needles) {
    using testing::HasSubstr;
    EXPECT_EQ(r.exit_code, exit_code) << r;
    EXPECT_FALSE(r.signaled) << r;
    EXPECT_EQ(r.out, "") << "nothing belongs on stdout when the run fails" << r;
    EXPECT_THAT(r.err, testing::StartsWith("csipls: error: ")) << r;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "the error must be one line" << r;
    EXPECT_TRUE(!r.err.empty() && r.err.back() == '\n') << "the line must end with a line break" << r;
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << r;
    EXPECT_TRUE(is_valid_utf8(r.err)) << "the message must be valid UTF-8 (terminals, log collectors)" << r;
    EXPECT_THAT(r.err, testing::Not(HasSubstr("internal error"))) << r;
    for (const auto& needle : needles) EXPECT_THAT(r.err, HasSubstr(needle)) << r;
}

// A fixture with a temporary directory of its own, kept when the test fails so that its files
// can be inspected. `area` groups a suite's directories; `timeout_s` bounds every child, so that
// a hung one fails its test rather than hanging the whole run.
class CliHarness : public testing::Test {
protected:
    CliHarness(std::string area, unsigned timeout_s) : area_(std::move(area)), timeout_s_(timeout_s) {}

    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string(info->test_suite_name()) + "." + info->name();
        std::replace(name.begin(), name.end(), '/', '_');  // parameterised tests have '/' in their names
        test_name_ = name;
        dir_ = fs::path(testing::TempDir()) / area_ / (name + "-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_ / ".capture");
        ASSERT_TRUE(fs::exists(CSIPLS_EXECUTABLE)) << CSIPLS_EXECUTABLE << " was not built";
    }
    void TearDown() override {
        if (!HasFailure()) {
            std::error_code ignored;
            fs::remove_all(dir_, ignored);
        }
    }

    // Runs `program` with `args` in the test directory (or `cwd`); stdin is /dev/null. With
    // `interrupt_after_ms` >= 0 the child gets SIGINT (Ctrl-C) after that many milliseconds.
    RunResult run_program(const std::string& program, const std::vector<std::string>& args, const fs::path& cwd = {},
                          int interrupt_after_ms = -1) {
        RunResult result;
        result.command = program;
        for (const auto& a : args) result.command += " '" + a + "'";
        const int id = runs_++;
        const fs::path out_path = dir_ / ".capture" / ("stdout-" + std::to_string(id));
        const fs::path err_path = dir_ / ".capture" / ("stderr-" + std::to_string(id));
        const fs::path where = cwd.empty() ? dir_ : cwd;

        std::vector<std::string> storage{program};
        storage.insert(storage.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& s : storage) argv.push_back(s.data());
        argv.push_back(nullptr);

        const pid_t pid = ::fork();
        if (pid < 0) {
            ADD_FAILURE() << "fork failed: " << std::strerror(errno);
            return result;
        }
        if (pid == 0) {
            // Child: only async-signal-safe calls from here on.
            const int in = ::open("/dev/null", O_RDONLY);
            const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 ||
                ::chdir(where.c_str()) != 0)
                ::_exit(126);
            ::alarm(timeout_s_);  // survives exec
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        if (interrupt_after_ms >= 0) {
            ::usleep(static_cast<useconds_t>(interrupt_after_ms) * 1000);
            ::kill(pid, SIGINT);
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status)) {
            result.exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            result.signaled = true;
            result.exit_code = 128 + WTERMSIG(status);
        }
        result.out = read_file(out_path);
        result.err = read_file(err_path);
        return result;
    }

    RunResult run(const std::vector<std::string>& args, const fs::path& cwd = {}, int interrupt_after_ms = -1) {
        RunResult result = run_program(CSIPLS_EXECUTABLE, args, cwd, interrupt_after_ms);
        keep_produced_result(args, cwd, result);
        return result;
    }

    // Every JSON result `csipls estimate --out` writes is copied to produced_results_dir, where the
    // result_schema test validates them against docs/result.schema.json.
    void keep_produced_result(const std::vector<std::string>& args, const fs::path& cwd, const RunResult& result) {
#ifdef CSIPLS_BINARY_DIR
        if (args.empty() || args.front() != "estimate" || result.exit_code != 0) return;
        const auto out = std::find(args.begin(), args.end(), "--out");
        if (out == args.end() || out + 1 == args.end()) return;
        fs::path path = *(out + 1);
        if (path.extension() != ".json") return;
        if (path.is_relative()) path = (cwd.empty() ? dir_ : cwd) / path;
        std::error_code error;
        if (!fs::is_regular_file(path, error)) return;
        const fs::path kept = fs::path(CSIPLS_BINARY_DIR) / "tests" / "produced-results";
        fs::create_directories(kept, error);
        fs::copy_file(path, kept / (test_name_ + "-" + std::to_string(kept_++) + ".json"), fs::copy_options::overwrite_existing, error);
#else
        (void)args, (void)cwd, (void)result;
#endif
    }

    fs::path write(const std::string& name, const std::string& contents) {
        const fs::path path = dir_ / name;
        fs::create_directories(path.parent_path());
        write_file(path, contents);
        return path;
    }

    // Without ".capture", so that a test sees only what the runs wrote (and no temporary left).
    std::vector<std::string> files() const {
        auto names = listing(dir_);
        names.erase(std::remove(names.begin(), names.end(), ".capture"), names.end());
        return names;
    }

    fs::path dir_;

private:
    std::string area_;
    unsigned timeout_s_;
    int runs_ = 0;
    std::string test_name_;
    int kept_ = 0;
};

}  // namespace csipls::cli_test

#include "pdf_printer.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "csipls/core/error.hpp"

extern char** environ;

namespace csipls::cli {

namespace {

namespace fs = std::filesystem;

bool is_executable_file(const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

std::string on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        // An empty entry would mean the working directory: not a place to pick a browser from.
        if (dir.empty()) continue;
        const fs::path candidate = fs::path(dir) / name;
        if (is_executable_file(candidate)) return candidate.string();
    }
    return "";
}

// Removed with everything in it, however the print ends.
class TemporaryDirectory {
public:
    TemporaryDirectory() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = (base && *base ? fs::path(base) : fs::temp_directory_path()) / "csipls-pdf-XXXXXX";
        if (!::mkdtemp(pattern.data()))
            throw IoError("--pdf: cannot create a temporary directory in " + fs::path(pattern).parent_path().string() + ": " +
                          std::strerror(errno));
        path_ = pattern;
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Restores the signal mask however the print ends, so a held Ctrl-C is not lost for later.
class MaskRestored {
public:
    explicit MaskRestored(const sigset_t& previous) : previous_(previous) {}
    ~MaskRestored() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
    MaskRestored(const MaskRestored&) = delete;
    MaskRestored& operator=(const MaskRestored&) = delete;

private:
    sigset_t previous_;
};

int timeout_seconds() {
    const char* text = std::getenv("CSIPLS_PDF_TIMEOUT");
    if (!text || !*text) return 120;
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < 1 || value > 86400)
        throw UsageError(std::string("CSIPLS_PDF_TIMEOUT must be a whole number of seconds from 1 to 86400, not '") + text + "'");
    return static_cast<int>(value);
}

// Percent-encoded, so that a temporary directory with spaces or '#' in its name still loads.
std::string file_url(const fs::path& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string url = "file://";
    for (unsigned char c : path.string()) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            url += static_cast<char>(c);
        } else {
            url += '%';
            url += hex[c >> 4];
            url += hex[c & 15];
        }
    }
    return url;
}

// The browser's last words, fit for a one-line error: printable ASCII, at most 200 characters.
std::string last_line(const fs::path& log) {
    std::ifstream in(log, std::ios::binary);
    std::string line, last;
    while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
    std::string shown;
    for (unsigned char c : last) shown += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
    if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
    return shown.empty() ? "" : ": " + shown;
}

}  // namespace

std::string find_chromium() {
    timeout_seconds();  // a malformed limit is refused now, before an estimation, not after it
    if (const char* chosen = std::getenv("CSIPLS_CHROMIUM"); chosen && *chosen) {
        const std::string name = chosen;
        if (name.find('/') != std::string::npos) {
            if (!is_executable_file(name))
                throw Error("--pdf: CSIPLS_CHROMIUM names " + name + ", which is not an executable file");
            // The browser runs in a temporary directory, where a relative path would name nothing.
            return fs::absolute(name).string();
        }
        const std::string found = on_path(name);
        if (found.empty()) throw Error("--pdf: CSIPLS_CHROMIUM names " + name + ", which is not on PATH");
        return found;
    }
    for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"})
        if (std::string found = on_path(name); !found.empty()) return found;
    throw Error("--pdf needs headless Chromium, but none of chromium, chromium-browser, google-chrome is on PATH "
                "(install Debian's chromium, or set CSIPLS_CHROMIUM to the browser)");
}

std::string print_to_pdf(const std::string& html, const std::string& browser) {
    const int timeout = timeout_seconds();
    const TemporaryDirectory dir;
    const fs::path page = dir.path() / "report.html", pdf = dir.path() / "report.pdf", log = dir.path() / "browser.log",
                   profile = dir.path() / "profile";
    {
        std::ofstream out(page, std::ios::binary);
        out.write(html.data(), static_cast<std::streamsize>(html.size()));
        out.close();
        if (!out) throw IoError("--pdf: cannot write the page to print in " + dir.path().string());
    }
    // A profile of its own, so that a running browser of the user's is neither used nor disturbed.
    std::vector<std::string> args{browser,
                                  "--headless=new",
                                  "--no-sandbox",  // the sandbox refuses to run as root (CI containers)
                                  "--disable-gpu",
                                  "--no-first-run",
                                  "--no-default-browser-check",
                                  "--disable-extensions",
                                  "--disable-background-networking",
                                  "--no-pdf-header-footer",
                                  "--generate-pdf-document-outline",
                                  "--user-data-dir=" + profile.string(),
                                  "--print-to-pdf=" + pdf.string(),
                                  file_url(page)};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        if (entry.rfind("XDG_CONFIG_HOME=", 0) != 0 && entry.rfind("XDG_CACHE_HOME=", 0) != 0) env.push_back(entry);
    }
    // Caches and settings Chromium writes outside the profile land in the temporary directory too.
    env.push_back("XDG_CONFIG_HOME=" + dir.path().string());
    env.push_back("XDG_CACHE_HOME=" + dir.path().string());
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    // Held from before the fork, so that Ctrl-C, a kill or the child's exit wake the wait below
    // instead of ending csipls with the browser still running.
    sigset_t waited, previous;
    sigemptyset(&waited);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&waited, s);
    ::sigprocmask(SIG_BLOCK, &waited, &previous);
    const MaskRestored restored(previous);

    // Tells the exec's errno back to the parent; closed by a successful exec.
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw IoError(std::string("--pdf: cannot create a pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(report[0]);
        ::close(report[1]);
        throw IoError(std::string("--pdf: cannot start the browser: ") + std::strerror(errno));
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls from here on. A group of its own, so that a timeout
        // kills the browser's helper processes too, and a terminal's Ctrl-C reaches csipls alone.
        ::setpgid(0, 0);
        ::sigprocmask(SIG_SETMASK, &previous, nullptr);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in >= 0 && out >= 0 && ::dup2(in, 0) >= 0 && ::dup2(out, 1) >= 0 && ::dup2(out, 2) >= 0 &&
            ::chdir(dir.path().c_str()) == 0)
            ::execve(argv[0], argv.data(), envp.data());
        const int failure = errno;
        [[maybe_unused]] const auto written = ::write(report[1], &failure, sizeof failure);
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here: the kill below must not race the child's own setpgid
    ::close(report[1]);
    int exec_errno = 0;
    ssize_t got;
    while ((got = ::read(report[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    ::close(report[0]);
    const auto reap = [&] {
        ::kill(-pid, SIGKILL);
        int ignored;
        while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
        }
    };
    if (got == static_cast<ssize_t>(sizeof exec_errno)) {
        reap();
        throw Error("--pdf: cannot run the browser " + browser + ": " + std::strerror(exec_errno));
    }

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
            reap();
            throw Error("--pdf: the browser " + browser + " did not finish printing within " + std::to_string(timeout) +
                        " s and was stopped (CSIPLS_PDF_TIMEOUT sets the limit)");
        }
        // Woken by the child's exit or a signal; the slice bounds the wait should SIGCHLD be missed.
        const auto slice = std::min<std::chrono::nanoseconds>(left, std::chrono::milliseconds(100));
        timespec wait{0, static_cast<long>(slice.count())};
        const int signal = ::sigtimedwait(&waited, nullptr, &wait);
        if (signal == SIGINT || signal == SIGTERM || signal == SIGHUP) {
            reap();
            throw Cancelled();
        }
    }
    // Helpers the browser left behind belong to its group.
    ::kill(-pid, SIGKILL);

    if (WIFSIGNALED(status))
        throw Error("--pdf: the browser " + browser + " was killed by signal " + std::to_string(WTERMSIG(status)) +
                    " while printing" + last_line(log));
    if (WEXITSTATUS(status) != 0)
        throw Error("--pdf: the browser " + browser + " failed to print the report (exit status " +
                    std::to_string(WEXITSTATUS(status)) + ")" + last_line(log));
    std::ifstream in(pdf, std::ios::binary);
    if (!in) throw Error("--pdf: the browser " + browser + " exited without writing a PDF" + last_line(log));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::string document = std::move(bytes).str();
    if (document.rfind("%PDF-", 0) != 0)
        throw Error("--pdf: the browser " + browser + " wrote a file that is not a PDF (" + std::to_string(document.size()) +
                    " bytes)");
    return document;
}

}  // namespace csipls::cli

#pragma once
// Progress bar for long jobs and Ctrl-C handling: both feed a BootstrapMonitor.
#include <chrono>
#include <thread>

#include "csipls/core/bootstrap.hpp"

namespace csipls::cli {

// While alive: Ctrl-C asks `monitor` to cancel, and when stderr is a terminal a bar shows
// completed/total, the rate and the time left. Silent when stderr is not a terminal.
class ProgressReporter {
public:
    ProgressReporter(BootstrapMonitor& monitor, long total, const char* what);
    ~ProgressReporter();
    ProgressReporter(const ProgressReporter&) = delete;
    ProgressReporter& operator=(const ProgressReporter&) = delete;

private:
    void draw(bool final) const;

    BootstrapMonitor& monitor_;
    long total_;
    const char* what_;
    bool terminal_;
    std::chrono::steady_clock::time_point start_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace csipls::cli

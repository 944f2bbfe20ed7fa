#include "progress.hpp"

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace csipls::cli {
namespace {

std::atomic<BootstrapMonitor*> interrupted_monitor{nullptr};
struct sigaction previous_interrupt_action {};

extern "C" void on_interrupt(int) {
    // Only an atomic store: the bootstrap sees it between replicates and stops without a result.
    if (BootstrapMonitor* monitor = interrupted_monitor.load()) monitor->cancel.store(true);
}

}  // namespace

ProgressReporter::ProgressReporter(BootstrapMonitor& monitor, long total, const char* what)
    : monitor_(monitor), total_(total), what_(what), terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {
    interrupted_monitor.store(&monitor_);
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous_interrupt_action);
    if (terminal_)
        thread_ = std::thread([this] {
            while (!stop_.load()) {
                draw(false);
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        });
}

ProgressReporter::~ProgressReporter() {
    stop_.store(true);
    if (thread_.joinable()) {
        thread_.join();
        draw(true);
    }
    ::sigaction(SIGINT, &previous_interrupt_action, nullptr);  // e.g. an inherited "ignore" stays
    interrupted_monitor.store(nullptr);
}

void ProgressReporter::draw(bool final) const {
    const long done = monitor_.completed.load();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    const double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    constexpr int width = 30;
    const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
    char bar[width + 1];
    for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    std::fprintf(stderr, "\r%s [%s] %ld/%ld, %.0f/s, %.1f s left ", what_, bar, done, total_, rate, left);
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
}

}  // namespace csipls::cli

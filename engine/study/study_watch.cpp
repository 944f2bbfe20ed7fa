#include "csipls/study/study_watch.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace csipls {

namespace {

// The stage now running, as the engine announces it (from the worker thread).
class StageBoard : public StudyMonitor {
public:
    void stage_started(std::string_view stage, long steps) override {
        const std::lock_guard lock(mutex);
        name = std::string(stage);
        total = steps;
    }
    void stage_finished(std::string_view) override {
        const std::lock_guard lock(mutex);
        name.clear();
    }

    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::string name;
    long total = 0;
};

bool has_long_stages(const StudyOptions& options) {
    return options.bootstrap.resamples > 0 || options.fit_test.resamples > 0 || options.groups.permutations > 0 ||
           !options.data.group.empty();
}

}  // namespace

StudyResult run_study_watched(const Model& model, Dataset data, const StudyOptions& options, const StudyWatch& watch,
                              std::chrono::milliseconds interval) {
    if (!has_long_stages(options)) return run_study(model, std::move(data), options);
    StageBoard board;
    StudyResult result;
    std::exception_ptr failure;
    std::thread worker([&] {
        try {
            result = run_study(model, std::move(data), options, &board);
        } catch (...) {
            failure = std::current_exception();
        }
        const std::lock_guard lock(board.mutex);
        board.done = true;
        board.finished.notify_one();
    });
    std::exception_ptr stopped;  // what `watch` threw
    bool shown = false;
    for (;;) {
        std::unique_lock lock(board.mutex);
        if (board.finished.wait_for(lock, interval, [&] { return board.done; })) break;
        const std::string stage = board.name;
        const long total = board.total;
        lock.unlock();
        if (stopped || stage.empty()) continue;  // cancelled: wait for the engine to stop
        try {
            shown = true;
            watch(stage, board.progress.completed.load(), total);
        } catch (...) {
            stopped = std::current_exception();
            board.progress.cancel.store(true);
        }
    }
    worker.join();
    if (shown) {
        try {
            watch(std::string(), 0, 0);
        } catch (...) {
            if (!stopped) stopped = std::current_exception();
        }
    }
    if (stopped) std::rethrow_exception(stopped);
    if (failure) std::rethrow_exception(failure);
    return result;
}

}  // namespace csipls

#pragma once
// The one replicate loop of every resampling procedure (the bootstrap and its jackknife, the
// Bollen–Stine fit test, the groups and their permutation tests): OpenMP over the replicates, the
// monitor (a completed counter, a cancel flag), and per-replicate failure collection.
//
// What it guarantees:
// - every replicate is run once (unless cancelled) by body(thread, replicate); `thread` indexes the
//   caller's per-thread buffers, so a replicate's result depends on its number alone, never on the
//   thread that ran it or on the thread count (each replicate draws from its own random stream,
//   derived by the caller from (seed, replicate), see resampling.hpp);
// - the body returns an empty string on success or why the replicate failed; an exception thrown by
//   the body is caught for that replicate and its what() kept as the reason: no exception leaves the
//   OpenMP region;
// - the loop allocates nothing per replicate itself (the reasons are sized before it);
// - a cancelled run (monitor->cancel set) skips the remaining replicates and throws Cancelled after
//   the loop, never a partial result.
#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <exception>
#include <omp.h>
#include <string>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/error.hpp"

namespace csipls::detail {

// Threads for a loop: the requested count, or every core OpenMP offers when 0.
inline int thread_count(int requested) { return requested > 0 ? requested : std::max(1, omp_get_max_threads()); }

// The reason an exception gives: what() of a std::exception, else a fixed text.
inline std::string exception_reason(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& caught) {
        return caught.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

struct ReplicateLoop {
    long count = 0;                     // replicates 0 … count − 1
    int threads = 1;                    // as given by thread_count
    int chunk = 8;                      // replicates a thread takes at a time (schedule(dynamic, chunk))
    BootstrapMonitor* monitor = nullptr;
    bool count_completed = true;        // add each finished replicate to monitor->completed
};

// Runs the loop; returns, per replicate, an empty string or why it failed.
template <class Body>
std::vector<std::string> run_replicates(const ReplicateLoop& loop, Body&& body) {
    const auto count = static_cast<std::size_t>(loop.count);
    std::vector<std::string> reasons(count);
    // Set where even writing the reason failed (memory exhausted): written after the loop.
    std::vector<char> unrecorded(count, 0);
    BootstrapMonitor* const monitor = loop.monitor;
#pragma omp parallel for num_threads(loop.threads) schedule(dynamic, loop.chunk)
    for (long r = 0; r < loop.count; ++r) {
        if (monitor && monitor->cancel.load(std::memory_order_relaxed)) continue;
        const auto i = static_cast<std::size_t>(r);
        try {
            reasons[i] = body(omp_get_thread_num(), r);
        } catch (...) {
            try {
                reasons[i] = exception_reason(std::current_exception());
            } catch (...) {
                unrecorded[i] = 1;
            }
        }
        if (monitor && loop.count_completed) monitor->completed.fetch_add(1, std::memory_order_relaxed);
    }
    if (monitor && monitor->cancel.load()) throw Cancelled();
    for (std::size_t i = 0; i < count; ++i)
        if (unrecorded[i]) reasons[i] = "out of memory (the replicate failed and its reason could not be recorded)";
    return reasons;
}

// Splits a run into its draws and its failures: `all_draws` holds a column per replicate; the
// succeeded replicates' columns become the rows of result.draws, in replicate order, with their
// numbers in result.replicate_of_draw, and the others go to result.failures with their reasons.
// `Result` is BootstrapResult or FitTestResult.
template <class Result>
void collect_replicates(std::vector<std::string>& reasons, const Eigen::MatrixXd& all_draws, Result& result) {
    const auto count = static_cast<int>(reasons.size());
    result.replicate_of_draw.reserve(reasons.size());
    for (int r = 0; r < count; ++r) {
        auto& reason = reasons[static_cast<std::size_t>(r)];
        if (reason.empty())
            result.replicate_of_draw.push_back(r);
        else
            result.failures.push_back({r, std::move(reason)});
    }
    result.succeeded = static_cast<int>(result.replicate_of_draw.size());
    result.draws.resize(result.succeeded, all_draws.rows());
    for (int row = 0; row < result.succeeded; ++row)
        result.draws.row(row) = all_draws.col(result.replicate_of_draw[static_cast<std::size_t>(row)]).transpose();
}

}  // namespace csipls::detail

#pragma once
// What FIMIX and PLS-POS share after their parallel starts: the failed starts counted and the best
// one picked, and the segments put in a fixed order.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "csipls/core/segmentation.hpp"

namespace csipls::detail {

// Records the failed starts (reasons[s] not empty) in `solution` and returns the succeeded start of
// the highest score(s), ties to the lower start; −1 when every start failed.
template <class Score>
int best_start(const std::vector<std::string>& reasons, Score&& score, SegmentSolution& solution) {
    int best = -1;
    for (int start = 0; start < static_cast<int>(reasons.size()); ++start) {
        const auto s = static_cast<std::size_t>(start);
        if (!reasons[s].empty()) {
            ++solution.failed_starts;
            solution.start_failures.push_back("start " + std::to_string(start + 1) + ": " + reasons[s]);
        } else if (best < 0 || score(start) > score(best)) {
            best = start;
        }
    }
    return best;
}

// The segments' positions by decreasing share (stable), so that labels do not depend on which
// random start won.
inline std::vector<int> order_by_share(const std::vector<SegmentModel>& segments) {
    std::vector<int> order(segments.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return segments[static_cast<std::size_t>(a)].share > segments[static_cast<std::size_t>(b)].share;
    });
    return order;
}

}  // namespace csipls::detail

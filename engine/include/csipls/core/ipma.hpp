#pragma once
// Importance–performance map analysis (IPMA; Ringle & Sarstedt 2016): for a target construct, each
// driver's importance (its unstandardized total effect on the target, both on the 0–100 index
// scale) against its performance (its index), for constructs and for their indicators.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "csipls/core/csi_index.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/moments.hpp"

namespace csipls {

// Where an entry falls against the mean importance and mean performance of its kind.
enum class IpmaQuadrant {
    priority,           // important, performing below average: improve here first
    keep_up,            // important and performing well
    low_priority,       // neither
    possible_overkill,  // performing well on something that matters little
};
std::string to_string(IpmaQuadrant quadrant);

struct IpmaEntry {
    int construct = 0;
    int indicator = -1;       // −1 for a construct entry
    double importance = 0;    // index points of the target per index point of this driver
    double performance = 0;   // 0–100
    IpmaQuadrant quadrant = IpmaQuadrant::low_priority;
};

struct IpmaResult {
    int target = 0;
    std::vector<IpmaEntry> constructs;  // every construct with a total effect on the target
    std::vector<IpmaEntry> indicators;  // the indicators of those constructs
    double construct_importance_mean = 0, construct_performance_mean = 0;
    double indicator_importance_mean = 0, indicator_performance_mean = 0;
};

// The rescaled construct score is Σ w̃_k·x̃_k (w̃: the index weights, x̃: answers on 0–100), so the
// standardized total effect T(d, t) becomes T·sd(t̃)/sd(d̃), with the sds from the indicator
// correlations. An indicator's importance is its rescaled weight times its construct's importance.
// Throws UsageError when the target has no drivers.
IpmaResult importance_performance(const PlsResult& result, const CsiIndex& index, const IndicatorMoments& moments,
                                  const std::vector<AnswerScale>& scales, int target);

}  // namespace csipls

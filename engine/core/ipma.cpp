#include "csipls/core/ipma.hpp"

#include <algorithm>
#include <cmath>

#include "csipls/core/error.hpp"

namespace csipls {

std::string to_string(IpmaQuadrant quadrant) {
    switch (quadrant) {
        case IpmaQuadrant::priority: return "priority";
        case IpmaQuadrant::keep_up: return "keep_up";
        case IpmaQuadrant::low_priority: return "low_priority";
        case IpmaQuadrant::possible_overkill: return "possible_overkill";
    }
    return "unknown";
}

namespace {

IpmaQuadrant quadrant_of(double importance, double performance, double importance_mean, double performance_mean) {
    const bool important = importance >= importance_mean;
    const bool performing = performance >= performance_mean;
    if (important) return performing ? IpmaQuadrant::keep_up : IpmaQuadrant::priority;
    return performing ? IpmaQuadrant::possible_overkill : IpmaQuadrant::low_priority;
}

void classify(std::vector<IpmaEntry>& entries, double& importance_mean, double& performance_mean) {
    importance_mean = performance_mean = 0;
    if (entries.empty()) return;
    for (const auto& entry : entries) {
        importance_mean += entry.importance;
        performance_mean += entry.performance;
    }
    importance_mean /= static_cast<double>(entries.size());
    performance_mean /= static_cast<double>(entries.size());
    for (auto& entry : entries) entry.quadrant = quadrant_of(entry.importance, entry.performance, importance_mean, performance_mean);
}

}  // namespace

IpmaResult importance_performance(const PlsResult& result, const CsiIndex& index, const IndicatorMoments& moments,
                                  const std::vector<AnswerScale>& scales, int target) {
    const auto constructs = static_cast<Eigen::Index>(result.constructs.size());
    const auto indicators = result.outer_weights.size();
    if (target < 0 || target >= constructs) throw UsageError("the IPMA target is not a construct of the model");
    // Covariances of the answers on 0–100: the correlation scaled by each answer's sd in index points.
    Eigen::VectorXd points_sd(indicators);
    for (Eigen::Index k = 0; k < indicators; ++k) {
        const AnswerScale& scale = scales[static_cast<std::size_t>(k)];
        points_sd[k] = moments.sds[k] * 100.0 / (scale.max - scale.min);
    }
    Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(indicators, constructs);
    for (Eigen::Index k = 0; k < indicators; ++k) weights(k, result.block_of_indicator[k]) = index.rescaled_weights[k] * points_sd[k];
    const Eigen::VectorXd score_sd = (weights.transpose() * moments.correlation * weights).diagonal().cwiseSqrt();

    IpmaResult out;
    out.target = target;
    for (Eigen::Index j = 0; j < constructs; ++j) {
        // A driver has a route to the target: a path, or a chain of paths.
        const bool direct = std::any_of(result.paths.begin(), result.paths.end(),
                                        [&](const PlsResult::Link& link) { return link.from == j && link.to == target; });
        if (!direct && result.indirect_routes(j, target) == 0) continue;
        // An interaction term has no index (its indicators are products, not answers): no driver.
        if (!std::isfinite(index.index[j])) continue;
        IpmaEntry entry;
        entry.construct = static_cast<int>(j);
        entry.importance = result.total_effects(j, target) * score_sd[target] / score_sd[j];
        entry.performance = index.index[j];
        out.constructs.push_back(entry);
    }
    if (out.constructs.empty())
        throw UsageError("construct '" + result.constructs[static_cast<std::size_t>(target)] +
                         "' has no drivers (no path leads to it): the importance-performance map needs an endogenous target");
    for (const auto& driver : out.constructs)
        for (Eigen::Index k = 0; k < indicators; ++k) {
            if (result.block_of_indicator[k] != driver.construct) continue;
            const AnswerScale& scale = scales[static_cast<std::size_t>(k)];
            IpmaEntry entry;
            entry.construct = driver.construct;
            entry.indicator = static_cast<int>(k);
            entry.importance = index.rescaled_weights[k] * driver.importance;
            entry.performance = (moments.means[k] - scale.min) / (scale.max - scale.min) * 100.0;
            out.indicators.push_back(entry);
        }
    classify(out.constructs, out.construct_importance_mean, out.construct_performance_mean);
    classify(out.indicators, out.indicator_importance_mean, out.indicator_performance_mean);
    return out;
}

}  // namespace csipls

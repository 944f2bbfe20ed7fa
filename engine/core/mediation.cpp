#include "csipls/core/mediation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "csipls/core/error.hpp"

namespace csipls {

const char* to_string(MediationType type) {
    switch (type) {
        case MediationType::complementary: return "complementary";
        case MediationType::competitive: return "competitive";
        case MediationType::indirect_only: return "indirect_only";
        case MediationType::direct_only: return "direct_only";
        default: return "none";
    }
}

namespace {

// Depth-first from the route's last construct along the paths in model order; a route of two or
// more paths that ends at `to` (any when −1) is kept. The structural model is acyclic, so every
// walk ends.
void extend(const std::vector<std::vector<int>>& successors, std::vector<int>& route, int to, std::vector<std::vector<int>>& out) {
    for (const int next : successors[static_cast<std::size_t>(route.back())]) {
        route.push_back(next);
        if (route.size() >= 3 && (to < 0 || next == to)) {
            if (out.size() == max_indirect_routes)
                throw UsageError("the model has more than " + std::to_string(max_indirect_routes) +
                                 " indirect routes: restrict them to one antecedent and consequence (`mediation.routes` FROM:TO)");
            out.push_back(route);
        }
        extend(successors, route, to, out);
        route.pop_back();
    }
}

bool excludes_zero(const ParameterSummary& s) { return std::isfinite(s.ci_lower) && std::isfinite(s.ci_upper) && (s.ci_lower > 0 || s.ci_upper < 0); }

}  // namespace

std::vector<std::vector<int>> indirect_routes(const PlsResult& result, int from, int to) {
    const auto count = static_cast<int>(result.constructs.size());
    if (from < -1 || from >= count || to < -1 || to >= count) throw UsageError("indirect routes: no such construct");
    std::vector<std::vector<int>> successors(result.constructs.size());
    for (const auto& link : result.paths) successors[static_cast<std::size_t>(link.from)].push_back(link.to);
    std::vector<std::vector<int>> routes;
    for (int start = 0; start < count; ++start) {
        if (from >= 0 && start != from) continue;
        std::vector<std::vector<int>> found;
        std::vector<int> route{start};
        extend(successors, route, to, found);
        // Grouped by consequence in model order, each group in depth-first order.
        std::stable_sort(found.begin(), found.end(), [](const std::vector<int>& a, const std::vector<int>& b) { return a.back() < b.back(); });
        if (routes.size() + found.size() > max_indirect_routes)
            throw UsageError("the model has more than " + std::to_string(max_indirect_routes) +
                             " indirect routes: restrict them to one antecedent and consequence (`mediation.routes` FROM:TO)");
        for (auto& r : found) routes.push_back(std::move(r));
    }
    return routes;
}

MediationResult specific_indirect_effects(const PlsResult& result, const BootstrapResult* bootstrap, int from, int to) {
    MediationResult out;
    out.from = from;
    out.to = to;
    // Each path's column among the bootstrap's parameters.
    const auto constructs = static_cast<Eigen::Index>(result.constructs.size());
    Eigen::MatrixXi column = Eigen::MatrixXi::Constant(constructs, constructs, -1);
    if (bootstrap)
        for (std::size_t i = 0; i < bootstrap->parameters.size(); ++i)
            if (bootstrap->parameters[i].kind == BootstrapParameter::Kind::path)
                column(bootstrap->parameters[i].from, bootstrap->parameters[i].to) = static_cast<int>(i);
    const bool with_bootstrap = bootstrap && bootstrap->succeeded > 0;

    std::vector<double> draws, jackknife;
    for (auto& route : indirect_routes(result, from, to)) {
        SpecificIndirectEffect effect;
        effect.estimate = 1.0;
        for (std::size_t k = 1; k < route.size(); ++k) effect.estimate *= result.path_coefficients(route[k - 1], route[k]);
        if (with_bootstrap) {
            std::vector<int> columns;
            for (std::size_t k = 1; k < route.size(); ++k) {
                columns.push_back(column(route[k - 1], route[k]));
                if (columns.back() < 0) throw EstimationError("the bootstrap lacks the path of an indirect route");
            }
            draws.clear();
            for (Eigen::Index d = 0; d < bootstrap->draws.rows(); ++d) {
                double product = 1.0;
                for (const int c : columns) product *= bootstrap->draws(d, c);
                if (std::isfinite(product)) draws.push_back(product);
            }
            jackknife.clear();
            for (Eigen::Index g = 0; g < bootstrap->jackknife.cols(); ++g)
                if (bootstrap->jackknife_ok[static_cast<std::size_t>(g)]) {
                    double product = 1.0;
                    for (const int c : columns) product *= bootstrap->jackknife(c, g);
                    jackknife.push_back(product);
                }
            effect.bootstrap = summarize_draws(effect.estimate, draws, jackknife, bootstrap->options, result.n_obs);
            const int direct = column(route.front(), route.back());
            const bool indirect_significant = excludes_zero(*effect.bootstrap);
            const bool direct_significant = direct >= 0 && excludes_zero(bootstrap->summaries[static_cast<std::size_t>(direct)]);
            const double direct_estimate = result.path_coefficients(route.front(), route.back());
            effect.type = indirect_significant && direct_significant
                              ? (effect.estimate * direct_estimate > 0 ? MediationType::complementary : MediationType::competitive)
                          : indirect_significant ? MediationType::indirect_only
                          : direct_significant   ? MediationType::direct_only
                                                 : MediationType::none;
        }
        effect.route = std::move(route);
        out.effects.push_back(std::move(effect));
    }
    return out;
}

}  // namespace csipls

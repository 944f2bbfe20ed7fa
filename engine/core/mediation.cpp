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

// Depth-first from the route's last construct along the paths in model order, entering only
// constructs from which `to` (any when −1) can be reached; a route of two or more paths that ends
// at `to` is kept. The structural model is acyclic, so every walk ends.
void extend(const std::vector<std::vector<int>>& successors, const Eigen::MatrixXi& reaches, std::vector<int>& route, int to,
            std::vector<std::vector<int>>& out) {
    for (const int next : successors[static_cast<std::size_t>(route.back())]) {
        if (to >= 0 && next != to && reaches(next, to) == 0) continue;
        route.push_back(next);
        if (route.size() >= 3 && (to < 0 || next == to)) out.push_back(route);
        extend(successors, reaches, route, to, out);
        route.pop_back();
    }
}

bool excludes_zero(const ParameterSummary& s) { return std::isfinite(s.ci_lower) && std::isfinite(s.ci_upper) && (s.ci_lower > 0 || s.ci_upper < 0); }

}  // namespace

long indirect_route_count(const PlsResult& result, int from, int to) {
    const auto count = static_cast<int>(result.constructs.size());
    if (from < -1 || from >= count || to < -1 || to >= count) throw UsageError("indirect routes: no such construct");
    if (result.indirect_routes.rows() != count || result.indirect_routes.cols() != count)
        throw EstimationError("the estimation result has no route counts (PlsResult::indirect_routes)");
    long routes = 0;
    for (int a = 0; a < count; ++a)
        for (int b = 0; b < count; ++b)
            if ((from < 0 || a == from) && (to < 0 || b == to)) routes += result.indirect_routes(a, b);
    return routes;
}

std::vector<std::vector<int>> indirect_routes(const PlsResult& result, int from, int to) {
    const long total = indirect_route_count(result, from, to);
    if (total > static_cast<long>(max_indirect_routes))
        throw UsageError("the model has " + std::to_string(total) + " indirect routes, more than " + std::to_string(max_indirect_routes) +
                         ": restrict them to one antecedent and consequence (`mediation.routes` FROM:TO)");
    const auto count = static_cast<int>(result.constructs.size());
    std::vector<std::vector<int>> successors(result.constructs.size());
    // reaches(a, b): a path or a longer route leads from a to b.
    Eigen::MatrixXi reaches = result.indirect_routes;
    for (const auto& link : result.paths) {
        successors[static_cast<std::size_t>(link.from)].push_back(link.to);
        reaches(link.from, link.to) += 1;
    }
    std::vector<std::vector<int>> routes;
    for (int start = 0; start < count; ++start) {
        if (from >= 0 && start != from) continue;
        std::vector<std::vector<int>> found;
        std::vector<int> route{start};
        extend(successors, reaches, route, to, found);
        // Grouped by consequence in model order, each group in depth-first order.
        std::stable_sort(found.begin(), found.end(), [](const std::vector<int>& a, const std::vector<int>& b) { return a.back() < b.back(); });
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
    const bool with_bootstrap = bootstrap && bootstrap->succeeded >= 2;
    if (with_bootstrap && bootstrap->options.ci == ConfidenceInterval::bca && bootstrap->jackknife.cols() == 0)
        throw EstimationError("a BCa bootstrap without its jackknife values cannot give the specific indirect effects' intervals");
    // The individual sign change turns every draw to its estimate's sign: no interval crosses 0.
    const bool typed = with_bootstrap && bootstrap->options.sign_change != SignChange::individual;

    std::vector<double> draws, jackknife;
    for (auto& route : indirect_routes(result, from, to)) {
        SpecificIndirectEffect effect;
        effect.estimate = 1.0;
        for (std::size_t k = 1; k < route.size(); ++k) effect.estimate *= result.path_coefficients(route[k - 1], route[k]);
        effect.has_direct_path = std::any_of(result.paths.begin(), result.paths.end(), [&](const PlsResult::Link& link) {
            return link.from == route.front() && link.to == route.back();
        });
        effect.direct_estimate = result.path_coefficients(route.front(), route.back());
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
            if (effect.has_direct_path && direct >= 0) {
                const ParameterSummary& d = bootstrap->summaries[static_cast<std::size_t>(direct)];
                if (std::isfinite(d.ci_lower) && std::isfinite(d.ci_upper)) effect.direct_significant = excludes_zero(d);
            }
            const ParameterSummary& s = *effect.bootstrap;
            if (typed && effect.direct_significant && std::isfinite(s.ci_lower) && std::isfinite(s.ci_upper)) {
                const bool indirect_significant = excludes_zero(s), direct_significant = *effect.direct_significant;
                effect.type = indirect_significant && direct_significant
                                  ? (effect.estimate * effect.direct_estimate > 0 ? MediationType::complementary : MediationType::competitive)
                              : indirect_significant ? MediationType::indirect_only
                              : direct_significant   ? MediationType::direct_only
                                                     : MediationType::none;
            }
        }
        effect.route = std::move(route);
        out.effects.push_back(std::move(effect));
    }
    return out;
}

}  // namespace csipls

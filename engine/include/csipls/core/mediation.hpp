#pragma once
// Mediation: the specific indirect effects of a structural model, one per route of two or more
// paths from an antecedent to a consequence (Image → Expectation → Satisfaction → Loyalty), each the
// product of its paths, with bootstrap inference like every parameter, and the type of mediation
// of each route after Zhao, Lynch & Chen (2010).
#include <optional>
#include <string>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/estimate.hpp"

namespace csipls {

// Zhao, Lynch & Chen (2010): from whether the indirect effect (a route) and the direct effect (the
// path from the route's antecedent to its consequence) are significant, and their signs.
//   complementary  both significant, same sign      competitive  both significant, opposite signs
//   indirect_only  only the indirect effect         direct_only  only the direct effect
//   none           neither (no-effect non-mediation)
// A route whose antecedent has no direct path to its consequence gets no type: the model fixes the
// direct effect at 0 instead of estimating it, which the typology does not cover.
enum class MediationType { complementary, competitive, indirect_only, direct_only, none };
const char* to_string(MediationType type);

struct SpecificIndirectEffect {
    std::vector<int> route;  // construct positions, the antecedent first and the consequence last
    double estimate = 0;     // the product of the route's path coefficients
    // With a bootstrap: the product's draws summarized as every parameter is (se, t, p, interval).
    std::optional<ParameterSummary> bootstrap;
    // With a bootstrap and a direct path: significance is the interval excluding 0, for the route
    // and the direct path. None without a direct path, with undefined intervals, or with the
    // individual sign change (its draws never cross 0, so every interval would exclude it).
    std::optional<MediationType> type;
    bool has_direct_path = false;
    double direct_estimate = 0;              // the direct path's coefficient; 0 without one
    std::optional<bool> direct_significant;  // with a bootstrap and a direct path
};

struct MediationResult {
    int from = -1, to = -1;  // the routes asked for (construct positions); −1: any
    std::vector<SpecificIndirectEffect> effects;
};

// Routes of two or more paths from `from` to `to` (−1: any construct), ordered by antecedent and
// consequence (model order), then depth-first along the paths in model order. The walk only enters
// constructs that lead to `to`. Throws UsageError beyond max_indirect_routes.
constexpr std::size_t max_indirect_routes = 10000;
std::vector<std::vector<int>> indirect_routes(const PlsResult& result, int from = -1, int to = -1);

// How many routes indirect_routes(result, from, to) gives, counted from PlsResult::indirect_routes
// without listing them.
long indirect_route_count(const PlsResult& result, int from = -1, int to = -1);

// The specific indirect effects of `result` on the routes from `from` to `to` (−1: any); with a
// bootstrap of `result` (its paths' draws and, for BCa, their jackknife values), their inference
// and mediation types. A route's draws are the products of its paths' draws in the same resample,
// so no resample is re-estimated.
MediationResult specific_indirect_effects(const PlsResult& result, const BootstrapResult* bootstrap, int from = -1, int to = -1);

}  // namespace csipls

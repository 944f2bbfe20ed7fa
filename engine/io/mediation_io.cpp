// Writers of the specific indirect effects (JSON and summary).
#include <cmath>
#include <fmt/format.h>

#include "csipls/io/result_writers.hpp"

namespace csipls {

namespace {

std::string route_text(const PlsResult& result, const std::vector<int>& route) {
    std::string text;
    for (const int c : route) text += (text.empty() ? "" : " -> ") + result.constructs[static_cast<std::size_t>(c)];
    return text;
}

}  // namespace

void add_mediation_to_json(Json& json, const PlsResult& result, const MediationResult& mediation, const BootstrapResult* bootstrap) {
    Json effects = Json::array();
    for (const auto& effect : mediation.effects) {
        Json route = Json::array();
        for (const int c : effect.route) route.push_back(result.constructs[static_cast<std::size_t>(c)]);
        Json item = {{"route", std::move(route)},
                     {"from", result.constructs[static_cast<std::size_t>(effect.route.front())]},
                     {"to", result.constructs[static_cast<std::size_t>(effect.route.back())]},
                     {"estimate", number_or_null(effect.estimate)}};
        const ParameterSummary* s = effect.bootstrap ? &*effect.bootstrap : nullptr;
        item["boot_mean"] = s ? number_or_null(s->boot_mean) : Json(nullptr);
        item["se"] = s ? number_or_null(s->se) : Json(nullptr);
        item["t"] = s ? number_or_null(s->t) : Json(nullptr);
        item["p"] = s ? number_or_null(s->p) : Json(nullptr);
        item["ci_lower"] = s ? number_or_null(s->ci_lower) : Json(nullptr);
        item["ci_upper"] = s ? number_or_null(s->ci_upper) : Json(nullptr);
        item["mediation"] = effect.type ? Json(to_string(*effect.type)) : Json(nullptr);
        item["direct_path"] = effect.has_direct_path;
        item["direct_estimate"] = effect.has_direct_path ? number_or_null(effect.direct_estimate) : Json(nullptr);
        item["direct_significant"] = effect.direct_significant ? Json(*effect.direct_significant) : Json(nullptr);
        effects.push_back(std::move(item));
    }
    json["specific_indirect_effects"] = std::move(effects);
    const auto end = [&](int c) { return c < 0 ? Json("*") : Json(result.constructs[static_cast<std::size_t>(c)]); };
    json["mediation"] = {
        {"routes", {{"from", end(mediation.from)}, {"to", end(mediation.to)}}},
        {"count", mediation.effects.size()},
        {"bootstrap", bootstrap != nullptr && bootstrap->succeeded >= 2},
        {"definitions",
         {{"estimate", "the product of the path coefficients along the route; the routes of one antecedent and consequence add up "
                       "to its indirect effect"},
          {"bootstrap", "the product of the paths' draws in each resample, summarized as every bootstrapped parameter (se: sd with "
                        "n - 1; p: two-sided t with n_obs - 1 df; the bootstrap's interval type and level, BCa with the products of "
                        "the paths' jackknife values)"},
          {"mediation", "Zhao, Lynch & Chen (2010), per route against the direct path from its antecedent to its consequence; "
                        "significant: the bootstrap interval excludes 0. complementary and competitive: both significant, with the same "
                        "or opposite signs; indirect_only; direct_only; none. null without a bootstrap, without a direct path in the "
                        "model (the model fixes the direct effect at 0 rather than estimating it), or with the individual sign change"},
          {"p", "two-sided t with n_obs - 1 df, as for every bootstrapped parameter; it assumes a normal sampling distribution, "
                "which a product of paths often lacks: the interval (and the type) is the better guide"}}}};
}

void write_mediation_summary(std::ostream& out, const PlsResult& result, const MediationResult& mediation) {
    if (mediation.effects.empty()) return;
    const bool with_bootstrap = mediation.effects.front().bootstrap.has_value();
    out << "\nSpecific indirect effects (product of the paths along each route"
        << (with_bootstrap ? "; mediation type after Zhao, Lynch & Chen 2010)" : ")") << '\n';
    std::vector<std::vector<std::string>> table{{"route", "estimate"}};
    if (with_bootstrap) table.front().insert(table.front().end(), {"se", "p", "ci lower", "ci upper", "mediation"});
    bool untyped = false;
    const auto number = [](double value, const char* format) {
        return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : std::string("-");
    };
    for (const auto& effect : mediation.effects) {
        std::vector<std::string> row{route_text(result, effect.route), number(effect.estimate, "{:.4f}")};
        if (effect.bootstrap)
            row.insert(row.end(), {number(effect.bootstrap->se, "{:.4f}"), number(effect.bootstrap->p, "{:.4f}"),
                                   number(effect.bootstrap->ci_lower, "{:.4f}"), number(effect.bootstrap->ci_upper, "{:.4f}"),
                                   effect.type ? to_string(*effect.type) : "-"});
        untyped = untyped || (effect.bootstrap && !effect.type && !effect.has_direct_path);
        table.push_back(std::move(row));
    }
    // The route and the mediation type on the left, the numbers on the right.
    write_aligned_rows(out, table, {false, true, true, true, true, true, false});
    if (untyped) out << "  -: no direct path from the route's antecedent to its consequence in the model, so no mediation type\n";
}

}  // namespace csipls

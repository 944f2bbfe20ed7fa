// Writers of the tests between groups: MICOM (JSON and summary).
#include <fmt/format.h>

#include "csipls/io/result_writers.hpp"

namespace csipls {

void add_micom_to_json(Json& json, const PlsResult& pooled, const GroupsResult& groups, const MicomResult& micom) {
    const auto name = [&](int g) { return groups.groups[static_cast<std::size_t>(g)].name; };
    Json rows = Json::array();
    Json configural = Json::array();
    Json pairs = Json::array();
    for (const MicomPair& pair : micom.pairs) {
        configural.push_back({{"a", name(pair.a)},
                              {"b", name(pair.b)},
                              {"holds", pair.ok()},
                              {"checks", micom.configural_checks},
                              {"problems", pair.ok() ? Json::array() : Json::array({pair.error})}});
        pairs.push_back({{"a", name(pair.a)},
                         {"b", name(pair.b)},
                         {"tested", pair.ok()},
                         {"error", pair.ok() ? Json(nullptr) : Json(pair.error)},
                         {"permutations_used", pair.permutations_used},
                         {"permutations_failed", pair.failures.size()},
                         {"first_failure", pair.failures.empty() ? Json(nullptr) : Json(pair.failures.front().reason)}});
        for (const MicomConstruct& row : pair.constructs)
            rows.push_back({{"a", name(pair.a)},
                            {"b", name(pair.b)},
                            {"construct", pooled.constructs[static_cast<std::size_t>(row.construct)]},
                            {"c", number_or_null(row.c)},
                            {"c_quantile_05", number_or_null(row.c_quantile)},
                            {"c_p", number_or_null(row.c_p)},
                            {"c_p_share", number_or_null(row.c_p_share)},
                            {"mean_diff", number_or_null(row.mean_diff)},
                            {"mean_ci_lower", number_or_null(row.mean_lower)},
                            {"mean_ci_upper", number_or_null(row.mean_upper)},
                            {"mean_p", number_or_null(row.mean_p)},
                            {"mean_p_share", number_or_null(row.mean_p_share)},
                            {"log_var_ratio", number_or_null(row.log_var_ratio)},
                            {"var_ci_lower", number_or_null(row.var_lower)},
                            {"var_ci_upper", number_or_null(row.var_upper)},
                            {"var_p", number_or_null(row.var_p)},
                            {"var_p_share", number_or_null(row.var_p_share)},
                            {"verdict", to_string(row.verdict)},
                            {"permutations", pair.permutations_used},
                            {"seed", micom.options.seed}});
    }
    json["micom"] = std::move(rows);
    const bool raw = micom.options.composite_data == MicomCompositeData::raw_pooled;
    json["micom_settings"] = {
        {"method", "MICOM (Henseler, Ringle & Sarstedt 2016), each pair of groups on the pair's rows"},
        {"permutations", micom.options.permutations},
        {"seed", micom.options.seed},
        {"alpha", micom.options.alpha},
        {"composite_data", to_string(micom.options.composite_data)},
        {"definitions",
         {{"c", std::string("cor(X w_a, X w_b) over the pair's rows, w_g group g's weights for standardized indicators, X the pair's "
                            "indicators ") +
                    (raw ? "as they are (cSEM's testMICOM)" : "standardized on the pair's rows (Henseler et al. 2016, SmartPLS)")},
          {"permutation", "the pair's rows shuffled between the two groups (the sizes kept) from the pair's random stream, the one the "
                          "groups' permutation test uses; both groups re-estimated, indicators standardized within each"},
          {"c_quantile_05", "the alpha quantile (type 7) of the permutation c"},
          {"c_p", "(count of permutation c <= c + 1) / (permutations used + 1): csipls's convention, never 0"},
          {"c_p_share", "count of permutation c <= c / permutations used: cSEM's convention"},
          {"step3_scores", "construct scores of one estimation on the pair's rows (standardized on them); permutations re-split these "
                           "scores with the same relabellings"},
          {"mean_diff", "mean of the scores in a minus mean in b"},
          {"log_var_ratio", "ln var_a - ln var_b, variances with divisor n_g - 1"},
          {"mean_ci", "the alpha/2 and 1 - alpha/2 quantiles (type 7) of the permutation values; var_ci the same"},
          {"mean_p", "(count of |permutation value| >= |observed| + 1) / (permutations + 1): csipls's convention; var_p the same"},
          {"mean_p_share", "share of permutation values > |observed| plus share < -|observed|: cSEM's convention; var_p_share the same"},
          {"verdict", "none: c below its quantile (no compositional invariance); partial: c at or above it but a mean difference or "
                      "log variance ratio outside its interval; full: all three inside (the paper's rules)"},
          {"step2_permutations", "permutations whose two estimations failed (non-convergence, a constant indicator) are left out of "
                                 "step 2 and counted in pairs[].permutations_failed; step 3 uses every permutation"}}},
        {"configural", std::move(configural)},
        {"pairs", std::move(pairs)}};
}

void write_micom_summary(std::ostream& out, const PlsResult& pooled, const GroupsResult& groups, const MicomResult& micom) {
    out << fmt::format("\nMICOM (Henseler, Ringle & Sarstedt 2016): {} permutations, composites on the pooled data {}, alpha {}\n",
                       micom.options.permutations,
                       micom.options.composite_data == MicomCompositeData::raw_pooled ? "as they are (cSEM)" : "standardized",
                       micom.options.alpha);
    std::size_t width = display_width("construct");
    for (const auto& name : pooled.constructs) width = std::max(width, display_width(name));
    const auto number = [](double value, const char* format) { return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : std::string("-"); };
    for (const MicomPair& pair : micom.pairs) {
        out << "  " << groups.groups[static_cast<std::size_t>(pair.a)].name << " vs " << groups.groups[static_cast<std::size_t>(pair.b)].name;
        if (!pair.ok()) {
            out << ": not tested: " << pair.error << '\n';
            continue;
        }
        out << " (" << pair.permutations_used << " permutations used)\n";
        out << "    " << pad_to_width("construct", width) << pad_to_width("c", 9, true) << pad_to_width("q", 9, true)
            << pad_to_width("p", 7, true) << pad_to_width("mean diff", 11, true) << pad_to_width("interval", 19, true)
            << pad_to_width("p", 7, true) << pad_to_width("log var", 9, true) << pad_to_width("interval", 19, true)
            << pad_to_width("p", 7, true) << "  verdict\n";
        for (const MicomConstruct& row : pair.constructs)
            out << "    " << pad_to_width(pooled.constructs[static_cast<std::size_t>(row.construct)], width)
                << pad_to_width(number(row.c, "{:.4f}"), 9, true) << pad_to_width(number(row.c_quantile, "{:.4f}"), 9, true)
                << pad_to_width(number(row.c_p, "{:.3f}"), 7, true) << pad_to_width(number(row.mean_diff, "{:.3f}"), 11, true)
                << pad_to_width("[" + number(row.mean_lower, "{:.3f}") + ", " + number(row.mean_upper, "{:.3f}") + "]", 19, true)
                << pad_to_width(number(row.mean_p, "{:.3f}"), 7, true) << pad_to_width(number(row.log_var_ratio, "{:.3f}"), 9, true)
                << pad_to_width("[" + number(row.var_lower, "{:.3f}") + ", " + number(row.var_upper, "{:.3f}") + "]", 19, true)
                << pad_to_width(number(row.var_p, "{:.3f}"), 7, true) << "  " << to_string(row.verdict) << '\n';
    }
    out << "  c: correlation of the composites built with each group's weights; q: its " << micom.options.alpha
        << " permutation quantile; verdict: none (c < q), partial (a mean or variance outside its interval), full\n";
}

}  // namespace csipls

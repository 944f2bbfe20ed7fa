// Writers of the tests between groups: MICOM and the multi-group tests (JSON and summary).
#include <fmt/format.h>

#include <cmath>

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
                              {"holds", pair.configural_problems.empty()},
                              {"checks", micom.configural_checks},
                              {"problems", pair.configural_problems}});
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
                            {"c_quantile_05", number_or_null(row.c_quantile_05)},
                            {"c_quantile_alpha", number_or_null(row.c_quantile)},
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
                            {"verdict", row.verdict == MicomVerdict::undetermined ? Json(nullptr) : Json(to_string(row.verdict))},
                            {"permutations", pair.permutations_used},
                            {"seed", micom.options.seed}});
    }
    json["micom"] = std::move(rows);
    const bool raw = micom.options.composite_data == MicomCompositeData::raw_pooled;
    json["micom_settings"] = {
        {"method", "MICOM (Henseler, Ringle & Sarstedt 2016) for each tested pair of groups"},
        {"permutations", micom.options.permutations},
        {"seed", micom.options.seed},
        {"alpha", micom.options.alpha},
        {"composite_data", to_string(micom.options.composite_data)},
        {"pooling", to_string(micom.options.pooling)},
        {"definitions",
         {{"pooled_rows", micom.options.pooling == MicomPooling::pair
                              ? "each pair on its own rows: X, the permutations and the step-3 estimation span the pair's two groups "
                                "(a two-group MICOM per pair, as SmartPLS runs it)"
                              : "every group's rows: X, the permutations and the step-3 estimation span all groups, and each tested "
                                "pair is read off them (cSEM's testMICOM); with two groups the same as per pair"},
          {"c", std::string("cor(X w_a, X w_b) over the pooled rows, w_g group g's weights for standardized indicators, X the pooled "
                            "indicators ") +
                    (raw ? "as they are (cSEM's testMICOM)" : "standardized on the pooled rows (Henseler et al. 2016, SmartPLS)")},
          {"permutation", micom.options.pooling == MicomPooling::pair
                              ? "the pair's rows shuffled between the two groups (sizes kept) from the pair's random stream, the one "
                                "the groups' permutation test uses; both groups re-estimated, indicators standardized within each"
                              : "the pooled rows shuffled among all groups (sizes kept) from one random stream of the seed; every group "
                                "of a tested pair re-estimated, indicators standardized within each"},
          {"c_quantile_05", "the 5 % quantile (type 7) of the permutation c; c_quantile_alpha the alpha quantile the verdict uses"},
          {"c_p", "(count of permutation c <= c + 1) / (permutations used + 1): csipls's convention, never 0"},
          {"c_p_share", "count of permutation c <= c / permutations used: cSEM's convention"},
          {"step3_scores", "construct scores of one estimation on the pooled rows (standardized on them); permutations re-split "
                           "these scores with the same relabellings"},
          {"mean_diff", "mean of the scores in a minus mean in b"},
          {"log_var_ratio", "ln var_a - ln var_b, variances with divisor n_g - 1"},
          {"mean_ci", "the alpha/2 and 1 - alpha/2 quantiles (type 7) of the permutation values; var_ci the same"},
          {"mean_p", "(count of |permutation value| >= |observed| + 1) / (permutations + 1): csipls's convention; var_p the same"},
          {"mean_p_share", "share of permutation values > |observed| plus share < -|observed|: cSEM's convention; var_p_share the same"},
          {"verdict", "none: c below its alpha quantile (no compositional invariance); partial: c at or above it but a mean "
                      "difference or log variance ratio outside its interval; full: all three inside (the paper's rules); null when a "
                      "number it needs is undefined"},
          {"step2_permutations", "permutations whose two estimations failed (non-convergence, a constant indicator) are left out of "
                                 "step 2 and counted in pairs[].permutations_failed; step 3 uses every permutation"}}},
        {"configural", std::move(configural)},
        {"pairs", std::move(pairs)}};
}

void write_micom_summary(std::ostream& out, const PlsResult& pooled, const GroupsResult& groups, const MicomResult& micom) {
    out << fmt::format("\nMICOM (Henseler, Ringle & Sarstedt 2016): {} permutations, rows pooled {}, composites on the pooled data {}, "
                       "alpha {}\n",
                       micom.options.permutations, micom.options.pooling == MicomPooling::pair ? "per pair" : "over all groups",
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

namespace {

// The ends of a compared parameter as the contract names them: from and to for a path, construct
// for an R² or an index, all three null for the whole model (Klesel's rows).
void describe_mga_parameter(Json& row, const PlsResult& pooled, const MgaRow& mga) {
    row["kind"] = "model";
    row["from"] = nullptr;
    row["to"] = nullptr;
    row["construct"] = nullptr;
    if (mga.parameter) row.update(describe_parameter(pooled, *mga.parameter));
}

}  // namespace

void add_mga_to_json(Json& json, const PlsResult& pooled, const GroupsResult& groups, const MgaResult& mga, const MgaOptions& options) {
    Json rows = Json::array();
    for (const MgaRow& row : mga.rows) {
        Json item;
        item["a"] = row.omnibus ? Json(nullptr) : Json(groups.groups[static_cast<std::size_t>(row.a)].name);
        item["b"] = row.omnibus ? Json(nullptr) : Json(groups.groups[static_cast<std::size_t>(row.b)].name);
        item["test"] = mga_row_test_name(row);
        item["method"] = row.omnibus ? Json(omnibus_test_name(row.method)) : Json(nullptr);
        describe_mga_parameter(item, pooled, row);
        item["difference"] = number_or_null(row.difference);
        item["statistic"] = number_or_null(row.statistic);
        item["df"] = number_or_null(row.df);
        item["p"] = number_or_null(row.p);
        item["p_adjusted"] = number_or_null(row.p_adjusted);
        item["significant"] = row.significant;
        item["used"] = row.used;
        rows.push_back(std::move(item));
    }
    json["mga"] = std::move(rows);
    Json tests = Json::array();
    for (const MgaTest test : options.tests) tests.push_back(mga_test_name(test));
    json["mga_settings"] = {
        {"tests", std::move(tests)},
        {"omnibus", options.omnibus},
        {"p_adjust", p_adjustment_name(options.p_adjust)},
        {"alpha", options.alpha},
        {"permutations", options.permutations},
        {"seed", options.seed},
        {"notes", mga.notes},
        {"definitions",
         {{"difference", "estimate in group a minus estimate in group b"},
          {"permutation", "Chin & Dibbern (2010): the pair's respondents reshuffled between the two groups; statistic = difference; "
                          "p = (permutations with |difference| >= observed + 1) / (used + 1)"},
          {"parametric", "Keil et al. (2000), cSEM \"Keil\": t = difference / (sqrt((n_a-1)^2/(n_a+n_b-2) se_a^2 + (n_b-1)^2/(n_a+n_b-2) "
                         "se_b^2) sqrt(1/n_a + 1/n_b)), df = n_a + n_b - 2, se_g the group's bootstrap standard error; two-sided p"},
          {"welch", "Nitzl (2010), cSEM \"Nitzl\": t = difference / sqrt((n_a-1)/n_a se_a^2 + (n_b-1)/n_b se_b^2), Welch-Satterthwaite "
                    "df rounded (half to even); two-sided p"},
          {"henseler", "Henseler's PLS-MGA (cSEM \"Henseler\"): statistic = P(theta_a <= theta_b) over every pair of the groups' "
                       "bias-corrected bootstrap draws (ties count one half); p = 2 min(P, 1 - P), capped at 1"},
          {"ci_parametric", "cSEM \"CI_para\": no difference when either group's estimate lies inside the other's bootstrap interval; "
                            "significant is the decision, no p-value"},
          {"ci_overlap", "cSEM \"CI_overlap\": no difference when the two bootstrap intervals overlap; significant is the decision"},
          {"omnibus sarstedt", "Sarstedt et al. (2011), cSEM \"Sarstedt\": per parameter F = between-group over within-group variance of "
                               "the groups' bootstrap draws; p from permutations of the draws' group labels, (count >= F + 1) / (used + 1)"},
          {"omnibus klesel_dg / klesel_duls", "Klesel et al. (2019): sum over pairs of groups of the geodesic (natural log) / squared "
                                              "Euclidean distance between the groups' model-implied indicator correlation matrices; p "
                                              "from permutations of all respondents' group labels, every group re-estimated"},
          {"p_adjusted", "within each test (omnibus: each method) over all pairs and parameters, as R's p.adjust, henseler's p "
                         "included (cSEM leaves it unadjusted); significant = p_adjusted <= alpha"}}}};
}

void write_mga_summary(std::ostream& out, const PlsResult& pooled, const GroupsResult& groups, const MgaResult& mga,
                       const MgaOptions& options) {
    // A long table (many pairs × parameters × tests) shows its significant rows only; the JSON has all.
    constexpr std::size_t all_rows_up_to = 300;
    const bool all = mga.rows.size() <= all_rows_up_to;
    out << fmt::format("\nMulti-group tests (p adjusted: {}; * p_adjusted <= {}){}\n", p_adjustment_name(options.p_adjust), options.alpha,
                       all ? "" : fmt::format(": the significant of {} rows (all are in the JSON result)", mga.rows.size()));
    std::vector<std::vector<std::string>> table{{"pair", "test", "parameter", "difference", "statistic", "df", "p", "p adj", ""}};
    const auto number = [](double value, const char* format) {
        return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : std::string("-");
    };
    for (const MgaRow& row : mga.rows) {
        if (!all && !row.significant) continue;
        table.push_back({row.omnibus ? std::string("(all groups)")
                                     : groups.groups[static_cast<std::size_t>(row.a)].name + " - " + groups.groups[static_cast<std::size_t>(row.b)].name,
                         row.omnibus ? std::string("omnibus ") + omnibus_test_name(row.method) : mga_row_test_name(row),
                         row.parameter ? parameter_label(pooled, *row.parameter) : std::string("model"), number(row.difference, "{:.4f}"), number(row.statistic, "{:.4f}"),
                         number(row.df, "{:.0f}"), number(row.p, "{:.4f}"), number(row.p_adjusted, "{:.4f}"), row.significant ? "*" : ""});
    }
    // Pair, test and parameter on the left, the numbers on the right.
    write_aligned_rows(out, table, {false, false, false, true, true, true, true, true, true});
}

}  // namespace csipls

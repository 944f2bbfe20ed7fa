// The study report: one self-contained HTML page rendered from the JSON result. Each section reads
// the keys it needs and is left out (with nothing else changing) when the result lacks them.
#include <algorithm>
#include <map>
#include <set>

#include "csipls/core/detail/thresholds.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/result_reader.hpp"
#include "csipls/version.hpp"
#include "labels.hpp"
#include "report_internal.hpp"

namespace csipls {

using namespace report_detail;

namespace {

struct Section {
    std::string id, title, html;
};

using Out = std::back_insert_iterator<std::string>;

// A table cell with a number and, when the value misses its threshold, a class the CSS marks.
std::string td(const std::string& text, const std::string& css_class = "", const std::string& title = "") {
    std::string cell = "<td";
    if (!css_class.empty()) cell += " class=\"" + css_class + "\"";
    if (!title.empty()) cell += " title=\"" + html_escape(title) + "\"";
    return cell + ">" + text + "</td>";
}

std::string th(std::string_view text) { return "<th>" + html_escape(text) + "</th>"; }

std::vector<std::string> construct_names(const Json& result) {
    std::vector<std::string> names;
    for (const auto& [name, block] : required_object(result, "outer_weights").items()) names.push_back(name);
    return names;
}

// The bootstrap entry of a parameter list (`paths`, `r2`, `csi_index`, ...) matching `match`.
template <class Match>
const Json* bootstrap_entry(const Json& result, std::string_view list, Match match) {
    const Json* boot = member(result, "bootstrap");
    const Json* entries = boot ? member(*boot, list) : nullptr;
    if (!entries || !entries->is_array()) return nullptr;
    for (const auto& entry : *entries)
        if (match(entry)) return &entry;
    return nullptr;
}

double ci_level(const Json& result) {
    const Json* boot = member(result, "bootstrap");
    return boot ? number_at(*boot, "ci_level").value_or(0.95) : 0.95;
}

std::string percent(double level) { return fixed(level * 100, level * 100 == std::round(level * 100) ? 0 : 1) + " %"; }

// --- run and settings -------------------------------------------------------------------------

Section run_section(const Json& result) {
    Section s{"run", L("Run and reproducibility"), {}};
    auto out = std::back_inserter(s.html);
    const Json& engine = required_object(result, "engine");
    s.html += "<table class=\"facts\"><tbody>\n";
    fmt::format_to(out, "<tr><th>{}</th><td>{} {} ({} {})</td></tr>\n", L("Estimated by"), html_escape(text_at(engine, "name")),
                   html_escape(plain_text(engine.value("version", Json()))), L("commit"), html_escape(text_at(engine, "commit")));
    fmt::format_to(out, "<tr><th>{}</th><td>{} {} ({} {})</td></tr>\n", L("Report rendered by"), engine_name, engine_version, L("commit"),
                   html_escape(engine_commit));
    if (const Json* input = member(result, "input")) {
        if (const Json* model = member(*input, "model"))
            fmt::format_to(out, "<tr><th>{}</th><td><code>{}</code>, xxh64 <code>{}</code></td></tr>\n", L("Model file"),
                           html_escape(text_at(*model, "path")), html_escape(text_at(*model, "xxh64")));
        if (const Json* data = member(*input, "data"))
            fmt::format_to(out, "<tr><th>{}</th><td><code>{}</code>, {} {}, xxh64 <code>{}</code></td></tr>\n", L("Data file"),
                           html_escape(text_at(*data, "path")), html_escape(plain_text(data->value("size_bytes", Json()))), L("bytes"),
                           html_escape(text_at(*data, "xxh64")));
    }
    if (const auto n = number_at(result, "n_obs")) fmt::format_to(out, "<tr><th>{}</th><td>{}</td></tr>\n", L("Respondents"), fixed(*n, 0));
    if (const Json* converged = member(result, "converged"))
        fmt::format_to(out, "<tr><th>{}</th><td>{}</td></tr>\n", L("PLS iteration"),
                       format_label(L("{} after {} iterations (last max weight change {})"),
                       converged->is_boolean() && converged->get<bool>() ? L("converged") : "<strong>" + L("did not converge") + "</strong>",
                       html_escape(plain_text(result.value("iterations", Json()))),
                       html_escape(plain_text(result.value("last_weight_change", Json())))));
    s.html += "</tbody></table>\n";
    if (const Json* settings = member(result, "settings"); settings && settings->is_object()) {
        s.html += "<h3>" + L("Settings") + "</h3>\n<table class=\"facts\"><tbody>\n";
        for (const auto& [key, value] : settings->items())
            if (!value.is_object())
                fmt::format_to(out, "<tr><th>{}</th><td>{}</td></tr>\n", html_escape(key), html_escape(plain_text(value)));
        s.html += "</tbody></table>\n";
        // Every option of the study by its field name (what a script or binding would set).
        if (const Json* options = member(*settings, "options"); options && options->is_object()) {
            s.html += "<h3>" + L("Options") + "</h3>\n<table class=\"facts\"><tbody>\n";
            for (const auto& [key, value] : options->items())
                fmt::format_to(out, "<tr><th>{}</th><td>{}</td></tr>\n", html_escape(key), html_escape(plain_text(value)));
            s.html += "</tbody></table>\n";
        }
    }
    if (const Json* boot = member(result, "bootstrap")) {
        s.html += "<h3>" + L("Bootstrap") + "</h3>\n<table class=\"facts\"><tbody>\n";
        // The result's keys name the facts (in English, as the JSON has them).
        struct Fact {
            const char* key;
            Label name;
        };
        const Fact facts[] = {{"resamples", "resamples"}, {"seed", "seed"}, {"succeeded", "succeeded"},
                                                       {"failed", "failed"}, {"ci_type", "ci_type"}, {"ci_level", "ci_level"},
                                                       {"sign_change", "sign_change"}, {"resampling", "resampling"}};
        for (const auto& [key, name] : facts)
            if (const Json* value = member(*boot, key))
                fmt::format_to(out, "<tr><th>{}</th><td>{}</td></tr>\n", std::string_view(name), html_escape(plain_text(*value)));
        if (const Json* value = member(*boot, "p"))
            fmt::format_to(out, "<tr><th>p</th><td>{}</td></tr>\n", html_escape(plain_text(*value)));
        s.html += "</tbody></table>\n";
    }
    return s;
}

// --- path diagram and structural model --------------------------------------------------------

Section diagram_section(const Json& result) {
    Section s{"diagram", L("Path diagram"), {}};
    const DiagramModel diagram = diagram_from_result(result);
    s.html += "<figure class=\"diagram\">\n" + diagram_svg(diagram, "pd", false);
    s.html += "<figcaption>" + L("Constructs are ellipses (R² inside the endogenous ones), indicators rectangles: loadings on "
              "the arrows of reflective (=~) blocks, which point to the indicators; outer weights on those of formative "
              "(&lt;~) blocks, which point to the construct. Arrows between constructs carry the path coefficients");
    if (member(result, "bootstrap"))
        s.html += L(" with bootstrap significance (* p &lt; 0.05, ** p &lt; 0.01, *** p &lt; 0.001; dashed grey: not "
                  "significant at 5 %; red: negative)");
    else
        s.html += L(" (no bootstrap in this result, so no significance stars)");
    s.html += L(".");
    if (std::any_of(diagram.paths.begin(), diagram.paths.end(), [](const DiagramPath& path) { return path.higher_order; }))
        s.html += L(" Blue arrows join each higher-order construct to its lower-order constructs, with the loadings (=~) or "
                    "weights (&lt;~) of stage 2; the lower-order constructs' indicators carry those of stage 1.");
    s.html += "</figcaption>\n</figure>\n";
    return s;
}

Section structural_section(const Json& result) {
    Section s{"structural", L("Structural model"), {}};
    auto out = std::back_inserter(s.html);
    const bool boot = member(result, "bootstrap") != nullptr;
    std::map<std::pair<std::string, std::string>, double> f2;
    if (const Json* list = member(result, "f2"); list && list->is_array())
        for (const auto& entry : *list)
            if (const auto v = number_at(entry, "value")) f2[{text_at(entry, "from"), text_at(entry, "to")}] = *v;
    s.html += "<table class=\"numbers\"><thead><tr>" + th(L("From")) + th(L("To")) + th(L("Estimate"));
    if (boot)
        fmt::format_to(out, "{}<th>t</th><th>p</th>{}<th></th>", th(L("Boot. se")), th(format_label(L("{} CI"), percent(ci_level(result)))));
    s.html += "<th>f²</th></tr></thead><tbody>\n";
    for (const auto& path : required_array(result, "paths")) {
        const std::string from = text_at(path, "from"), to = text_at(path, "to");
        fmt::format_to(out, "<tr><td>{}</td><td>{}</td>{}", html_escape(from), html_escape(to),
                       td(fixed(number_at(path, "estimate"), 3)));
        if (boot) {
            const Json* entry = bootstrap_entry(result, "paths", [&](const Json& e) {
                return text_at(e, "from") == from && text_at(e, "to") == to;
            });
            if (entry) {
                const auto p = number_at(*entry, "p");
                fmt::format_to(out, "{}{}{}{}{}", td(fixed(number_at(*entry, "se"), 3)), td(fixed(number_at(*entry, "t"), 2)),
                               td(fixed(p, 3)),
                               td("[" + fixed(number_at(*entry, "ci_lower"), 3) + ", " + fixed(number_at(*entry, "ci_upper"), 3) + "]"),
                               td(p ? significance_stars(*p) : ""));
            } else {
                s.html += "<td>—</td><td>—</td><td>—</td><td>—</td><td></td>";
            }
        }
        const auto found = f2.find({from, to});
        s.html += td(found == f2.end() ? "—" : fixed(found->second, 3)) + "</tr>\n";
    }
    s.html += "</tbody></table>\n";
    if (const Json* r2 = member(result, "r2"); r2 && r2->is_object() && !r2->empty()) {
        const Json* r2_adj = member(result, "r2_adj");
        s.html += "<h3>" + L("Explained variance") + "</h3>\n<table class=\"numbers\"><thead><tr>" + th(L("Construct")) + "<th>R²</th>" + th(L("Adjusted R²"));
        if (boot) s.html += th(format_label(L("{} CI of R²"), percent(ci_level(result))));
        s.html += "</tr></thead><tbody>\n";
        for (const auto& [name, value] : r2->items()) {
            fmt::format_to(out, "<tr><td>{}</td>{}{}", html_escape(name), td(fixed(number_of(&value), 3)),
                           td(fixed(r2_adj ? number_at(*r2_adj, name) : std::nullopt, 3)));
            if (boot) {
                const Json* entry = bootstrap_entry(result, "r2", [&](const Json& e) { return text_at(e, "construct") == name; });
                s.html += td(entry ? "[" + fixed(number_at(*entry, "ci_lower"), 3) + ", " + fixed(number_at(*entry, "ci_upper"), 3) + "]"
                                   : "—");
            }
            s.html += "</tr>\n";
        }
        s.html += "</tbody></table>\n";
    }
    return s;
}

// --- groups: the per-group entries of the result ----------------------------------------------

// The per-group entries: `groups.results` (the engine's key) or `groups.groups`; nullptr without groups.
const Json* group_entries(const Json& result) {
    const Json* groups = member(result, "groups");
    if (!groups) return nullptr;
    for (const char* key : {"results", "groups"})
        if (const Json* list = member(*groups, key); list && list->is_array()) return list;
    return nullptr;
}

const Json* group_entry(const Json& result, const std::string& name) {
    const Json* entries = group_entries(result);
    if (!entries) return nullptr;
    for (const auto& entry : *entries)
        if (text_at(entry, "group") == name) return &entry;
    return nullptr;
}

// A compared quantity: a path (from, to), or an R² or index of a construct (`first`).
struct Quantity {
    std::string kind, first, second;
};

bool matches(const Json& entry, const Quantity& q) {
    if (q.kind == "path") return text_at(entry, "from") == q.first && text_at(entry, "to") == q.second;
    return text_at(entry, "construct") == q.first;
}

// The bootstrap summary (se, ci_lower, ci_upper, p) of a quantity in one group's entry: its
// `bootstrap.parameters` (kind, from/to or construct), or lists by kind as in the pooled bootstrap.
const Json* group_bootstrap_entry(const Json& group, const Quantity& q) {
    const Json* boot = member(group, "bootstrap");
    if (!boot) return nullptr;
    if (const Json* parameters = member(*boot, "parameters"); parameters && parameters->is_array())
        for (const auto& entry : *parameters)
            if (text_at(entry, "kind") == q.kind && matches(entry, q)) return &entry;
    const std::string list = q.kind == "path" ? "paths" : q.kind;
    if (const Json* entries = member(*boot, list); entries && entries->is_array())
        for (const auto& entry : *entries)
            if (matches(entry, q)) return &entry;
    return nullptr;
}

// --- indices ----------------------------------------------------------------------------------

struct IndexRow {
    std::string group;
    std::string level;  // "all", "group" or an aggregation level ("industry", "total"); "" when not given
    std::string error;  // why the row has no index
    std::optional<double> n_obs;
    std::map<std::string, std::optional<double>> index, se, lower, upper;
    std::set<std::string> negative_weight;
};

struct IndexTable {
    std::vector<std::string> constructs;
    double level = 0.95;
    std::vector<IndexRow> rows;  // the first is "(all)" when the result has one
};

// A row of one group (company, segment, period), not the overall row or an aggregate of groups.
bool is_group_level(const std::string& level, const std::string& group) {
    return level.empty() ? group != "(all)" : level == "group";
}

std::optional<IndexTable> read_index_table(const Json& result) {
    IndexTable table;
    if (const Json* json = member(result, "index_table")) {
        const Json& constructs = required_array(*json, "constructs");
        for (const auto& name : constructs)
            if (name.is_string()) table.constructs.push_back(name.get<std::string>());
        table.level = number_at(*json, "ci_level").value_or(0.95);
        for (const auto& row : required_array(*json, "rows")) {
            IndexRow r;
            const Json* group = member(row, "group");
            r.group = group ? plain_text(*group) : "—";
            r.n_obs = number_at(row, "n_obs");
            r.level = text_at(row, "level");
            r.error = text_at(row, "error");
            if (const Json* flagged = member(row, "negative_weight"); flagged && flagged->is_array())
                for (const auto& name : *flagged)
                    if (name.is_string()) r.negative_weight.insert(name.get<std::string>());
            for (const auto& name : table.constructs) {
                for (auto [key, target] : {std::pair{"index", &r.index}, std::pair{"se", &r.se},
                                           std::pair{"ci_lower", &r.lower}, std::pair{"ci_upper", &r.upper}}) {
                    const Json* values = member(row, key);
                    (*target)[name] = values ? number_at(*values, name) : std::nullopt;
                }
            }
            // A group row without intervals takes them from the group's own bootstrap, when it has one.
            if (is_group_level(r.level, r.group))
                if (const Json* entry = group_entry(result, r.group))
                    for (const auto& name : table.constructs) {
                        if (r.lower.at(name) || r.upper.at(name)) continue;
                        if (const Json* boot = group_bootstrap_entry(*entry, {"csi_index", name, ""})) {
                            r.lower[name] = number_at(*boot, "ci_lower");
                            r.upper[name] = number_at(*boot, "ci_upper");
                            if (!r.se.at(name)) r.se[name] = number_at(*boot, "se");
                        }
                    }
            table.rows.push_back(std::move(r));
        }
        return table;
    }
    // Before group estimation: the overall indices, with their bootstrap intervals.
    const Json* csi = member(result, "csi_index");
    const Json* values = csi ? member(*csi, "values") : nullptr;
    if (!values || !values->is_object()) return std::nullopt;
    table.level = ci_level(result);
    IndexRow row{"(all)", "all", "", number_at(result, "n_obs"), {}, {}, {}, {}, {}};
    for (const auto& [name, value] : values->items()) {
        table.constructs.push_back(name);
        row.index[name] = number_of(&value);
        const Json* entry = bootstrap_entry(result, "csi_index", [&](const Json& e) { return text_at(e, "construct") == name; });
        row.se[name] = entry ? number_at(*entry, "se") : std::nullopt;
        row.lower[name] = entry ? number_at(*entry, "ci_lower") : std::nullopt;
        row.upper[name] = entry ? number_at(*entry, "ci_upper") : std::nullopt;
    }
    table.rows.push_back(std::move(row));
    return table;
}

// The construct charted per group and on the control chart: the IPMA target when there is one,
// else the construct most paths lead into (satisfaction, in the ACSI, ECSI and CCSI models).
std::string key_construct(const Json& result, const std::vector<std::string>& candidates) {
    if (const Json* ipma = member(result, "ipma")) {
        const std::string target = text_at(*ipma, "target");
        if (std::find(candidates.begin(), candidates.end(), target) != candidates.end()) return target;
    }
    std::string best = candidates.empty() ? "" : candidates.front();
    long best_count = -1;
    for (const auto& name : candidates) {
        long count = 0;
        if (const Json* paths = member(result, "paths"); paths && paths->is_array())
            count = std::count_if(paths->begin(), paths->end(), [&](const Json& p) { return text_at(p, "to") == name; });
        if (count > best_count) best = name, best_count = count;
    }
    return best;
}

bool is_overall(const IndexRow& row) { return row.level.empty() ? row.group == "(all)" : row.level == "all"; }
// A row of one group (company, segment, period), not the overall row or an aggregate of groups.
bool is_group(const IndexRow& row) { return is_group_level(row.level, row.group); }

std::optional<Section> index_section(const Json& result, const IndexTable& table) {
    Section s{"indices", L("Customer satisfaction indices (0-100)"), {}};
    auto out = std::back_inserter(s.html);
    std::set<std::string> negative;
    if (const Json* csi = member(result, "csi_index"))
        if (const Json* flagged = member(*csi, "negative_weight"); flagged && flagged->is_array())
            for (const auto& name : *flagged)
                if (name.is_string()) negative.insert(name.get<std::string>());
    const bool intervals = std::any_of(table.rows.begin(), table.rows.end(), [](const IndexRow& r) {
        return std::any_of(r.lower.begin(), r.lower.end(), [](const auto& kv) { return kv.second.has_value(); });
    });
    const bool aggregates = std::any_of(table.rows.begin(), table.rows.end(), [](const IndexRow& r) {
        return !r.level.empty() && r.level != "all" && r.level != "group";
    });
    s.html += "<div class=\"table-scroll\"><table class=\"numbers index-table\"><thead><tr>" + th(L("Group"));
    if (aggregates) s.html += th(L("Level"));
    s.html += "<th>n</th>";
    for (const auto& name : table.constructs)
        fmt::format_to(out, "<th>{}{}</th>", html_escape(name), negative.count(name) ? " †" : "");
    s.html += "</tr></thead><tbody>\n";
    for (const auto& row : table.rows) {
        fmt::format_to(out, "<tr{}><td>{}</td>", is_overall(row) ? " class=\"overall\"" : is_group(row) ? "" : " class=\"aggregate\"",
                       html_escape(row.group));
        if (aggregates) fmt::format_to(out, "<td>{}</td>", html_escape(row.level));
        s.html += td(fixed(row.n_obs, 0));
        if (!row.error.empty()) {
            fmt::format_to(out, "<td class=\"row-error\" colspan=\"{}\">{}{}</td></tr>\n", table.constructs.size(), L("no index: "),
                           html_escape(row.error));
            continue;
        }
        for (const auto& name : table.constructs) {
            std::string text = fixed(row.index.at(name), 1);
            if (row.negative_weight.count(name)) text += " †";
            if (row.lower.at(name) && row.upper.at(name))
                text += "<br><span class=\"ci\">[" + fixed(row.lower.at(name), 1) + ", " + fixed(row.upper.at(name), 1) + "]</span>";
            s.html += td(text);
        }
        s.html += "</tr>\n";
    }
    s.html += "</tbody></table></div>\n<p class=\"note\">";
    if (intervals) s.html += format_label(L("Brackets: {} bootstrap confidence intervals. "), percent(table.level));
    else s.html += L("No bootstrap in this result, so no intervals. ");
    if (!negative.empty())
        s.html += L("† a negative unstandardized weight: this index is a difference of answers, not a weighted mean, and is "
                  "not meaningful. ");
    s.html += L("Indices by the ACSI method: outer weights rescaled to sum 1 weight the item means mapped onto 0-100.") + "</p>\n";

    const IndexRow& first = *std::find_if(table.rows.begin(), table.rows.end(), [&](const IndexRow& r) {
        return r.error.empty() || &r == &table.rows.back();
    });
    std::vector<ChartItem> overall;
    for (const auto& name : table.constructs)
        overall.push_back({name, first.index.at(name), first.lower.at(name), first.upper.at(name)});
    fmt::format_to(out, "<figure>\n{}<figcaption>{}</figcaption></figure>\n", bar_chart(overall, 0, 100, L("Indices by construct")),
                   format_label(L("Indices of group {}{}."), html_escape(first.group), intervals ? L(", with their intervals") : ""));

    std::vector<const IndexRow*> groups;
    for (const auto& row : table.rows)
        if (is_group(row) && row.error.empty()) groups.push_back(&row);
    if (!groups.empty()) {
        const std::string key = key_construct(result, table.constructs);
        std::vector<ChartItem> items;
        for (const IndexRow* row : groups) items.push_back({row->group, row->index.at(key), row->lower.at(key), row->upper.at(key)});
        // Up to 40 groups stay readable as labelled bars; more become a strip of points in group order.
        const std::string chart = items.size() <= 40 ? bar_chart(items, 0, 100, format_label(L("Index of {} by group"), key))
                                                     : strip_chart(items, format_label(L("{} index"), key), format_label(L("Index of {} by group"), key));
        const bool group_intervals = std::any_of(items.begin(), items.end(), [](const ChartItem& i) { return i.lower && i.upper; });
        fmt::format_to(out, "<figure>\n{}<figcaption>{}</figcaption></figure>\n", chart,
                       format_label(L("Index of {} in each of the {} groups{}{}."), html_escape(key), groups.size(),
                                    group_intervals ? format_label(L(", with each group's {} bootstrap interval"), percent(table.level)) : "",
                                    items.size() <= 40 ? "" : L(" (in their order; points with interval lines; every group is in the table)")));
    }
    return s;
}

// The result's mediation type (Zhao, Lynch & Chen) in the report's language; the English page shows
// the result's own word.
std::string mediation_type_name(const std::string& type) {
    if (type == "complementary") return L("complementary");
    if (type == "competitive") return L("competitive");
    if (type == "indirect_only") return L("indirect_only");
    if (type == "direct_only") return L("direct_only");
    if (type == "none") return L("none");
    return type;
}

// --- groups compared, MICOM and MGA -----------------------------------------------------------

// The fixed texts of the group, MICOM and MGA sections, in one place (plain text, escaped where
// written), so they can move into one label table. `{}` marks where a number or name goes.
namespace label {
constexpr Label groups_title{"Groups compared"};
constexpr Label groups_intro{"Groups of the column {}: {} groups, {}."};
constexpr Label group_failed{"Group {}: no estimate ({})."};
constexpr Label pooled{"Pooled"};
constexpr Label group{"Group"};
constexpr std::string_view n_header = "n";
constexpr std::string_view n_is = "n = {}";
constexpr Label path_header{"Path"};
constexpr Label construct_header{"Construct"};
constexpr Label paths_heading{"Path coefficients"};
constexpr Label r2_heading{"Explained variance (R²)"};
constexpr Label index_heading{"Indices (0-100)"};
constexpr std::string_view arrow = " → ";
constexpr Label groups_legend_intervals{"Brackets: {} bootstrap intervals ({}), each group's from its own bootstrap. * after a path coefficient: its "
    "interval excludes 0."};
constexpr Label groups_legend_no_intervals{"No group bootstrap in this result, so no intervals and no marks."};
constexpr Label groups_legend_transposed{"With more than {} groups the tables are transposed: a row per group, a column per path or construct."};
constexpr Label micom_title{"Measurement invariance (MICOM)"};
constexpr Label micom_settings{"Permutations: {}; seed: {}; α = {}; composite scores from {}{}."};
constexpr Label micom_pooling_all{"; each pair read off the rows of all groups (cSEM's testMICOM)"};
constexpr Label micom_pooling_pair{"; each pair on its own rows"};
constexpr Label micom_configural_heading{"Step 1: configural invariance"};
constexpr std::string_view micom_pair = "{} vs {}";
constexpr Label micom_holds{"holds"};
constexpr Label micom_does_not_hold{"does not hold"};
constexpr Label micom_checks{"Checks"};
constexpr Label micom_problems{"Problems"};
constexpr Label micom_groups{"Groups"};
constexpr Label micom_configural{"Configural invariance"};
constexpr Label micom_step2{"Step 2: compositional invariance"};
constexpr Label micom_step3a{"Step 3a: equal means"};
constexpr Label micom_step3b{"Step 3b: equal variances"};
constexpr std::string_view micom_c = "c";
constexpr Label micom_quantile{"5 % quantile"};
constexpr std::string_view p = "p";
constexpr Label micom_mean_diff{"Mean difference"};
constexpr Label micom_log_var{"Log variance ratio"};
constexpr Label micom_interval{"{} interval"};
constexpr Label micom_verdict{"Invariance"};
constexpr Label micom_full{"full invariance"};
constexpr Label micom_partial{"partial invariance"};
constexpr Label micom_none{"no invariance"};
constexpr Label micom_rules{"MICOM (Henseler, Ringle & Sarstedt 2016), per pair of groups and construct. Step 1, configural invariance: the "
    "same indicators, data treatment and algorithm settings in both groups. Step 2, compositional invariance: c, the "
    "correlation of the composite scores built with either group's weights, is not significantly below 1 (c at least "
    "the 5 % quantile of its permutation distribution, p ≥ α). Step 3: the composites' mean difference and log "
    "variance ratio lie inside their {} permutation intervals (p ≥ α). Verdict: no invariance when step 1 or 2 fails "
    "(the groups' estimates should not be compared); partial invariance when steps 1 and 2 hold (path coefficients "
    "may be compared by multigroup analysis); full invariance when step 3 holds too (the groups' data may also be "
    "pooled). Marked: c below its quantile and p below α."};
constexpr Label micom_below_alpha{"below α = {}"};
constexpr Label micom_below_quantile{"below the 5 % quantile"};
constexpr Label definitions{"Definitions"};
constexpr Label mga_title{"Multigroup analysis (MGA)"};
constexpr Label mga_settings{"Tests: {}; p adjusted by {}; α = {}."};
constexpr Label mga_groups{"Groups"};
constexpr Label mga_parameter{"Parameter"};
constexpr Label mga_difference{"Difference"};
constexpr Label mga_statistic{"Statistic"};
constexpr std::string_view mga_df = "df";
constexpr Label mga_p_adjusted{"p adjusted"};
constexpr Label mga_method{"Method"};
constexpr Label mga_omnibus_heading{"Omnibus tests (all groups at once)"};
constexpr Label mga_whole_model{"whole model"};
constexpr Label mga_r2_of{"R² of {}"};
constexpr Label mga_index_of{"index of {}"};
constexpr Label mga_legend{"Difference: group a minus group b. Bold with *: significant at α = {} after the p adjustment ({}); —: not "
    "computed."};
constexpr Label test_permutation{"Permutation test"};
constexpr Label test_parametric{"Parametric t-test (equal variances)"};
constexpr Label test_welch{"Welch-Satterthwaite t-test (unequal variances)"};
constexpr Label test_henseler{"Henseler's bootstrap MGA"};
constexpr Label test_ci_parametric{"Parametric confidence intervals"};
constexpr Label test_ci_overlap{"Confidence interval overlap"};
constexpr Label test_omnibus{"Omnibus tests"};
constexpr Label adjust_holm{"Holm"};
constexpr Label adjust_bonferroni{"Bonferroni"};
constexpr Label adjust_bh{"Benjamini-Hochberg"};
constexpr Label adjust_none{"none"};
constexpr Label method_sarstedt{"OTG (Sarstedt et al. 2011)"};
constexpr Label method_klesel_dg{"d_G distance test (Klesel et al. 2019)"};
constexpr Label method_klesel_duls{"d_ULS distance test (Klesel et al. 2019)"};
constexpr Label composite_standardized_pooled{"indicators standardized on the pooled data"};
constexpr Label composite_raw_pooled{"the raw indicators of the pooled data"};
}  // namespace label


// A JSON value as escaped text: "—" for null or absent.
std::string escaped_at(const Json& object, std::string_view key) {
    const Json* value = member(object, key);
    return value ? html_escape(plain_text(*value)) : "—";
}

std::string interval_text(std::optional<double> lower, std::optional<double> upper, int digits) {
    if (!lower && !upper) return "—";
    return "[" + fixed(lower, digits) + ", " + fixed(upper, digits) + "]";
}

// A number with few digits when whole (df of a t-test), else one decimal.
std::string count_text(std::optional<double> value) {
    return fixed(value, value && *value == std::round(*value) ? 0 : 1);
}

// The significance level as given (0.05, 0.1), 0.05 when the result does not say.
double alpha_of(const Json* settings) {
    const auto alpha = settings ? number_at(*settings, "alpha") : std::nullopt;
    return alpha && *alpha > 0 && *alpha < 1 ? *alpha : 0.05;
}

std::string alpha_text(double alpha) { return fmt::format("{}", alpha); }

// One value of a quantity for the pooled estimate or a group, with its bootstrap interval.
struct Estimate {
    std::optional<double> value, lower, upper;
};

struct GroupColumn {
    std::string name, error;
    std::optional<double> n_obs;
    const Json* entry = nullptr;  // nullptr: the pooled estimate
};

std::optional<double> group_value(const Json& entry, const Quantity& q) {
    if (q.kind == "path") {
        if (const Json* paths = member(entry, "paths"); paths && paths->is_array())
            for (const auto& path : *paths)
                if (matches(path, q)) return number_at(path, "estimate");
        return std::nullopt;
    }
    const Json* values = member(entry, q.kind);
    if (values && member(*values, "values")) values = member(*values, "values");  // {"values": {...}} as pooled
    return values ? number_at(*values, q.first) : std::nullopt;
}

Estimate pooled_estimate(const Json& result, const Quantity& q) {
    Estimate e;
    if (q.kind == "path") {
        for (const auto& path : required_array(result, "paths"))
            if (matches(path, q)) e.value = number_at(path, "estimate");
    } else {
        const Json* values = member(result, q.kind);
        if (values && q.kind == "csi_index") values = member(*values, "values");
        e.value = values ? number_at(*values, q.first) : std::nullopt;
    }
    const Json* entry = bootstrap_entry(result, q.kind == "path" ? "paths" : q.kind, [&](const Json& b) { return matches(b, q); });
    if (entry) e.lower = number_at(*entry, "ci_lower"), e.upper = number_at(*entry, "ci_upper");
    return e;
}

Estimate column_estimate(const Json& result, const GroupColumn& column, const Quantity& q) {
    if (!column.entry) return pooled_estimate(result, q);
    Estimate e;
    if (!column.error.empty()) return e;
    e.value = group_value(*column.entry, q);
    if (const Json* entry = group_bootstrap_entry(*column.entry, q))
        e.lower = number_at(*entry, "ci_lower"), e.upper = number_at(*entry, "ci_upper");
    return e;
}

std::string estimate_cell(const Estimate& e, const Quantity& q) {
    const int digits = q.kind == "csi_index" ? 1 : 3;
    std::string cell = fixed(e.value, digits);
    // A path whose interval excludes 0; R² and indices are positive, so they get no mark.
    if (q.kind == "path" && e.value && e.lower && e.upper && (*e.lower > 0 || *e.upper < 0)) cell += " *";
    if (e.lower || e.upper) cell += "<br><span class=\"ci\">" + interval_text(e.lower, e.upper, digits) + "</span>";
    return td(cell);
}

std::string quantity_name(const Quantity& q) {
    return q.kind == "path" ? html_escape(q.first) + html_escape(label::arrow) + html_escape(q.second) : html_escape(q.first);
}

// Beyond this many groups a table has a row per group instead of a column per group.
constexpr std::size_t most_group_columns = 12;

std::string group_table(const Json& result, const std::vector<GroupColumn>& columns, const std::vector<Quantity>& rows) {
    std::string html;
    auto out = std::back_inserter(html);
    const bool transposed = columns.size() - 1 > most_group_columns;
    const std::string first_header = rows.front().kind == "path" ? std::string(label::path_header) : std::string(label::construct_header);
    html += "<div class=\"table-scroll\"><table class=\"numbers by-column group-table\"><thead><tr>";
    if (!transposed) {
        html += th(first_header);
        for (const auto& column : columns)
            fmt::format_to(out, "<th>{}<br><span class=\"ci\">{}</span></th>", html_escape(column.name),
                           html_escape(format_label(label::n_is, fixed(column.n_obs, 0))));
        html += "</tr></thead><tbody>\n";
        for (const auto& q : rows) {
            fmt::format_to(out, "<tr><td>{}</td>", quantity_name(q));
            for (const auto& column : columns) html += estimate_cell(column_estimate(result, column, q), q);
            html += "</tr>\n";
        }
    } else {
        html += th(label::group) + th(label::n_header);
        for (const auto& q : rows) fmt::format_to(out, "<th>{}</th>", quantity_name(q));
        html += "</tr></thead><tbody>\n";
        for (const auto& column : columns) {
            fmt::format_to(out, "<tr{}><td>{}</td>{}", column.entry ? "" : " class=\"overall\"", html_escape(column.name),
                           td(fixed(column.n_obs, 0)));
            for (const auto& q : rows) html += estimate_cell(column_estimate(result, column, q), q);
            html += "</tr>\n";
        }
    }
    html += "</tbody></table></div>\n";
    return html;
}

std::optional<Section> groups_section(const Json& result) {
    const Json* entries = group_entries(result);
    if (!entries || entries->empty()) return std::nullopt;
    const Json& groups = *member(result, "groups");
    Section s{"groups", std::string(label::groups_title), {}};
    auto out = std::back_inserter(s.html);

    std::vector<GroupColumn> columns{{std::string(label::pooled), "", number_at(result, "n_obs"), nullptr}};
    for (const auto& entry : *entries) {
        const Json* name = member(entry, "group");
        columns.push_back({name ? plain_text(*name) : "—", text_at(entry, "error"), number_at(entry, "n_obs"), &entry});
    }
    fmt::format_to(out, "<p>{}</p>\n",
                   format_label(html_escape(label::groups_intro), "<code>" + html_escape(text_at(groups, "column")) + "</code>",
                        columns.size() - 1,
                        html_escape(text_at(groups, "method").empty() ? text_at(groups, "mode") : text_at(groups, "method"))));
    for (const auto& column : columns)
        if (!column.error.empty())
            fmt::format_to(out, "<p class=\"fail\">{}</p>\n", html_escape(format_label(label::group_failed, column.name, column.error)));

    // Rows: the model's paths, then the constructs with an R² or an index (pooled or in any group).
    const std::vector<std::string> names = construct_names(result);
    std::vector<Quantity> paths, r2, index;
    for (const auto& path : required_array(result, "paths")) paths.push_back({"path", text_at(path, "from"), text_at(path, "to")});
    auto has_value = [&](const Quantity& q) {
        return std::any_of(columns.begin(), columns.end(), [&](const GroupColumn& c) { return column_estimate(result, c, q).value.has_value(); });
    };
    for (const auto& name : names) {
        if (Quantity q{"r2", name, ""}; has_value(q)) r2.push_back(q);
        if (Quantity q{"csi_index", name, ""}; has_value(q)) index.push_back(q);
    }
    bool intervals = false;
    for (const auto* list : {&paths, &r2, &index})
        for (const auto& q : *list)
            for (const auto& c : columns)
                if (c.entry && column_estimate(result, c, q).lower) intervals = true;

    for (const auto& [heading, list] : {std::pair{label::paths_heading, &paths}, std::pair{label::r2_heading, &r2},
                                        std::pair{label::index_heading, &index}}) {
        if (list->empty()) continue;
        fmt::format_to(out, "<h3>{}</h3>\n{}", html_escape(heading), group_table(result, columns, *list));
    }
    std::string legend;
    if (intervals) {
        const Json* boot = member(result, "bootstrap");
        const std::string type = boot ? text_at(*boot, "ci_type") : "";
        legend = format_label(label::groups_legend_intervals, percent(ci_level(result)), type.empty() ? "—" : type);
    } else {
        legend = std::string(label::groups_legend_no_intervals);
    }
    if (columns.size() - 1 > most_group_columns) legend += " " + format_label(label::groups_legend_transposed, most_group_columns);
    fmt::format_to(out, "<p class=\"note\">{}</p>\n", html_escape(legend));
    return s;
}

// Pairs (a, b) in the order they first appear in `rows`, each with its rows.
std::vector<std::pair<std::pair<std::string, std::string>, std::vector<const Json*>>> by_pair(const Json& rows) {
    std::vector<std::pair<std::pair<std::string, std::string>, std::vector<const Json*>>> pairs;
    for (const auto& row : rows) {
        const std::pair<std::string, std::string> key{escaped_at(row, "a"), escaped_at(row, "b")};
        auto found = std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == key; });
        if (found == pairs.end()) found = pairs.insert(pairs.end(), {key, {}});
        found->second.push_back(&row);
    }
    return pairs;
}

std::string definitions_table(const Json* settings) {
    const Json* definitions = settings ? member(*settings, "definitions") : nullptr;
    if (!definitions || !definitions->is_object() || definitions->empty()) return "";
    std::string html = "<h3>" + html_escape(label::definitions) + "</h3>\n<table class=\"facts\"><tbody>\n";
    for (const auto& [key, value] : definitions->items())
        html += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(plain_text(value)) + "</td></tr>\n";
    return html + "</tbody></table>\n";
}

std::string verdict_cell(const Json& row) {
    const Json* verdict = member(row, "verdict");
    if (!verdict) return td("—", "verdict");
    const std::string v = plain_text(*verdict);
    if (v == "full") return td(html_escape(label::micom_full), "verdict full");
    if (v == "partial") return td(html_escape(label::micom_partial), "verdict partial");
    if (v == "none") return td(html_escape(label::micom_none), "verdict none");
    return td(html_escape(v), "verdict");
}

std::optional<Section> micom_section(const Json& result) {
    const Json* rows = member(result, "micom");
    if (!rows) return std::nullopt;
    if (!rows->is_array()) required_array(result, "micom");  // throws, naming the key
    const Json* settings = member(result, "micom_settings");
    const Json* configural = settings ? member(*settings, "configural") : nullptr;
    if (configural && !configural->is_array()) configural = nullptr;
    if (rows->empty() && (!configural || configural->empty())) return std::nullopt;
    Section s{"micom", std::string(label::micom_title), {}};
    auto out = std::back_inserter(s.html);
    static const Json no_row = Json::object();
    const Json& first = rows->empty() ? no_row : rows->front();
    const Json& facts = settings ? *settings : first;
    const double alpha = alpha_of(settings);
    std::string composites = escaped_at(facts, "composite_data");
    if (composites == "standardized_pooled") composites = html_escape(label::composite_standardized_pooled);
    if (composites == "raw_pooled") composites = html_escape(label::composite_raw_pooled);
    // The label's text is escaped piecewise: the values are escaped already.
    const std::string pattern = html_escape(label::micom_settings);
    fmt::format_to(out, "<p>{}</p>\n",
                   format_label(pattern, member(facts, "permutations") ? escaped_at(facts, "permutations") : escaped_at(first, "permutations"),
                        member(facts, "seed") ? escaped_at(facts, "seed") : escaped_at(first, "seed"),
                        html_escape(alpha_text(alpha)), composites,
                        escaped_at(facts, "pooling") == "pair"         ? html_escape(label::micom_pooling_pair)
                        : escaped_at(facts, "pooling") == "all_groups" ? html_escape(label::micom_pooling_all)
                                                                        : std::string()));

    if (configural && !configural->empty()) {
        fmt::format_to(out, "<h3>{}</h3>\n<table class=\"micom-configural\"><thead><tr>{}{}{}{}</tr></thead><tbody>\n",
                       html_escape(label::micom_configural_heading), th(label::micom_groups), th(label::micom_configural),
                       th(label::micom_checks), th(label::micom_problems));
        auto list = [](const Json& entry, std::string_view key) {
            const Json* items = member(entry, key);
            if (!items || !items->is_array() || items->empty()) return std::string("—");
            std::string html = "<ul>";
            for (const auto& item : *items) html += "<li>" + html_escape(plain_text(item)) + "</li>";
            return html + "</ul>";
        };
        for (const auto& entry : *configural) {
            const Json* holds = member(entry, "holds");
            const std::string verdict = !holds || !holds->is_boolean() ? td("—")
                                        : holds->get<bool>()          ? td(html_escape(label::micom_holds), "verdict full")
                                                                      : td(html_escape(label::micom_does_not_hold), "verdict none");
            fmt::format_to(out, "<tr><td>{}</td>{}<td>{}</td><td>{}</td></tr>\n",
                           format_label(html_escape(label::micom_pair), escaped_at(entry, "a"), escaped_at(entry, "b")), verdict,
                           list(entry, "checks"), list(entry, "problems"));
        }
        s.html += "</tbody></table>\n";
    }

    const std::string level = percent(1 - alpha);
    const std::string below_alpha = format_label(label::micom_below_alpha, alpha_text(alpha));
    auto p_cell = [&](std::optional<double> p) {
        return p && *p < alpha ? td(fixed(p, 3), "fail", below_alpha) : td(fixed(p, 3));
    };
    for (const auto& [pair, pair_rows] : by_pair(*rows)) {
        fmt::format_to(out, "<h3>{}</h3>\n", format_label(html_escape(label::micom_pair), pair.first, pair.second));
        fmt::format_to(out,
                       "<div class=\"table-scroll\"><table class=\"numbers by-column micom-table\"><thead>\n"
                       "<tr><th rowspan=\"2\">{}</th><th rowspan=\"2\">{}</th><th colspan=\"3\">{}</th><th colspan=\"3\">{}</th>"
                       "<th colspan=\"3\">{}</th></tr>\n<tr>{}{}{}{}{}{}{}{}{}</tr></thead><tbody>\n",
                       html_escape(label::construct_header), html_escape(label::micom_verdict), html_escape(label::micom_step2),
                       html_escape(label::micom_step3a), html_escape(label::micom_step3b), th(label::micom_c),
                       th(label::micom_quantile), th(label::p), th(label::micom_mean_diff), th(format_label(label::micom_interval, level)),
                       th(label::p), th(label::micom_log_var), th(format_label(label::micom_interval, level)), th(label::p));
        for (const Json* row : pair_rows) {
            const auto c = number_at(*row, "c"), quantile = number_at(*row, "c_quantile_05");
            fmt::format_to(out, "<tr><td>{}</td>{}{}{}{}{}{}{}{}{}{}</tr>\n", escaped_at(*row, "construct"), verdict_cell(*row),
                           c && quantile && *c < *quantile ? td(fixed(c, 4), "fail", std::string(label::micom_below_quantile)) : td(fixed(c, 4)),
                           td(fixed(quantile, 4)), p_cell(number_at(*row, "c_p")), td(fixed(number_at(*row, "mean_diff"), 3)),
                           td(interval_text(number_at(*row, "mean_ci_lower"), number_at(*row, "mean_ci_upper"), 3)),
                           p_cell(number_at(*row, "mean_p")), td(fixed(number_at(*row, "log_var_ratio"), 3)),
                           td(interval_text(number_at(*row, "var_ci_lower"), number_at(*row, "var_ci_upper"), 3)),
                           p_cell(number_at(*row, "var_p")));
        }
        s.html += "</tbody></table></div>\n";
    }
    fmt::format_to(out, "<p class=\"note\">{}</p>\n", html_escape(format_label(label::micom_rules, level)));
    s.html += definitions_table(settings);
    return s;
}

std::string test_name(const std::string& test) {
    if (test == "permutation") return std::string(label::test_permutation);
    if (test == "parametric") return std::string(label::test_parametric);
    if (test == "welch") return std::string(label::test_welch);
    if (test == "henseler") return std::string(label::test_henseler);
    if (test == "ci_parametric") return std::string(label::test_ci_parametric);
    if (test == "ci_overlap") return std::string(label::test_ci_overlap);
    if (test == "omnibus") return std::string(label::test_omnibus);
    return test;
}

std::string method_name(const std::string& method) {
    if (method == "sarstedt") return std::string(label::method_sarstedt);
    if (method == "klesel_dg") return std::string(label::method_klesel_dg);
    if (method == "klesel_duls") return std::string(label::method_klesel_duls);
    return method;
}

std::string parameter_name(const Json& row) {
    const std::string kind = text_at(row, "kind");
    if (kind == "path") return escaped_at(row, "from") + html_escape(label::arrow) + escaped_at(row, "to");
    if (kind == "r2") return html_escape(format_label(label::mga_r2_of, plain_text(row.value("construct", Json()))));
    if (kind == "csi_index") return html_escape(format_label(label::mga_index_of, plain_text(row.value("construct", Json()))));
    if (kind == "model") return html_escape(label::mga_whole_model);
    const Json* construct = member(row, "construct");
    if (kind.empty()) return construct ? html_escape(plain_text(*construct)) : "—";
    return html_escape(kind) + (construct ? " " + html_escape(plain_text(*construct)) : "");
}

bool is_significant(const Json& row) {
    const Json* significant = member(row, "significant");
    return significant && significant->is_boolean() && significant->get<bool>();
}

std::optional<Section> mga_section(const Json& result) {
    const Json* rows = member(result, "mga");
    if (!rows) return std::nullopt;
    if (!rows->is_array()) required_array(result, "mga");  // throws, naming the key
    if (rows->empty()) return std::nullopt;
    const Json* settings = member(result, "mga_settings");
    Section s{"mga", std::string(label::mga_title), {}};
    auto out = std::back_inserter(s.html);
    const double alpha = alpha_of(settings);
    std::string adjust = settings ? escaped_at(*settings, "p_adjust") : "—";
    for (const auto& [key, name] : {std::pair{"holm", label::adjust_holm}, std::pair{"bonferroni", label::adjust_bonferroni},
                                    std::pair{"bh", label::adjust_bh}, std::pair{"none", label::adjust_none}})
        if (adjust == key) adjust = html_escape(name);
    if (settings) {
        std::string tests;
        if (const Json* list = member(*settings, "tests"); list && list->is_array())
            for (const auto& test : *list) tests += (tests.empty() ? "" : ", ") + html_escape(test_name(plain_text(test)));
        fmt::format_to(out, "<p>{}</p>\n", format_label(html_escape(label::mga_settings), tests.empty() ? "—" : tests, adjust,
                                                 html_escape(alpha_text(alpha))));
    }
    auto row_html = [&](const Json& row, bool omnibus) {
        const bool significant = is_significant(row);
        std::string html = significant ? "<tr class=\"significant\">" : "<tr>";
        if (omnibus)
            html += "<td>" + (member(row, "method") ? html_escape(method_name(plain_text(*member(row, "method")))) : "—") + "</td>";
        else
            html += "<td>" + format_label(html_escape(label::micom_pair), escaped_at(row, "a"), escaped_at(row, "b")) + "</td>";
        html += "<td>" + parameter_name(row) + "</td>";
        if (!omnibus) html += td(fixed(number_at(row, "difference"), 3));
        html += td(fixed(number_at(row, "statistic"), 3)) + td(count_text(number_at(row, "df"))) + td(fixed(number_at(row, "p"), 3)) +
                td(fixed(number_at(row, "p_adjusted"), 3)) + td(significant ? "*" : "");
        return html + "</tr>\n";
    };
    auto header = [&](bool omnibus) {
        std::string html = "<div class=\"table-scroll\"><table class=\"numbers mga-table\"><thead><tr>";
        html += th(omnibus ? label::mga_method : label::mga_groups) + th(label::mga_parameter);
        if (!omnibus) html += th(label::mga_difference);
        return html + th(label::mga_statistic) + th(label::mga_df) + th(label::p) + th(label::mga_p_adjusted) +
               "<th></th></tr></thead><tbody>\n";
    };
    auto is_omnibus = [](const Json& row) { return !member(row, "a") && !member(row, "b"); };
    std::vector<std::string> tests;
    for (const auto& row : *rows) {
        const std::string test = text_at(row, "test");
        if (!is_omnibus(row) && std::find(tests.begin(), tests.end(), test) == tests.end()) tests.push_back(test);
    }
    for (const auto& test : tests) {
        fmt::format_to(out, "<h3>{}</h3>\n{}", html_escape(test.empty() ? "—" : test_name(test)), header(false));
        for (const auto& row : *rows)
            if (!is_omnibus(row) && text_at(row, "test") == test) s.html += row_html(row, false);
        s.html += "</tbody></table></div>\n";
    }
    if (std::any_of(rows->begin(), rows->end(), is_omnibus)) {
        fmt::format_to(out, "<h3>{}</h3>\n{}", html_escape(label::mga_omnibus_heading), header(true));
        for (const auto& row : *rows)
            if (is_omnibus(row)) s.html += row_html(row, true);
        s.html += "</tbody></table></div>\n";
    }
    fmt::format_to(out, "<p class=\"note\">{}</p>\n", format_label(html_escape(label::mga_legend), html_escape(alpha_text(alpha)), adjust));
    s.html += definitions_table(settings);
    return s;
}

// --- importance-performance map ---------------------------------------------------------------

std::string quadrant_name(const std::string& quadrant) {
    if (quadrant == "priority") return L("priority (improve first)");
    if (quadrant == "keep_up") return L("keep up the good work");
    if (quadrant == "low_priority") return L("low priority");
    if (quadrant == "possible_overkill") return L("possible overkill");
    return quadrant;
}

// The specific indirect effects: every route with its estimate and, with a bootstrap, its
// interval, p and mediation type.
std::optional<Section> mediation_section(const Json& result) {
    const Json* effects = member(result, "specific_indirect_effects");
    if (!effects || !effects->is_array() || effects->empty()) return std::nullopt;
    Section s{"mediation", L("Mediation: specific indirect effects"), {}};
    auto out = std::back_inserter(s.html);
    const bool with_bootstrap = std::any_of(effects->begin(), effects->end(), [](const Json& e) { return number_at(e, "se").has_value(); });
    s.html += "<table class=\"numbers\"><thead><tr>" + th(L("Route")) + th(L("Estimate"));
    if (with_bootstrap) s.html += th(L("SE")) + th(L("Interval")) + "<th>p</th>" + th(L("Mediation"));
    s.html += "</tr></thead><tbody>\n";
    for (const auto& effect : *effects) {
        std::string route;
        if (const Json* names = member(effect, "route"); names && names->is_array())
            for (const auto& name : *names) route += (route.empty() ? "" : " → ") + plain_text(name);
        const std::string type = text_at(effect, "mediation");
        const auto lower = number_at(effect, "ci_lower"), upper = number_at(effect, "ci_upper");
        const bool excludes_zero = lower && upper && (*lower > 0 || *upper < 0);
        const std::string interval = "[" + fixed(lower, 4) + ", " + fixed(upper, 4) + "]";
        fmt::format_to(out, "<tr><td>{}</td>{}", html_escape(route), td(fixed(number_at(effect, "estimate"), 4)));
        if (with_bootstrap)
            fmt::format_to(out, "{}{}{}<td>{}</td>", td(fixed(number_at(effect, "se"), 4)),
                           excludes_zero ? td(interval, "pass", L("the interval excludes 0")) : td(interval), td(fixed(number_at(effect, "p"), 4)),
                           html_escape(type.empty() ? std::string("—") : mediation_type_name(type)));
        s.html += "</tr>\n";
    }
    s.html += "</tbody></table>\n";
    s.html += with_bootstrap
                  ? "<p class=\"note\">" + L("Each route's effect is the product of its path coefficients; its bootstrap interval (the "
                    "bootstrap section's type and level; marked green when it excludes 0) and p (a t-test, which assumes a normal "
                    "sampling distribution) come from the products of the paths' draws. Mediation type after Zhao, Lynch &amp; Chen "
                    "(2010), from the intervals of the route and of the direct path from its antecedent to its consequence: "
                    "complementary or competitive (both significant, same or opposite signs), indirect only, direct only, none; — "
                    "where the model has no such direct path.") + "</p>\n"
                  : "<p class=\"note\">" + L("Each route's effect is the product of its path coefficients. Estimate with --bootstrap for "
                    "intervals, p-values and the type of mediation.") + "</p>\n";
    return s;
}

std::optional<Section> ipma_section(const Json& result) {
    const Json* ipma = member(result, "ipma");
    if (!ipma) return std::nullopt;
    Section s{"ipma", L("Importance-performance map"), {}};
    auto out = std::back_inserter(s.html);
    const std::string target = text_at(*ipma, "target");
    const auto importance_mean = number_at(*ipma, "importance_mean");
    const auto performance_mean = number_at(*ipma, "performance_mean");
    std::vector<IpmaPoint> points;
    for (const auto& entry : required_array(*ipma, "constructs")) {
        const auto importance = number_at(entry, "importance"), performance = number_at(entry, "performance");
        if (importance && performance) points.push_back({text_at(entry, "construct"), *importance, *performance, text_at(entry, "quadrant")});
    }
    fmt::format_to(out, "<p>{}</p>\n<figure>\n{}</figure>\n",
                   format_label(L("Target construct: <strong>{}</strong>. Importance is the total effect on the target, performance the "
                                  "0-100 index; the lines are the means ({} and {})."),
                                html_escape(target), fixed(importance_mean, 3), fixed(performance_mean, 1)),
                   ipma_chart(points, importance_mean, performance_mean));
    auto table = [&](const Json& list, bool indicators) {
        s.html += "<table class=\"numbers\"><thead><tr>" + th(L("Construct")) + (indicators ? th(L("Indicator")) : std::string());
        s.html += th(L("Importance")) + th(L("Performance")) + th(L("Quadrant")) + "</tr></thead><tbody>\n";
        for (const auto& entry : list) {
            const std::string quadrant = text_at(entry, "quadrant");
            fmt::format_to(out, "<tr class=\"{}\"><td>{}</td>", html_escape(quadrant), html_escape(text_at(entry, "construct")));
            if (indicators) fmt::format_to(out, "<td>{}</td>", html_escape(text_at(entry, "indicator")));
            fmt::format_to(out, "{}{}<td>{}</td></tr>\n", td(fixed(number_at(entry, "importance"), 3)),
                           td(fixed(number_at(entry, "performance"), 1)), html_escape(quadrant_name(quadrant)));
        }
        s.html += "</tbody></table>\n";
    };
    table(required_array(*ipma, "constructs"), false);
    if (const Json* list = member(*ipma, "indicators"); list && list->is_array() && !list->empty()) {
        s.html += "<h3>" + L("Indicators") + "</h3>\n";
        table(*list, true);
    }
    return s;
}

// --- control chart ----------------------------------------------------------------------------

Section control_section(const Json& result, const std::optional<IndexTable>& table, const std::string& period_column) {
    if (const Json* groups = member(result, "groups")) {
        const std::string column = text_at(*groups, "column");
        if (!column.empty() && column != period_column)
            throw InputError("the result's groups come from the column '" + column + "', not the period column '" +
                             period_column + "'");
    }
    if (!table || !member(result, "index_table"))
        throw InputError("no control chart: the result has no 'index_table' with an index per period (estimate with "
                         "--scale and --period COLUMN)");
    Section s{"control", L("Control chart"), {}};
    auto out = std::back_inserter(s.html);
    const std::string key = key_construct(result, table->constructs);
    struct Period {
        std::string label;
        double value;
        std::optional<double> se;
    };
    std::vector<Period> periods;
    std::size_t period_rows = 0;
    for (const auto& row : table->rows) {
        if (!is_group(row)) continue;
        ++period_rows;
        if (row.error.empty() && row.index.at(key)) periods.push_back({row.group, *row.index.at(key), row.se.at(key)});
    }
    if (period_rows == 0)
        throw InputError("no control chart: the result's 'index_table' has no row per period (estimate with --scale and "
                         "--period COLUMN)");
    if (periods.size() < 2) {
        fmt::format_to(out, "<p class=\"note\">{}</p>\n", format_label(L("The index of {} is known for {} period(s) of '{}'; a control chart needs at least 2."),
                       html_escape(key), periods.size(), html_escape(period_column)));
        return s;
    }
    const bool by_se = std::all_of(periods.begin(), periods.end(), [](const Period& p) { return p.se && *p.se > 0; });
    std::vector<ControlPoint> points;
    double centre = 0;
    std::string method;
    if (by_se) {
        // Each period's own sampling error, as a p-chart uses the binomial error of each subgroup:
        // the chart asks whether a period differs from a stable level by more than its sample explains.
        double weight_sum = 0;
        for (const auto& p : periods) {
            const double w = 1 / (*p.se * *p.se);
            centre += w * p.value, weight_sum += w;
        }
        centre /= weight_sum;
        for (const auto& p : periods)
            points.push_back({p.label, p.value, centre - 3 * *p.se, centre + 3 * *p.se, std::abs(p.value - centre) > 3 * *p.se});
        method = L("centre line: the periods' indices averaged with weights 1/se²; limits: centre ± 3 se of each period, "
                 "se being that period's bootstrap standard error. The sampling error of each period's own estimate is the "
                 "variation a stable level would show (as a p-chart uses each subgroup's binomial error), and it follows "
                 "each period's sample size; a moving range would mix real period-to-period change into the limits and is "
                 "unstable over the few periods CSI studies have.");
    } else {
        // Without standard errors: the individuals (XmR) chart, sigma = mean moving range / d2 (1.128).
        double moving = 0;
        for (std::size_t k = 1; k < periods.size(); ++k) moving += std::abs(periods[k].value - periods[k - 1].value);
        moving /= static_cast<double>(periods.size() - 1);
        const double sigma = moving / 1.128;
        for (const auto& p : periods) centre += p.value;
        centre /= static_cast<double>(periods.size());
        for (const auto& p : periods)
            points.push_back({p.label, p.value, centre - 3 * sigma, centre + 3 * sigma, std::abs(p.value - centre) > 3 * sigma});
        method = format_label(L("no bootstrap standard errors in this result, so the individuals (XmR) chart: centre line the mean of the "
                                "periods' indices, limits ± 3σ with σ = mean moving range / 1.128 ({}). Run with --bootstrap for "
                                "limits from each period's sampling error."), fixed(sigma, 2));
    }
    const long flagged = std::count_if(points.begin(), points.end(), [](const ControlPoint& p) { return p.out_of_control; });
    fmt::format_to(out, "<p>{}</p>\n<figure>\n{}</figure>\n<p class=\"note\">{}{}</p>\n",
                   format_label(L("Index of <strong>{}</strong> per period of <code>{}</code>: {} of {} periods outside the limits "
                                  "(marked red)."), html_escape(key), html_escape(period_column), flagged, points.size()),
                   control_chart(points, centre, format_label(L("{} index"), key)), L("How the limits are set: "), html_escape(method));
    s.html += "<table class=\"numbers\"><thead><tr>" + th(L("Period")) + th(L("Index")) + th(L("Lower limit")) + th(L("Upper limit")) +
              "<th></th></tr></thead><tbody>\n";
    for (const auto& p : points)
        fmt::format_to(out, "<tr><td>{}</td>{}{}{}{}</tr>\n", html_escape(p.label), td(fixed(p.value, 2)), td(fixed(p.lower_limit, 2)),
                       td(fixed(p.upper_limit, 2)), p.out_of_control ? td(L("out of control"), "fail") : td(""));
    s.html += "</tbody></table>\n";
    return s;
}

// --- measurement model and assessment ----------------------------------------------------------

Section measurement_section(const Json& result) {
    Section s{"measurement", L("Measurement model"), {}};
    auto out = std::back_inserter(s.html);
    const Json& weights = required_object(result, "outer_weights");
    const Json& loadings = required_object(result, "loadings");
    const std::set<std::string> formative = formative_constructs(result);
    s.html += "<table class=\"numbers\"><thead><tr>" + th(L("Construct")) + th(L("Mode")) + th(L("Indicator")) + th(L("Loading")) +
              th(L("Outer weight")) + "</tr></thead><tbody>\n";
    for (const auto& [name, block] : weights.items()) {
        const bool mode_b = formative.count(name) > 0;
        const Json* block_loadings = member(loadings, name);
        for (const auto& [indicator, weight] : block.items()) {
            const auto loading = block_loadings ? number_at(*block_loadings, indicator) : std::nullopt;
            const bool weak = !mode_b && loading && std::abs(*loading) < thresholds::loading;
            fmt::format_to(out, "<tr><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>\n", html_escape(name), mode_b ? L("formative") : L("reflective"),
                           html_escape(indicator), td(fixed(loading, 3), weak ? "warn" : "", weak ? format_label(L("below {}"), thresholds::loading) : ""),
                           td(fixed(number_of(&weight), 3)));
        }
    }
    fmt::format_to(std::back_inserter(s.html), "</tbody></table>\n<p class=\"note\">{}</p>\n",
                   format_label(L("Marked: reflective loadings below {}."), thresholds::loading));
    return s;
}

std::optional<Section> reliability_section(const Json& result) {
    const Json* reliability = member(result, "reliability");
    if (!reliability) return std::nullopt;
    Section s{"reliability", L("Reliability and convergent validity"), {}};
    auto out = std::back_inserter(s.html);
    const std::set<std::string> formative = formative_constructs(result);
    struct Measure {
        const char* key;
        Label title;
        double threshold;
    };
    const Measure measures[] = {{"cronbach_alpha", "Cronbach's α", thresholds::reliability}, {"rho_a", "ρ_A", thresholds::reliability},
                                {"rho_c", "ρ_C", thresholds::reliability}, {"ave", "AVE", thresholds::ave}};
    s.html += "<table class=\"numbers\"><thead><tr>" + th(L("Construct"));
    for (const auto& m : measures) fmt::format_to(out, "<th>{} (≥ {})</th>", std::string_view(m.title), fixed(m.threshold, 1));
    s.html += "</tr></thead><tbody>\n";
    for (const auto& name : construct_names(result)) {
        fmt::format_to(out, "<tr><td>{}</td>", html_escape(name));
        for (const auto& m : measures) {
            const Json* values = member(*reliability, m.key);
            const auto value = values ? number_at(*values, name) : std::nullopt;
            if (formative.count(name)) s.html += td(fixed(value, 3), "not-applicable", L("formative block: not a criterion"));
            else if (value && *value < m.threshold) s.html += td(fixed(value, 3), "fail", format_label(L("below {}"), fixed(m.threshold, 1)));
            else s.html += td(fixed(value, 3), value ? "pass" : "");
        }
        s.html += "</tr>\n";
    }
    fmt::format_to(out, "</tbody></table>\n<p class=\"note\">{}</p>\n",
                   format_label(L("Thresholds: α, ρ_A, ρ_C at least {}, AVE at least {} (Hair et al. "
                                  "2022); values below are marked. They do not apply to formative blocks (greyed)."),
                                thresholds::reliability, thresholds::ave));
    return s;
}

std::optional<Section> discriminant_section(const Json& result) {
    const Json* htmt = member(result, "htmt");
    const Json* fl = member(result, "fornell_larcker");
    if (!htmt && !fl) return std::nullopt;
    Section s{"discriminant", L("Discriminant validity"), {}};
    auto out = std::back_inserter(s.html);
    const std::vector<std::string> names = construct_names(result);
    if (htmt && htmt->is_array()) {
        std::map<std::pair<std::string, std::string>, std::optional<double>> value;
        for (const auto& entry : *htmt) {
            const auto v = number_at(entry, "value");
            value[{text_at(entry, "a"), text_at(entry, "b")}] = v;
            value[{text_at(entry, "b"), text_at(entry, "a")}] = v;
        }
        s.html += "<h3>HTMT</h3>\n<div class=\"table-scroll\"><table class=\"numbers matrix\"><thead><tr><th></th>";
        for (std::size_t j = 0; j + 1 < names.size(); ++j) s.html += th(names[j]);
        s.html += "</tr></thead><tbody>\n";
        for (std::size_t i = 1; i < names.size(); ++i) {
            fmt::format_to(out, "<tr><th>{}</th>", html_escape(names[i]));
            for (std::size_t j = 0; j + 1 < names.size(); ++j) {
                if (j >= i) {
                    s.html += "<td></td>";
                    continue;
                }
                const auto found = value.find({names[i], names[j]});
                const auto v = found == value.end() ? std::nullopt : found->second;
                if (v && *v > thresholds::htmt_similar) s.html += td(fixed(v, 3), "fail", format_label(L("above {}"), fixed(thresholds::htmt_similar, 2)));
                else if (v && *v > thresholds::htmt_distinct) s.html += td(fixed(v, 3), "warn", format_label(L("above {}"), fixed(thresholds::htmt_distinct, 2)));
                else s.html += td(fixed(v, 3));
            }
            s.html += "</tr>\n";
        }
        fmt::format_to(out, "</tbody></table></div>\n<p class=\"note\">{}</p>\n",
                       format_label(L("Heterotrait-monotrait ratio (Henseler et al. 2015): above {} "
                                      "(conceptually distinct constructs) marked amber, above {} (similar constructs) red."),
                                    fixed(thresholds::htmt_distinct, 2), fixed(thresholds::htmt_similar, 2)));
    }
    if (fl && fl->is_object()) {
        const Json& rows = required_array(*fl, "rows");
        const Json& values = required_array(*fl, "values");
        std::vector<std::string> labels;
        for (const auto& r : rows) labels.push_back(plain_text(r));
        auto at = [&](std::size_t i, std::size_t j) -> std::optional<double> {
            if (i >= values.size() || !values[i].is_array() || j >= values[i].size()) return std::nullopt;
            return number_of(&values[i][j]);
        };
        s.html += "<h3>" + L("Fornell-Larcker criterion") + "</h3>\n<div class=\"table-scroll\"><table class=\"numbers matrix\"><thead><tr><th></th>";
        for (const auto& label : labels) s.html += th(label);
        s.html += "</tr></thead><tbody>\n";
        for (std::size_t i = 0; i < labels.size(); ++i) {
            fmt::format_to(out, "<tr><th>{}</th>", html_escape(labels[i]));
            for (std::size_t j = 0; j <= i; ++j) {
                const auto v = at(i, j);
                if (i == j) {
                    s.html += td("<strong>" + fixed(v, 3) + "</strong>", "diagonal");
                } else {
                    const auto di = at(i, i), dj = at(j, j);
                    const bool fails = v && ((di && std::abs(*v) > *di) || (dj && std::abs(*v) > *dj));
                    s.html += td(fixed(v, 3), fails ? "fail" : "", fails ? L("exceeds √AVE") : "");
                }
            }
            for (std::size_t j = i + 1; j < labels.size(); ++j) s.html += "<td></td>";
            s.html += "</tr>\n";
        }
        s.html += "</tbody></table></div>\n<p class=\"note\">" + L("Diagonal: √AVE; below it the construct correlations, marked "
                  "where a correlation exceeds the √AVE of either construct.") + "</p>\n";
    }
    return s;
}

std::optional<Section> collinearity_section(const Json& result) {
    const Json* structural = member(result, "vif_structural");
    const Json* formative = member(result, "vif_formative");
    if (!structural && !formative) return std::nullopt;
    Section s{"collinearity", L("Collinearity (VIF)"), {}};
    auto out = std::back_inserter(s.html);
    auto vif_cell = [](std::optional<double> v) {
        if (v && *v >= thresholds::vif_critical) return td(fixed(v, 2), "fail", format_label(L("{} or more"), thresholds::vif_critical));
        if (v && *v >= thresholds::vif_possible) return td(fixed(v, 2), "warn", format_label(L("{} or more"), thresholds::vif_possible));
        return td(fixed(v, 2));
    };
    if (structural && structural->is_array() && !structural->empty()) {
        s.html += "<h3>" + L("Structural model") + "</h3>\n<table class=\"numbers\"><thead><tr>" + th(L("Dependent")) + th(L("Predictor")) +
                  "<th>VIF</th></tr></thead><tbody>\n";
        for (const auto& e : *structural)
            fmt::format_to(out, "<tr><td>{}</td><td>{}</td>{}</tr>\n", html_escape(text_at(e, "dependent")),
                           html_escape(text_at(e, "predictor")), vif_cell(number_at(e, "value")));
        s.html += "</tbody></table>\n";
    }
    if (formative && formative->is_array() && !formative->empty()) {
        s.html += "<h3>" + L("Formative indicators") + "</h3>\n<table class=\"numbers\"><thead><tr>" + th(L("Construct")) +
                  th(L("Indicator")) + "<th>VIF</th></tr></thead><tbody>\n";
        for (const auto& e : *formative)
            fmt::format_to(out, "<tr><td>{}</td><td>{}</td>{}</tr>\n", html_escape(text_at(e, "construct")),
                           html_escape(text_at(e, "indicator")), vif_cell(number_at(e, "value")));
        s.html += "</tbody></table>\n";
    }
    s.html += "<p class=\"note\">" + L("VIF from 3 marked amber, from 5 red (Hair et al. 2019).") + "</p>\n";
    return s;
}

std::optional<Section> fit_section(const Json& result) {
    const Json* fit = member(result, "fit");
    const Json* admissibility = member(result, "admissibility");
    if (!fit && !admissibility) return std::nullopt;
    Section s{"fit", L("Model fit and admissibility"), {}};
    auto out = std::back_inserter(s.html);
    if (fit) {
        fmt::format_to(out, "<table class=\"numbers\"><thead><tr>{}<th>SRMR (&lt; {})</th><th>d_ULS</th><th>d_G</th></tr></thead><tbody>\n",
                       th(L("Model")), thresholds::srmr);
        for (const auto& [key, title] : {std::pair{"estimated_model", L("estimated")}, std::pair{"saturated_model", L("saturated")}}) {
            const Json* m = member(*fit, key);
            if (!m) continue;
            const auto srmr = number_at(*m, "srmr");
            fmt::format_to(out, "<tr><td>{}</td>{}{}{}</tr>\n", title,
                           td(fixed(srmr, 3), srmr ? (*srmr < thresholds::srmr ? "pass" : "fail") : "",
                              srmr && *srmr >= thresholds::srmr ? format_label(L("{} or more"), thresholds::srmr) : ""),
                           td(fixed(number_at(*m, "d_uls"), 3)), td(fixed(number_at(*m, "d_g"), 3)));
        }
        s.html += "</tbody></table>\n";
        if (const auto gof = number_at(result, "gof")) fmt::format_to(out, "<p>{}{}</p>\n", L("GoF (Tenenhaus et al.): "), fixed(gof, 3));
        fmt::format_to(out, "<p class=\"note\">{}</p>\n",
                       format_label(L("SRMR below {} is the usual cut-off (Hu &amp; Bentler 1999; Henseler et al. 2016)."), thresholds::srmr));
    }
    if (const Json* test = member(result, "fit_test")) {
        s.html += "<h3>" + L("Bootstrap test of exact fit") + "</h3>\n<table class=\"numbers\"><thead><tr>" + th(L("Measure")) + th(L("Observed")) +
                  th(L("95 % quantile")) + th(L("99 % quantile")) + "<th>p</th></tr></thead><tbody>\n";
        for (const char* key : {"srmr", "d_uls", "d_g"})
            if (const Json* m = member(*test, key)) {
                const bool exceeds = m->value("exceeds_95", false);
                fmt::format_to(out, "<tr><td>{}</td>{}{}{}{}</tr>\n", key, td(fixed(number_at(*m, "observed"), 3), exceeds ? "fail" : "pass"),
                               td(fixed(number_at(*m, "quantile_95"), 3)), td(fixed(number_at(*m, "quantile_99"), 3)),
                               td(fixed(number_at(*m, "p"), 3)));
            }
        s.html += "</tbody></table>\n";
    }
    if (admissibility) {
        const Json* ok = member(*admissibility, "admissible");
        const bool admissible = ok && ok->is_boolean() && ok->get<bool>();
        fmt::format_to(out, "<p class=\"{}\">{}{}</p>\n", admissible ? "pass" : "fail", L("Admissibility: "),
                       admissible ? L("admissible") : "<strong>" + L("not admissible") + "</strong>");
        if (const Json* problems = member(*admissibility, "problems"); problems && problems->is_array() && !problems->empty()) {
            s.html += "<ul>\n";
            for (const auto& problem : *problems) fmt::format_to(out, "<li>{}</li>\n", html_escape(plain_text(problem)));
            s.html += "</ul>\n";
        }
    }
    return s;
}

// --- bootstrap histograms ---------------------------------------------------------------------

Section histogram_section(const Json& result, const ReportDraws* draws) {
    Section s{"bootstrap", L("Bootstrap distributions of the paths"), {}};
    auto out = std::back_inserter(s.html);
    if (!draws) {
        s.html += "<p class=\"note\">" + L("No bootstrap draws: estimate with --bootstrap B (or pass --draws FILE, saved with "
                  "csipls estimate --save-draws, together with --result).") + "</p>\n";
        return s;
    }
    std::map<std::string, std::size_t> column;
    for (std::size_t k = 0; k < draws->labels.size(); ++k) column.emplace(draws->labels[k], k);
    constexpr std::size_t most = 36;  // beyond this the figures stop helping; the table has every path
    std::size_t shown = 0, total = 0;
    s.html += "<div class=\"small-multiples\">\n";
    for (const auto& path : required_array(result, "paths")) {
        const std::string from = text_at(path, "from"), to = text_at(path, "to");
        const auto found = column.find(to + " ~ " + from);
        if (found == column.end()) continue;
        ++total;
        if (shown == most) continue;
        ++shown;
        const Json* entry = bootstrap_entry(result, "paths", [&](const Json& e) {
            return text_at(e, "from") == from && text_at(e, "to") == to;
        });
        s.html += histogram_chart(draws->columns[found->second], number_at(path, "estimate"),
                                  entry ? number_at(*entry, "ci_lower") : std::nullopt,
                                  entry ? number_at(*entry, "ci_upper") : std::nullopt, from + " → " + to);
    }
    s.html += "</div>\n";
    if (total == 0)
        s.html = "<p class=\"note\">" + L("The bootstrap draws hold no column for any path of this result.") + "</p>\n";
    else
        fmt::format_to(out, "<p class=\"note\">{}{}</p>\n",
                       format_label(L("Solid line: the estimate; dashed: the {} interval bounds; grey: zero."), percent(ci_level(result))),
                       shown < total ? format_label(L(" The first {} of {} paths are shown."), shown, total) : std::string());
    return s;
}

constexpr const char* page_css = R"(
:root { --ink: #1d2430; --muted: #5b6472; --line: #d5dae1; --accent: #2f5d9b; --fail: #b03a2e; --warn: #b7791f; --pass: #2e7d4f; }
* { box-sizing: border-box; }
body { font-family: FONTS; color: var(--ink); margin: 0 auto; max-width: 1240px; padding: 24px 28px 60px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 15px; margin: 20px 0 8px; }
.subtitle { color: var(--muted); margin: 0 0 14px; }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 22px; }
nav a { color: var(--accent); text-decoration: none; }
.banner { padding: 8px 12px; border-left: 4px solid var(--fail); background: #fbeeec; margin: 12px 0; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; }
table.numbers td:first-child, table.numbers td:nth-child(2):not(:last-child) { text-align: left; }
table.facts th { width: 200px; color: var(--muted); font-weight: normal; }
table.matrix td, table.matrix th { text-align: right; }
tr.overall td { font-weight: 600; }
tr.aggregate td { font-style: italic; }
td.row-error { color: var(--fail); text-align: left !important; }
.ci { color: var(--muted); font-size: 11px; white-space: nowrap; }
td.fail { color: var(--fail); font-weight: 600; }
td.fail::after { content: " \25BC"; font-size: 9px; }
td.warn { color: var(--warn); font-weight: 600; }
td.warn::after { content: " \25B3"; font-size: 9px; }
td.not-applicable { color: #9aa0a8; }
p.fail { color: var(--fail); }
.note, figcaption { color: var(--muted); font-size: 12px; }
.table-scroll { overflow-x: auto; }
figure { margin: 10px 0 16px; }
svg { max-width: 100%; height: auto; }
svg text { font-family: FONTS; fill: var(--ink); }
.path-diagram .construct ellipse { fill: #e8f0fb; stroke: var(--accent); stroke-width: 1.5; }
.path-diagram .construct .name { font-size: 13px; font-weight: 600; }
.path-diagram .construct .r2 { font-size: 11px; }
.path-diagram .indicator rect { fill: #fff8e6; stroke: #a07a1f; }
.path-diagram .indicator text { font-size: 11px; }
.path-diagram .measurement line { stroke: #8a8f98; stroke-width: 1; }
.path-diagram .measurement text { font-size: 10px; fill: #555; }
.path-diagram .path path { fill: none; stroke: #333; }
.path-diagram .path.negative path { stroke: var(--fail); }
.path-diagram .path.not-significant path { stroke: #9aa0a8; stroke-dasharray: 5 3; }
.path-diagram .path text { font-size: 11px; font-weight: 600; }
.path-diagram .path rect { fill: #fff; fill-opacity: 0.9; }
.chart .grid { stroke: #e6e9ee; }
.chart .tick { font-size: 10px; fill: var(--muted); }
.chart .axis-label { font-size: 11px; fill: var(--muted); }
.chart .axis { stroke: var(--ink); }
.bar-chart .bar rect { fill: var(--accent); }
.bar-chart .label { font-size: 12px; }
.bar-chart .value { font-size: 11px; }
.chart .whisker { stroke: var(--ink); stroke-width: 1.5; }
.strip-chart circle { fill: var(--accent); }
.ipma-chart .quadrant-line { stroke: var(--muted); stroke-dasharray: 6 4; }
.ipma-chart .quadrant-name { font-size: 11px; fill: #9aa0a8; font-style: italic; }
.ipma-chart text { font-size: 11px; }
.ipma-point circle { fill: var(--accent); }
.ipma-point.priority circle { fill: var(--fail); }
.ipma-point.keep_up circle { fill: var(--pass); }
.ipma-point.possible_overkill circle { fill: var(--warn); }
.ipma-point.low_priority circle { fill: #9aa0a8; }
.histogram .bin { fill: #9db4d6; }
.histogram .estimate { stroke: var(--ink); stroke-width: 2; }
.histogram .ci-bound { stroke: var(--fail); stroke-dasharray: 4 3; }
.histogram .zero { stroke: #9aa0a8; }
.histogram .chart-title { font-size: 12px; font-weight: 600; }
.small-multiples { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.small-multiples svg { width: 300px; }
.control-chart .centre-line { stroke: var(--pass); stroke-width: 1.5; }
.control-chart .control-limit { fill: none; stroke: var(--fail); stroke-dasharray: 6 4; }
.control-chart .series { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.control-chart .in-control { fill: var(--accent); }
.control-chart .out-of-control { fill: var(--fail); stroke: #fff; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  section { break-before: page; }
  section#run { break-before: auto; }
  figure, svg, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-scroll { overflow: visible; }
  a { color: inherit; }
}
)";

// The group, MICOM and MGA tables' rules: only on pages with those sections, so that a report
// without them keeps its bytes.
constexpr const char* group_css = R"(table.numbers.by-column td:not(:first-child) { text-align: right; }
table.numbers th[colspan] { text-align: center; }
td.verdict { font-weight: 600; text-align: left !important; white-space: nowrap; }
td.verdict.full { color: var(--pass); }
td.verdict.partial { color: var(--warn); }
td.verdict.none { color: var(--fail); }
table.micom-configural ul { margin: 0; padding-left: 18px; }
table.micom-table td { white-space: nowrap; }
tr.significant td { font-weight: 700; }
)";

// For report --pdf only, after page_css so these win. The page number goes in a margin box (Chromium
// 131+) rather than Chromium's own footer, which would print the temporary file's URL and the date.
// Every section starts a page, so the first page would hold the title alone: the contents fill it.
// A page cannot scroll, so the wide tables (indices, HTMT, groups) get small type and may wrap: a
// 20-construct index table then fits A4's width instead of losing its right-hand columns.
constexpr const char* print_css = R"(@page { margin: 14mm 14mm 16mm; @bottom-center { content: counter(page) " / " counter(pages); font-family: FONTS; font-size: 8pt; color: #5b6472; } }
@media print {
  nav { display: block; }
  h3 { break-after: avoid; }
  .note, figcaption { break-before: avoid; }
  .small-multiples > svg { break-inside: avoid; }
  .table-scroll table { font-size: 7pt; }
  .table-scroll th, .table-scroll td { padding: 2px 3px; }
  .table-scroll thead th, .table-scroll td, .table-scroll .ci { white-space: normal; }
}
)";

std::string page_style(bool group_sections, bool print) {
    std::string css = page_css;
    if (group_sections) css += group_css;
    if (print) css += print_css;
    for (std::size_t at = css.find("FONTS"); at != std::string::npos; at = css.find("FONTS", at))
        css.replace(at, 5, font_stack);
    return css;
}

}  // namespace

namespace {

std::string render_checked_result(const Json& result, const ReportDraws* draws, const ReportOptions& options) {
    const LanguageScope language(options.language);
    if (!result.is_object()) throw InputError("not a csipls result: the document is not a JSON object");
    // Refuses a schema_version newer than this csipls reads, and a malformed `constructs`.
    ResultView::borrow(result, "the result");
    required_object(result, "engine");
    required_array(result, "paths");
    required_object(result, "loadings");
    const std::vector<std::string> names = construct_names(result);
    if (names.empty()) throw InputError("not a csipls result: 'outer_weights' names no construct");

    std::vector<Section> sections;
    sections.push_back(diagram_section(result));
    sections.push_back(structural_section(result));
    if (auto s = mediation_section(result)) sections.push_back(std::move(*s));
    const auto table = read_index_table(result);
    if (table && !table->rows.empty() && !table->constructs.empty())
        if (auto s = index_section(result, *table)) sections.push_back(std::move(*s));
    for (auto s : {groups_section(result), micom_section(result), mga_section(result), ipma_section(result)})
        if (s) sections.push_back(std::move(*s));
    if (auto s = segmentation_section(result)) sections.push_back({std::move(s->id), std::move(s->title), std::move(s->html)});
    if (auto s = two_stage_section(result)) sections.push_back({std::move(s->id), std::move(s->title), std::move(s->html)});
    if (!options.period_column.empty()) sections.push_back(control_section(result, table, options.period_column));
    sections.push_back(measurement_section(result));
    for (auto s : {reliability_section(result), discriminant_section(result), collinearity_section(result), fit_section(result)})
        if (s) sections.push_back(std::move(*s));
    sections.push_back(histogram_section(result, draws));
    sections.push_back(run_section(result));

    const bool group_sections = std::any_of(sections.begin(), sections.end(), [](const Section& s) {
        return s.id == "groups" || s.id == "micom" || s.id == "mga";
    });
    std::string model_path;
    if (const Json* input = member(result, "input"))
        if (const Json* model = member(*input, "model")) model_path = text_at(*model, "path");
    const std::string title = L("CSI study report") + (model_path.empty() ? std::string() : L(": ") + model_path);

    std::string html;
    html.reserve(1 << 16);
    auto out = std::back_inserter(html);
    fmt::format_to(out,
                   "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
                   report_language_code(options.language), engine_name, engine_version, html_escape(title),
                   page_style(group_sections, options.print));
    fmt::format_to(out, "<header>\n<h1>{}</h1>\n<p class=\"subtitle\">", html_escape(title));
    std::string data_path;
    if (const Json* input = member(result, "input"))
        if (const Json* data = member(*input, "data")) data_path = text_at(*data, "path");
    html += format_label(L("{} constructs, {} paths"), names.size(), required_array(result, "paths").size());
    if (!data_path.empty()) html += format_label(L("; data <code>{}</code>"), html_escape(data_path));
    if (const auto n = number_at(result, "n_obs")) html += format_label(L(", {} respondents"), fixed(*n, 0));
    html += "</p>\n";
    if (const Json* converged = member(result, "converged"); converged && converged->is_boolean() && !converged->get<bool>())
        html += "<p class=\"banner\">" + L("The PLS iteration did not converge: these estimates are not a PLS solution.") + "</p>\n";
    if (const Json* admissibility = member(result, "admissibility"))
        if (const Json* ok = member(*admissibility, "admissible"); ok && ok->is_boolean() && !ok->get<bool>())
            html += "<p class=\"banner\">" + format_label(L("The result is not admissible: see <a href=\"#fit\">{}</a>."), L("Model fit and admissibility")) +
                    "</p>\n";
    html += "<nav><ol>\n";
    for (const auto& s : sections) fmt::format_to(out, "<li><a href=\"#{}\">{}</a></li>\n", s.id, html_escape(s.title));
    html += "</ol></nav>\n</header>\n";
    for (const auto& s : sections)
        fmt::format_to(out, "<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", s.id, html_escape(s.title), s.html);
    fmt::format_to(out, "<footer>{}</footer>\n</body>\n</html>\n",
                   format_label(L("Rendered by {} {} from the JSON result; the same result gives the same bytes."), engine_name, engine_version));
    return html;
}

}  // namespace

std::string render_html_report(const Json& result, const ReportDraws* draws, const ReportOptions& options) {
    try {
        return render_checked_result(result, draws, options);
    } catch (const nlohmann::json::exception& error) {
        // A value of the wrong type deep in a section: the document is not what csipls writes.
        throw InputError(std::string("not a csipls result (") + error.what() + ")");
    }
}

}  // namespace csipls

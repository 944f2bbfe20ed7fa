// Writers of the group analysis and the index table (JSON and CSV), and the reader of the
// aggregation weights file.
#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <set>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/result_writers.hpp"

namespace csipls {
namespace {


Json per_construct(const std::vector<std::string>& constructs, const Eigen::VectorXd& values) {
    Json json = Json::object();
    for (std::size_t j = 0; j < constructs.size(); ++j) json[constructs[j]] = number_or_null(values[static_cast<Eigen::Index>(j)]);
    return json;
}

Json summary_json(const ParameterSummary& s) {
    return {{"se", number_or_null(s.se)}, {"p", number_or_null(s.p)}, {"ci_lower", number_or_null(s.ci_lower)},
            {"ci_upper", number_or_null(s.ci_upper)}};
}


}  // namespace

Json describe_parameter(const PlsResult& result, const BootstrapParameter& parameter) {
    const ParameterKind& kind = parameter_kind(parameter.kind);
    Json json;
    json["kind"] = kind.name;
    for (int e = 0; e < kind.end_count; ++e) json[kind.ends[e].field] = parameter_end_name(result, parameter, kind.ends[e]);
    return json;
}

Json groups_to_json(const PlsResult& pooled, const GroupsResult& groups, const std::string& column) {
    Json json;
    json["column"] = column;
    json["mode"] = groups.pooled ? "pooled" : "separate";
    json["method"] = groups.pooled
                         ? "each group keeps the pooled estimate's unstandardized outer weights; its paths, R2 and indices "
                           "come from its own means and correlations (the bootstrap holds the weights fixed)"
                         : "each group estimated on its own respondents";
    json["count"] = groups.groups.size();
    json["failed"] = groups.failed;
    Json results = Json::array();
    for (const auto& group : groups.groups) {
        Json entry;
        entry["group"] = group.name;
        entry["n_obs"] = group.n_obs;
        if (!group.ok()) {
            entry["error"] = group.error;
            results.push_back(entry);
            continue;
        }
        entry["iterations"] = group.result.iterations;
        Json paths = Json::array();
        for (const auto& link : group.result.paths)
            paths.push_back({{"from", pooled.constructs[static_cast<std::size_t>(link.from)]},
                             {"to", pooled.constructs[static_cast<std::size_t>(link.to)]},
                             {"estimate", group.result.path_coefficients(link.from, link.to)}});
        entry["paths"] = paths;
        Json r2 = Json::object();
        for (std::size_t j = 0; j < pooled.constructs.size(); ++j)
            if (group.result.is_endogenous(static_cast<int>(j))) r2[pooled.constructs[j]] = group.result.r2[static_cast<Eigen::Index>(j)];
        entry["r2"] = r2;
        if (group.index.size() > 0) entry["csi_index"] = per_construct(pooled.constructs, group.index);
        if (group.bootstrap) {
            Json summaries = Json::array();
            for (std::size_t i = 0; i < group.bootstrap->parameters.size(); ++i) {
                Json item = describe_parameter(pooled, group.bootstrap->parameters[i]);
                item.update(summary_json(group.bootstrap->summaries[i]));
                summaries.push_back(item);
            }
            entry["bootstrap"] = {{"seed", group.bootstrap->options.seed},
                                  {"succeeded", group.bootstrap->succeeded},
                                  {"failed", group.bootstrap->failures.size()},
                                  {"parameters", summaries}};
        }
        results.push_back(entry);
    }
    json["results"] = results;
    json["random_streams"] = "group g resamples with seed xor splitmix64(splitmix64(fnv1a(label g))), so results do not "
                             "depend on which other groups are in the data";
    Json differences = Json::array();
    for (const auto& d : groups.differences) {
        Json item;
        item["a"] = groups.groups[static_cast<std::size_t>(d.a)].name;
        item["b"] = groups.groups[static_cast<std::size_t>(d.b)].name;
        item.update(describe_parameter(pooled, d.parameter));
        item["difference"] = d.difference;
        item["se"] = number_or_null(d.se);
        item["bootstrap_p"] = number_or_null(d.bootstrap_p);
        item["permutation_p"] = number_or_null(d.permutation_p);
        item["permutations_used"] = d.permutations_used;
        differences.push_back(item);
    }
    json["differences"] = differences;
    json["difference_tests"] = "difference = a - b; bootstrap_p: two-sided normal p of difference / sqrt(se_a^2 + se_b^2); "
                               "permutation_p: (permutations with |difference| at least the observed + 1) / (used + 1)";
    return json;
}

Json ipma_to_json(const PlsResult& result, const IpmaResult& ipma) {
    Json json;
    json["target"] = result.constructs[static_cast<std::size_t>(ipma.target)];
    json["importance_mean"] = ipma.construct_importance_mean;
    json["performance_mean"] = ipma.construct_performance_mean;
    json["indicator_importance_mean"] = ipma.indicator_importance_mean;
    json["indicator_performance_mean"] = ipma.indicator_performance_mean;
    Json constructs = Json::array();
    for (const auto& entry : ipma.constructs)
        constructs.push_back({{"construct", result.constructs[static_cast<std::size_t>(entry.construct)]},
                              {"importance", entry.importance},
                              {"performance", entry.performance},
                              {"quadrant", to_string(entry.quadrant)}});
    json["constructs"] = constructs;
    Json indicators = Json::array();
    for (const auto& entry : ipma.indicators)
        indicators.push_back({{"construct", result.constructs[static_cast<std::size_t>(entry.construct)]},
                              {"indicator", result.indicators[static_cast<std::size_t>(entry.indicator)]},
                              {"importance", entry.importance},
                              {"performance", entry.performance},
                              {"quadrant", to_string(entry.quadrant)}});
    json["indicators"] = indicators;
    json["method"] = "importance: unstandardized total effect on the target, both on the 0-100 index scale; performance: "
                     "the index (constructs) or the mean answer on 0-100 (indicators); quadrants split at the means";
    return json;
}

Json index_table_to_json(const IndexTable& table) {
    Json json;
    json["constructs"] = table.constructs;
    json["ci_level"] = table.ci_level;
    Json rows = Json::array();
    for (const auto& row : table.rows) {
        Json entry;
        entry["group"] = row.label;
        entry["level"] = row.level;
        entry["n_obs"] = row.n_obs;
        if (row.members > 0) entry["members"] = row.members;
        if (!row.error.empty()) {
            entry["error"] = row.error;
            rows.push_back(entry);
            continue;
        }
        entry["index"] = per_construct(table.constructs, row.index);
        if (row.se.size() > 0) {
            entry["se"] = per_construct(table.constructs, row.se);
            entry["ci_lower"] = per_construct(table.constructs, row.ci_lower);
            entry["ci_upper"] = per_construct(table.constructs, row.ci_upper);
        }
        entry["negative_weight"] = row.negative_weight;
        rows.push_back(entry);
    }
    json["rows"] = rows;
    return json;
}

void write_index_table_csv(std::ostream& out, const IndexTable& table) {
    out << "group,level,n_obs";
    for (const auto& construct : table.constructs) {
        const std::string name = csv_field(construct);
        out << ',' << name;
    }
    for (const auto& construct : table.constructs)
        out << ',' << csv_field(construct + "_se") << ',' << csv_field(construct + "_ci_lower") << ','
            << csv_field(construct + "_ci_upper");
    out << ",note\n";
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto& row : table.rows) {
        out << csv_field(row.label) << ',' << row.level << ',' << row.n_obs;
        const auto at = [&](const Eigen::VectorXd& values, std::size_t j) {
            return values.size() > 0 ? values[static_cast<Eigen::Index>(j)] : nan;
        };
        for (std::size_t j = 0; j < table.constructs.size(); ++j) out << ',' << csv_number(at(row.index, j));
        for (std::size_t j = 0; j < table.constructs.size(); ++j)
            out << ',' << csv_number(at(row.se, j)) << ',' << csv_number(at(row.ci_lower, j)) << ','
                << csv_number(at(row.ci_upper, j));
        std::string note = row.error;
        if (note.empty() && !row.negative_weight.empty()) {
            note = "negative weight, index not meaningful:";
            for (const auto& name : row.negative_weight) note += " " + name;
        }
        out << ',' << csv_field(note) << '\n';
    }
}


namespace {

std::string pad_right(const std::string& text, std::size_t width) { return pad_to_width(text, width, true); }

}  // namespace

void write_index_table_summary(std::ostream& out, const IndexTable& table) {
    std::size_t label_width = 8;
    for (const auto& row : table.rows) label_width = std::max(label_width, display_width(row.label) + 2);
    std::size_t column_width = 9;
    for (const auto& construct : table.constructs) column_width = std::max(column_width, display_width(construct) + 2);
    const bool intervals = std::any_of(table.rows.begin(), table.rows.end(), [](const IndexRow& row) { return row.se.size() > 0; });
    out << "\nIndex table (0-100" << (intervals ? fmt::format("; below each index its {:g} % interval", table.ci_level * 100) : "")
        << ")\n  " << pad_to_width("unit", label_width) << pad_right("n", 8);
    for (const auto& construct : table.constructs) out << pad_right(construct, column_width);
    out << '\n';
    for (const auto& row : table.rows) {
        out << "  " << pad_to_width(row.label, label_width) << pad_right(std::to_string(row.n_obs), 8);
        if (!row.error.empty()) {
            out << "  not estimated: " << row.error << '\n';
            continue;
        }
        // An interaction term has no index.
        for (Eigen::Index j = 0; j < row.index.size(); ++j)
            out << pad_right(std::isfinite(row.index[j]) ? fmt::format("{:.2f}", row.index[j]) : "-", column_width);
        if (!row.negative_weight.empty()) out << "  ! negative weight";
        out << '\n';
        if (row.se.size() == 0) continue;
        out << "  " << std::string(label_width + 8, ' ');
        for (Eigen::Index j = 0; j < row.index.size(); ++j)
            out << pad_right(std::isfinite(row.ci_lower[j]) ? fmt::format("{:.1f}-{:.1f}", row.ci_lower[j], row.ci_upper[j]) : "-",
                                 column_width);
        out << '\n';
    }
}

void write_ipma_summary(std::ostream& out, const PlsResult& result, const IpmaResult& ipma) {
    out << "\nImportance-performance map for " << result.constructs[static_cast<std::size_t>(ipma.target)]
        << " (importance: index points per index point; quadrants split at the means)\n";
    std::size_t width = 12;
    for (const auto& entry : ipma.constructs) width = std::max(width, display_width(result.constructs[static_cast<std::size_t>(entry.construct)]) + 2);
    out << "  " << pad_to_width("driver", width) << pad_right("importance", 12) << pad_right("performance", 13) << "  quadrant\n";
    for (const auto& entry : ipma.constructs)
        out << "  " << pad_to_width(result.constructs[static_cast<std::size_t>(entry.construct)], width)
            << pad_right(fmt::format("{:.3f}", entry.importance), 12) << pad_right(fmt::format("{:.2f}", entry.performance), 13)
            << "  " << to_string(entry.quadrant) << '\n';
}

AggregationPlan read_aggregation_plan(const std::string& path, const std::string& group_column, char delimiter) {
    const TextTable table = read_text_table(path, delimiter);
    auto column = [&](const std::string& name) -> int {
        for (std::size_t j = 0; j < table.header.size(); ++j)
            if (table.header[j] == name) return static_cast<int>(j);
        return -1;
    };
    int group = column(group_column);
    if (group < 0) group = column("group");
    if (group < 0)
        throw InputError(path + ":1: the aggregation file needs a column '" + group_column + "' (or 'group') naming the groups");
    const int weight = column("weight");
    if (weight < 0) throw InputError(path + ":1: the aggregation file needs a 'weight' column");
    AggregationPlan plan;
    plan.source = path;
    std::vector<int> level_columns;
    for (std::size_t j = 0; j < table.header.size(); ++j)
        if (static_cast<int>(j) != group && static_cast<int>(j) != weight) {
            plan.levels.push_back(table.header[j]);
            level_columns.push_back(static_cast<int>(j));
        }
    std::set<std::string> seen;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& cells = table.rows[r];
        const std::string where = path + ":" + std::to_string(table.lines[r]) + ": ";
        AggregationPlan::Member member;
        member.group = cells[static_cast<std::size_t>(group)];
        if (member.group.empty()) throw InputError(where + "empty group name");
        if (!seen.insert(member.group).second) throw InputError(where + "group '" + member.group + "' is listed twice");
        const std::string& text = cells[static_cast<std::size_t>(weight)];
        std::size_t used = 0;
        try {
            member.weight = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size() || !(member.weight > 0) || !std::isfinite(member.weight))
            throw InputError(where + "column 'weight': '" + text + "' is not a positive number");
        for (int j : level_columns) {
            member.units.push_back(cells[static_cast<std::size_t>(j)]);
            if (member.units.back().empty())
                throw InputError(where + "column '" + table.header[static_cast<std::size_t>(j)] + "' is empty");
        }
        plan.members.push_back(std::move(member));
    }
    if (plan.members.empty()) throw InputError(path + ": the aggregation file lists no groups");
    return plan;
}

}  // namespace csipls

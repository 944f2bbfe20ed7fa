// The hierarchical index's weights file and the `practice_indices` section of the result.
#include "csipls/io/practice_io.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"

namespace csipls {
namespace {


std::string shown(double value, const char* format = "{:.2f}") {
    return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : std::string("-");
}

std::string padded(const std::string& text, std::size_t width) {
    const std::size_t used = display_width(text);
    return text + std::string(used < width ? width - used : 0, ' ');
}

}  // namespace

WeightsFile read_weights_index(const std::string& path, char delimiter) {
    WeightsFile file;
    file.path = path;
    const std::string bytes = read_text_file(path);
    file.xxh64 = xxh64_hex(bytes.data(), bytes.size());
    const TextTable table = read_text_table(path, delimiter);
    auto column = [&](const char* name) {
        const auto at = std::find(table.header.begin(), table.header.end(), name);
        if (at == table.header.end())
            throw InputError(path + ":1: the weights file needs the columns node, parent, weight (no '" + name + "')");
        return static_cast<std::size_t>(at - table.header.begin());
    };
    const std::size_t node_column = column("node"), parent_column = column("parent"), weight_column = column("weight");
    std::map<std::string, std::size_t> line_of;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& cells = table.rows[r];
        const std::string where = path + ":" + std::to_string(table.lines[r]) + ": ";
        WeightNode node;
        node.name = cells[node_column];
        node.parent = cells[parent_column];
        node.line = table.lines[r];
        if (node.name.empty()) throw InputError(where + "empty node name");
        if (const auto seen = line_of.find(node.name); seen != line_of.end())
            throw InputError(where + "node '" + node.name + "' is listed twice (first on line " + std::to_string(seen->second) +
                             "); an item weighs in one parent only");
        line_of[node.name] = node.line;
        const std::string& text = cells[weight_column];
        if (node.parent.empty()) {
            // A root's own weight means nothing; accept the 1 people write anyway.
            if (!text.empty() && text != "1")
                throw InputError(where + "root '" + node.name + "' (no parent) has weight '" + text + "'; leave it empty");
        } else {
            std::size_t used = 0;
            try {
                node.weight = std::stod(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != text.size() || !std::isfinite(node.weight) || !(node.weight > 0))
                throw InputError(where + "weight '" + text + "' of node '" + node.name + "' is not a positive number");
        }
        file.nodes.push_back(std::move(node));
    }
    if (file.nodes.empty()) throw InputError(path + ": the weights file lists no nodes");
    // Cycles: walking up from any node must end at a root within as many steps as there are nodes.
    for (const auto& start : file.nodes) {
        std::vector<std::string> chain{start.name};
        for (const WeightNode* at = &start; !at->parent.empty();) {
            if (std::find(chain.begin(), chain.end(), at->parent) != chain.end()) {
                std::string loop;
                for (const auto& name : chain) loop += name + " -> ";
                throw InputError(path + ":" + std::to_string(start.line) + ": the hierarchy has a cycle: " + loop + at->parent);
            }
            chain.push_back(at->parent);
            at = file.find(at->parent);
            if (!at) break;  // a parent that is not listed is a root
        }
    }
    std::map<std::string, std::pair<double, std::size_t>> sums;  // parent → (sum, line of its first child)
    std::vector<std::string> order;
    for (const auto& node : file.nodes) {
        if (node.parent.empty()) continue;
        auto [at, fresh] = sums.try_emplace(node.parent, 0.0, node.line);
        if (fresh) order.push_back(node.parent);
        at->second.first += node.weight;
    }
    for (const auto& parent : order) {
        const auto [sum, line] = sums[parent];
        if (std::abs(sum - 1) > 1e-6)
            throw InputError(path + ":" + std::to_string(line) + ": the weights of the children of '" + parent + "' sum to " +
                             fmt::format("{:.10g}", sum) + ", not 1");
    }
    return file;
}

Json practice_indices_to_json(const PracticeIndices& practice, const std::vector<GroupPracticeIndices>& groups) {
    Json json;
    json["scale"] = {practice.scale.min, practice.scale.max};
    json["missing"] = "means over the answers each item has (case-weighted with case weights); gaps over respondents "
                      "with both answers";
    if (practice.items) {
        const ItemScores& s = *practice.items;
        Json items = Json::array();
        for (std::size_t k = 0; k < s.items.size(); ++k) {
            const auto at = static_cast<Eigen::Index>(k);
            items.push_back({{"item", s.items[k]}, {"construct", s.construct_of_item[k]}, {"answered", s.answered[at]},
                             {"mean", number_or_null(s.mean[at])}});
        }
        Json constructs = Json::object();
        for (std::size_t j = 0; j < s.constructs.size(); ++j)
            constructs[s.constructs[j]] = number_or_null(s.construct_mean[static_cast<Eigen::Index>(j)]);
        json["item_scores"] = {
            {"method", "answers mapped linearly from the scale onto -90..+90 (very dissatisfied -90, neutral 0, very satisfied "
                       "+90); mean per item; per construct the mean of its items' means"},
            {"items", items},
            {"constructs", constructs}};
    }
    if (practice.hierarchical) {
        const HierarchicalIndex& h = *practice.hierarchical;
        Json nodes = Json::array();
        Json roots = Json::array();
        for (std::size_t i = 0; i < h.nodes.size(); ++i) {
            Json node = {{"node", h.nodes[i]},
                         {"parent", h.parents[i].empty() ? Json(nullptr) : Json(h.parents[i])},
                         {"weight", h.weights[i]},
                         {"leaf", static_cast<bool>(h.leaf[i])},
                         {"value", number_or_null(h.values[i])}};
            if (h.leaf[i]) node["answered"] = number_or_null(h.answered[i]);
            nodes.push_back(node);
            if (h.parents[i].empty()) roots.push_back(h.nodes[i]);
        }
        json["weights_index"] = {
            {"file", {{"path", practice.weights_file->path}, {"xxh64", practice.weights_file->xxh64}}},
            {"method", "leaf (item): (mean - scale min) / (scale max - scale min) * 100; other nodes: the weighted sum of "
                       "their children, weights from the file"},
            {"roots", roots},
            {"nodes", nodes}};
    }
    if (!practice.gaps.empty()) {
        Json items = Json::array();
        for (const auto& g : practice.gaps)
            items.push_back({{"perceived", g.perceived}, {"expected", g.expected}, {"n", g.n}, {"mean", number_or_null(g.mean)},
                             {"sd", number_or_null(g.sd)}, {"se", number_or_null(g.se)}, {"t", number_or_null(g.t)},
                             {"df", number_or_null(g.df)}, {"p", number_or_null(g.p)}, {"mean_0_100", number_or_null(g.mean_0_100)},
                             {"se_0_100", number_or_null(g.se_0_100)}});
        json["gaps"] = {{"method", "perceived - expected per respondent with both answers; se = sd / sqrt(n) (paired); "
                                   "t = mean / se, p two-sided Student t with n - 1 df; 0-100: x 100 / (scale max - scale min)"},
                        {"items", items}};
    }
    if (!groups.empty()) {
        Json entries = Json::array();
        for (const auto& group : groups) {
            Json entry = {{"group", group.group}, {"n_obs", group.n_obs}};
            entry.update(practice_indices_to_json(group.indices));
            entries.push_back(std::move(entry));
        }
        json["groups"] = std::move(entries);
    }
    return json;
}

void write_practice_summary(std::ostream& out, const PracticeIndices& practice) {
    out << "\nIndices of CSI practice\n";
    if (practice.items) {
        const ItemScores& s = *practice.items;
        std::size_t width = 0;
        for (const auto& name : s.constructs) width = std::max(width, display_width(name));
        out << "  mean item satisfaction (-90 very dissatisfied ... +90 very satisfied), per construct:\n";
        for (std::size_t j = 0; j < s.constructs.size(); ++j)
            out << "    " << padded(s.constructs[j], width) << fmt::format("  {:>7}\n", shown(s.construct_mean[static_cast<Eigen::Index>(j)]));
    }
    if (practice.hierarchical) {
        const HierarchicalIndex& h = *practice.hierarchical;
        std::size_t width = 0;
        for (const auto& name : h.nodes) width = std::max(width, display_width(name));
        out << "  fixed-weight index (0-100) from " << practice.weights_file->path << ":\n";
        for (std::size_t i = 0; i < h.nodes.size(); ++i) {
            int depth = 0;
            for (std::string parent = h.parents[i]; !parent.empty(); ++depth) {
                const auto at = std::find(h.nodes.begin(), h.nodes.end(), parent);
                parent = h.parents[static_cast<std::size_t>(at - h.nodes.begin())];
            }
            out << "    " << std::string(static_cast<std::size_t>(2 * depth), ' ')
                << padded(h.nodes[i], width + 2 * 3 - static_cast<std::size_t>(std::min(depth, 3)) * 2)
                << fmt::format("  {:>6}", shown(h.values[i]))
                << (h.parents[i].empty() ? std::string() : fmt::format("  (weight {:g})", h.weights[i])) << '\n';
        }
    }
    if (!practice.gaps.empty()) {
        out << "  satisfaction minus expectation (paired):\n";
        for (const auto& g : practice.gaps)
            out << "    " << g.perceived << " - " << g.expected << fmt::format(": {} (se {}, p {}); on 0-100: {}\n", shown(g.mean, "{:+.3f}"),
                                                                              shown(g.se, "{:.3f}"), shown(g.p, "{:.4f}"), shown(g.mean_0_100, "{:+.2f}"));
    }
}

void write_group_practice_summary(std::ostream& out, const std::vector<GroupPracticeIndices>& groups) {
    if (groups.empty()) return;
    // The columns: every construct's item score, the fixed-weight index's top nodes, every gap.
    const PracticeIndices& first = groups.front().indices;
    std::vector<std::string> header{"group", "n"};
    if (first.items)
        for (const auto& name : first.items->constructs) header.push_back(name);
    std::vector<std::size_t> roots;
    if (first.hierarchical)
        for (std::size_t i = 0; i < first.hierarchical->nodes.size(); ++i)
            if (first.hierarchical->parents[i].empty()) {
                roots.push_back(i);
                header.push_back(first.hierarchical->nodes[i]);
            }
    for (const auto& gap : first.gaps) header.push_back(gap.perceived + "-" + gap.expected);
    std::vector<std::vector<std::string>> rows;
    for (const auto& group : groups) {
        const PracticeIndices& p = group.indices;
        std::vector<std::string> row{group.group, std::to_string(group.n_obs)};
        if (p.items)
            for (Eigen::Index j = 0; j < p.items->construct_mean.size(); ++j) row.push_back(shown(p.items->construct_mean[j]));
        for (const std::size_t i : roots) row.push_back(shown(p.hierarchical->values[i]));
        for (const auto& gap : p.gaps) row.push_back(shown(gap.mean, "{:+.3f}"));
        rows.push_back(std::move(row));
    }
    out << "\nIndices of CSI practice by group (item scores on -90..+90, fixed-weight index on 0-100, gaps in scale points)\n";
    rows.insert(rows.begin(), std::move(header));
    std::vector<bool> right_aligned(rows.front().size(), true);
    right_aligned[0] = false;  // the group's label
    write_aligned_rows(out, rows, right_aligned);
}

}  // namespace csipls

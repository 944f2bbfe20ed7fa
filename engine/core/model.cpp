#include "csipls/core/model.hpp"

#include <map>
#include <set>
#include <string>

#include "csipls/core/error.hpp"

namespace csipls {
namespace {

std::string where(const std::string& source, int line) {
    std::string prefix = source.empty() ? std::string("model") : source;
    if (line > 0) prefix += ":" + std::to_string(line);
    return prefix;
}

}  // namespace

int Model::construct_index(const std::string& name) const {
    for (std::size_t i = 0; i < constructs.size(); ++i)
        if (constructs[i].name == name) return static_cast<int>(i);
    return -1;
}

std::vector<std::string> Model::all_indicators() const {
    std::vector<std::string> names;
    names.reserve(indicator_count());
    for (const auto& construct : constructs)
        names.insert(names.end(), construct.indicators.begin(), construct.indicators.end());
    return names;
}

std::size_t Model::indicator_count() const {
    std::size_t count = 0;
    for (const auto& construct : constructs) count += construct.indicators.size();
    return count;
}

void validate_model(const Model& model) {
    if (model.constructs.empty())
        throw ModelError(where(model.source, 0) + ": the model defines no constructs (use `Name =~ item1 + item2`)");

    std::map<std::string, const Construct*> constructs_by_name;
    std::map<std::string, const Construct*> block_of_indicator;
    for (const auto& construct : model.constructs) {
        if (!constructs_by_name.emplace(construct.name, &construct).second)
            throw ModelError(where(model.source, construct.line) + ": construct '" + construct.name +
                             "' is defined twice");
        if (construct.indicators.empty())
            throw ModelError(where(model.source, construct.line) + ": construct '" + construct.name +
                             "' has no indicators");
        if (!construct.population_loadings.empty() && construct.population_loadings.size() != construct.indicators.size())
            throw ModelError(where(model.source, construct.line) + ": construct '" + construct.name + "' has " +
                             std::to_string(construct.population_loadings.size()) + " population loadings for " +
                             std::to_string(construct.indicators.size()) + " indicators");
        for (const auto& indicator : construct.indicators) {
            auto [it, inserted] = block_of_indicator.emplace(indicator, &construct);
            if (!inserted) {
                const bool same_block = it->second == &construct;
                throw ModelError(where(model.source, construct.line) + ": indicator '" + indicator + "' " +
                                 (same_block ? "appears twice in block '" + construct.name + "'"
                                             : "is in two blocks, '" + it->second->name + "' and '" +
                                                   construct.name + "'"));
            }
        }
    }
    // lavaan reads a construct used as an indicator as a higher-order model, which is not estimated here.
    for (const auto& construct : model.constructs)
        if (block_of_indicator.count(construct.name))
            throw ModelError(where(model.source, construct.line) + ": '" + construct.name +
                             "' is used both as a construct and as an indicator");

    if (model.constructs.size() < 2)
        throw ModelError(where(model.source, 0) +
                         ": a path model needs at least two constructs joined by a structural path");

    std::set<std::pair<std::string, std::string>> seen_paths;
    std::set<std::string> in_structure;
    for (const auto& path : model.paths) {
        for (const auto* end : {&path.from, &path.to})
            if (!constructs_by_name.count(*end))
                throw ModelError(where(model.source, path.line) + ": '" + *end +
                                 "' in a structural path is not a construct (define it with `" + *end +
                                 " =~ ...` or `" + *end + " <~ ...`)");
        if (path.from == path.to)
            throw ModelError(where(model.source, path.line) + ": construct '" + path.from +
                             "' cannot predict itself");
        if (!seen_paths.emplace(path.from, path.to).second)
            throw ModelError(where(model.source, path.line) + ": path " + path.from + " -> " + path.to +
                             " is given twice");
        in_structure.insert(path.from);
        in_structure.insert(path.to);
    }
    for (const auto& construct : model.constructs)
        if (!in_structure.count(construct.name))
            throw ModelError(where(model.source, construct.line) + ": construct '" + construct.name +
                             "' is in no structural path; PLS needs every construct connected to another");

    topological_order(model);  // throws on a cycle
}

std::vector<int> topological_order(const Model& model) {
    const std::size_t count = model.constructs.size();
    std::vector<std::vector<int>> successors(count);
    std::vector<int> pending_predecessors(count, 0);
    for (const auto& path : model.paths) {
        const int from = model.construct_index(path.from);
        const int to = model.construct_index(path.to);
        if (from < 0 || to < 0) continue;
        successors[from].push_back(to);
        ++pending_predecessors[to];
    }
    // Kahn's algorithm, taking the lowest index first so the order is stable and follows the file.
    std::vector<int> order;
    std::set<int> ready;
    for (std::size_t i = 0; i < count; ++i)
        if (pending_predecessors[i] == 0) ready.insert(static_cast<int>(i));
    while (!ready.empty()) {
        const int next = *ready.begin();
        ready.erase(ready.begin());
        order.push_back(next);
        for (int successor : successors[next])
            if (--pending_predecessors[successor] == 0) ready.insert(successor);
    }
    if (order.size() != count) {
        std::string members;
        for (std::size_t i = 0; i < count; ++i)
            if (pending_predecessors[i] > 0) members += (members.empty() ? "" : ", ") + model.constructs[i].name;
        throw ModelError(where(model.source, 0) + ": the structural model has a cycle through " + members +
                         " (PLS path models must be recursive)");
    }
    return order;
}

}  // namespace csipls

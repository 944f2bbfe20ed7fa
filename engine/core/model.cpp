#include "csipls/core/model.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "csipls/core/error.hpp"

namespace csipls {

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

std::vector<InteractionTerm> interaction_terms(const Model& model) {
    std::vector<InteractionTerm> terms;
    for (const auto& path : model.paths) {
        const auto colon = path.from.find(':');
        if (colon == std::string::npos || model.construct_index(path.from) >= 0) continue;
        if (std::any_of(terms.begin(), terms.end(), [&](const InteractionTerm& t) { return t.name == path.from; })) continue;
        terms.push_back({path.from, path.from.substr(0, colon), path.from.substr(colon + 1), path.line});
    }
    return terms;
}

std::vector<HigherOrderConstruct> higher_order_constructs(const Model& model) {
    std::vector<HigherOrderConstruct> out;
    for (std::size_t j = 0; j < model.constructs.size(); ++j) {
        HigherOrderConstruct higher{static_cast<int>(j), {}};
        for (const auto& indicator : model.constructs[j].indicators)
            if (const int lower = model.construct_index(indicator); lower >= 0) higher.lower_order.push_back(lower);
        if (!higher.lower_order.empty()) out.push_back(std::move(higher));
    }
    return out;
}

bool needs_two_stages(const Model& model) { return !interaction_terms(model).empty() || !higher_order_constructs(model).empty(); }

void require_one_stage(const Model& model, const std::string& procedure) {
    if (!needs_two_stages(model)) return;
    throw ModelError(model.location(0) + ": " + procedure +
                     " takes a model without interaction terms or higher-order constructs (those are estimated in two "
                     "stages: run the study)");
}

std::vector<std::string> Model::items() const {
    std::vector<std::string> names = all_indicators();
    std::erase_if(names, [&](const std::string& name) { return construct_index(name) >= 0; });
    return names;
}

std::string Model::location(int line) const {
    std::string prefix = source.empty() ? std::string("model") : source;
    if (line > 0) prefix += ":" + std::to_string(line);
    return prefix;
}

std::size_t Model::indicator_count() const {
    std::size_t count = 0;
    for (const auto& construct : constructs) count += construct.indicators.size();
    return count;
}

void validate_model(const Model& model) {
    if (model.constructs.empty())
        throw ModelError(model.location(0) + ": the model defines no constructs (use `Name =~ item1 + item2`)");

    std::map<std::string, const Construct*> constructs_by_name;
    std::map<std::string, const Construct*> block_of_indicator;
    for (const auto& construct : model.constructs) {
        if (!constructs_by_name.emplace(construct.name, &construct).second)
            throw ModelError(model.location(construct.line) + ": construct '" + construct.name +
                             "' is defined twice");
        if (construct.indicators.empty())
            throw ModelError(model.location(construct.line) + ": construct '" + construct.name +
                             "' has no indicators");
        if (!construct.population_loadings.empty() && construct.population_loadings.size() != construct.indicators.size())
            throw ModelError(model.location(construct.line) + ": construct '" + construct.name + "' has " +
                             std::to_string(construct.population_loadings.size()) + " population loadings for " +
                             std::to_string(construct.indicators.size()) + " indicators");
        for (const auto& indicator : construct.indicators) {
            auto [it, inserted] = block_of_indicator.emplace(indicator, &construct);
            if (!inserted) {
                const bool same_block = it->second == &construct;
                if (!same_block && model.construct_index(indicator) >= 0)
                    throw ModelError(model.location(construct.line) + ": higher-order construct '" + construct.name +
                                     "' uses lower-order construct '" + indicator + "', which already measures '" + it->second->name +
                                     "': a lower-order construct measures one higher-order construct");
                throw ModelError(model.location(construct.line) + ": indicator '" + indicator + "' " +
                                 (same_block ? "appears twice in block '" + construct.name + "'"
                                             : "is in two blocks, '" + it->second->name + "' and '" +
                                                   construct.name + "'"));
            }
        }
    }
    // A construct among the indicators makes a higher-order construct (lavaan's reading).
    std::map<std::string, const Construct*> higher_of_lower;
    for (const auto& construct : model.constructs) {
        const auto lower_count = std::count_if(construct.indicators.begin(), construct.indicators.end(),
                                               [&](const std::string& name) { return constructs_by_name.count(name) > 0; });
        if (lower_count == 0) continue;
        const std::string at = model.location(construct.line) + ": higher-order construct '" + construct.name + "'";
        if (static_cast<std::size_t>(lower_count) != construct.indicators.size())
            throw ModelError(at + " mixes constructs and items among its indicators: a higher-order construct is measured by "
                                  "lower-order constructs only");
        if (lower_count < 2)
            throw ModelError(at + " has one lower-order construct ('" + construct.indicators.front() +
                             "'); it needs at least two (with one, the construct is the lower-order construct itself)");
        if (!construct.population_loadings.empty() &&
            std::any_of(construct.population_loadings.begin(), construct.population_loadings.end(), [](const auto& v) { return v.has_value(); }))
            throw ModelError(at + " has population loadings, which the simulator does not take for higher-order constructs");
        for (const auto& lower : construct.indicators) {
            if (lower == construct.name)
                throw ModelError(at + " is among its own lower-order constructs (a cycle through a higher-order construct)");
            if (!higher_of_lower.emplace(lower, &construct).second)
                throw ModelError(at + " uses lower-order construct '" + lower + "', which already measures '" +
                                 higher_of_lower[lower]->name + "': a lower-order construct measures one higher-order construct");
        }
    }
    for (const auto& [lower, higher] : higher_of_lower) {
        const Construct& construct = *constructs_by_name[lower];
        for (const auto& indicator : construct.indicators)
            if (constructs_by_name.count(indicator))
                throw ModelError(model.location(construct.line) + ": '" + lower + "' measures the higher-order construct '" +
                                 higher->name + "' and is measured by constructs itself: csipls estimates second-order "
                                 "constructs, not third-order ones" +
                                 (higher_of_lower.count(higher->name) && higher_of_lower[higher->name]->name == lower
                                      ? " (and the two measure each other: a cycle)" : ""));
    }

    if (model.constructs.size() < 2)
        throw ModelError(model.location(0) +
                         ": a path model needs at least two constructs joined by a structural path");

    std::set<std::pair<std::string, std::string>> seen_paths;
    std::set<std::string> in_structure;
    std::set<std::string> interactions;
    for (const auto& path : model.paths) {
        const std::string at = model.location(path.line);
        if (path.to.find(':') != std::string::npos && !constructs_by_name.count(path.to))
            throw ModelError(at + ": the product term '" + path.to + "' cannot be on the left of '~': an interaction term " +
                             "predicts (`Y ~ A + B + A:B`)");
        if (const auto colon = path.from.find(':'); colon != std::string::npos && !constructs_by_name.count(path.from)) {
            const std::string first = path.from.substr(0, colon), second = path.from.substr(colon + 1);
            if (second.find(':') != std::string::npos)
                throw ModelError(at + ": '" + path.from + "' is a three-way interaction; csipls estimates two-way interactions (A:B)");
            for (const auto* part : {&first, &second}) {
                if (part->empty()) throw ModelError(at + ": interaction term '" + path.from + "' lacks a construct on one side of ':'");
                if (!constructs_by_name.count(*part))
                    throw ModelError(at + ": interaction term '" + path.from + "' names '" + *part +
                                     "', which is not a construct (define it with `" + *part + " =~ ...`)");
                if (higher_of_lower.count(*part))
                    throw ModelError(at + ": interaction term '" + path.from + "' names '" + *part + "', a lower-order construct of '" +
                                     higher_of_lower[*part]->name + "'; interact with the higher-order construct instead");
                for (const auto& indicator : constructs_by_name[*part]->indicators)
                    if (constructs_by_name.count(indicator))
                        throw ModelError(at + ": interaction term '" + path.from + "' names the higher-order construct '" + *part +
                                         "'; interactions of higher-order constructs are not estimated yet");
            }
            if (first == second)
                throw ModelError(at + ": interaction term '" + path.from + "' is a construct times itself (a quadratic term), "
                                      "which csipls does not estimate");
            const std::string mirrored = second + ":" + first;
            if (interactions.count(mirrored) && !interactions.count(path.from))
                throw ModelError(at + ": '" + path.from + "' and '" + mirrored + "' are the same interaction: write it one way");
            interactions.insert(path.from);
            if (path.from == path.to) throw ModelError(at + ": '" + path.from + "' cannot predict itself");
            if (!seen_paths.emplace(path.from, path.to).second)
                throw ModelError(at + ": path " + path.from + " -> " + path.to + " is given twice");
            for (const auto* part : {&first, &second})
                if (std::none_of(model.paths.begin(), model.paths.end(),
                                 [&](const StructuralPath& p) { return p.from == *part && p.to == path.to; }))
                    throw ModelError(at + ": the interaction '" + path.from + "' predicts '" + path.to + "' but '" + *part +
                                     "' does not: add the main effect (`" + path.to + " ~ " + *part + "`)");
            in_structure.insert(path.to);
            continue;
        }
        for (const auto* end : {&path.from, &path.to})
            if (higher_of_lower.count(*end))
                throw ModelError(at + ": '" + *end + "' measures the higher-order construct '" + higher_of_lower[*end]->name +
                                 "' and has no structural paths of its own (give them to '" + higher_of_lower[*end]->name +
                                 "'; a path between them would be a cycle through the higher-order construct)");
        for (const auto* end : {&path.from, &path.to})
            if (!constructs_by_name.count(*end))
                throw ModelError(model.location(path.line) + ": '" + *end +
                                 "' in a structural path is not a construct (define it with `" + *end +
                                 " =~ ...` or `" + *end + " <~ ...`)");
        if (path.from == path.to)
            throw ModelError(model.location(path.line) + ": construct '" + path.from +
                             "' cannot predict itself");
        if (!seen_paths.emplace(path.from, path.to).second)
            throw ModelError(model.location(path.line) + ": path " + path.from + " -> " + path.to +
                             " is given twice");
        in_structure.insert(path.from);
        in_structure.insert(path.to);
    }
    for (const auto& construct : model.constructs)
        if (!in_structure.count(construct.name) && !higher_of_lower.count(construct.name))
            throw ModelError(model.location(construct.line) + ": construct '" + construct.name +
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
        throw ModelError(model.location(0) + ": the structural model has a cycle through " + members +
                         " (PLS path models must be recursive)");
    }
    return order;
}

}  // namespace csipls

#include "csipls/core/practice_indices.hpp"

#include "csipls/core/error.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace csipls {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double case_weight(const Dataset& data, Eigen::Index row) {
    return data.case_weights.size() > 0 ? data.case_weights[row] : 1.0;
}

}  // namespace

AvailableMean available_mean(const Dataset& data, int column) {
    const auto x = data.matrix();
    double sum = 0, weight = 0;
    for (Eigen::Index i = 0; i < data.rows; ++i) {
        const double value = x(i, column);
        if (std::isnan(value)) continue;
        const double w = case_weight(data, i);
        sum += w * value;
        weight += w;
    }
    return {weight > 0 ? sum / weight : nan, weight};
}

ItemScores item_scores(const Model& model, const Dataset& data, const AnswerScale& scale) {
    ItemScores scores;
    for (const auto& construct : model.constructs)
        for (const auto& item : construct.indicators) {
            scores.items.push_back(item);
            scores.construct_of_item.push_back(construct.name);
        }
    const auto count = static_cast<Eigen::Index>(scores.items.size());
    scores.mean.resize(count);
    scores.answered.resize(count);
    const double range = scale.max - scale.min;
    for (Eigen::Index k = 0; k < count; ++k) {
        const int column = data.column_index(scores.items[static_cast<std::size_t>(k)]);
        if (column < 0) throw InputError("the data have no column '" + scores.items[static_cast<std::size_t>(k)] + "'");
        const AvailableMean m = available_mean(data, column);
        // The map is linear, so the mean of mapped answers is the mapped mean.
        scores.mean[k] = -90 + 180 * (m.mean - scale.min) / range;
        scores.answered[k] = m.answered;
    }
    scores.construct_mean.resize(static_cast<Eigen::Index>(model.constructs.size()));
    Eigen::Index k = 0;
    for (std::size_t j = 0; j < model.constructs.size(); ++j) {
        scores.constructs.push_back(model.constructs[j].name);
        const auto items = static_cast<Eigen::Index>(model.constructs[j].indicators.size());
        scores.construct_mean[static_cast<Eigen::Index>(j)] = scores.mean.segment(k, items).mean();
        k += items;
    }
    return scores;
}

HierarchicalIndex hierarchical_index(const std::vector<WeightNode>& nodes, const Dataset& data, const AnswerScale& scale) {
    HierarchicalIndex index;
    std::map<std::string, std::vector<std::size_t>> children;  // parent → rows of its children
    std::map<std::string, bool> listed;
    for (std::size_t r = 0; r < nodes.size(); ++r) {
        listed[nodes[r].name] = true;
        if (!nodes[r].parent.empty()) children[nodes[r].parent].push_back(r);
    }
    // Roots: parents never listed as nodes (in order of first mention), then rows without a parent.
    for (const auto& node : nodes)
        if (!node.parent.empty() && !listed.count(node.parent)) {
            listed[node.parent] = true;
            index.nodes.push_back(node.parent);
            index.parents.emplace_back();
            index.weights.push_back(1);
        }
    for (const auto& node : nodes) {
        index.nodes.push_back(node.name);
        index.parents.push_back(node.parent);
        index.weights.push_back(node.parent.empty() ? 1.0 : node.weight);
    }
    std::map<std::string, double> value_of, answered_of;
    const double range = scale.max - scale.min;
    // Depth-first; the nodes are validated to be acyclic.
    auto value = [&](auto&& self, const std::string& name) -> double {
        if (const auto known = value_of.find(name); known != value_of.end()) return known->second;
        double result = 0;
        const auto kids = children.find(name);
        if (kids == children.end()) {
            const int column = data.column_index(name);
            if (column < 0) throw InputError("item '" + name + "' is not a column of the data");
            const AvailableMean m = available_mean(data, column);
            result = (m.mean - scale.min) / range * 100;
            answered_of[name] = m.answered;
        } else {
            for (std::size_t r : kids->second) result += nodes[r].weight * self(self, nodes[r].name);
        }
        value_of[name] = result;
        return result;
    };
    for (const auto& name : index.nodes) {
        index.values.push_back(value(value, name));
        index.leaf.push_back(!children.count(name));
        const auto answered = answered_of.find(name);
        index.answered.push_back(answered != answered_of.end() ? answered->second : nan);
    }
    return index;
}

ExpectationGap expectation_gap(const Dataset& data, int perceived, int expected, const AnswerScale& scale) {
    ExpectationGap gap;
    gap.perceived = data.columns.at(static_cast<std::size_t>(perceived));
    gap.expected = data.columns.at(static_cast<std::size_t>(expected));
    const auto x = data.matrix();
    double weight = 0, sum = 0;
    for (Eigen::Index i = 0; i < data.rows; ++i) {
        const double d = x(i, perceived) - x(i, expected);
        if (std::isnan(d)) continue;  // pairwise complete: both answers needed
        const double w = case_weight(data, i);
        weight += w;
        sum += w * d;
    }
    gap.n = weight;
    gap.mean = weight > 0 ? sum / weight : nan;
    double squares = 0;  // second pass: no cancellation in the variance
    for (Eigen::Index i = 0; i < data.rows; ++i) {
        const double d = x(i, perceived) - x(i, expected);
        if (!std::isnan(d)) squares += case_weight(data, i) * (d - gap.mean) * (d - gap.mean);
    }
    gap.df = weight - 1;
    gap.sd = gap.df > 0 ? std::sqrt(squares / gap.df) : nan;
    gap.se = gap.sd / std::sqrt(weight);
    if (gap.se > 0) {
        gap.t = gap.mean / gap.se;
        const boost::math::students_t distribution(gap.df);
        gap.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(distribution, std::abs(gap.t))));
    } else {
        gap.t = gap.p = nan;  // every difference equal (or too few pairs): no test
    }
    const double range = scale.max - scale.min;
    gap.mean_0_100 = gap.mean * 100 / range;
    gap.se_0_100 = gap.se * 100 / range;
    return gap;
}

std::vector<std::string> WeightsFile::leaves() const {
    std::set<std::string> parents;
    for (const auto& node : nodes) parents.insert(node.parent);
    std::vector<std::string> out;
    for (const auto& node : nodes)
        if (!parents.count(node.name)) out.push_back(node.name);
    return out;
}

const WeightNode* WeightsFile::find(const std::string& name) const {
    for (const auto& node : nodes)
        if (node.name == name) return &node;
    return nullptr;
}

}  // namespace csipls

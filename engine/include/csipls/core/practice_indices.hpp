#pragma once
// The simpler indices of CSI practice, reported beside the model-based index: mean item
// satisfaction on the −90…+90 seven-level scale, a fixed-weight hierarchical index from expert
// weights, and the satisfaction-minus-expectation gap per item. Means use the answers each item
// has (missing answers, NaN, are left out item by item; gaps use the pairs with both answers),
// weighted by the case weights when the data have them.
#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "csipls/core/csi_index.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/model.hpp"

namespace csipls {

// A column's mean over its answers (NaN cells left out), case-weighted when `data` has weights.
struct AvailableMean {
    double mean = 0;
    double answered = 0;  // respondents with an answer (the sum of their case weights)
};
AvailableMean available_mean(const Dataset& data, int column);

// Every indicator of the model on −90…+90: an answer x on [MIN, MAX] maps linearly to
// −90 + 180·(x − MIN)/(MAX − MIN) (on 1–7: 1 → −90, 2 → −60, …, 7 → +90); per construct the mean of
// its items' means.
struct ItemScores {
    std::vector<std::string> items, construct_of_item;
    Eigen::VectorXd mean, answered;  // per item
    std::vector<std::string> constructs;
    Eigen::VectorXd construct_mean;
};
// `data` must hold every indicator of `model`. An item without answers has a NaN mean.
ItemScores item_scores(const Model& model, const Dataset& data, const AnswerScale& scale);

// One row of a weights file: `node` weighs `weight` in its `parent` (empty for a root).
struct WeightNode {
    std::string name, parent;
    double weight = 1;
    std::size_t line = 0;  // in the weights file, for messages
};

// A weights file of the fixed-weight hierarchical index: where it came from and its nodes.
struct WeightsFile {
    std::string path, xxh64;
    std::vector<WeightNode> nodes;  // in the file's order
    std::vector<std::string> leaves() const;  // nodes without children: the items (data columns)
    const WeightNode* find(const std::string& name) const;
};

// The index of every node on 0–100: a leaf (an item, a data column) is its mean mapped from
// [MIN, MAX] to 0–100; any other node is the weighted sum of its children. `nodes` must be
// validated (see read_weights_index): children's weights sum to 1, no cycles.
struct HierarchicalIndex {
    std::vector<std::string> nodes, parents;  // roots first (parent empty), then the file's order
    std::vector<double> weights, values;
    std::vector<bool> leaf;
    std::vector<double> answered;  // leaves: respondents with an answer; NaN for other nodes
};
// Throws InputError naming a leaf that is not a column of `data`.
HierarchicalIndex hierarchical_index(const std::vector<WeightNode>& nodes, const Dataset& data, const AnswerScale& scale);

// Satisfaction minus expectation for one item: the paired difference perceived − expected over
// respondents with both answers. With case weights (frequency semantics) n = Σw.
struct ExpectationGap {
    std::string perceived, expected;
    double n = 0;
    double mean = 0, sd = 0, se = 0;  // se = sd / √n (paired)
    double t = 0, df = 0, p = 0;      // t = mean / se, p two-sided Student t with n − 1 df
    double mean_0_100 = 0, se_0_100 = 0;  // the same on 0–100: × 100 / (MAX − MIN)
};
ExpectationGap expectation_gap(const Dataset& data, int perceived, int expected, const AnswerScale& scale);

}  // namespace csipls

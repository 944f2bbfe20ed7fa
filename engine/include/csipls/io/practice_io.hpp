#pragma once
// The weights file of the fixed-weight hierarchical index, and the `practice_indices` section of the
// result (JSON and summary).
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "csipls/core/practice_indices.hpp"
#include "csipls/io/result_writers.hpp"

namespace csipls {


// A CSV with the columns node, parent, weight (any order; others ignored). Throws IoError when
// unreadable and InputError naming the file and line for: a missing column, an empty node, a weight
// that is not a positive number, a node listed twice, a node that is its own ancestor (a cycle),
// children of a node whose weights do not sum to 1 (within 1e-6), a row without a parent that has
// a weight other than empty or 1.
WeightsFile read_weights_index(const std::string& path, char delimiter = ',');

// What --item-scores, --weights-index and --gap computed.
struct PracticeIndices {
    AnswerScale scale;
    std::optional<ItemScores> items;
    std::optional<WeightsFile> weights_file;
    std::optional<HierarchicalIndex> hierarchical;
    std::vector<ExpectationGap> gaps;
};

// The same indices computed on one group's respondents.
struct GroupPracticeIndices {
    std::string group;
    Eigen::Index n_obs = 0;
    PracticeIndices indices;
};

// The `practice_indices` section; with groups, their indices under `groups`, one entry per group.
Json practice_indices_to_json(const PracticeIndices& practice, const std::vector<GroupPracticeIndices>& groups = {});

// A short block for the readable summary.
void write_practice_summary(std::ostream& out, const PracticeIndices& practice);
// Per group, one row: the construct item scores, the top nodes of the fixed-weight index, the gaps.
void write_group_practice_summary(std::ostream& out, const std::vector<GroupPracticeIndices>& groups);

}  // namespace csipls

#pragma once
// The one way to take some respondents of a Dataset as a Dataset of their own (a group, a
// permutation's half, a PLSpredict training fold, the complete cases).
#include <Eigen/Core>
#include <span>

#include "csipls/core/dataset.hpp"

namespace csipls::detail {

// What happens to the case weights of the selected rows.
enum class CaseWeights {
    keep,  // each selected row keeps its weight (frequency semantics, as in Dataset): a weighted
           // analysis of the subset is the same analysis restricted to those respondents
    drop,  // the subset is unweighted (PLSpredict: its folds, fits and errors count respondents)
};

// Rows `rows` of `data`, in that order (a row may repeat): their values, their groups (group_of_row,
// with the same group_names) and, as `weights` says, their case weights (none when `data` has
// none). The source, the columns and their labels are those of `data`.
Dataset select_rows(const Dataset& data, std::span<const Eigen::Index> rows, CaseWeights weights);

}  // namespace csipls::detail

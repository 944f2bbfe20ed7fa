#pragma once
// A study's data from columns held in memory (an R data.frame, a pandas DataFrame, a NumPy array):
// the same Dataset load_study_data makes of a file, with the same rules (missing codes, case
// weights, group labels in the order they first appear), so the bindings give the CLI's numbers.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/model.hpp"
#include "csipls/study/study_options.hpp"

namespace csipls {

// The data columns a study of `model` reads: the model's indicators, then the columns the practice
// indices name, each once (case weights and groups are named by options.data).
std::vector<std::string> study_data_columns(const Model& model, const StudyOptions& options);

// One numeric column in the caller's memory: values[r * stride] for row r; NaN is a missing answer.
struct NumericColumnView {
    const double* values = nullptr;
    std::ptrdiff_t stride = 1;
};

// The group column: each row's code into `labels` (codes may leave labels unused; −1: no group,
// an error as an empty label is in a file).
struct GroupColumnView {
    std::vector<int> code_of_row;
    std::vector<std::string> labels;
};

// What the caller hands over. `numeric(name)` returns the column called `name` or throws InputError
// (naming `source_name`) when it is absent or not numeric; `group(name)` likewise for the group
// column (text, factor or categorical).
struct InMemoryColumns {
    std::string source_name;  // e.g. "the data frame": names the data in messages and the result
    Eigen::Index rows = 0;
    std::function<NumericColumnView(const std::string& name)> numeric;
    std::function<GroupColumnView(const std::string& name)> group;
};

// Copies the columns a study of `model` needs into a Dataset (row-major, as the engine works on
// rows). Throws InputError naming the data, the column and the row for: no rows, an infinite value,
// a missing, negative or infinite case weight, weights that sum to 1 or less, a row without a group.
Dataset dataset_from_columns(const Model& model, const StudyOptions& options, const InMemoryColumns& columns);

}  // namespace csipls

#include "csipls/study/study_columns.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "csipls/core/error.hpp"

namespace csipls {

std::vector<std::string> study_data_columns(const Model& model, const StudyOptions& options) {
    std::vector<std::string> columns = model.items();
    auto need = [&](const std::string& name) {
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    };
    for (const auto& name : options.practice.columns(model)) need(name);
    for (const auto& name : options.segmentation.describe) need(name);
    return columns;
}

Dataset dataset_from_columns(const Model& model, const StudyOptions& options, const InMemoryColumns& input) {
    const std::string& source = input.source_name;
    if (input.rows <= 0) throw InputError(source + " has no rows");
    const auto& data_options = options.data;
    Dataset data;
    data.source.path = source;
    data.columns = study_data_columns(model, options);
    for (const auto& special : {data_options.case_weights, data_options.group})
        if (!special.empty() && std::find(data.columns.begin(), data.columns.end(), special) != data.columns.end())
            throw UsageError("the column '" + special + "' is an indicator and cannot also be the case weights or the groups");
    data.rows = input.rows;
    const auto rows = static_cast<std::size_t>(input.rows);
    const std::size_t width = data.columns.size();
    data.values.resize(rows * width);
    const auto& codes = data_options.missing_codes;
    // Row 1 is the first row, as people count (R counts so; the CSV reader counts lines).
    auto at_row = [&](const std::string& column, std::size_t r, const std::string& what) {
        return InputError(source + ": column '" + column + "', row " + std::to_string(r + 1) + ": " + what);
    };
    for (std::size_t k = 0; k < width; ++k) {
        const NumericColumnView column = input.numeric(data.columns[k]);
        for (std::size_t r = 0; r < rows; ++r) {
            double value = column.values[static_cast<std::ptrdiff_t>(r) * column.stride];
            if (std::isinf(value)) throw at_row(data.columns[k], r, "not a finite number (" + number_text(value) + ")");
            if (!codes.empty() && std::find(codes.begin(), codes.end(), value) != codes.end())
                value = std::numeric_limits<double>::quiet_NaN();
            data.values[r * width + k] = value;
        }
    }
    if (!data_options.case_weights.empty()) {
        const std::string& name = data_options.case_weights;
        const NumericColumnView column = input.numeric(name);
        data.case_weights.resize(input.rows);
        for (std::size_t r = 0; r < rows; ++r) {
            const double weight = column.values[static_cast<std::ptrdiff_t>(r) * column.stride];
            if (!std::isfinite(weight)) throw at_row(name, r, "the case weight is missing or not finite");
            if (!codes.empty() && std::find(codes.begin(), codes.end(), weight) != codes.end())
                throw at_row(name, r, "the case weight is a missing-value code");
            if (weight < 0) throw at_row(name, r, "a case weight cannot be negative");
            data.case_weights[static_cast<Eigen::Index>(r)] = weight;
        }
        if (!(data.case_weights.sum() > 1.0))
            throw InputError(source + ": the case weights in column '" + name + "' sum to " + number_text(data.case_weights.sum()) +
                             "; they must sum to more than 1");
    }
    if (!data_options.group.empty()) {
        const std::string& name = data_options.group;
        const GroupColumnView column = input.group(name);
        if (column.code_of_row.size() != rows) throw InputError(source + ": the group column '" + name + "' has the wrong length");
        // Labels in the order they first appear, unused ones dropped: as the file readers number them.
        std::vector<int> renumbered(column.labels.size(), -1);
        data.group_of_row.resize(rows);
        for (std::size_t r = 0; r < rows; ++r) {
            const int code = column.code_of_row[r];
            if (code < 0 || static_cast<std::size_t>(code) >= column.labels.size()) throw at_row(name, r, "no group label");
            int& mine = renumbered[static_cast<std::size_t>(code)];
            if (mine < 0) {
                if (column.labels[static_cast<std::size_t>(code)].empty()) throw at_row(name, r, "empty group label");
                mine = static_cast<int>(data.group_names.size());
                data.group_names.push_back(column.labels[static_cast<std::size_t>(code)]);
            }
            data.group_of_row[r] = mine;
        }
    }
    return data;
}

}  // namespace csipls

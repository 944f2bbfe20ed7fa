#pragma once
// Respondents × indicators, held row-major in one block so that a row (one respondent) is contiguous:
// the moments pass and the bootstrap's weighted cross-products both walk rows.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace csipls {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Where data came from, recorded in every result.
struct DataSource {
    std::string path;
    std::uint64_t size_bytes = 0;
    std::string xxh64;  // hex digest of the file's bytes
};

struct Dataset {
    DataSource source;
    std::vector<std::string> columns;  // the loaded columns, in the order requested
    std::vector<double> values;        // row-major; capacity may exceed rows × columns
    Eigen::Index rows = 0;
    // Case weights, one per row (frequency semantics: weight 2 counts a respondent twice); empty
    // when unweighted.
    Eigen::VectorXd case_weights;
    // With a group column (company, segment, period): each row's group as an index into
    // group_names, which holds the labels in the order they first appear; both empty without one.
    std::vector<int> group_of_row;
    std::vector<std::string> group_names;
    // From SPSS files, per loaded column: the variable label and the value labels (value → text, e.g.
    // 1 → "very dissatisfied"), kept for reports; empty for CSV.
    struct ColumnLabels {
        std::string label;
        std::vector<std::pair<double, std::string>> values;
    };
    std::vector<ColumnLabels> labels;

    Eigen::Index cols() const { return static_cast<Eigen::Index>(columns.size()); }
    Eigen::Map<const RowMatrix> matrix() const { return {values.data(), rows, cols()}; }
    Eigen::Map<RowMatrix> matrix() { return {values.data(), rows, cols()}; }
    // The same respondents (source, case weights, groups) with the columns `names`, every value 0:
    // data derived from these column by column. No labels.
    Dataset with_columns(std::vector<std::string> names) const {
        Dataset out;
        out.source = source;
        out.columns = std::move(names);
        out.rows = rows;
        out.case_weights = case_weights;
        out.group_of_row = group_of_row;
        out.group_names = group_names;
        out.values.assign(static_cast<std::size_t>(rows) * out.columns.size(), 0.0);
        return out;
    }
    int column_index(const std::string& name) const {  // -1 when absent
        for (std::size_t j = 0; j < columns.size(); ++j)
            if (columns[j] == name) return static_cast<int>(j);
        return -1;
    }
};

}  // namespace csipls

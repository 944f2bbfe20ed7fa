#include "rows.hpp"

#include <algorithm>

namespace csipls::detail {

Dataset select_rows(const Dataset& data, std::span<const Eigen::Index> rows, CaseWeights weights) {
    Dataset out;
    out.source = data.source;
    out.columns = data.columns;
    out.group_names = data.group_names;
    out.labels = data.labels;
    out.rows = static_cast<Eigen::Index>(rows.size());
    const auto width = static_cast<std::size_t>(data.cols());
    out.values.resize(rows.size() * width);
    const bool weighted = weights == CaseWeights::keep && data.case_weights.size() > 0;
    if (weighted) out.case_weights.resize(out.rows);
    const bool grouped = !data.group_of_row.empty();
    if (grouped) out.group_of_row.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto row = static_cast<std::size_t>(rows[i]);
        std::copy_n(data.values.data() + row * width, width, out.values.data() + i * width);
        if (weighted) out.case_weights[static_cast<Eigen::Index>(i)] = data.case_weights[rows[i]];
        if (grouped) out.group_of_row[i] = data.group_of_row[row];
    }
    return out;
}

}  // namespace csipls::detail

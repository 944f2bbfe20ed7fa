#include "csipls/study/study_files.hpp"

#include <algorithm>
#include <charconv>

#include "csipls/core/error.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/data_reader.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/study/study_columns.hpp"

namespace csipls {

Model load_model(const std::string& path) {
    Model model = read_model_file(path);
    validate_model(model);
    return model;
}

namespace {

// Each data row's group from a segment assignments file (columns row and segment, one line per data
// row in data order); rows with an empty segment are left out.
Dataset with_segments(Dataset data, const std::string& path) {
    const TextTable table = read_text_table(path);
    const auto column = [&](const char* name) {
        const auto at = std::find(table.header.begin(), table.header.end(), name);
        if (at == table.header.end()) throw InputError(path + ": no '" + name + "' column (a segment assignments file has row and segment)");
        return static_cast<std::size_t>(at - table.header.begin());
    };
    const std::size_t row_column = column("row"), segment_column = column("segment");
    if (table.rows.size() != static_cast<std::size_t>(data.rows))
        throw InputError(path + ": " + std::to_string(table.rows.size()) + " rows of segments for the " + std::to_string(data.rows) +
                         " rows of " + data.source.path);
    std::vector<Eigen::Index> kept;
    std::vector<int> segment_of_row(table.rows.size(), -1);  // -1: left out below
    int segments = 0;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const std::string where = path + ":" + std::to_string(table.lines[r]) + ": ";
        if (table.rows[r][row_column] != std::to_string(r + 1))
            throw InputError(where + "row '" + table.rows[r][row_column] + "' where row " + std::to_string(r + 1) + " was expected (one line per data row, in data order)");
        const std::string& text = table.rows[r][segment_column];
        if (text.empty()) continue;
        int segment = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), segment);
        if (ec != std::errc() || end != text.data() + text.size() || segment < 1)
            throw InputError(where + "segment '" + text + "' is not a segment number 1, 2, …");
        kept.push_back(static_cast<Eigen::Index>(r));
        segment_of_row[r] = segment - 1;
        segments = std::max(segments, segment);
    }
    data.group_names.clear();
    for (int s = 1; s <= segments; ++s) data.group_names.push_back("segment " + std::to_string(s));
    data.group_of_row = segment_of_row;
    if (kept.size() == static_cast<std::size_t>(data.rows)) return data;
    return rows_of_data(data, kept);
}

}  // namespace

Model load_model_text_or_file(const std::string& text_or_path, const std::string& text_name) {
    const bool is_text = text_or_path.find('~') != std::string::npos || text_or_path.find('\n') != std::string::npos;
    if (!is_text) return load_model(text_or_path);
    Model model = parse_model(text_or_path, text_name);
    validate_model(model);
    return model;
}

Dataset load_study_data(const std::string& path, const Model& model, const StudyOptions& options) {
    if (!options.data.segments.empty()) {
        StudyOptions without_group = options;
        without_group.data.group.clear();
        without_group.data.segments.clear();
        return with_segments(load_study_data(path, model, without_group), options.data.segments);
    }
    const CsvOptions csv = options.data.read_options();
    const std::vector<std::string> columns = study_data_columns(model, options);
    const auto& practice = options.practice;
    try {
        return read_data(path, columns, csv);
    } catch (const InputError&) {
        // Say which line of the weights file names an item the data lack, if that is the fault.
        if (practice.weights_index && !is_spss_path(path)) {
            std::vector<std::string> header;
            try {
                header = read_text_table(path, csv.delimiter).header;
            } catch (const Error&) {
            }
            if (!header.empty())
                for (const auto& leaf : practice.weights_index->leaves())
                    if (std::find(header.begin(), header.end(), leaf) == header.end()) throw practice.missing_item(leaf, path);
        }
        throw;
    }
}

}  // namespace csipls

#include "csipls/study/study_files.hpp"

#include <algorithm>

#include "csipls/core/error.hpp"
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

Model load_model_text_or_file(const std::string& text_or_path, const std::string& text_name) {
    const bool is_text = text_or_path.find('~') != std::string::npos || text_or_path.find('\n') != std::string::npos;
    if (!is_text) return load_model(text_or_path);
    Model model = parse_model(text_or_path, text_name);
    validate_model(model);
    return model;
}

Dataset load_study_data(const std::string& path, const Model& model, const StudyOptions& options) {
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

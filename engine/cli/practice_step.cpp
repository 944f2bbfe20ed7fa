#include "practice_step.hpp"

#include <algorithm>
#include <cmath>
#include <spdlog/spdlog.h>

#include "csipls/io/data_reader.hpp"
#include "csipls/core/error.hpp"

namespace csipls::cli {

void finish_practice_settings(PracticeSettings& practice, bool have_scale) {
    practice.gaps.clear();
    std::string_view rest = practice.gap_text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        const auto colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size() || item.find(':', colon + 1) != std::string_view::npos)
            throw UsageError("--gap takes PERCEIVED:EXPECTED[,PERCEIVED:EXPECTED...] (data columns), got '" + practice.gap_text + "'");
        practice.gaps.emplace_back(std::string(item.substr(0, colon)), std::string(item.substr(colon + 1)));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (!practice.gap_text.empty() && practice.gaps.empty()) throw UsageError("--gap names no pair of columns");
    if (practice.wanted() && !have_scale)
        throw UsageError("--item-scores, --weights-index and --gap map answers from the answer scale: give --scale MIN:MAX");
}

PracticeIndices compute_practice_indices(const PracticeSettings& practice, const Model& model, const std::string& data_path,
                                         const CsvOptions& csv, const AnswerScale& scale) {
    PracticeIndices out;
    out.scale = scale;
    std::vector<std::string> columns;
    auto need = [&](const std::string& name) {
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    };
    if (practice.item_scores)
        for (const auto& name : model.all_indicators()) need(name);
    if (!practice.weights_index_path.empty()) {
        out.weights_file = read_weights_index(practice.weights_index_path, ',');
        for (const auto& leaf : out.weights_file->leaves()) need(leaf);
    }
    for (const auto& [perceived, expected] : practice.gaps) {
        need(perceived);
        need(expected);
    }
    // A separate read, so that items outside the model never enter its moments or its listwise
    // deletion: these means use every answer an item has.
    Dataset data;
    try {
        data = read_data(data_path, columns, csv);
    } catch (const InputError&) {
        // Say which line of the weights file names an item the data lack, if that is the fault.
        if (out.weights_file && !is_spss_path(data_path)) {
            std::vector<std::string> header;
            try {
                header = read_text_table(data_path, csv.delimiter).header;
            } catch (const Error&) {
            }
            if (!header.empty())
                for (const auto& leaf : out.weights_file->leaves())
                    if (std::find(header.begin(), header.end(), leaf) == header.end())
                        throw InputError(out.weights_file->path + ":" + std::to_string(out.weights_file->find(leaf)->line) +
                                         ": item '" + leaf + "' is not a column of " + data_path);
        }
        throw;
    }
    const auto x = data.matrix();
    for (Eigen::Index k = 0; k < x.cols(); ++k) {
        const double low = x.col(k).minCoeff<Eigen::PropagateNumbers>(), high = x.col(k).maxCoeff<Eigen::PropagateNumbers>();
        if (low < scale.min || high > scale.max)
            throw UsageError(data_path + ": column '" + data.columns[static_cast<std::size_t>(k)] + "' has answers from " +
                             number_text(low) + " to " + number_text(high) + ", outside --scale " + number_text(scale.min) + ":" +
                             number_text(scale.max));
    }
    if (practice.item_scores) out.items = item_scores(model, data, scale);
    if (out.weights_file) out.hierarchical = hierarchical_index(out.weights_file->nodes, data, scale);
    for (const auto& [perceived, expected] : practice.gaps)
        out.gaps.push_back(expectation_gap(data, data.column_index(perceived), data.column_index(expected), scale));
    for (Eigen::Index k = 0; k < x.cols(); ++k)
        if (std::isnan(x.col(k).sum()) && x.col(k).array().isNaN().all())
            spdlog::warn("column '{}' has no answers: its practice indices are undefined", data.columns[static_cast<std::size_t>(k)]);
    return out;
}

}  // namespace csipls::cli

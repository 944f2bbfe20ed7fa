#pragma once
// The indices of CSI practice in `csipls estimate` (--item-scores, --weights-index, --gap): kept
// apart from the estimation pipeline, which only calls in here.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csipls/io/csv.hpp"
#include "csipls/core/model.hpp"
#include "csipls/io/practice_io.hpp"

namespace csipls::cli {

struct PracticeSettings {
    bool item_scores = false;           // --item-scores
    std::string weights_index_path;     // --weights-index FILE.csv
    std::string gap_text;               // --gap PERCEIVED:EXPECTED[,...]
    std::vector<std::pair<std::string, std::string>> gaps;  // parsed from gap_text
    bool wanted() const { return item_scores || !weights_index_path.empty() || !gaps.empty(); }
};

// Parses --gap and checks that --scale is there. Throws UsageError.
void finish_practice_settings(PracticeSettings& practice, bool have_scale);

// Reads the columns the practice indices need (the model's indicators, the weights file's items,
// the gap pairs) from the data file and computes them. Throws InputError naming the weights file
// and line for an item the data do not have, UsageError for answers outside the scale.
PracticeIndices compute_practice_indices(const PracticeSettings& practice, const Model& model, const std::string& data_path,
                                         const CsvOptions& csv, const AnswerScale& scale);

}  // namespace csipls::cli

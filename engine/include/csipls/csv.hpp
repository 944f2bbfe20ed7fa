#pragma once
// The CSV reader: one pass, std::from_chars, no allocation per cell. Only the requested columns are
// parsed; every other column is skipped whatever it holds.
#include <string>
#include <vector>

#include "csipls/dataset.hpp"

namespace csipls {

struct CsvOptions {
    char delimiter = ',';
    // A column of case (survey) weights, read into Dataset::case_weights; empty for none. Weights
    // must be finite and non-negative.
    std::string weight_column;
    void validate() const;
};

// Reads `columns` (in that order) from the CSV file at `path`. Handles a UTF-8 BOM, CRLF line ends,
// quoted fields (with "" escapes and embedded delimiters or line breaks) and any column order.
// Throws IoError when the file cannot be read and InputError, naming the file, line and column,
// for: an empty file, a missing or duplicate column, a ragged row, an empty or non-numeric cell in
// a requested column.
Dataset read_csv(const std::string& path, const std::vector<std::string>& columns,
                 const CsvOptions& options = {});

}  // namespace csipls

#pragma once
// The CSV reader: one pass, std::from_chars, no allocation per cell. Only the requested columns are
// parsed; every other column is skipped whatever it holds.
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/dataset.hpp"

namespace csipls {

struct CsvOptions {
    char delimiter = ',';
    // A column of case (survey) weights, read into Dataset::case_weights; empty for none. Weights
    // must be finite and non-negative.
    std::string weight_column;
    // A text column of group labels (company, segment, period), read into Dataset::group_of_row and
    // group_names; empty for none. A label may be any text but not empty.
    std::string group_column;
    // Numeric codes that mean "no answer" in the indicator columns (e.g. -99, 99). Such cells, empty
    // cells and NA become missing values (NaN). In the weight column a missing value is an error.
    std::vector<double> missing_codes;
    // European CSV: ',' is the decimal mark (1,5) and the delimiter must be something else (';').
    bool decimal_comma = false;
    void validate() const;
};

// Reads `columns` (in that order) from the CSV file at `path`. Handles a UTF-8 BOM, CRLF line ends,
// quoted fields (with "" escapes and embedded delimiters or line breaks) and any column order.
// Throws IoError when the file cannot be read and InputError, naming the file, line and column,
// for: an empty file, a missing or duplicate column, a ragged row, a non-numeric cell in a requested
// column. Empty cells, NA and the missing codes become NaN.
Dataset read_csv(const std::string& path, const std::vector<std::string>& columns,
                 const CsvOptions& options = {});

// A small delimited text file read whole, every cell as text (trimmed): for side files such as
// aggregation weights, not survey data. Same CSV rules as read_csv (BOM, CRLF, quotes, blank lines).
struct TextTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // each as wide as the header
    std::vector<std::size_t> lines;              // the line each row starts on
};
// Throws IoError when unreadable and InputError, with file and line, for an empty file, a ragged row,
// an unterminated quote or a duplicate column name.
TextTable read_text_table(const std::string& path, char delimiter = ',');

// The tokenizer of whole small texts (read_text_table, the report's draws files): one record from
// text[pos] (RFC 4180: a field that starts with '"', after blanks when trimming, is quoted; "" in it is
// a quote; delimiters and line breaks in it are kept). Unquoted fields lose their surrounding blanks
// (spaces, tabs) when `trim`. The record ends at \n, \r\n, \r or the end of the text; `pos` moves
// past it and `line` counts the physical lines read. A blank line is one empty field. Throws
// InputError "source:line: ..." for a NUL byte and for a quoted field not closed.
std::vector<std::string> read_delimited_record(std::string_view text, std::size_t& pos, std::size_t& line,
                                               const std::string& source, char delimiter, bool trim);

}  // namespace csipls

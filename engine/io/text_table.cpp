#include <algorithm>

#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"

namespace csipls {
namespace {

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::vector<std::string> read_delimited_record(std::string_view text, std::size_t& pos, std::size_t& line,
                                               const std::string& source, char delimiter, bool trim) {
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, field_was_quoted = false;
    const std::size_t record_line = line;
    auto end_field = [&] {
        record.push_back(field_was_quoted || !trim ? field : trimmed(field));
        field.clear();
        field_was_quoted = false;
    };
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '\0') throw InputError(source + ":" + std::to_string(line) + ": NUL byte; this is not a text file");
        if (quoted) {
            if (c == '"') {
                if (pos + 1 < text.size() && text[pos + 1] == '"') {
                    field += '"';
                    ++pos;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
        } else if (c == '"' && (trim ? trimmed(field).empty() : field.empty())) {
            quoted = true;
            field_was_quoted = true;
            field.clear();
        } else if (c == delimiter) {
            end_field();
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
            ++pos;
            ++line;
            end_field();
            return record;
        } else {
            field += c;
        }
    }
    if (quoted) throw InputError(source + ":" + std::to_string(record_line) + ": a quoted field is not closed");
    end_field();
    return record;
}

TextTable read_text_table(const std::string& path, char delimiter) {
    std::string text = read_text_file(path);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    TextTable table;
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> record_lines;
    std::size_t pos = 0, line = 1;
    while (pos < text.size()) {
        const std::size_t record_line = line;
        std::vector<std::string> record = read_delimited_record(text, pos, line, path, delimiter, true);
        if (record.size() == 1 && record[0].empty()) continue;  // a blank line
        records.push_back(std::move(record));
        record_lines.push_back(record_line);
    }
    if (records.empty()) throw InputError(path + ": the file is empty (a header row naming the columns is needed)");
    table.header = std::move(records.front());
    for (std::size_t j = 0; j < table.header.size(); ++j)
        if (std::find(table.header.begin(), table.header.begin() + static_cast<std::ptrdiff_t>(j), table.header[j]) !=
            table.header.begin() + static_cast<std::ptrdiff_t>(j))
            throw InputError(path + ":" + std::to_string(record_lines.front()) + ": column '" + table.header[j] +
                             "' appears twice in the header");
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != table.header.size())
            throw InputError(path + ":" + std::to_string(record_lines[r]) + ": the row has " + std::to_string(records[r].size()) +
                             " fields but the header has " + std::to_string(table.header.size()));
        table.rows.push_back(std::move(records[r]));
        table.lines.push_back(record_lines[r]);
    }
    return table;
}

}  // namespace csipls

#include "csipls/io/csv.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <memory>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <xxhash.h>

#include "csipls/core/error.hpp"
#include "utf8.hpp"

namespace csipls {

void CsvOptions::validate() const {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '\0')
        throw UsageError("the delimiter cannot be a quote, a line break or NUL");
    if (decimal_comma && (delimiter == ',' || delimiter == '.'))
        throw UsageError("with a decimal comma the delimiter cannot be ',' or '.' (European CSV uses ';')");
    for (double code : missing_codes)
        if (!std::isfinite(code)) throw UsageError("a missing-value code must be a finite number");
}

namespace {

constexpr std::size_t read_chunk = std::size_t{1} << 22;      // 4 MiB per read()
constexpr std::size_t longest_record = std::size_t{1} << 26;  // a "line" beyond 64 MiB is not survey data

// The file is read through a small buffer rather than mapped: mapped pages count against the
// process's memory, and a 1M-row file would then cost its size on top of the parsed values.
class InputFile {
public:
    explicit InputFile(const std::string& path) : path_(path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
        struct stat info {};
        if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
            ::close(fd_);
            throw IoError(path + ": not a regular file");
        }
        size_ = static_cast<std::uint64_t>(info.st_size);
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~InputFile() { ::close(fd_); }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    std::size_t read(char* into, std::size_t capacity) {
        for (;;) {
            const ssize_t got = ::read(fd_, into, capacity);
            if (got >= 0) return static_cast<std::size_t>(got);
            if (errno != EINTR) throw IoError(path_ + ": read error (" + std::strerror(errno) + ")");
        }
    }
    void rewind() {
        if (::lseek(fd_, 0, SEEK_SET) != 0) throw IoError(path_ + ": cannot seek (" + std::strerror(errno) + ")");
    }
    std::uint64_t size() const { return size_; }

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

struct FileScan {
    std::uint64_t newlines = 0;
    std::string xxh64;
};

// First pass: the newline count bounds the number of rows, so the values can be allocated once
// (no growth, no copy, no 2× peak), and the hash identifies the input in the result.
FileScan scan_file(InputFile& file, char* buffer, std::size_t capacity) {
    FileScan scan;
    XXH64_state_t* state = XXH64_createState();
    XXH64_reset(state, 0);
    bool previous_was_cr = false;
    for (;;) {
        const std::size_t got = file.read(buffer, capacity);
        if (got == 0) break;
        XXH64_update(state, buffer, got);
        const char* p = buffer;
        const char* end = p + got;
        while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
            ++scan.newlines;
            ++p;
        }
        // A CR not followed by LF also ends a line (old Mac files); the next chunk tells for the last byte.
        if (previous_was_cr && buffer[0] != '\n') ++scan.newlines;
        p = buffer;
        while ((p = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p))))) {
            if (p + 1 < end && p[1] != '\n') ++scan.newlines;
            ++p;
        }
        previous_was_cr = end[-1] == '\r';
    }
    if (previous_was_cr) ++scan.newlines;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH64_digest(state)));
    XXH64_freeState(state);
    scan.xxh64 = text;
    file.rewind();
    return scan;
}

using utf8::sequence_length;  // strict: headers and group labels are validated

// A cell or name as it may appear in a one-line message: valid UTF-8 kept (Chinese text reads as
// itself), control characters and invalid bytes shown as \xNN, at most 40 characters.
std::string printable(std::string_view cell) {
    std::string out;
    std::size_t characters = 0;
    while (!cell.empty()) {
        if (++characters > 40) {
            out += "...";
            break;
        }
        const std::size_t length = sequence_length(cell);
        const auto byte = static_cast<unsigned char>(cell[0]);
        if (length > 1 || (length == 1 && byte >= 0x20 && byte != 0x7f)) {
            out.append(cell.substr(0, length));
            cell.remove_prefix(length);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            out += hex;
            cell.remove_prefix(1);
        }
    }
    return out;
}

bool looks_like_text(std::string_view text) {
    while (!text.empty()) {
        const std::size_t length = sequence_length(text);
        if (length == 0 || (length == 1 && static_cast<unsigned char>(text[0]) < 0x20 && text[0] != '\t')) return false;
        text.remove_prefix(length);
    }
    return true;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

struct Field {
    const char* begin;
    const char* end;
    bool quoted;
};

enum class RecordStatus { complete, need_more };

// Splits one record (RFC 4180: quoted fields may hold delimiters, "" and line breaks) starting at
// `p`. Calls on_field for each complete field. Returns need_more when the record runs into `limit`
// and more input may follow; the caller then refills and parses the record again, so on_field must
// only write to places owned by this record.
template <class OnField>
RecordStatus parse_record(const char*& p, const char* limit, bool final, char delimiter, std::uint64_t& newlines_inside,
                          std::size_t& field_count, OnField&& on_field) {
    const char* cursor = p;
    std::uint64_t newlines = 0;
    std::size_t field = 0;
    for (;;) {
        Field value{};
        if (cursor < limit && *cursor == '"') {
            const char* content = ++cursor;
            for (;;) {
                if (cursor >= limit) {
                    if (!final) return RecordStatus::need_more;
                    throw InputError("a quoted field is not closed before the end of the file");
                }
                if (*cursor == '"') {
                    if (cursor + 1 >= limit && !final) return RecordStatus::need_more;
                    if (cursor + 1 < limit && cursor[1] == '"') {
                        cursor += 2;
                        continue;
                    }
                    break;
                }
                if (*cursor == '\n') ++newlines;
                ++cursor;
            }
            value = {content, cursor, true};
            ++cursor;
        } else {
            const char* start = cursor;
            while (cursor < limit && *cursor != delimiter && *cursor != '\n' && *cursor != '\r') ++cursor;
            if (cursor >= limit && !final) return RecordStatus::need_more;
            value = {start, cursor, false};
        }
        on_field(field, value);
        ++field;
        if (cursor >= limit) break;
        if (*cursor == delimiter) {
            ++cursor;
            continue;
        }
        if (*cursor == '\r') {
            if (cursor + 1 >= limit && !final) return RecordStatus::need_more;
            ++cursor;
            if (cursor < limit && *cursor == '\n') ++cursor;
            break;
        }
        if (*cursor == '\n') {
            ++cursor;
            break;
        }
        throw InputError("unexpected character '" + printable(std::string_view(cursor, 1)) +
                         "' after a closing quote (a quote inside a quoted field is written \"\")");
    }
    p = cursor;
    newlines_inside = newlines;
    field_count = field;
    return RecordStatus::complete;
}

// Refillable window over the file: [begin, end) holds unparsed bytes. Sized to the file when it is
// small, so reading a 10 KB survey does not pay for a large buffer.
class Window {
public:
    Window(InputFile& file)
        : file_(file), capacity_(std::min<std::uint64_t>(2 * read_chunk, file.size() + 64)),
          buffer_(new char[capacity_]) {}

    bool fill() {  // returns false at end of file
        if (eof_) return false;
        if (begin_ > 0) {
            std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (end_ == capacity_) {  // one record fills the whole buffer: grow it
            if (capacity_ >= longest_record) throw InputError("a record is longer than 64 MiB; is this a CSV file?");
            std::unique_ptr<char[]> larger(new char[2 * capacity_]);
            std::memcpy(larger.get(), buffer_.get(), end_);
            buffer_ = std::move(larger);
            capacity_ *= 2;
        }
        const std::size_t got = file_.read(buffer_.get() + end_, std::min(capacity_ - end_, read_chunk));
        if (got == 0) eof_ = true;
        end_ += got;
        return got > 0;
    }
    const char* begin() const { return buffer_.get() + begin_; }
    const char* end() const { return buffer_.get() + end_; }
    void consume_to(const char* p) { begin_ = static_cast<std::size_t>(p - buffer_.get()); }
    bool eof() const { return eof_; }
    bool empty() const { return begin_ == end_; }
    char* scratch() { return buffer_.get(); }
    std::size_t capacity() const { return capacity_; }

private:
    InputFile& file_;
    std::size_t capacity_;
    std::unique_ptr<char[]> buffer_;
    std::size_t begin_ = 0, end_ = 0;
    bool eof_ = false;
};

// Skips empty lines (as R's read.csv does), counting them. Returns false at the end of the input.
bool skip_blank_lines(Window& window, std::uint64_t& line) {
    for (;;) {
        if (window.empty() && !window.fill()) return false;
        const char* p = window.begin();
        const char* end = window.end();
        bool need_more = false;
        while (p < end && (*p == '\n' || *p == '\r')) {
            if (*p == '\r' && p + 1 == end && !window.eof()) {
                need_more = true;  // "\r\n" may be split across reads
                break;
            }
            p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
            ++line;
        }
        window.consume_to(p);
        if (need_more) {
            window.fill();
            continue;
        }
        if (p < end) return true;
    }
}

// Parses records until one completes, refilling as needed. Returns false at the end of the input.
template <class OnField>
bool next_record(Window& window, char delimiter, std::uint64_t& newlines_inside, std::size_t& fields, OnField&& on_field) {
    for (;;) {
        if (window.empty() && !window.fill()) return false;
        const char* p = window.begin();
        if (parse_record(p, window.end(), window.eof(), delimiter, newlines_inside, fields, on_field) ==
            RecordStatus::complete) {
            window.consume_to(p);
            return true;
        }
        window.fill();
    }
}

struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

bool is_blank_record(std::size_t fields, const Field& first) { return fields == 1 && !first.quoted && first.begin == first.end; }

}  // namespace

Dataset read_csv(const std::string& path, const std::vector<std::string>& requested, const CsvOptions& options) {
    options.validate();
    // The weight column is parsed as one more column, then moved out of the rows (below).
    std::vector<std::string> columns = requested;
    const bool weighted = !options.weight_column.empty();
    if (weighted) columns.push_back(options.weight_column);
    const int weight_target = weighted ? static_cast<int>(requested.size()) : -1;
    InputFile file(path);
    Window window(file);
    const FileScan scan = scan_file(file, window.scratch(), window.capacity());

    Dataset data;
    data.source = {path, file.size(), scan.xxh64};
    data.columns = requested;
    std::uint64_t line = 1;  // line where the current record starts
    std::uint64_t newlines_inside = 0;
    std::size_t field_count = 0;
    auto fail = [&](std::uint64_t at_line, const std::string& what) -> InputError {
        return InputError(path + ":" + std::to_string(at_line) + ": " + what);
    };
    auto located = [&](auto&& body) {
        // parse_record throws without knowing where it is; add the file and line here.
        try {
            return body();
        } catch (const InputError& error) {
            const std::string message = error.what();
            if (message.rfind(path + ":", 0) == 0) throw;
            throw fail(line, message);
        }
    };

    // A UTF-8 byte order mark (Excel writes one) goes before the first field, quoted or not.
    window.fill();
    if (window.end() - window.begin() >= 3 && std::memcmp(window.begin(), "\xEF\xBB\xBF", 3) == 0)
        window.consume_to(window.begin() + 3);

    // Header: names are the one place that allocates per field.
    std::vector<std::string> header;
    Field first_field{};
    bool have_header = false;
    for (;;) {
        header.clear();
        const bool got = located([&] {
            return next_record(window, options.delimiter, newlines_inside, field_count,
                               [&](std::size_t index, const Field& f) {
                                   // A record cut by a refill is parsed again from its start.
                                   if (index == 0) {
                                       first_field = f;
                                       header.clear();
                                   }
                                   std::string name;
                                   for (const char* c = f.begin; c < f.end; ++c) {
                                       if (*c == '\0') throw InputError("the header holds a NUL byte; this is not a text CSV file");
                                       if (f.quoted && *c == '"') ++c;  // "" inside quotes is one quote
                                       name += *c;
                                   }
                                   header.push_back(std::move(name));
                               });
        });
        if (!got) break;
        if (is_blank_record(field_count, first_field) ||
            (field_count == 1 && trim(header[0]).empty())) {
            line += 1 + newlines_inside;
            continue;
        }
        have_header = true;
        break;
    }
    if (!have_header) throw InputError(path + ": the file is empty (a header row naming the columns is needed)");
    for (auto& name : header) name = std::string(trim(name));
    const std::uint64_t header_line = line;
    line += 1 + newlines_inside;

    std::unordered_map<std::string_view, int> wanted;
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (!wanted.emplace(columns[i], static_cast<int>(i)).second)
            throw UsageError("column '" + columns[i] + "' is requested twice");
    std::vector<int> target_of_field(header.size(), -1);
    std::vector<int> field_of_target(columns.size(), -1);
    for (std::size_t f = 0; f < header.size(); ++f) {
        auto it = wanted.find(header[f]);
        if (it == wanted.end()) continue;
        if (field_of_target[it->second] >= 0)
            throw fail(header_line, "column '" + header[f] + "' appears twice in the header (columns " +
                                        std::to_string(field_of_target[it->second] + 1) + " and " +
                                        std::to_string(f + 1) + ")");
        field_of_target[it->second] = static_cast<int>(f);
        target_of_field[f] = it->second;
    }
    for (const auto& name : header)
        if (!looks_like_text(name))
            throw fail(header_line, "the header is not UTF-8 text ('" + printable(name) + "'); is this a CSV file?");
    const bool grouped = !options.group_column.empty();
    int group_field = -1;
    if (grouped) {
        if (wanted.count(options.group_column))
            throw UsageError("the group column '" + options.group_column + "' is also an indicator or the weight column");
        for (std::size_t f = 0; f < header.size(); ++f)
            if (header[f] == options.group_column) {
                if (group_field >= 0)
                    throw fail(header_line, "column '" + header[f] + "' appears twice in the header (columns " +
                                                std::to_string(group_field + 1) + " and " + std::to_string(f + 1) + ")");
                group_field = static_cast<int>(f);
            }
        if (group_field < 0)
            throw fail(header_line, "the group column '" + options.group_column + "' is not in the header");
    }
    // Labels are looked up without building a string; only a new label allocates.
    std::unordered_map<std::string, int, TransparentHash, std::equal_to<>> group_code;
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (field_of_target[i] < 0) {
            std::string available;
            for (std::size_t f = 0; f < header.size() && f < 30; ++f)
                available += (f ? ", " : "") + printable(header[f]);
            if (header.size() > 30) available += ", ...";
            throw fail(header_line, "column '" + columns[i] + "' is not in the header (it has: " + available + ")" +
                                        (header.size() == 1 && header[0].find_first_of(";\t|,") != std::string::npos
                                             ? "; is the delimiter right? (--delimiter)"
                                             : ""));
        }

    const auto width = static_cast<Eigen::Index>(columns.size());
    const std::size_t row_bound = scan.newlines + 1;
    data.values.resize(row_bound * columns.size());
    double* row = data.values.data();
    Eigen::Index rows = 0;
    if (grouped) data.group_of_row.assign(row_bound, -1);
    const std::size_t expected_fields = header.size();

    auto bad_cell = [&](std::size_t field, const Field& f, const char* why) {
        return fail(line, "column '" + header[field] + "' (field " + std::to_string(field + 1) + "): " + why +
                              (f.begin == f.end ? std::string() : " '" + printable(std::string_view(f.begin, f.end - f.begin)) + "'"));
    };
    constexpr double missing_value = std::numeric_limits<double>::quiet_NaN();
    auto is_missing_code = [&](double value) {
        return std::find(options.missing_codes.begin(), options.missing_codes.end(), value) != options.missing_codes.end();
    };
    auto on_field = [&](std::size_t field, const Field& f) {
        if (field >= expected_fields) return;  // reported as a ragged row once the record is complete
        if (static_cast<int>(field) == group_field) {
            std::string_view label = trim(std::string_view(f.begin, static_cast<std::size_t>(f.end - f.begin)));
            if (label.empty()) throw bad_cell(field, f, "empty group label");
            std::string unescaped;
            if (f.quoted && label.find('"') != std::string_view::npos) {  // "" inside quotes is one quote
                for (const char* c = label.data(); c < label.data() + label.size(); ++c) {
                    if (*c == '"') ++c;
                    unescaped += *c;
                }
                label = unescaped;
            }
            auto it = group_code.find(label);
            if (it == group_code.end()) {
                if (!looks_like_text(label)) throw bad_cell(field, f, "the group label is not UTF-8 text");
                it = group_code.emplace(std::string(label), static_cast<int>(data.group_names.size())).first;
                data.group_names.emplace_back(label);
            }
            // Indexed, not appended: a record cut by a buffer refill is parsed again.
            data.group_of_row[static_cast<std::size_t>(rows)] = it->second;
            return;
        }
        const int target = target_of_field[field];
        if (target < 0) return;
        std::string_view text = trim(std::string_view(f.begin, static_cast<std::size_t>(f.end - f.begin)));
        if (text.empty() || text == "NA") {
            if (target == weight_target) throw bad_cell(field, f, "the case weight is missing");
            row[target] = missing_value;
            return;
        }
        if (text.size() > 1 && text[0] == '+' && (std::isdigit(static_cast<unsigned char>(text[1])) || text[1] == '.'))
            text.remove_prefix(1);
        double value = 0.0;
        if (text.size() <= 9 && text.find_first_not_of("0123456789") == std::string_view::npos) {
            // Survey answers are mostly small whole numbers: exact without the general parser.
            long whole = 0;
            for (char digit : text) whole = whole * 10 + (digit - '0');
            row[target] = static_cast<double>(whole);
            if (!options.missing_codes.empty() && is_missing_code(row[target])) {
                if (target == weight_target) throw bad_cell(field, f, "the case weight is a missing-value code");
                row[target] = missing_value;
            }
            return;
        }
        char swapped[64];
        if (options.decimal_comma) {
            // from_chars knows only '.': parse a copy with the comma swapped in.
            if (text.find('.') != std::string_view::npos || text.size() >= sizeof swapped)
                throw bad_cell(field, f, "not a number (with --decimal-comma the decimal mark is ',', and '.' is not allowed)");
            for (std::size_t k = 0; k < text.size(); ++k) swapped[k] = text[k] == ',' ? '.' : text[k];
            text = std::string_view(swapped, text.size());
        }
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc::result_out_of_range) throw bad_cell(field, f, "number out of range");
        if (ec != std::errc() || end != text.data() + text.size())
            throw bad_cell(field, f,
                           !options.decimal_comma && text.find(',') != std::string_view::npos
                               ? "not a number (if ',' is the decimal mark, use --decimal-comma)"
                               : "not a number");
        if (!std::isfinite(value)) throw bad_cell(field, f, "not a finite number");
        if (!options.missing_codes.empty() && is_missing_code(value)) {
            if (target == weight_target) throw bad_cell(field, f, "the case weight is a missing-value code");
            row[target] = missing_value;
            return;
        }
        if (target == weight_target && value < 0) throw bad_cell(field, f, "a case weight cannot be negative");
        row[target] = value;
    };

    for (;;) {
        if (!skip_blank_lines(window, line)) break;
        if (static_cast<std::size_t>(rows) >= row_bound)
            throw IoError(path + ": the file changed while it was being read");
        const bool got = located([&] {
            return next_record(window, options.delimiter, newlines_inside, field_count,
                               [&](std::size_t index, const Field& f) {
                                   if (index == 0) first_field = f;
                                   on_field(index, f);
                               });
        });
        if (!got) break;
        if (field_count != expected_fields)
            throw fail(line, "the row has " + std::to_string(field_count) + " fields but the header has " +
                                 std::to_string(expected_fields));
        ++rows;
        row += width;
        line += 1 + newlines_inside;
    }
    if (rows == 0) throw InputError(path + ": the file has a header but no data rows");
    data.rows = rows;
    if (grouped) data.group_of_row.resize(static_cast<std::size_t>(rows));
    if (weighted) {
        // Move each row's weight out and close the gap in place (destinations never pass sources).
        data.case_weights.resize(rows);
        const Eigen::Index kept = width - 1;
        for (Eigen::Index r = 0; r < rows; ++r) {
            const double* source = data.values.data() + r * width;
            data.case_weights[r] = source[kept];
            std::memmove(data.values.data() + r * kept, source, static_cast<std::size_t>(kept) * sizeof(double));
        }
        if (!(data.case_weights.sum() > 1.0))
            throw InputError(path + ": the case weights in column '" + options.weight_column + "' sum to " +
                             number_text(data.case_weights.sum()) + "; they must sum to more than 1");
        data.values.resize(static_cast<std::size_t>(rows * kept));
        return data;
    }
    data.values.resize(static_cast<std::size_t>(rows * width));
    return data;
}

}  // namespace csipls

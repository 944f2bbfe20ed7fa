#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <readstat.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <xxhash.h>

#include "csipls/core/error.hpp"
#include "csipls/io/sav.hpp"
#include "utf8.hpp"

namespace csipls {
namespace {

// Text without its surrounding blanks (as the CSV reader trims group labels; SPSS pads strings).
std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// Well-formed UTF-8 without control characters other than tab (the CSV reader's rule for labels).
bool is_utf8_label(std::string_view text) {
    while (!text.empty()) {
        const std::size_t length = utf8::sequence_length(text);
        if (length == 0 || (length == 1 && static_cast<unsigned char>(text[0]) < 0x20 && text[0] != '\t')) return false;
        text.remove_prefix(length);
    }
    return true;
}

// Hashes std::string keys and std::string_view look-ups alike, so a row's label is looked up
// without building a string.
struct LabelHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// A group code as a name: the shortest text that reads back as the number (2, not 2.0; 2.5).
std::string number_as_text(double value) {
    char text[32];
    const auto [end, error] = std::to_chars(text, text + sizeof text, value == 0 ? 0.0 : value);
    return error == std::errc() ? std::string(text, end) : number_text(value);
}

// Size and hash of the file's bytes, for the result's provenance (ReadStat reads the file itself).
DataSource fingerprint(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw IoError(path + ": not a regular file");
    }
    XXH64_state_t* state = XXH64_createState();
    XXH64_reset(state, 0);
    std::vector<char> buffer(std::size_t{1} << 20);
    for (;;) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int saved = errno;
            XXH64_freeState(state);
            ::close(fd);
            throw IoError(path + ": read error (" + std::strerror(saved) + ")");
        }
        if (got == 0) break;
        XXH64_update(state, buffer.data(), static_cast<std::size_t>(got));
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH64_digest(state)));
    XXH64_freeState(state);
    ::close(fd);
    return {path, static_cast<std::uint64_t>(info.st_size), text};
}

// Everything the ReadStat callbacks fill. ReadStat is C: an exception must not cross it, so the
// callbacks record the first error here and abort the parse.
struct SavContext {
    SavContext(const std::string& file, const CsvOptions& read_options) : path(file), options(read_options) {}
    const std::string& path;
    const CsvOptions& options;
    std::unordered_map<std::string, int> target_of_name;  // indicators, then the weight column
    int weight_target = -1;
    Eigen::Index width = 0;
    std::uint64_t file_size = 0;

    std::vector<int> target_of_variable;  // by the file's variable index; −1: not read
    std::vector<std::string> all_names;   // for the "not in the file" message
    std::vector<std::string> label_set_of_target;
    std::vector<std::string> variable_label_of_target;
    std::vector<char> found;
    std::unordered_map<std::string, std::vector<std::pair<double, std::string>>> label_sets;

    // The group column (options.group_column): its variable index, type and value labels, and each
    // row's group as a code into the distinct values in the order they first appear.
    int group_variable = -1;
    bool group_is_text = false;
    std::string group_label_set;
    std::unordered_map<double, int> code_of_number;
    std::unordered_map<std::string, int, LabelHash, std::equal_to<>> code_of_text;
    std::vector<double> group_numbers;      // by code, for a numeric group variable
    std::vector<std::string> group_texts;   // by code, for a text group variable
    std::vector<int> group_code_of_row;     // −1: no value read
    std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> text_label_sets;

    std::vector<double> values;  // row-major, `allocated_rows` rows
    Eigen::Index allocated_rows = 0;
    Eigen::Index rows = 0;
    std::string error;

    std::string where(int obs_index, const char* name) const {
        return path + ": row " + std::to_string(obs_index + 1) + ", variable '" + name + "': ";
    }
    void ensure_row(Eigen::Index row) {
        if (row < allocated_rows) return;
        const Eigen::Index grown = std::max<Eigen::Index>(row + 1, 2 * allocated_rows);
        values.resize(static_cast<std::size_t>(grown * width), std::numeric_limits<double>::quiet_NaN());
        allocated_rows = grown;
    }
};

int on_metadata(readstat_metadata_t* metadata, void* raw) {
    auto& context = *static_cast<SavContext*>(raw);
    try {
        const long declared = readstat_get_row_count(metadata);
        // A damaged or hostile header may claim any row count: allocate at most what the file's
        // size can hold (a compressed value takes at least a bit) and grow beyond that if needed.
        const auto plausible = static_cast<Eigen::Index>(std::min<std::uint64_t>(
            declared > 0 ? static_cast<std::uint64_t>(declared) : 0, context.file_size * 8 / std::max<Eigen::Index>(1, context.width) + 1));
        if (plausible > 0) context.ensure_row(plausible - 1);
    } catch (const std::exception& error) {
        context.error = context.path + ": " + error.what();
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

int on_variable(int index, readstat_variable_t* variable, const char* value_labels, void* raw) {
    auto& context = *static_cast<SavContext*>(raw);
    try {
        const char* name = readstat_variable_get_name(variable);
        if (!name || index < 0) {
            context.error = context.path + ": a variable without a name; is this a damaged SPSS file?";
            return READSTAT_HANDLER_ABORT;
        }
        if (context.all_names.size() < 31) context.all_names.emplace_back(name);
        if (static_cast<std::size_t>(index) >= context.target_of_variable.size())
            context.target_of_variable.resize(static_cast<std::size_t>(index) + 1, -1);
        if (!context.options.group_column.empty() && context.options.group_column == name) {
            if (context.group_variable >= 0) {
                context.error = context.path + ": variable '" + name + "' appears twice";
                return READSTAT_HANDLER_ABORT;
            }
            context.group_variable = index;
            context.group_is_text = readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_STRING;
            if (value_labels) context.group_label_set = value_labels;
            return READSTAT_HANDLER_OK;
        }
        const auto it = context.target_of_name.find(name);
        if (it == context.target_of_name.end()) return READSTAT_HANDLER_SKIP_VARIABLE;
        const int target = it->second;
        if (context.found[static_cast<std::size_t>(target)]) {
            context.error = context.path + ": variable '" + name + "' appears twice";
            return READSTAT_HANDLER_ABORT;
        }
        if (readstat_variable_get_type_class(variable) != READSTAT_TYPE_CLASS_NUMERIC) {
            context.error = context.path + ": variable '" + name + "' is text; " +
                            (target == context.weight_target ? "case weights" : "indicators") + " must be numeric";
            return READSTAT_HANDLER_ABORT;
        }
        context.found[static_cast<std::size_t>(target)] = 1;
        context.target_of_variable[static_cast<std::size_t>(index)] = target;
        if (value_labels) context.label_set_of_target[static_cast<std::size_t>(target)] = value_labels;
        if (const char* label = readstat_variable_get_label(variable))
            context.variable_label_of_target[static_cast<std::size_t>(target)] = label;
    } catch (const std::exception& error) {
        context.error = context.path + ": " + error.what();
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

// One row's group: a code for its value (the names come once the labels are known).
int on_group_value(SavContext& context, int obs_index, readstat_variable_t* variable, readstat_value_t value) {
    const char* name = readstat_variable_get_name(variable);
    context.ensure_row(obs_index);
    context.rows = std::max<Eigen::Index>(context.rows, obs_index + 1);
    if (static_cast<std::size_t>(obs_index) >= context.group_code_of_row.size())
        context.group_code_of_row.resize(std::max<std::size_t>(static_cast<std::size_t>(obs_index) + 1, 2 * context.group_code_of_row.size()), -1);
    // System-missing, and the variable's user-missing values: the row has no group. (The missing
    // codes of --missing are answers' codes; as for CSV, they do not apply to the group column.)
    if (readstat_value_is_missing(value, variable)) {
        context.error = context.where(obs_index, name) + "missing group value";
        return READSTAT_HANDLER_ABORT;
    }
    int code = -1;
    if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
        const char* text = readstat_string_value(value);
        const std::string_view label = trim_blanks(text ? text : "");
        if (label.empty()) {
            context.error = context.where(obs_index, name) + "empty group label";
            return READSTAT_HANDLER_ABORT;
        }
        auto it = context.code_of_text.find(label);
        if (it == context.code_of_text.end()) {
            if (!is_utf8_label(label)) {
                context.error = context.where(obs_index, name) + "the group label is not UTF-8 text";
                return READSTAT_HANDLER_ABORT;
            }
            it = context.code_of_text.emplace(std::string(label), static_cast<int>(context.group_texts.size())).first;
            context.group_texts.emplace_back(label);
        }
        code = it->second;
    } else {
        const double number = readstat_double_value(value);
        if (!std::isfinite(number)) {
            context.error = context.where(obs_index, name) + "not a finite number";
            return READSTAT_HANDLER_ABORT;
        }
        const double key = number == 0 ? 0.0 : number;  // -0 and 0 are one group
        auto it = context.code_of_number.find(key);
        if (it == context.code_of_number.end()) {
            it = context.code_of_number.emplace(key, static_cast<int>(context.group_numbers.size())).first;
            context.group_numbers.push_back(key);
        }
        code = it->second;
    }
    context.group_code_of_row[static_cast<std::size_t>(obs_index)] = code;
    return READSTAT_HANDLER_OK;
}

int on_value(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* raw) {
    auto& context = *static_cast<SavContext*>(raw);
    try {
        const int index = readstat_variable_get_index(variable);
        if (index >= 0 && index == context.group_variable && obs_index >= 0) return on_group_value(context, obs_index, variable, value);
        if (index < 0 || static_cast<std::size_t>(index) >= context.target_of_variable.size() || obs_index < 0)
            return READSTAT_HANDLER_OK;
        const int target = context.target_of_variable[static_cast<std::size_t>(index)];
        if (target < 0) return READSTAT_HANDLER_OK;
        context.ensure_row(obs_index);
        context.rows = std::max<Eigen::Index>(context.rows, obs_index + 1);
        double number = std::numeric_limits<double>::quiet_NaN();
        // System-missing, and the variable's user-missing values and ranges, are missing answers.
        if (!readstat_value_is_missing(value, variable)) {
            number = readstat_double_value(value);
            if (!std::isfinite(number)) {
                context.error = context.where(obs_index, readstat_variable_get_name(variable)) + "not a finite number";
                return READSTAT_HANDLER_ABORT;
            }
            const auto& codes = context.options.missing_codes;
            if (std::find(codes.begin(), codes.end(), number) != codes.end()) number = std::numeric_limits<double>::quiet_NaN();
        }
        if (target == context.weight_target) {
            if (std::isnan(number)) {
                context.error = context.where(obs_index, readstat_variable_get_name(variable)) + "the case weight is missing";
                return READSTAT_HANDLER_ABORT;
            }
            if (number < 0) {
                context.error = context.where(obs_index, readstat_variable_get_name(variable)) +
                                "a case weight cannot be negative (" + number_text(number) + ")";
                return READSTAT_HANDLER_ABORT;
            }
        }
        context.values[static_cast<std::size_t>(obs_index * context.width + target)] = number;
    } catch (const std::exception& error) {
        context.error = context.path + ": " + error.what();
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

int on_value_label(const char* set_name, readstat_value_t value, const char* label, void* raw) {
    auto& context = *static_cast<SavContext*>(raw);
    try {
        if (!set_name || !label) return READSTAT_HANDLER_OK;
        if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
            // Text value labels name the groups of a text group variable.
            if (!context.options.group_column.empty()) {
                const char* text = readstat_string_value(value);
                context.text_label_sets[set_name].emplace_back(std::string(trim_blanks(text ? text : "")), label);
            }
            return READSTAT_HANDLER_OK;
        }
        context.label_sets[set_name].emplace_back(readstat_double_value(value), label);
    } catch (const std::exception& error) {
        context.error = context.path + ": " + error.what();
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

void on_error(const char* message, void* raw) {
    auto& context = *static_cast<SavContext*>(raw);
    if (context.error.empty() && message) context.error = context.path + ": " + message;
}

// The groups' names, in the order they first appear: a value's label when the variable's label set
// has one, else the value itself (a number as 2 or 2.5, a text as it is). Values sharing a label are
// one group, as rows with the same label are in a CSV file.
void resolve_groups(SavContext& context, Dataset& data) {
    const std::string& column = context.options.group_column;
    std::vector<std::string> name_of_code;
    if (context.group_is_text) {
        const auto set = context.text_label_sets.find(context.group_label_set);
        for (const auto& text : context.group_texts) {
            std::string name = text;
            if (!context.group_label_set.empty() && set != context.text_label_sets.end())
                for (const auto& [value, label] : set->second)
                    if (value == text && !trim_blanks(label).empty()) name = std::string(trim_blanks(label));
            name_of_code.push_back(std::move(name));
        }
    } else {
        const auto set = context.label_sets.find(context.group_label_set);
        for (const double number : context.group_numbers) {
            std::string name = number_as_text(number);
            if (!context.group_label_set.empty() && set != context.label_sets.end())
                for (const auto& [value, label] : set->second)
                    if (value == number && !trim_blanks(label).empty()) name = std::string(trim_blanks(label));
            name_of_code.push_back(std::move(name));
        }
    }
    for (const auto& name : name_of_code)
        if (!is_utf8_label(name))
            throw InputError(context.path + ": variable '" + column + "': a value label of the group column is not UTF-8 text");
    std::unordered_map<std::string, int> group_of_name;
    std::vector<int> group_of_code;
    for (const auto& name : name_of_code) {
        const auto [it, added] = group_of_name.emplace(name, static_cast<int>(data.group_names.size()));
        if (added) data.group_names.push_back(name);
        group_of_code.push_back(it->second);
    }
    data.group_of_row.resize(static_cast<std::size_t>(context.rows));
    for (Eigen::Index r = 0; r < context.rows; ++r) {
        const int code = static_cast<std::size_t>(r) < context.group_code_of_row.size() ? context.group_code_of_row[static_cast<std::size_t>(r)] : -1;
        if (code < 0) throw InputError(context.where(static_cast<int>(r), column.c_str()) + "missing group value");
        data.group_of_row[static_cast<std::size_t>(r)] = group_of_code[static_cast<std::size_t>(code)];
    }
}

struct ParserHandle {
    readstat_parser_t* parser = readstat_parser_init();
    ~ParserHandle() { readstat_parser_free(parser); }
};

}  // namespace

Dataset read_sav(const std::string& path, const std::vector<std::string>& requested, const CsvOptions& options) {
    std::vector<std::string> columns = requested;
    const bool weighted = !options.weight_column.empty();
    if (weighted) columns.push_back(options.weight_column);
    for (double code : options.missing_codes)
        if (!std::isfinite(code)) throw UsageError("a missing-value code must be a finite number");

    Dataset data;
    data.source = fingerprint(path);
    data.columns = requested;
    SavContext context(path, options);
    context.file_size = data.source.size_bytes;
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (!context.target_of_name.emplace(columns[i], static_cast<int>(i)).second)
            throw UsageError("column '" + columns[i] + "' is requested twice");
    if (!options.group_column.empty() && context.target_of_name.count(options.group_column))
        throw UsageError("the group column '" + options.group_column + "' is also an indicator or the weight column");
    context.weight_target = weighted ? static_cast<int>(requested.size()) : -1;
    context.width = static_cast<Eigen::Index>(columns.size());
    context.found.assign(columns.size(), 0);
    context.label_set_of_target.resize(columns.size());
    context.variable_label_of_target.resize(columns.size());

    ParserHandle handle;
    if (!handle.parser) throw std::bad_alloc();
    // ReadStat 1.1.8 crashes in readstat_parse_sav without a variable handler (see the toolchain notes).
    readstat_set_metadata_handler(handle.parser, on_metadata);
    readstat_set_variable_handler(handle.parser, on_variable);
    readstat_set_value_handler(handle.parser, on_value);
    readstat_set_value_label_handler(handle.parser, on_value_label);
    readstat_set_error_handler(handle.parser, on_error);
    const readstat_error_t status = readstat_parse_sav(handle.parser, path.c_str(), &context);
    if (!context.error.empty()) throw InputError(context.error);
    if (status == READSTAT_ERROR_OPEN) throw IoError(path + ": cannot open (" + readstat_error_message(status) + ")");
    // The file was read whole for its hash just before: a read error now means it ends too early.
    if (status == READSTAT_ERROR_READ)
        throw InputError(path + ": not a readable SPSS .sav/.zsav file (it ends too early; is it cut short or not SPSS?)");
    if (status != READSTAT_OK)
        throw InputError(path + ": not a readable SPSS .sav/.zsav file (" + readstat_error_message(status) + ")");

    for (std::size_t i = 0; i < columns.size(); ++i)
        if (!context.found[i]) {
            std::string available;
            for (std::size_t k = 0; k < context.all_names.size() && k < 30; ++k) available += (k ? ", " : "") + context.all_names[k];
            if (context.all_names.size() > 30) available += ", ...";
            throw InputError(path + ": variable '" + columns[i] + "' is not in the SPSS file (it has: " + available + ")");
        }
    if (!options.group_column.empty() && context.group_variable < 0) {
        std::string available;
        for (std::size_t k = 0; k < context.all_names.size() && k < 30; ++k) available += (k ? ", " : "") + context.all_names[k];
        if (context.all_names.size() > 30) available += ", ...";
        throw InputError(path + ": the group column '" + options.group_column + "' is not in the SPSS file (it has: " + available + ")");
    }
    if (context.rows == 0) throw InputError(path + ": the SPSS file has no cases");
    if (!options.group_column.empty()) resolve_groups(context, data);

    const Eigen::Index rows = context.rows;
    const Eigen::Index width = context.width;
    data.rows = rows;
    data.labels.resize(requested.size());
    for (std::size_t i = 0; i < requested.size(); ++i) {
        data.labels[i].label = context.variable_label_of_target[i];
        const auto it = context.label_sets.find(context.label_set_of_target[i]);
        if (!context.label_set_of_target[i].empty() && it != context.label_sets.end()) data.labels[i].values = it->second;
    }
    std::vector<double>& values = context.values;
    if (weighted) {
        data.case_weights.resize(rows);
        const Eigen::Index kept = width - 1;
        for (Eigen::Index r = 0; r < rows; ++r) {
            const double* source = values.data() + r * width;
            data.case_weights[r] = source[kept];
            std::memmove(values.data() + r * kept, source, static_cast<std::size_t>(kept) * sizeof(double));
        }
        if (!data.case_weights.allFinite())
            throw InputError(path + ": a case in the SPSS file has no value for the weight variable '" + options.weight_column + "'");
        if (!(data.case_weights.sum() > 1.0))
            throw InputError(path + ": the case weights in variable '" + options.weight_column + "' sum to " +
                             number_text(data.case_weights.sum()) + "; they must sum to more than 1");
        values.resize(static_cast<std::size_t>(rows * kept));
    } else {
        values.resize(static_cast<std::size_t>(rows * width));
    }
    values.shrink_to_fit();
    data.values = std::move(values);
    return data;
}

}  // namespace csipls

#include <algorithm>
#include <cerrno>
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

namespace csipls {
namespace {

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

int on_value(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* raw) {
    auto& context = *static_cast<SavContext*>(raw);
    try {
        const int index = readstat_variable_get_index(variable);
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
        if (!set_name || !label || readstat_value_type_class(value) != READSTAT_TYPE_CLASS_NUMERIC) return READSTAT_HANDLER_OK;
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
    if (context.rows == 0) throw InputError(path + ": the SPSS file has no cases");

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

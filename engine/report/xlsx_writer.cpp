// The Excel workbook of a result: the JSON result is first turned into plain tables (one per sheet,
// each column with a number format), which are then written with libxlsxwriter. Building the tables
// apart from writing them lets xlsx_sheet_names say what a workbook holds without writing one.
#include "csipls/report/xlsx.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/result_writers.hpp"  // display_width
#include "report_internal.hpp"

namespace csipls {

namespace {

using report_detail::member;

// Excel shows these; the cells keep the full double whatever the format.
enum class Format { text, coefficient, p_value, statistic, index, integer, general };

struct Column {
    std::string header;
    Format format;
};

struct Table {
    std::string sheet;  // at most 31 characters, none of []:*?/\ (Excel's rule)
    std::vector<Column> columns;
    std::vector<std::vector<Json>> rows;
};

const Json null_value;

const Json& field(const Json* object, std::string_view key) {
    if (!object || !object->is_object()) return null_value;
    const Json* value = member(*object, key);
    return value ? *value : null_value;
}

// The first object of `array` whose fields named in `match` hold the given values; nullptr when none
// (the bootstrap lists its rows apart from the estimates, keyed by their names).
const Json* find_row(const Json* array, const std::vector<std::pair<const char*, const Json*>>& match) {
    if (!array || !array->is_array()) return nullptr;
    for (const auto& row : *array) {
        if (!row.is_object()) continue;
        bool all = true;
        for (const auto& [key, value] : match)
            if (field(&row, key) != *value) all = false;
        if (all) return &row;
    }
    return nullptr;
}

// The format a field of csipls's tables gets by its name: p-values to four places, test statistics
// to two, counts whole, everything else a coefficient to three.
Format format_of(std::string_view name) {
    const auto ends_with = [&](std::string_view tail) {
        return name.size() >= tail.size() && name.substr(name.size() - tail.size()) == tail;
    };
    if (name == "p" || name == "p_adjusted" || ends_with("_p") || ends_with("_p_share")) return Format::p_value;
    if (name == "t" || name == "df" || name == "statistic") return Format::statistic;
    if (name == "n_obs" || name == "used" || name == "permutations" || name == "permutations_used" || name == "seed" ||
        name == "count")
        return Format::integer;
    return Format::coefficient;
}

// The bootstrap's columns of a parameter; indices keep their own scale.
constexpr const char* bootstrap_fields[] = {"boot_mean", "bias", "se", "t", "p", "ci_lower", "ci_upper"};

void add_bootstrap_columns(Table& table, bool indices) {
    for (const char* name : bootstrap_fields) {
        Format format = format_of(name);
        if (indices && format == Format::coefficient) format = Format::index;
        table.columns.push_back({name, format});
    }
}

void add_bootstrap_cells(std::vector<Json>& row, const Json* boot_row) {
    for (const char* name : bootstrap_fields) row.push_back(field(boot_row, name));
}

// A sheet straight from an array of flat objects, a column per field in `fields`.
Table table_of_rows(std::string sheet, const Json& array, const std::vector<std::string>& fields) {
    Table table{std::move(sheet), {}, {}};
    for (const auto& name : fields) table.columns.push_back({name, format_of(name)});
    for (const auto& object : array) {
        std::vector<Json> row;
        for (const auto& name : fields) row.push_back(field(&object, name));
        table.rows.push_back(std::move(row));
    }
    return table;
}

// Every field name of the array's objects, in first-seen order, so that a key a later csipls adds
// still reaches the workbook.
std::vector<std::string> fields_of(const Json& array) {
    std::vector<std::string> fields;
    for (const auto& object : array) {
        if (!object.is_object()) continue;
        for (const auto& [key, value] : object.items())
            if (std::find(fields.begin(), fields.end(), key) == fields.end()) fields.push_back(key);
    }
    return fields;
}

const Json* array_member(const Json& object, std::string_view key) {
    const Json* value = member(object, key);
    return value && value->is_array() ? value : nullptr;
}
const Json* object_member(const Json* object, std::string_view key) {
    if (!object || !object->is_object()) return nullptr;
    const Json* value = member(*object, key);
    return value && value->is_object() ? value : nullptr;
}

Table paths_table(const Json& result) {
    const Json* boot = array_member(field(&result, "bootstrap"), "paths");
    Table table{"Paths", {{"from", Format::text}, {"to", Format::text}, {"estimate", Format::coefficient}}, {}};
    if (boot) add_bootstrap_columns(table, false);
    for (const auto& path : report_detail::required_array(result, "paths")) {
        std::vector<Json> row{field(&path, "from"), field(&path, "to"), field(&path, "estimate")};
        if (boot) add_bootstrap_cells(row, find_row(boot, {{"from", &row[0]}, {"to", &row[1]}}));
        table.rows.push_back(std::move(row));
    }
    return table;
}

// Outer weights or loadings: {construct: {indicator: value}}, with the bootstrap's row of each.
Table block_table(const Json& result, const char* key, std::string sheet, const char* value_header) {
    const Json* boot = array_member(field(&result, "bootstrap"), key);
    Table table{std::move(sheet), {{"construct", Format::text}, {"indicator", Format::text}, {value_header, Format::coefficient}}, {}};
    if (boot) add_bootstrap_columns(table, false);
    for (const auto& [construct, block] : report_detail::required_object(result, key).items()) {
        if (!block.is_object()) throw InputError(std::string("`") + key + "." + construct + "` is not an object");
        for (const auto& [indicator, value] : block.items()) {
            std::vector<Json> row{construct, indicator, value};
            if (boot) add_bootstrap_cells(row, find_row(boot, {{"construct", &row[0]}, {"indicator", &row[1]}}));
            table.rows.push_back(std::move(row));
        }
    }
    return table;
}

std::optional<Table> r2_table(const Json& result) {
    const Json* r2 = object_member(&result, "r2");
    if (!r2) return std::nullopt;
    const Json* adjusted = object_member(&result, "r2_adj");
    const Json* boot = array_member(field(&result, "bootstrap"), "r2");
    Table table{"R2", {{"construct", Format::text}, {"r2", Format::coefficient}, {"r2_adj", Format::coefficient}}, {}};
    if (boot) add_bootstrap_columns(table, false);
    for (const auto& [construct, value] : r2->items()) {
        std::vector<Json> row{construct, value, field(adjusted, construct)};
        if (boot) add_bootstrap_cells(row, find_row(boot, {{"construct", &row[0]}}));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::optional<Table> reliability_table(const Json& result) {
    const Json* reliability = object_member(&result, "reliability");
    if (!reliability) return std::nullopt;
    const char* measures[] = {"cronbach_alpha", "rho_a", "rho_c", "ave"};
    Table table{"Reliability", {{"construct", Format::text}}, {}};
    for (const char* measure : measures) table.columns.push_back({measure, Format::coefficient});
    // Constructs in the order of the first measure that has them all (α may lack none; it is null).
    std::vector<std::string> constructs;
    for (const char* measure : measures)
        if (const Json* values = object_member(reliability, measure))
            for (const auto& [construct, value] : values->items())
                if (std::find(constructs.begin(), constructs.end(), construct) == constructs.end()) constructs.push_back(construct);
    for (const auto& construct : constructs) {
        std::vector<Json> row{construct};
        for (const char* measure : measures) row.push_back(field(object_member(reliability, measure), construct));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::optional<Table> htmt_table(const Json& result) {
    const Json* htmt = array_member(result, "htmt");
    if (!htmt) return std::nullopt;
    const Json* absolute = array_member(result, "htmt_absolute");
    const Json* htmt2 = array_member(result, "htmt2");
    const Json* boot = array_member(field(&result, "bootstrap"), "htmt");
    Table table{"HTMT",
                {{"a", Format::text}, {"b", Format::text}, {"htmt", Format::coefficient}, {"htmt_absolute", Format::coefficient},
                 {"htmt2", Format::coefficient}},
                {}};
    if (boot) add_bootstrap_columns(table, false);
    for (const auto& pair : *htmt) {
        const Json& a = field(&pair, "a");
        const Json& b = field(&pair, "b");
        std::vector<Json> row{a, b, field(&pair, "value"), field(find_row(absolute, {{"a", &a}, {"b", &b}}), "value"),
                              field(find_row(htmt2, {{"a", &a}, {"b", &b}}), "value")};
        if (boot) add_bootstrap_cells(row, find_row(boot, {{"a", &a}, {"b", &b}}));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::optional<Table> fit_table(const Json& result) {
    const Json* fit = object_member(&result, "fit");
    if (!fit) return std::nullopt;
    const Json* test = object_member(&result, "fit_test");
    Table table{"Fit", {{"measure", Format::text}, {"estimated_model", Format::coefficient}, {"saturated_model", Format::coefficient}}, {}};
    const char* test_fields[] = {"quantile_95", "quantile_99", "p"};
    if (test)
        for (const char* name : test_fields) table.columns.push_back({name, format_of(name)});
    for (const char* measure : {"srmr", "d_uls", "d_g"}) {
        std::vector<Json> row{measure, field(object_member(fit, "estimated_model"), measure),
                              field(object_member(fit, "saturated_model"), measure)};
        if (test)
            for (const char* name : test_fields) row.push_back(field(object_member(test, measure), name));
        table.rows.push_back(std::move(row));
    }
    if (const Json* gof = member(result, "gof")) {
        std::vector<Json> row{"gof", *gof, nullptr};
        if (test) row.resize(row.size() + std::size(test_fields));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::optional<Table> indices_table(const Json& result) {
    const Json* values = object_member(object_member(&result, "csi_index"), "values");
    if (!values) return std::nullopt;
    const Json* boot = array_member(field(&result, "bootstrap"), "csi_index");
    Table table{"Indices", {{"construct", Format::text}, {"index", Format::index}}, {}};
    if (boot) add_bootstrap_columns(table, true);
    for (const auto& [construct, value] : values->items()) {
        std::vector<Json> row{construct, value};
        if (boot) add_bootstrap_cells(row, find_row(boot, {{"construct", &row[0]}}));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::string joined(const Json& names, const char* separator) {
    std::string text;
    if (!names.is_array()) return text;
    for (const auto& name : names) {
        if (!text.empty()) text += separator;
        text += name.is_string() ? name.get<std::string>() : name.dump();
    }
    return text;
}

// The published table, laid out as the --index-table CSV: indices, then se and interval per construct.
std::optional<Table> index_table(const Json& result) {
    const Json* index_table = object_member(&result, "index_table");
    const Json* rows = index_table ? array_member(*index_table, "rows") : nullptr;
    const Json* constructs = index_table ? array_member(*index_table, "constructs") : nullptr;
    if (!rows || !constructs) return std::nullopt;
    Table table{"Index table", {{"group", Format::text}, {"level", Format::text}, {"n_obs", Format::integer}}, {}};
    std::vector<std::string> names;
    for (const auto& c : *constructs) names.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    for (const auto& name : names) table.columns.push_back({name, Format::index});
    for (const auto& name : names)
        for (const char* part : {"_se", "_ci_lower", "_ci_upper"}) table.columns.push_back({name + part, Format::index});
    table.columns.push_back({"note", Format::text});
    for (const auto& unit : *rows) {
        std::vector<Json> row{field(&unit, "group"), field(&unit, "level"), field(&unit, "n_obs")};
        for (const auto& name : names) row.push_back(field(object_member(&unit, "index"), name));
        for (const auto& name : names)
            for (const char* part : {"se", "ci_lower", "ci_upper"}) row.push_back(field(object_member(&unit, part), name));
        std::string note = field(&unit, "error").is_string() ? field(&unit, "error").get<std::string>() : "";
        if (note.empty() && !joined(field(&unit, "negative_weight"), " ").empty())
            note = "negative weight, index not meaningful: " + joined(field(&unit, "negative_weight"), " ");
        row.push_back(note.empty() ? Json() : Json(note));
        table.rows.push_back(std::move(row));
    }
    return table;
}

// Each group's paths with its own bootstrap; a group that could not be estimated is a row with its error.
std::optional<Table> groups_table(const Json& result) {
    const Json* results = array_member(field(&result, "groups"), "results");
    if (!results) return std::nullopt;
    Table table{"Groups",
                {{"group", Format::text}, {"n_obs", Format::integer}, {"from", Format::text}, {"to", Format::text},
                 {"estimate", Format::coefficient}, {"se", Format::coefficient}, {"p", Format::p_value},
                 {"ci_lower", Format::coefficient}, {"ci_upper", Format::coefficient}, {"error", Format::text}},
                {}};
    const Json path_kind = "path";
    for (const auto& group : *results) {
        const Json* paths = array_member(group, "paths");
        if (!paths || paths->empty()) {
            table.rows.push_back({field(&group, "group"), field(&group, "n_obs"), nullptr, nullptr, nullptr, nullptr, nullptr,
                                  nullptr, nullptr, field(&group, "error")});
            continue;
        }
        const Json* parameters = array_member(field(&group, "bootstrap"), "parameters");
        for (const auto& path : *paths) {
            const Json& from = field(&path, "from");
            const Json& to = field(&path, "to");
            const Json* boot = find_row(parameters, {{"kind", &path_kind}, {"from", &from}, {"to", &to}});
            table.rows.push_back({field(&group, "group"), field(&group, "n_obs"), from, to, field(&path, "estimate"),
                                  field(boot, "se"), field(boot, "p"), field(boot, "ci_lower"), field(boot, "ci_upper"),
                                  field(&group, "error")});
        }
    }
    return table;
}

std::optional<Table> rows_table(const Json& result, std::string_view key, std::string sheet) {
    const Json* array = array_member(result, key);
    if (!array || array->empty()) return std::nullopt;
    return table_of_rows(std::move(sheet), *array, fields_of(*array));
}

std::optional<Table> group_differences_table(const Json& result) {
    const Json* groups = object_member(&result, "groups");
    return groups ? rows_table(*groups, "differences", "Group differences") : std::nullopt;
}

std::optional<Table> mediation_table(const Json& result) {
    std::optional<Table> table = rows_table(result, "specific_indirect_effects", "Specific indirect effects");
    if (!table) return table;
    // The route is a list of names: one cell reading "A → B → C".
    for (std::size_t k = 0; k < table->columns.size(); ++k) {
        if (table->columns[k].header != "route") continue;
        table->columns[k].format = Format::text;
        for (auto& row : table->rows) row[k] = row[k].is_array() ? Json(joined(row[k], " → ")) : row[k];
    }
    return table;
}

// Settings and provenance as (setting, value) rows: scalars as cells of their type, lists and
// objects as their JSON text.
void add_setting_rows(Table& table, const std::string& prefix, const Json& value) {
    if (value.is_object() && !value.empty()) {
        for (const auto& [key, child] : value.items()) {
            if (prefix == "settings" && key == "options") continue;  // a section of its own below
            add_setting_rows(table, prefix + "." + key, child);
        }
        return;
    }
    table.rows.push_back({prefix, value.is_structured() ? Json(value.dump()) : value});
}

Table settings_table(const Json& result) {
    Table table{"Settings", {{"setting", Format::text}, {"value", Format::general}}, {}};
    add_setting_rows(table, "engine", report_detail::required_object(result, "engine"));
    for (const char* key : {"schema_version", "input", "n_obs", "converged", "iterations", "last_weight_change"})
        if (const Json* value = member(result, key)) add_setting_rows(table, key, *value);
    if (const Json* settings = object_member(&result, "settings")) {
        add_setting_rows(table, "settings", *settings);
        // Options by their library names ("bootstrap.resamples"), as the result records them.
        if (const Json* options = object_member(settings, "options"))
            for (const auto& [key, value] : options->items())
                table.rows.push_back({"settings.options." + key, value.is_structured() ? Json(value.dump()) : value});
    }
    return table;
}

std::vector<Table> workbook_tables(const Json& result) {
    if (!result.is_object()) throw InputError("not a csipls result (the document is not a JSON object)");
    std::vector<Table> tables;
    const auto add = [&](std::optional<Table> table) {
        if (table) tables.push_back(std::move(*table));
    };
    add(paths_table(result));
    add(block_table(result, "outer_weights", "Outer weights", "weight"));
    add(block_table(result, "loadings", "Loadings", "loading"));
    add(r2_table(result));
    add(reliability_table(result));
    add(htmt_table(result));
    add(fit_table(result));
    add(indices_table(result));
    add(index_table(result));
    add(groups_table(result));
    add(group_differences_table(result));
    add(rows_table(result, "micom", "MICOM"));
    add(rows_table(result, "mga", "MGA"));
    add(mediation_table(result));
    add(settings_table(result));
    return tables;
}

// Excel's limit on the characters of a cell; cut at a UTF-8 character boundary.
std::string cell_text(std::string text) {
    constexpr std::size_t limit = 32767;
    if (text.size() <= limit) return text;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return text;
}

// The width of a column in Excel's character units, from its header and the text of its cells.
double column_width(const Table& table, std::size_t k) {
    std::size_t widest = display_width(table.columns[k].header);
    for (const auto& row : table.rows) {
        const Json& cell = row[k];
        std::size_t width = 0;
        if (cell.is_string())
            width = display_width(cell.get_ref<const std::string&>());
        else if (cell.is_number())
            width = table.columns[k].format == Format::general ? 12 : 9;
        else if (cell.is_boolean())
            width = 5;
        widest = std::max(widest, width);
    }
    return std::clamp(static_cast<double>(widest) + 2.0, 8.0, 60.0);
}

void check(lxw_error error, const char* what) {
    if (error != LXW_NO_ERROR) throw IoError(std::string("Excel workbook: ") + what + ": " + lxw_strerror(error));
}

// A file name for libxlsxwriter, which writes only to files; removed with the object.
class ScratchFile {
public:
    ScratchFile() {
        path_ = (std::filesystem::temp_directory_path() / "csipls-xlsx-XXXXXX").string();
        const int fd = ::mkstemp(path_.data());
        if (fd < 0) throw IoError(path_ + ": cannot create a scratch file for the Excel workbook");
        ::close(fd);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Cells larger than 2^53 in magnitude would change in a double; Excel holds nothing else, so such
// integers (64-bit seeds) are written as their digits.
bool exact_in_double(const Json& number) {
    constexpr double limit = 9007199254740992.0;  // 2^53
    if (number.is_number_unsigned()) return number.get<std::uint64_t>() <= static_cast<std::uint64_t>(limit);
    if (number.is_number_integer()) return std::abs(static_cast<double>(number.get<std::int64_t>())) <= limit;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Full-precision numbers. libxlsxwriter 1.1.4 (Debian 12) writes a number cell as "%.16G", which
// does not round-trip every double (0.00013824090691140945 becomes 0.0001382409069114094), so a
// workbook would disagree with the JSON in the 17th digit. The finished archive is therefore
// rewritten once: in each sheet, the k-th number cell's text becomes the shortest text that reads
// back as the k-th number written, checked against what libxlsxwriter wrote for it.

std::uint32_t read_u16(const std::string& bytes, std::size_t at) {
    if (at + 2 > bytes.size()) throw IoError("Excel workbook: truncated zip archive");
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8;
}
std::uint32_t read_u32(const std::string& bytes, std::size_t at) { return read_u16(bytes, at) | read_u16(bytes, at + 2) << 16; }
void put_u16(std::string& bytes, std::size_t at, std::uint32_t value) {
    bytes[at] = static_cast<char>(value & 0xFF);
    bytes[at + 1] = static_cast<char>((value >> 8) & 0xFF);
}
void put_u32(std::string& bytes, std::size_t at, std::uint32_t value) {
    put_u16(bytes, at, value & 0xFFFF);
    put_u16(bytes, at + 2, value >> 16);
}

std::string inflate_raw(std::string_view compressed, std::size_t size) {
    std::string out(size, '\0');
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw IoError("Excel workbook: zlib cannot start");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_FINISH);
    inflateEnd(&stream);
    if (status != Z_STREAM_END || stream.total_out != size) throw IoError("Excel workbook: a sheet does not decompress");
    return out;
}

std::string deflate_raw(const std::string& data) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw IoError("Excel workbook: zlib cannot start");
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) throw IoError("Excel workbook: a sheet does not compress");
    return out;
}

// The shortest decimal that reads back as `value` (std::to_chars), with Excel's capital E.
std::string exact_text(double value) {
    char text[64];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
    std::string out(text, end);
    std::replace(out.begin(), out.end(), 'e', 'E');
    return out;
}

std::string sheet_with_exact_numbers(const std::string& xml, const std::vector<double>& numbers, const std::string& entry) {
    std::string out;
    out.reserve(xml.size() + xml.size() / 8);
    std::size_t pos = 0, next = 0;
    for (std::size_t at; (at = xml.find("<c ", pos)) != std::string::npos;) {
        const std::size_t close = xml.find('>', at);
        if (close == std::string::npos) break;
        const std::string_view tag(xml.data() + at, close - at + 1);
        out.append(xml, pos, close + 1 - pos);
        pos = close + 1;
        // Typed cells are text (t="s") or booleans (t="b"); a number cell has no type.
        if (tag.find(" t=\"") != std::string_view::npos || tag[tag.size() - 2] == '/') continue;
        if (xml.compare(pos, 3, "<v>") != 0) continue;
        const std::size_t end = xml.find("</v>", pos);
        if (end == std::string::npos || next >= numbers.size())
            throw IoError("Excel workbook: " + entry + " has more number cells than were written");
        const std::string_view written(xml.data() + pos + 3, end - pos - 3);
        char expected[64];
        std::snprintf(expected, sizeof expected, "%.16G", numbers[next]);
        if (written != expected)
            throw IoError("Excel workbook: " + entry + ": number cell " + std::to_string(next + 1) + " reads " +
                          std::string(written) + ", not " + expected);
        out += "<v>" + exact_text(numbers[next++]) + "</v>";
        pos = end + 4;
    }
    out.append(xml, pos, std::string::npos);
    if (next != numbers.size()) throw IoError("Excel workbook: " + entry + " has fewer number cells than were written");
    return out;
}

// The archive with every worksheet's number cells at full precision; `numbers[s]` are sheet s+1's
// numbers in the order they were written (row by row, left to right, as the sheet lists them).
std::string with_exact_numbers(const std::string& zip, const std::vector<std::vector<double>>& numbers) {
    constexpr std::uint32_t local_signature = 0x04034b50, central_signature = 0x02014b50, end_signature = 0x06054b50;
    if (zip.size() < 22) throw IoError("Excel workbook: truncated zip archive");
    std::size_t eocd = zip.size() - 22;
    while (eocd > 0 && read_u32(zip, eocd) != end_signature) --eocd;
    if (read_u32(zip, eocd) != end_signature) throw IoError("Excel workbook: no zip directory");
    const std::uint32_t entries = read_u16(zip, eocd + 10);
    std::size_t central = read_u32(zip, eocd + 16);

    std::string body, directory;
    for (std::uint32_t e = 0; e < entries; ++e) {
        if (read_u32(zip, central) != central_signature) throw IoError("Excel workbook: bad zip directory");
        const std::size_t name_length = read_u16(zip, central + 28), extra_length = read_u16(zip, central + 30),
                          comment_length = read_u16(zip, central + 32);
        const std::size_t record_length = 46 + name_length + extra_length + comment_length;
        std::string record = zip.substr(central, record_length);
        const std::string name = zip.substr(central + 46, name_length);
        const std::size_t local = read_u32(zip, central + 42);
        std::size_t compressed_size = read_u32(zip, central + 20);
        if (read_u32(zip, local) != local_signature) throw IoError("Excel workbook: bad zip entry " + name);
        const std::size_t local_header_length = 30 + read_u16(zip, local + 26) + read_u16(zip, local + 28);
        std::string header = zip.substr(local, local_header_length);
        std::string data = zip.substr(local + local_header_length, compressed_size);
        std::uint32_t crc = read_u32(zip, central + 16), size = read_u32(zip, central + 24);

        constexpr std::string_view prefix = "xl/worksheets/sheet", suffix = ".xml";
        if (name.size() > prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const std::size_t sheet = std::stoul(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
            if (sheet < 1 || sheet > numbers.size() || read_u16(zip, central + 10) != Z_DEFLATED)
                throw IoError("Excel workbook: unexpected zip entry " + name);
            const std::string xml = sheet_with_exact_numbers(inflate_raw(data, size), numbers[sheet - 1], name);
            data = deflate_raw(xml);
            crc = static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(xml.data()), static_cast<uInt>(xml.size())));
            size = static_cast<std::uint32_t>(xml.size());
            compressed_size = data.size();
        }
        // Sizes in the local header, none after the data (bit 3 off), in both headers alike.
        const std::uint32_t flags = read_u16(zip, central + 8) & ~0x0008u;
        const std::pair<std::string*, std::size_t> headers[] = {{&header, 0}, {&record, 2}};
        for (const auto& [bytes, at] : headers) {
            put_u16(*bytes, at + 6, flags);
            put_u32(*bytes, at + 14, crc);
            put_u32(*bytes, at + 18, static_cast<std::uint32_t>(compressed_size));
            put_u32(*bytes, at + 22, size);
        }
        put_u32(record, 42, static_cast<std::uint32_t>(body.size()));
        body += header;
        body += data;
        directory += record;
        central += record_length;
    }
    std::string end = zip.substr(eocd);
    put_u32(end, 12, static_cast<std::uint32_t>(directory.size()));
    put_u32(end, 16, static_cast<std::uint32_t>(body.size()));
    return body + directory + end;
}

// Writes the workbook to `path`; returns each sheet's numbers in the order they were written.
std::vector<std::vector<double>> write_tables(const std::vector<Table>& tables, const std::string& path) {
    std::vector<std::vector<double>> numbers;
    lxw_workbook* workbook = workbook_new(path.c_str());
    if (!workbook) throw IoError("Excel workbook: cannot start one (libxlsxwriter)");
    // workbook_close both writes and frees: it runs on every path out, and only its own error counts.
    struct Closer {
        lxw_workbook* workbook;
        ~Closer() {
            if (workbook) workbook_close(workbook);
        }
    } closer{workbook};

    // A fixed creation time (2000-01-01T00:00:00Z; 0 would mean "now"), so the same result gives
    // the same bytes; the zip entries' dates are fixed by libxlsxwriter itself.
    lxw_doc_properties properties{};
    properties.title = const_cast<char*>("csipls result");
    properties.created = 946684800;
    check(workbook_set_properties(workbook, &properties), "properties");

    lxw_format* header = workbook_add_format(workbook);
    format_set_bold(header);
    format_set_bottom(header, LXW_BORDER_THIN);
    const auto number_format = [&](const char* code) {
        lxw_format* format = workbook_add_format(workbook);
        format_set_num_format(format, code);
        return format;
    };
    lxw_format* coefficient = number_format("0.000");
    lxw_format* p_value = number_format("0.0000");
    lxw_format* statistic = number_format("0.00");
    lxw_format* index = number_format("0.0");
    lxw_format* integer = number_format("0");
    const auto format_for = [&](Format format) -> lxw_format* {
        switch (format) {
            case Format::coefficient: return coefficient;
            case Format::p_value: return p_value;
            case Format::statistic: return statistic;
            case Format::index: return index;
            case Format::integer: return integer;
            case Format::text:
            case Format::general: return nullptr;
        }
        return nullptr;
    };

    for (const auto& table : tables) {
        lxw_worksheet* sheet = workbook_add_worksheet(workbook, table.sheet.c_str());
        if (!sheet) throw IoError("Excel workbook: cannot add the sheet '" + table.sheet + "'");
        // Excel's sheet size; said plainly rather than as libxlsxwriter's out-of-range cell error.
        if (table.rows.size() + 1 > LXW_ROW_MAX || table.columns.size() > LXW_COL_MAX)
            throw IoError("Excel workbook: the sheet '" + table.sheet + "' would have " + std::to_string(table.rows.size() + 1) +
                          " rows and " + std::to_string(table.columns.size()) + " columns; Excel holds at most " +
                          std::to_string(LXW_ROW_MAX) + " and " + std::to_string(LXW_COL_MAX));
        std::vector<double>& written = numbers.emplace_back();
        for (std::size_t k = 0; k < table.columns.size(); ++k) {
            const auto col = static_cast<lxw_col_t>(k);
            check(worksheet_write_string(sheet, 0, col, cell_text(table.columns[k].header).c_str(), header), "header");
            check(worksheet_set_column(sheet, col, col, column_width(table, k), nullptr), "column width");
        }
        worksheet_freeze_panes(sheet, 1, 0);
        for (std::size_t r = 0; r < table.rows.size(); ++r) {
            const auto row = static_cast<lxw_row_t>(r + 1);
            for (std::size_t k = 0; k < table.columns.size() && k < table.rows[r].size(); ++k) {
                const auto col = static_cast<lxw_col_t>(k);
                const Json& cell = table.rows[r][k];
                lxw_format* format = format_for(table.columns[k].format);
                if (cell.is_null()) continue;  // an empty cell, not 0 or text
                if (cell.is_boolean())
                    check(worksheet_write_boolean(sheet, row, col, cell.get<bool>(), nullptr), "cell");
                else if (cell.is_number() && exact_in_double(cell)) {
                    check(worksheet_write_number(sheet, row, col, cell.get<double>(), format), "cell");
                    written.push_back(cell.get<double>());
                }
                else if (cell.is_number())
                    check(worksheet_write_string(sheet, row, col, cell.dump().c_str(), nullptr), "cell");
                else
                    check(worksheet_write_string(sheet, row, col, cell_text(report_detail::plain_text(cell)).c_str(), nullptr),
                          "cell");
            }
        }
        if (!table.rows.empty())
            check(worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(table.rows.size()),
                                       static_cast<lxw_col_t>(table.columns.size() - 1)),
                  "filter");
    }
    closer.workbook = nullptr;
    check(workbook_close(workbook), "writing");
    return numbers;
}

}  // namespace

std::vector<std::string> xlsx_sheet_names(const Json& result) {
    std::vector<std::string> names;
    for (const auto& table : workbook_tables(result)) names.push_back(table.sheet);
    return names;
}

std::string render_xlsx_workbook(const Json& result) {
    const std::vector<Table> tables = workbook_tables(result);
    const ScratchFile scratch;
    const auto numbers = write_tables(tables, scratch.path());
    return with_exact_numbers(read_text_file(scratch.path()), numbers);
}

}  // namespace csipls

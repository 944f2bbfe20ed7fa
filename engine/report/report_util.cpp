// Shared helpers of the report: JSON access that names the key at fault, number formatting, text
// widths, HTML escaping and the bootstrap draws file.
#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "csipls/core/error.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/result_reader.hpp"
#include "csipls/io/result_writers.hpp"  // display_width
#include "report_internal.hpp"

namespace csipls {

std::set<std::string> report_detail::formative_constructs(const Json& result) {
    std::set<std::string> formative;
    const ResultView view = ResultView::borrow(result, "the result");
    for (const auto& c : view.constructs())
        if (c.mode == MeasurementMode::formative) formative.insert(c.name);
    return formative;
}

std::string html_escape(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size() + text.size() / 8);
    for (const char c : text) {
        switch (c) {
            case '&': escaped += "&amp;"; break;
            case '<': escaped += "&lt;"; break;
            case '>': escaped += "&gt;"; break;
            case '"': escaped += "&quot;"; break;
            case '\'': escaped += "&#39;"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

std::string significance_stars(double p) {
    if (!std::isfinite(p)) return "";
    if (p < 0.001) return "***";
    if (p < 0.01) return "**";
    if (p < 0.05) return "*";
    return "";
}

ReportDraws parse_report_draws(std::string_view text, const std::string& source) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::size_t pos = 0, line = 1;
    const auto header = read_delimited_record(text, pos, line, source, ',', false);
    if (header.size() < 2 || header.front() != "replicate")
        throw InputError(source + ":1: not a bootstrap draws file (csipls estimate --save-draws): the header must "
                                  "start with 'replicate' and name at least one parameter");
    ReportDraws draws;
    draws.labels.assign(header.begin() + 1, header.end());
    draws.columns.resize(draws.labels.size());
    while (pos < text.size()) {
        const std::size_t record_line = line;
        const auto fields = read_delimited_record(text, pos, line, source, ',', false);
        if (fields.size() == 1 && fields.front().empty()) continue;  // blank line
        if (fields.size() != header.size())
            throw InputError(source + ":" + std::to_string(record_line) + ": " + std::to_string(fields.size()) +
                             " fields where the header has " + std::to_string(header.size()));
        for (std::size_t k = 1; k < fields.size(); ++k) {
            const std::string& field = fields[k];
            // write_csv_table writes undefined draws as nan; strtod reads that and every finite form.
            char* end = nullptr;
            const double value = field.empty() ? 0.0 : std::strtod(field.c_str(), &end);
            if (field.empty() || end != field.c_str() + field.size())
                throw InputError(source + ":" + std::to_string(record_line) + ": column '" + header[k] +
                                 "' holds '" + field + "', not a number");
            draws.columns[k - 1].push_back(value);
        }
    }
    return draws;
}

namespace report_detail {

const Json* member(const Json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return nullptr;
    return &*found;
}

const Json& required_object(const Json& object, std::string_view key) {
    const Json* value = member(object, key);
    if (!value || !value->is_object())
        throw InputError("not a csipls result: '" + std::string(key) + "' is missing or not an object");
    return *value;
}

const Json& required_array(const Json& object, std::string_view key) {
    const Json* value = member(object, key);
    if (!value || !value->is_array())
        throw InputError("not a csipls result: '" + std::string(key) + "' is missing or not an array");
    return *value;
}

std::optional<double> number_of(const Json* value) {
    if (!value || !value->is_number()) return std::nullopt;
    const double number = value->get<double>();
    if (!std::isfinite(number)) return std::nullopt;
    return number;
}

std::optional<double> number_at(const Json& object, std::string_view key) { return number_of(member(object, key)); }

std::string text_at(const Json& object, std::string_view key) {
    const Json* value = member(object, key);
    return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::string plain_text(const Json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return "—";
    return value.dump();
}

std::string text_cell(std::string_view text) { return "<td>" + html_escape(text) + "</td>"; }

std::string fixed(std::optional<double> value, int digits) {
    if (!value) return "—";
    // Rounding to zero must not print "-0.000".
    std::string text = fmt::format("{:.{}f}", *value, digits);
    if (text.front() == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
    return text;
}

std::string coord(double value) {
    std::string text = fmt::format("{:.2f}", value);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    if (text == "-0") text = "0";
    return text;
}

double text_width(std::string_view text, double font_size) {
    // Sans-serif Latin averages about 0.6 em per character; CJK glyphs are a full em (2 columns).
    return static_cast<double>(display_width(text)) * 0.6 * font_size;
}

std::optional<double> bootstrap_path_p(const Json& result, const std::string& from, const std::string& to) {
    const Json* boot = member(result, "bootstrap");
    if (!boot) return std::nullopt;
    const Json* paths = member(*boot, "paths");
    if (!paths || !paths->is_array()) return std::nullopt;
    for (const auto& entry : *paths)
        if (text_at(entry, "from") == from && text_at(entry, "to") == to) return number_at(entry, "p");
    return std::nullopt;
}

std::vector<double> nice_ticks(double low, double high, int count) {
    if (!(high > low)) high = low + 1;
    const double raw = (high - low) / std::max(count, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (factor * magnitude >= raw) {
            step = factor * magnitude;
            break;
        }
    std::vector<double> ticks;
    for (double tick = std::ceil(low / step - 1e-9) * step; tick <= high + step * 1e-9; tick += step)
        ticks.push_back(std::abs(tick) < step * 1e-9 ? 0.0 : tick);
    return ticks;
}

}  // namespace report_detail
}  // namespace csipls

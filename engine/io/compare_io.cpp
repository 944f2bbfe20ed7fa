// Reading two waves' results for `csipls compare` and writing the comparison.
#include "csipls/io/compare_io.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/result_reader.hpp"
#include "csipls/version.hpp"

namespace csipls {
namespace {



std::string format_number(double value, const char* format = "{:.2f}") {
    return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : std::string("-");
}


Json input_json(const IndexResultFile& file) {
    return {{"path", file.path},
            {"size_bytes", file.size_bytes},
            {"xxh64", file.xxh64},
            {"engine_version", file.engine_version},
            {"model", {{"path", file.model_path}, {"xxh64", file.model_xxh64}}},
            {"bootstrap", file.bootstrap}};
}

}  // namespace

IndexResultFile read_index_result(const std::string& path) {
    IndexResultFile file;
    file.path = path;
    const std::string bytes = read_text_file(path);
    file.size_bytes = bytes.size();
    file.xxh64 = xxh64_hex(bytes.data(), bytes.size());
    Json json;
    try {
        json = Json::parse(bytes);
    } catch (const Json::parse_error& error) {
        throw InputError(path + ": not a JSON result of csipls estimate: " + error.what());
    }
    const auto is_csipls = [&] {
        if (!json.is_object() || !json.contains("engine") || !json["engine"].is_object()) return false;
        const auto name = json["engine"].find("name");
        return name != json["engine"].end() && name->is_string() && name->get<std::string>() == engine_name;
    };
    if (!is_csipls())
        throw InputError(path + ": not a JSON result of csipls estimate (no 'engine' naming " + engine_name + ")");
    const ResultView result(std::move(json), path);
    file.notices = result.notices();
    if (!result.json()["engine"].contains("version")) result.fail("engine.version", "is missing");
    file.engine_version = result.engine_version();
    file.model_path = result.model_path();
    file.model_xxh64 = result.model_xxh64();
    IndexWave& wave = file.wave;
    IndexWave::Row overall;
    for (const auto& [name, value] : result.csi_index_values("estimate with --scale MIN:MAX")) {
        wave.constructs.push_back(name);
        overall.index.push_back(value);
    }
    if (wave.constructs.empty()) result.fail("csi_index.values", "holds no construct");
    file.scales = result.csi_index_scales();

    overall.label = "(all)";
    overall.level = "all";
    if (const auto n = result.n_obs()) overall.n_obs = *n;
    if (result.has_bootstrap() && result.json()["bootstrap"].contains("csi_index")) {
        std::map<std::string, double> se;
        for (const auto& item : result.bootstrap("csi_index")) se[item.construct] = item.se;
        for (std::size_t j = 0; j < wave.constructs.size(); ++j) {
            const auto at = se.find(wave.constructs[j]);
            // A construct without an index (an interaction term) has no bootstrap entry either.
            if (at == se.end() && std::isfinite(overall.index[j]))
                result.fail("bootstrap.csi_index", "has no entry for construct '" + wave.constructs[j] + "'");
            overall.se.push_back(at == se.end() ? std::numeric_limits<double>::quiet_NaN() : at->second);
        }
        file.bootstrap = true;
    }
    wave.rows.push_back(std::move(overall));

    if (result.has_index_table()) {
        const auto rows = result.index_table_rows(wave.constructs);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            // The overall row is the csi_index read above.
            if (rows[r].level == "all") continue;
            IndexWave::Row row;
            row.label = rows[r].group;
            row.level = rows[r].level;
            if (rows[r].n_obs) row.n_obs = *rows[r].n_obs;
            row.error = rows[r].error;
            row.index = rows[r].index;
            row.se = rows[r].se;
            for (const auto& seen : wave.rows)
                if (seen.label == row.label && seen.level == row.level)
                    result.fail("index_table.rows[" + std::to_string(r) + "]", "repeats the row '" + row.label + "' (" + row.level + ")");
            wave.rows.push_back(std::move(row));
        }
    }
    return file;
}

std::vector<std::string> check_comparable(const IndexResultFile& old_file, const IndexResultFile& new_file) {
    const std::string both = old_file.path + " and " + new_file.path;
    for (const auto& name : old_file.wave.constructs)
        if (std::find(new_file.wave.constructs.begin(), new_file.wave.constructs.end(), name) == new_file.wave.constructs.end())
            throw InputError(both + " have different constructs: '" + name + "' is in " + old_file.path + " only");
    for (const auto& name : new_file.wave.constructs)
        if (std::find(old_file.wave.constructs.begin(), old_file.wave.constructs.end(), name) == old_file.wave.constructs.end())
            throw InputError(both + " have different constructs: '" + name + "' is in " + new_file.path + " only");
    std::vector<std::string> warnings;
    for (const auto* file : {&old_file, &new_file}) warnings.insert(warnings.end(), file->notices.begin(), file->notices.end());
    bool same_indicators = old_file.scales.size() == new_file.scales.size();
    for (const auto& [indicator, range] : old_file.scales) {
        // A named copy: clang 14 cannot capture a structured binding in a lambda.
        const std::string& name = indicator;
        const auto at = std::find_if(new_file.scales.begin(), new_file.scales.end(), [&](const auto& s) { return s.first == name; });
        if (at == new_file.scales.end()) {
            same_indicators = false;
            continue;
        }
        if (at->second != range)
            throw InputError(both + " have different answer scales: indicator '" + indicator + "' is " + number_text(range.first) +
                             ":" + number_text(range.second) + " in " + old_file.path + " but " + number_text(at->second.first) +
                             ":" + number_text(at->second.second) + " in " + new_file.path);
    }
    if (!same_indicators)
        warnings.push_back("the constructs are measured by different indicators in " + both + ": the indices are not the same measure");
    if (old_file.model_xxh64 != new_file.model_xxh64)
        warnings.push_back("the two results come from different model files (xxh64 " + old_file.model_xxh64 + " and " +
                           new_file.model_xxh64 + "), with the same constructs");
    for (const auto* file : {&old_file, &new_file})
        if (!file->bootstrap)
            warnings.push_back(file->path + " has no bootstrap: changes are reported without se, p or interval "
                               "(estimate both waves with --bootstrap B)");
    return warnings;
}

Json index_comparison_to_json(const IndexComparison& comparison, const IndexResultFile& old_file,
                              const IndexResultFile& new_file, const std::vector<std::string>& warnings) {
    Json json;
    json["engine"] = {{"name", engine_name}, {"version", engine_version}, {"commit", engine_commit}};
    json["input"] = {{"old", input_json(old_file)}, {"new", input_json(new_file)}};
    json["settings"] = {
        {"level", comparison.level},
        {"change", "new - old"},
        {"se", "sqrt(se_old^2 + se_new^2): the waves are independent samples; se from each wave's bootstrap"},
        {"p", "two-sided, standard normal, z = change / se"},
        {"interval", "change +- z_(1+level)/2 * se"},
        {"rows", "matched by group label and level; the overall index is the row (all), level all"},
    };
    json["warnings"] = warnings;
    json["constructs"] = comparison.constructs;
    Json rows = Json::array();
    for (const auto& row : comparison.rows) {
        Json entry;
        entry["group"] = row.label;
        entry["level"] = row.level;
        entry["status"] = row.status;
        entry["n_old"] = row.status == "added" ? Json(nullptr) : Json(row.n_old);
        entry["n_new"] = row.status == "dropped" ? Json(nullptr) : Json(row.n_new);
        if (!row.note.empty()) entry["note"] = row.note;
        if (row.status == "both") {
            Json changes = Json::object();
            for (std::size_t j = 0; j < comparison.constructs.size(); ++j) {
                const IndexChange& c = row.changes[j];
                changes[comparison.constructs[j]] = {
                    {"old", number_or_null(c.old_value)}, {"new", number_or_null(c.new_value)}, {"change", number_or_null(c.change)},
                    {"se", number_or_null(c.se)},         {"z", number_or_null(c.z)},           {"p", number_or_null(c.p)},
                    {"ci_lower", number_or_null(c.ci_lower)}, {"ci_upper", number_or_null(c.ci_upper)},
                    {"significant", c.significant}};
            }
            entry["changes"] = changes;
        }
        rows.push_back(entry);
    }
    json["rows"] = rows;
    return json;
}

void write_index_comparison_csv(std::ostream& out, const IndexComparison& comparison) {
    out << "group,level,construct,status,n_old,n_new,old,new,change,se,z,p,ci_lower,ci_upper,significant,note\n";
    for (const auto& row : comparison.rows) {
        const std::string n_old = row.status == "added" ? "" : std::to_string(row.n_old);
        const std::string n_new = row.status == "dropped" ? "" : std::to_string(row.n_new);
        if (row.status != "both") {
            out << csv_field(row.label) << ',' << csv_field(row.level) << ",," << row.status << ',' << n_old << ',' << n_new
                << ",,,,,,,,,," << csv_field(row.note) << '\n';
            continue;
        }
        for (std::size_t j = 0; j < comparison.constructs.size(); ++j) {
            const IndexChange& c = row.changes[j];
            out << csv_field(row.label) << ',' << csv_field(row.level) << ',' << csv_field(comparison.constructs[j]) << ",both,"
                << n_old << ',' << n_new << ',' << csv_number(c.old_value) << ',' << csv_number(c.new_value) << ','
                << csv_number(c.change) << ',' << csv_number(c.se) << ',' << csv_number(c.z) << ',' << csv_number(c.p) << ','
                << csv_number(c.ci_lower) << ',' << csv_number(c.ci_upper) << ',' << (std::isfinite(c.p) ? (c.significant ? "true" : "false") : "")
                << ",\n";
        }
    }
}

void write_index_comparison_table(std::ostream& out, const IndexComparison& comparison) {
    std::size_t group_width = display_width("group"), construct_width = display_width("construct");
    for (const auto& row : comparison.rows) group_width = std::max(group_width, display_width(row.label));
    for (const auto& name : comparison.constructs) construct_width = std::max(construct_width, display_width(name));
    const std::string level_text = fmt::format("{:g} %", comparison.level * 100);
    out << "Change of the CSI indices (new - old); se = sqrt(se_old^2 + se_new^2), p two-sided normal, " << level_text
        << " interval\n\n";
    out << pad_to_width("group", group_width) << "  " << pad_to_width("construct", construct_width)
        << fmt::format("  {:>8}  {:>8}  {:>8}  {:>7}  {:>7}  {:>19}\n", "old", "new", "change", "se", "p", "interval");
    for (const auto& row : comparison.rows) {
        if (row.status != "both") {
            const std::string what = row.status == "added"     ? "only in the new wave (added)"
                                     : row.status == "dropped" ? "only in the old wave (dropped)"
                                                               : "not compared: " + row.note;
            out << pad_to_width(row.label, group_width) << "  " << what << '\n';
            continue;
        }
        for (std::size_t j = 0; j < comparison.constructs.size(); ++j) {
            const IndexChange& c = row.changes[j];
            const std::string interval =
                std::isfinite(c.ci_lower) ? "[" + format_number(c.ci_lower) + ", " + format_number(c.ci_upper) + "]" : "-";
            out << pad_to_width(j == 0 ? row.label : "", group_width) << "  " << pad_to_width(comparison.constructs[j], construct_width)
                << fmt::format("  {:>8}  {:>8}  {:>8}  {:>7}  {:>7}  {:>19}", format_number(c.old_value), format_number(c.new_value),
                               format_number(c.change, "{:+.2f}"), format_number(c.se), format_number(c.p, "{:.4f}"), interval)
                << (c.significant ? "  *" : "") << '\n';
        }
    }
    out << "\n* significant at the " << level_text << " level\n";
}

}  // namespace csipls

// Typed, checked reading of the JSON result (see result_reader.hpp).
#include "csipls/io/result_reader.hpp"

#include <algorithm>
#include <limits>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"

namespace csipls {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string child(const std::string& parent, const std::string& name) { return parent.empty() ? name : parent + "." + name; }

}  // namespace

ResultView ResultView::from_text(std::string_view text, const std::string& source) {
    Json json;
    try {
        json = Json::parse(text);
    } catch (const Json::parse_error& error) {
        throw InputError(source + ": not valid JSON (" + error.what() + ")");
    }
    return ResultView(std::move(json), source);
}

ResultView ResultView::from_file(const std::string& path) { return from_text(read_text_file(path), path); }

ResultView::ResultView(Json document, std::string source)
    : owned_(std::make_shared<const Json>(std::move(document))), json_(owned_.get()), source_(std::move(source)) {
    check();
}

ResultView ResultView::borrow(const Json& document, std::string source) {
    ResultView view;
    view.json_ = &document;
    view.source_ = std::move(source);
    view.check();
    return view;
}

void ResultView::check() {
    if (!json().is_object()) throw InputError(source_ + ": not a JSON result of csipls estimate (not a JSON object)");
    // engine is checked by the readers that need it (compare requires it to name csipls).
    if (const auto at = json().find("engine"); at != json().end() && at->is_object()) {
        const Json& engine = *at;
        if (const auto name = engine.find("name"); name != engine.end() && name->is_string()) engine_name_ = name->get<std::string>();
        if (const auto version = engine.find("version"); version != engine.end())
            engine_version_ = version->is_string() ? version->get<std::string>() : version->dump();
        if (const auto commit = engine.find("commit"); commit != engine.end() && commit->is_string())
            engine_commit_ = commit->get<std::string>();
    }
    if (const auto at = json().find("schema_version"); at != json().end()) {
        if (!at->is_number_integer() || at->get<long long>() < 1) fail("schema_version", "is not a whole number of at least 1");
        const long long version = at->get<long long>();
        if (version > result_schema_version)
            throw InputError(source_ + ": result schema version " + std::to_string(version) + " is newer than this csipls reads (" +
                             std::to_string(result_schema_version) + "): read it with a newer csipls" +
                             (engine_version_.empty() ? std::string() : " (it was written by csipls " + engine_version_ + ")"));
        schema_version_ = static_cast<int>(version);
    }
    read_constructs();
    if (!schema_version_) {
        std::string notice = source_ + ": no schema_version (written by " +
                             (engine_version_.empty() ? std::string("an older csipls") : "csipls " + engine_version_) +
                             "): read as schema version " + std::to_string(result_schema_version);
        if (!constructs_.empty() && !modes_recorded_) notice += ", measurement modes inferred from vif_formative";
        notices_.push_back(std::move(notice));
    }
}

void ResultView::read_constructs() {
    if (const auto at = json().find("constructs"); at != json().end()) {
        const Json& list = array(*at, "constructs");
        for (std::size_t j = 0; j < list.size(); ++j) {
            const std::string key = "constructs[" + std::to_string(j) + "]";
            const Json& item = object(list[j], key);
            ResultConstruct c;
            c.name = text(require(item, key, "name"), key + ".name");
            const std::string mode = text(require(item, key, "mode"), key + ".mode");
            if (mode == "formative") {
                c.mode = MeasurementMode::formative;
            } else if (mode != "reflective") {
                fail(key + ".mode", "is '" + mode + "', not 'reflective' or 'formative'");
            }
            const Json& indicators = array(require(item, key, "indicators"), key + ".indicators");
            for (std::size_t k = 0; k < indicators.size(); ++k)
                c.indicators.push_back(text(indicators[k], key + ".indicators[" + std::to_string(k) + "]"));
            if (construct(c.name)) fail(key + ".name", "repeats the construct '" + c.name + "'");
            constructs_.push_back(std::move(c));
        }
        modes_recorded_ = true;
        return;
    }
    // An older result: the blocks of outer_weights, formative when vif_formative lists them.
    const auto weights = json().find("outer_weights");
    if (weights == json().end() || !weights->is_object()) return;
    std::vector<std::string> formative;
    if (const auto vif = json().find("vif_formative"); vif != json().end() && vif->is_array())
        for (const auto& entry : *vif)
            if (entry.is_object() && entry.contains("construct") && entry["construct"].is_string())
                formative.push_back(entry["construct"].get<std::string>());
    for (const auto& [name, block] : weights->items()) {
        ResultConstruct c;
        c.name = name;
        const Json& indicators = object(block, "outer_weights." + name);
        for (const auto& [indicator, value] : indicators.items()) c.indicators.push_back(indicator);
        if (std::find(formative.begin(), formative.end(), name) != formative.end()) c.mode = MeasurementMode::formative;
        constructs_.push_back(std::move(c));
    }
}

const ResultConstruct* ResultView::construct(std::string_view name) const {
    for (const auto& c : constructs_)
        if (c.name == name) return &c;
    return nullptr;
}

void ResultView::fail(const std::string& key, const std::string& what) const {
    throw InputError(source_ + ": key '" + key + "': " + what);
}

const Json& ResultView::require(const Json& object_value, const std::string& parent, const std::string& name) const {
    if (!object_value.is_object()) fail(parent, "is not an object");
    const auto at = object_value.find(name);
    if (at == object_value.end()) fail(child(parent, name), "is missing");
    return *at;
}

double ResultView::number(const Json& value, const std::string& key) const {
    if (value.is_null()) return nan;
    if (!value.is_number()) fail(key, "is not a number");
    return value.get<double>();
}

std::string ResultView::text(const Json& value, const std::string& key) const {
    if (!value.is_string()) fail(key, "is not a text");
    return value.get<std::string>();
}

const Json& ResultView::object(const Json& value, const std::string& key) const {
    if (!value.is_object()) fail(key, "is not an object");
    return value;
}

const Json& ResultView::array(const Json& value, const std::string& key) const {
    if (!value.is_array()) fail(key, "is not an array");
    return value;
}

bool ResultView::has(std::string_view key) const {
    const auto at = json().find(key);
    return at != json().end() && !at->is_null();
}

std::optional<long long> ResultView::n_obs() const {
    const auto at = json().find("n_obs");
    if (at == json().end()) return std::nullopt;
    if (!at->is_number_integer()) fail("n_obs", "is not a whole number");
    return at->get<long long>();
}

std::string ResultView::model_path() const {
    if (!json().contains("input") || !json()["input"].is_object() || !json()["input"].contains("model")) return "";
    const Json& model = object(json()["input"]["model"], "input.model");
    return text(require(model, "input.model", "path"), "input.model.path");
}

std::string ResultView::model_xxh64() const {
    if (!json().contains("input") || !json()["input"].is_object() || !json()["input"].contains("model")) return "";
    const Json& model = object(json()["input"]["model"], "input.model");
    return text(require(model, "input.model", "xxh64"), "input.model.xxh64");
}

std::vector<ResultPath> ResultView::paths() const {
    const Json& list = array(require(json(), "", "paths"), "paths");
    std::vector<ResultPath> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string key = "paths[" + std::to_string(i) + "]";
        const Json& item = object(list[i], key);
        out.push_back({text(require(item, key, "from"), key + ".from"), text(require(item, key, "to"), key + ".to"),
                       number(require(item, key, "estimate"), key + ".estimate")});
    }
    return out;
}

double ResultView::indicator_value(const char* section, const std::string& construct_name, const std::string& indicator) const {
    const Json& blocks = object(require(json(), "", section), section);
    const std::string block_key = std::string(section) + "." + construct_name;
    const auto block = blocks.find(construct_name);
    if (block == blocks.end()) fail(block_key, "is missing (no block for the construct '" + construct_name + "')");
    const Json& values = object(*block, block_key);
    const auto value = values.find(indicator);
    if (value == values.end()) fail(block_key + "." + indicator, "is missing (no value for the indicator '" + indicator + "')");
    return number(*value, block_key + "." + indicator);
}

double ResultView::loading(const std::string& construct_name, const std::string& indicator) const {
    return indicator_value("loadings", construct_name, indicator);
}

double ResultView::outer_weight(const std::string& construct_name, const std::string& indicator) const {
    return indicator_value("outer_weights", construct_name, indicator);
}

std::vector<std::pair<std::string, double>> ResultView::csi_index_values(const std::string& why_needed) const {
    if (!json().contains("csi_index"))
        throw InputError(source_ + ": the result has no CSI indices (no 'csi_index')" + (why_needed.empty() ? "" : "; " + why_needed));
    const Json& index = object(json()["csi_index"], "csi_index");
    const Json& values = object(require(index, "csi_index", "values"), "csi_index.values");
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [name, value] : values.items()) out.emplace_back(name, number(value, "csi_index.values." + name));
    return out;
}

std::vector<std::pair<std::string, std::pair<double, double>>> ResultView::csi_index_scales() const {
    const Json& index = object(require(json(), "", "csi_index"), "csi_index");
    const Json& scales = object(require(index, "csi_index", "scale"), "csi_index.scale");
    std::vector<std::pair<std::string, std::pair<double, double>>> out;
    for (const auto& [indicator, range] : scales.items()) {
        const std::string key = "csi_index.scale." + indicator;
        if (!range.is_array() || range.size() != 2) fail(key, "is not a [min, max] pair");
        out.push_back({indicator, {number(range[0], key), number(range[1], key)}});
    }
    return out;
}

std::vector<BootstrapSummary> ResultView::bootstrap(const std::string& list_name) const {
    std::vector<BootstrapSummary> out;
    if (!has_bootstrap()) return out;
    const Json& boot = object(json()["bootstrap"], "bootstrap");
    const auto at = boot.find(list_name);
    if (at == boot.end()) return out;
    const std::string list_key = "bootstrap." + list_name;
    const Json& list = array(*at, list_key);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string key = list_key + "[" + std::to_string(i) + "]";
        const Json& item = object(list[i], key);
        BootstrapSummary s;
        const std::pair<const char*, std::string*> names[] = {{"from", &s.from}, {"to", &s.to}, {"construct", &s.construct},
                                                               {"indicator", &s.indicator}, {"a", &s.a}, {"b", &s.b}};
        for (const auto& [name, target] : names)
            if (item.contains(name)) *target = text(item[name], key + "." + name);
        const std::pair<const char*, double*> numbers[] = {{"estimate", &s.estimate}, {"boot_mean", &s.boot_mean}, {"bias", &s.bias},
                                                           {"se", &s.se},             {"t", &s.t},                 {"p", &s.p},
                                                           {"ci_lower", &s.ci_lower}, {"ci_upper", &s.ci_upper}};
        for (const auto& [name, target] : numbers) *target = number(require(item, key, name), key + "." + name);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> ResultView::index_table_constructs() const {
    const Json& table = object(require(json(), "", "index_table"), "index_table");
    const Json& list = array(require(table, "index_table", "constructs"), "index_table.constructs");
    std::vector<std::string> out;
    for (std::size_t j = 0; j < list.size(); ++j) out.push_back(text(list[j], "index_table.constructs[" + std::to_string(j) + "]"));
    return out;
}

std::vector<IndexTableRow> ResultView::index_table_rows(std::vector<std::string> names) const {
    if (names.empty()) names = index_table_constructs();
    const Json& table = json()["index_table"];
    const Json& rows = array(require(table, "index_table", "rows"), "index_table.rows");
    std::vector<IndexTableRow> out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const std::string key = "index_table.rows[" + std::to_string(r) + "]";
        const Json& item = object(rows[r], key);
        IndexTableRow row;
        row.group = text(require(item, key, "group"), key + ".group");
        row.level = text(require(item, key, "level"), key + ".level");
        if (const auto n = item.find("n_obs"); n != item.end() && !n->is_null()) {
            if (!n->is_number_integer()) fail(key + ".n_obs", "is not a whole number");
            row.n_obs = n->get<long long>();
        }
        if (item.contains("error")) {
            row.error = text(item["error"], key + ".error");
        } else {
            auto per_construct = [&](const std::string& name) {
                const Json& values = object(require(item, key, name), key + "." + name);
                std::vector<double> v;
                for (const auto& construct_name : names)
                    v.push_back(number(require(values, key + "." + name, construct_name), key + "." + name + "." + construct_name));
                return v;
            };
            row.index = per_construct("index");
            if (item.contains("se")) row.se = per_construct("se");
        }
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace csipls

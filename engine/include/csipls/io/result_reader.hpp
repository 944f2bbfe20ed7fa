#pragma once
// The one reader of JSON results of `csipls estimate` (the contract: README.md "The JSON result",
// docs/result.schema.json). `csipls compare`, `csipls report --result` and `csipls simulate
// --params` read results through it, so they check the same things and say the same things.
//
// Versions: a result carries `schema_version`; one newer than result_schema_version is refused
// (naming the file and both versions). A result without it was written by an older csipls: it is
// read as version 1 when it has the keys a reader asks for, with a notice saying so; the
// measurement modes of such a result are inferred from `vif_formative` (every indicator of every
// formative block is listed there).
//
// Errors are InputError, "<source>: key '<key>': <what>", naming the file and the key.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csipls/core/model.hpp"
#include "csipls/io/json.hpp"
#include "csipls/io/result_schema.hpp"

namespace csipls {

struct ResultConstruct {
    std::string name;
    MeasurementMode mode = MeasurementMode::reflective;
    std::vector<std::string> indicators;
};

struct ResultPath {
    std::string from, to;
    double estimate = 0;  // NaN when the file has null
};

// One entry of a `bootstrap` list. The identifying fields the list has are set, the others empty:
// from/to (paths, indirect_effects, total_effects), construct/indicator (outer_weights, loadings),
// construct (r2, csi_index), a/b (htmt). Numbers are NaN where the file has null.
struct BootstrapSummary {
    std::string from, to, construct, indicator, a, b;
    double estimate = 0, boot_mean = 0, bias = 0, se = 0, t = 0, p = 0, ci_lower = 0, ci_upper = 0;
};

// One row of `index_table.rows`: per construct (index_table.constructs order) its index and, with
// a bootstrap, its se. A row that could not be estimated has `error` and no numbers.
struct IndexTableRow {
    std::string group, level;
    std::optional<long long> n_obs;
    std::string error;
    std::vector<double> index, se;  // empty when absent
};

class ResultView {
public:
    // `source` names the document in every message (the file name, or e.g. "the result").
    ResultView(Json document, std::string source);
    // A view of `document` without a copy; `document` must outlive the view.
    static ResultView borrow(const Json& document, std::string source);
    // Reads and parses `path`. Throws IoError when unreadable, InputError when not JSON.
    static ResultView from_file(const std::string& path);
    static ResultView from_text(std::string_view text, const std::string& source);

    const Json& json() const { return *json_; }
    const std::string& source() const { return source_; }

    // engine.name, engine.version, engine.commit ("" when absent: an older csipls wrote none).
    const std::string& engine_name() const { return engine_name_; }
    const std::string& engine_version() const { return engine_version_; }
    const std::string& engine_commit() const { return engine_commit_; }
    // The file's schema_version; nullopt when it has none (written before the contract was versioned).
    std::optional<int> schema_version() const { return schema_version_; }
    // What the reader assumed to read the file (an unversioned result), one sentence each.
    const std::vector<std::string>& notices() const { return notices_; }

    // Constructs in model order with their modes and indicators: from `constructs`, or for an
    // older result from the blocks of `outer_weights` with modes inferred from `vif_formative`.
    const std::vector<ResultConstruct>& constructs() const { return constructs_; }
    bool modes_recorded() const { return modes_recorded_; }  // false: inferred
    const ResultConstruct* construct(std::string_view name) const;

    std::optional<long long> n_obs() const;
    std::string model_path() const;   // input.model.path, "" when absent
    std::string model_xxh64() const;  // input.model.xxh64, "" when absent

    std::vector<ResultPath> paths() const;
    // loadings / outer_weights of `indicator` in the block of `construct`; InputError when absent.
    double loading(const std::string& construct, const std::string& indicator) const;
    double outer_weight(const std::string& construct, const std::string& indicator) const;

    bool has(std::string_view key) const;  // a top-level key present and not null
    // csi_index.values in the file's order; InputError when the result has no csi_index (with
    // `why_needed` appended, e.g. "estimate with --scale MIN:MAX").
    std::vector<std::pair<std::string, double>> csi_index_values(const std::string& why_needed) const;
    // csi_index.scale: per indicator its [min, max], in the file's order.
    std::vector<std::pair<std::string, std::pair<double, double>>> csi_index_scales() const;

    bool has_bootstrap() const { return has("bootstrap"); }
    // bootstrap.<list> (paths, outer_weights, loadings, r2, indirect_effects, total_effects,
    // csi_index, htmt); empty when the result has no bootstrap or no such list.
    std::vector<BootstrapSummary> bootstrap(const std::string& list) const;

    bool has_index_table() const { return has("index_table"); }
    std::vector<std::string> index_table_constructs() const;
    // Numbers per construct in the order of `constructs` (default: index_table.constructs); a row
    // without one of them is an error naming it.
    std::vector<IndexTableRow> index_table_rows(std::vector<std::string> constructs = {}) const;

    // Checked access for what has no typed accessor: "<source>: key 'a.b': is missing" etc.
    const Json& require(const Json& object, const std::string& parent, const std::string& name) const;
    [[noreturn]] void fail(const std::string& key, const std::string& what) const;

private:
    ResultView() = default;
    double number(const Json& value, const std::string& key) const;
    std::string text(const Json& value, const std::string& key) const;
    const Json& object(const Json& value, const std::string& key) const;
    const Json& array(const Json& value, const std::string& key) const;
    double indicator_value(const char* section, const std::string& construct, const std::string& indicator) const;
    void read_constructs();
    void check();

    std::shared_ptr<const Json> owned_;
    const Json* json_ = nullptr;
    std::string source_;
    std::string engine_name_, engine_version_, engine_commit_;
    std::optional<int> schema_version_;
    std::vector<std::string> notices_;
    std::vector<ResultConstruct> constructs_;
    bool modes_recorded_ = false;
};

}  // namespace csipls

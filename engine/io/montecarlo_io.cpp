#include "csipls/io/montecarlo_io.hpp"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/json.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/version.hpp"

namespace csipls {

namespace {

// The crossed factors beyond n and estimator, in crossing order (the last varies fastest).
const std::vector<std::string> other_factors = {"scheme",       "missing",      "mechanism",
                                                "treatment",    "distribution", "scale_points",
                                                "case_weights"};

std::string where(const std::string& path, const toml::node& node) {
    const auto& begin = node.source().begin;
    return path + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column);
}

// The keys a table may hold; anything else is a typo the user should hear about.
void refuse_unknown_keys(const std::string& path, const toml::table& table, const std::string& section,
                         const std::vector<std::string>& known) {
    for (const auto& [key, node] : table)
        if (std::find(known.begin(), known.end(), std::string(key.str())) == known.end()) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            throw InputError(where(path, node) + ": unknown " + (section.empty() ? "section" : "key") + " '" +
                             std::string(key.str()) + "'" + (section.empty() ? "" : " in [" + section + "]") +
                             " (known: " + list + ")");
        }
}

template <class T>
T scalar(const std::string& path, const toml::node& node, const std::string& key) {
    if constexpr (std::is_same_v<T, double>) {
        if (auto v = node.value<double>()) return *v;  // integers convert too
    } else if (auto v = node.value_exact<T>()) {
        return *v;
    }
    throw InputError(where(path, node) + ": '" + key + "' has the wrong type");
}

// A factor: a list (or one value) of scalars, never empty.
template <class T>
std::vector<T> factor_list(const std::string& path, const toml::node& node, const std::string& key) {
    std::vector<T> values;
    if (const auto* list = node.as_array()) {
        if (list->empty()) throw InputError(where(path, node) + ": factor '" + key + "' has an empty list of levels");
        for (const auto& item : *list) values.push_back(scalar<T>(path, item, key));
    } else {
        values.push_back(scalar<T>(path, node, key));
    }
    return values;
}

template <class Enum>
Enum level(const std::string& path, const toml::node& node, const std::string& key, const std::string& text,
           const std::vector<std::pair<std::string, Enum>>& names) {
    for (const auto& [name, value] : names)
        if (name == text) return value;
    std::string list;
    for (const auto& [name, value] : names) list += (list.empty() ? "" : ", ") + name;
    throw InputError(where(path, node) + ": '" + text + "' is not a level of '" + key + "' (levels: " + list + ")");
}

std::string number(double value) { return csv_number(value); }

}  // namespace

LoadedDesign read_design(const std::string& path) {
    const std::string text = read_text_file(path);
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& error) {
        throw InputError(path + ":" + std::to_string(error.source().begin.line) + ":" +
                         std::to_string(error.source().begin.column) + ": " + std::string(error.description()));
    }
    refuse_unknown_keys(path, root, "", {"population", "analysis", "factors", "run"});
    const auto* population = root["population"].as_table();
    if (!population || !(*population)["model"]) throw InputError(path + ": the design needs [population] with model = \"FILE\"");
    refuse_unknown_keys(path, *population, "population",
                        {"model", "composite_item_correlation", "default_loading", "default_path"});
    const auto* factors = root["factors"].as_table();
    if (!factors || !(*factors)["n"]) throw InputError(path + ": the design needs [factors] with n = [...]");
    std::vector<std::string> known_factors = {"n", "estimator"};
    known_factors.insert(known_factors.end(), other_factors.begin(), other_factors.end());
    refuse_unknown_keys(path, *factors, "factors", known_factors);

    LoadedDesign loaded;
    loaded.path = path;
    MonteCarloDesign& design = loaded.design;
    const std::filesystem::path base = std::filesystem::path(path).parent_path();
    const auto model_path = [&](const toml::node& node, const std::string& key) {
        return (base / scalar<std::string>(path, node, key)).string();
    };
    const std::string population_path = model_path(*(*population)["model"].node(), "model");
    design.population = read_model_file(population_path);
    std::string hashed = text + '\0' + read_text_file(population_path);
    if (const auto* node = (*population)["composite_item_correlation"].node())
        design.composite_item_correlation = scalar<double>(path, *node, "composite_item_correlation");
    if (const auto* node = (*population)["default_loading"].node())
        design.default_loading = scalar<double>(path, *node, "default_loading");
    if (const auto* node = (*population)["default_path"].node())
        design.default_path = scalar<double>(path, *node, "default_path");
    design.analysis = design.population;
    if (const auto* node = root["analysis"].node()) {
        const auto* analysis = node->as_table();
        if (!analysis || !(*analysis)["model"]) throw InputError(where(path, *node) + ": [analysis] needs model = \"FILE\"");
        refuse_unknown_keys(path, *analysis, "analysis", {"model"});
        const std::string analysis_path = model_path(*(*analysis)["model"].node(), "model");
        design.analysis = read_model_file(analysis_path);
        hashed += '\0' + read_text_file(analysis_path);
    }
    if (const auto* node = root["run"].node()) {
        const auto* run = node->as_table();
        if (!run) throw InputError(where(path, *node) + ": [run] must be a table");
        refuse_unknown_keys(path, *run, "run",
                            {"replications", "bootstrap", "fit_test", "seed", "alpha", "block_size"});
        const auto integer = [&](const char* key, int& into) {
            if (const auto* value = (*run)[key].node()) {
                const auto v = scalar<std::int64_t>(path, *value, key);
                if (v < 0 || v > 2'000'000'000) throw InputError(where(path, *value) + ": '" + key + "' is out of range");
                into = static_cast<int>(v);
            }
        };
        integer("replications", design.replications);
        integer("bootstrap", design.bootstrap);
        integer("fit_test", design.fit_test);
        integer("block_size", design.block_size);
        if (const auto* value = (*run)["seed"].node())
            design.seed = static_cast<std::uint64_t>(scalar<std::int64_t>(path, *value, "seed"));
        if (const auto* value = (*run)["alpha"].node()) design.alpha = scalar<double>(path, *value, "alpha");
    }
    loaded.hash = xxh64_hex(hashed.data(), hashed.size());

    // The levels of every factor (a single default where the design does not name it).
    const auto levels = [&](const std::string& key, auto fallback) {
        using T = decltype(fallback);
        const auto* node = (*factors)[key].node();
        if (!node) return std::vector<T>{fallback};
        if (key != "n" && key != "estimator") loaded.extra_factors.push_back(key);
        return factor_list<T>(path, *node, key);
    };
    const auto ns = levels("n", std::int64_t{250});
    const auto estimators = levels("estimator", std::string("pls"));
    const auto schemes = levels("scheme", std::string("path"));
    const auto shares = levels("missing", 0.0);
    const auto mechanisms = levels("mechanism", std::string("mcar"));
    const auto treatments = levels("treatment", std::string("listwise"));
    const auto distributions = levels("distribution", std::string("normal"));
    const auto points = levels("scale_points", std::int64_t{5});
    const auto weights = levels("case_weights", false);
    const auto node_of = [&](const char* key) -> const toml::node& {
        const auto* node = (*factors)[key].node();
        return node ? *node : *(*factors)["n"].node();
    };
    for (auto n : ns)
        for (const auto& estimator : estimators)
            for (const auto& scheme : schemes)
                for (double share : shares)
                    for (const auto& mechanism : mechanisms)
                        for (const auto& treatment : treatments)
                            for (const auto& distribution : distributions)
                                for (auto point : points)
                                    for (bool weighted : weights) {
                                        MonteCarloCondition c;
                                        c.n = static_cast<Eigen::Index>(n);
                                        c.consistent = level<bool>(path, node_of("estimator"), "estimator", estimator,
                                                                   {{"pls", false}, {"plsc", true}});
                                        c.scheme = level(path, node_of("scheme"), "scheme", scheme,
                                                         std::vector<std::pair<std::string, InnerScheme>>{
                                                             {"path", InnerScheme::path},
                                                             {"centroid", InnerScheme::centroid},
                                                             {"factorial", InnerScheme::factorial}});
                                        c.missing_share = share;
                                        c.mechanism = level(path, node_of("mechanism"), "mechanism", mechanism,
                                                            std::vector<std::pair<std::string, MissingMechanism>>{
                                                                {"mcar", MissingMechanism::mcar},
                                                                {"mar", MissingMechanism::mar}});
                                        c.treatment = level(path, node_of("treatment"), "treatment", treatment,
                                                            std::vector<std::pair<std::string, MissingTreatment>>{
                                                                {"listwise", MissingTreatment::listwise},
                                                                {"mean", MissingTreatment::mean},
                                                                {"pairwise", MissingTreatment::pairwise},
                                                                {"em", MissingTreatment::em}});
                                        c.distribution = level(path, node_of("distribution"), "distribution",
                                                               distribution,
                                                               std::vector<std::pair<std::string, ItemDistribution>>{
                                                                   {"normal", ItemDistribution::normal},
                                                                   {"skewed", ItemDistribution::skewed},
                                                                   {"likert", ItemDistribution::likert}});
                                        c.scale_points = static_cast<int>(std::clamp<std::int64_t>(point, -1, 1000));
                                        c.case_weights = weighted;
                                        design.conditions.push_back(c);
                                    }
    return loaded;
}

std::string factor_value(const MonteCarloCondition& condition, const std::string& factor) {
    if (factor == "n") return std::to_string(condition.n);
    if (factor == "estimator") return condition.consistent ? "plsc" : "pls";
    if (factor == "scheme") return to_string(condition.scheme);
    if (factor == "missing") return number(condition.missing_share);
    if (factor == "mechanism") return to_string(condition.mechanism);
    if (factor == "treatment") return to_string(condition.treatment);
    if (factor == "distribution") return to_string(condition.distribution);
    if (factor == "scale_points") return std::to_string(condition.scale_points);
    if (factor == "case_weights") return condition.case_weights ? "true" : "false";
    return {};
}

namespace {

constexpr const char* part_magic = "csipls-montecarlo-part 1";
constexpr auto condition_fields = condition_tally_fields.size();
constexpr auto parameter_fields = parameter_tally_fields.size();

void put(std::ostream& out, double value) {
    char text[64];
    std::snprintf(text, sizeof text, " %a", value);
    out << text;
}

}  // namespace

void write_part(std::ostream& out, const MonteCarloPart& part) {
    out << part_magic << '\n'
        << "design " << part.design_hash << '\n'
        << "design_path " << part.design_path << '\n'
        << "shard " << part.shard << ' ' << part.shards << '\n'
        << "units " << part.units << '\n'
        << "parameters " << part.parameters << '\n';
    for (const auto& [unit, t] : part.completed) {
        out << "unit " << unit;
        for (const auto field : condition_tally_fields) put(out, t.*field);
        for (const auto& q : t.parameters)
            for (const auto field : parameter_tally_fields) put(out, q.*field);
        out << '\n';
    }
    out << "end\n";
}

MonteCarloPart read_part(const std::string& path) {
    std::istringstream in(read_text_file(path));
    MonteCarloPart part;
    std::string line;
    int line_number = 0;
    const auto fail = [&](const std::string& why) -> InputError {
        return InputError(path + ":" + std::to_string(line_number) + ": " + why);
    };
    const auto next = [&](const std::string& key) {
        if (!std::getline(in, line)) throw fail("the part ends early (expected '" + key + "'): an interrupted write?");
        ++line_number;
        if (line.rfind(key, 0) != 0) throw fail("expected '" + key + "'");
        return line.substr(key.size());
    };
    if (next(part_magic) != "") throw fail("not a csipls Monte Carlo part");
    part.design_hash = next("design ");
    part.design_path = next("design_path ");
    {
        std::istringstream shard(next("shard "));
        if (!(shard >> part.shard >> part.shards) || part.shards < 1 || part.shard < 0 || part.shard >= part.shards)
            throw fail("bad shard line");
    }
    part.units = std::atol(next("units ").c_str());
    part.parameters = std::atoi(next("parameters ").c_str());
    bool ended = false;
    while (std::getline(in, line)) {
        ++line_number;
        if (line == "end") {
            ended = true;
            break;
        }
        if (line.rfind("unit ", 0) != 0) throw fail("expected 'unit' or 'end'");
        const char* cursor = line.c_str() + 5;
        char* end = nullptr;
        const long unit = std::strtol(cursor, &end, 10);
        cursor = end;
        std::vector<double> values;
        while (true) {
            const double v = std::strtod(cursor, &end);
            if (end == cursor) break;
            values.push_back(v);
            cursor = end;
        }
        if (values.size() != condition_fields + parameter_fields * static_cast<std::size_t>(part.parameters))
            throw fail("unit " + std::to_string(unit) + " has " + std::to_string(values.size()) + " numbers");
        if (unit < 0 || unit >= part.units) throw fail("unit " + std::to_string(unit) + " is outside the design");
        if (part.completed.count(unit)) throw fail("unit " + std::to_string(unit) + " appears twice");
        ConditionTally t;
        auto v = values.begin();
        for (const auto field : condition_tally_fields) t.*field = *v++;
        t.parameters.resize(static_cast<std::size_t>(part.parameters));
        for (auto& q : t.parameters)
            for (const auto field : parameter_tally_fields) q.*field = *v++;
        part.completed.emplace(unit, std::move(t));
    }
    if (!ended) throw fail("the part has no 'end' line: an interrupted write?");
    return part;
}

namespace {

// The measures of a parameter and of a condition, in column order: one table for CSV and JSON.
const std::array<std::pair<const char*, double ParameterOutcome::*>, 10> parameter_measures{{
    {"population", &ParameterOutcome::population}, {"mean", &ParameterOutcome::mean},
    {"bias", &ParameterOutcome::bias}, {"relative_bias", &ParameterOutcome::relative_bias},
    {"sd", &ParameterOutcome::sd}, {"se_mean", &ParameterOutcome::se_mean},
    {"se_sd_ratio", &ParameterOutcome::se_sd_ratio}, {"rmse", &ParameterOutcome::rmse},
    {"coverage", &ParameterOutcome::coverage}, {"rejection_rate", &ParameterOutcome::rejection_rate}}};
const std::array<std::pair<const char*, double ConditionOutcome::*>, 8> condition_measures{{
    {"convergence_rate", &ConditionOutcome::convergence_rate}, {"admissibility_rate", &ConditionOutcome::admissibility_rate},
    {"mean_srmr", &ConditionOutcome::mean_srmr}, {"mean_d_uls", &ConditionOutcome::mean_d_uls},
    {"mean_d_g", &ConditionOutcome::mean_d_g},
    {"fit_rejection_rate_srmr", &ConditionOutcome::fit_rejection_rate_srmr},
    {"fit_rejection_rate_d_uls", &ConditionOutcome::fit_rejection_rate_d_uls},
    {"fit_rejection_rate_d_g", &ConditionOutcome::fit_rejection_rate_d_g}}};

std::vector<std::string> condition_columns(const LoadedDesign& loaded) {
    std::vector<std::string> columns = {"condition", "n", "estimator"};
    columns.insert(columns.end(), loaded.extra_factors.begin(), loaded.extra_factors.end());
    return columns;
}

void write_condition_cells(std::ostream& out, const LoadedDesign& loaded, std::size_t c) {
    const MonteCarloCondition& condition = loaded.design.conditions[c];
    out << c + 1 << ',' << condition.n << ',' << factor_value(condition, "estimator");
    for (const auto& factor : loaded.extra_factors) out << ',' << csv_field(factor_value(condition, factor));
}

}  // namespace

void write_summary_csv(std::ostream& out, const LoadedDesign& loaded, const MonteCarloPlan& plan,
                       const std::vector<ConditionOutcome>& outcomes) {
    std::string header;
    for (const auto& column : condition_columns(loaded)) header += column + ',';
    out << header << "kind,from,to";
    for (const auto& [name, field] : parameter_measures) out << ',' << name;
    out << ",estimates\n";
    for (std::size_t c = 0; c < outcomes.size(); ++c)
        for (std::size_t i = 0; i < plan.parameters.size(); ++i) {
            const MonteCarloParameter& parameter = plan.parameters[i];
            const ParameterOutcome& o = outcomes[c].parameters[i];
            write_condition_cells(out, loaded, c);
            out << ',' << parameter_kind(parameter.kind).name << ',' << csv_field(parameter.from_name) << ','
                << csv_field(parameter.to_name);
            for (const auto& [name, field] : parameter_measures) out << ',' << number(o.*field);
            out << ',' << o.estimates << '\n';
        }
}

void write_conditions_csv(std::ostream& out, const LoadedDesign& loaded, const std::vector<ConditionOutcome>& outcomes) {
    std::string header;
    for (const auto& column : condition_columns(loaded)) header += column + ',';
    out << header << "replications,failed";
    for (const auto& [name, field] : condition_measures) out << ',' << name;
    out << '\n';
    for (std::size_t c = 0; c < outcomes.size(); ++c) {
        const ConditionOutcome& o = outcomes[c];
        write_condition_cells(out, loaded, c);
        out << ',' << o.replications << ',' << o.failed;
        for (const auto& [name, field] : condition_measures) out << ',' << number(o.*field);
        out << '\n';
    }
}

void write_summary_json(std::ostream& out, const LoadedDesign& loaded, const MonteCarloPlan& plan,
                        const std::vector<ConditionOutcome>& outcomes) {
    const MonteCarloDesign& design = loaded.design;
    Json root;
    root["engine"] = {{"name", engine_name}, {"version", engine_version}};
    // File names only: a merge reads the design by its absolute path, a run by the path given,
    // and both must write the same bytes.
    const auto name = [](const std::string& path) { return std::filesystem::path(path).filename().string(); };
    root["design"] = {{"file", name(loaded.path)},
                      {"xxh64", loaded.hash},
                      {"population_model", name(design.population.source)},
                      {"analysis_model", name(design.analysis.source)},
                      {"replications", design.replications},
                      {"bootstrap", design.bootstrap},
                      {"fit_test", design.fit_test},
                      {"seed", design.seed},
                      {"alpha", design.alpha},
                      {"block_size", design.block_size}};
    Json conditions = Json::array();
    for (std::size_t c = 0; c < outcomes.size(); ++c) {
        const ConditionOutcome& o = outcomes[c];
        Json factors;
        factors["n"] = design.conditions[c].n;
        factors["estimator"] = factor_value(design.conditions[c], "estimator");
        for (const auto& factor : loaded.extra_factors) factors[factor] = factor_value(design.conditions[c], factor);
        Json parameters = Json::array();
        for (std::size_t i = 0; i < plan.parameters.size(); ++i) {
            const MonteCarloParameter& parameter = plan.parameters[i];
            const ParameterOutcome& q = o.parameters[i];
            Json row = {{"kind", parameter_kind(parameter.kind).name}, {"from", parameter.from_name}, {"to", parameter.to_name}};
            for (const auto& [name, field] : parameter_measures) row[name] = number_or_null(q.*field);
            row["estimates"] = q.estimates;
            parameters.push_back(std::move(row));
        }
        Json row = {{"condition", c + 1}, {"factors", factors}, {"replications", o.replications}, {"failed", o.failed}};
        for (const auto& [name, field] : condition_measures) row[name] = number_or_null(o.*field);
        row["parameters"] = std::move(parameters);
        conditions.push_back(std::move(row));
    }
    root["conditions"] = conditions;
    out << root.dump(2) << '\n';
}

}  // namespace csipls

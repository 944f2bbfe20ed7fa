#include <cmath>

#include "csipls/io/result_schema.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/version.hpp"

namespace csipls {
namespace {

Json effect_list(const PlsResult& result, const Eigen::MatrixXd& values, bool (*exists)(const PlsResult&, int, int)) {
    Json list = Json::array();
    const auto count = static_cast<int>(result.constructs.size());
    for (int to = 0; to < count; ++to)
        for (int from = 0; from < count; ++from)
            if (exists(result, from, to))
                list.push_back({{"from", result.constructs[from]}, {"to", result.constructs[to]}, {"estimate", values(from, to)}});
    return list;
}

bool has_indirect(const PlsResult& result, int from, int to) { return result.indirect_routes(from, to) > 0; }
bool has_total(const PlsResult& result, int from, int to) {
    if (has_indirect(result, from, to)) return true;
    for (const auto& link : result.paths)
        if (link.from == from && link.to == to) return true;
    return false;
}

Json per_indicator_by_block(const PlsResult& result, const Eigen::VectorXd& values) {
    Json blocks = Json::object();
    for (const auto& name : result.constructs) blocks[name] = Json::object();
    for (std::size_t k = 0; k < result.indicators.size(); ++k)
        blocks[result.constructs[result.block_of_indicator[k]]][result.indicators[k]] = values[static_cast<Eigen::Index>(k)];
    return blocks;
}

Json per_endogenous(const PlsResult& result, const Eigen::VectorXd& values) {
    Json object = Json::object();
    for (std::size_t j = 0; j < result.constructs.size(); ++j)
        if (result.is_endogenous(static_cast<int>(j))) object[result.constructs[j]] = values[static_cast<Eigen::Index>(j)];
    return object;
}

Json labelled_matrix(const std::vector<std::string>& rows, const std::vector<std::string>& cols, const Eigen::MatrixXd& values) {
    Json matrix = Json::array();
    for (Eigen::Index i = 0; i < values.rows(); ++i) {
        Json row = Json::array();
        for (Eigen::Index j = 0; j < values.cols(); ++j) row.push_back(values(i, j));
        matrix.push_back(std::move(row));
    }
    return {{"rows", rows}, {"cols", cols}, {"values", std::move(matrix)}};
}

}  // namespace

Json result_to_json(const PlsResult& result, const IndicatorMoments& moments, const RunProvenance& provenance) {
    Json json;
    json["engine"] = {{"name", engine_name}, {"version", engine_version}, {"commit", engine_commit}};
    json["schema_version"] = result_schema_version;
    json["input"] = {
        {"model", {{"path", provenance.model_path}, {"xxh64", provenance.model_xxh64}}},
        {"data", {{"path", provenance.data.path}, {"size_bytes", provenance.data.size_bytes}, {"xxh64", provenance.data.xxh64}}},
    };
    json["settings"] = {
        {"inner_scheme", to_string(result.options.scheme)},
        {"tolerance", result.options.tolerance},
        {"max_iterations", result.options.max_iterations},
        {"convergence", "max |w_new - w_old| over all outer weights, weights scaled to unit composite variance"},
        {"starting_weights", "all ones, scaled to unit composite variance"},
        {"standardization", "indicators standardized with the sample sd (divisor n-1)"},
        {"outer_modes", "A for =~ (reflective), B for <~ (formative)"},
        {"sign_handling", "none"},
        {"consistent", result.consistent},
        {"delimiter", std::string(1, provenance.csv.delimiter)},
        {"case_weights", provenance.csv.weight_column.empty() ? Json(nullptr) : Json(provenance.csv.weight_column)},
        {"missing_treatment", to_string(provenance.missing.treatment)},
        {"missing_codes", provenance.csv.missing_codes},
        {"decimal_comma", provenance.csv.decimal_comma},
    };
    json["n_obs"] = result.n_obs;
    if (!provenance.missing.indicators.empty()) {
        const MissingReport& missing = provenance.missing;
        Json per_indicator = Json::object();
        for (std::size_t k = 0; k < missing.indicators.size(); ++k)
            per_indicator[missing.indicators[k]] = missing.missing_per_indicator[k];
        json["missing"] = {
            {"treatment", to_string(missing.treatment)},
            {"respondents", missing.respondents},
            {"complete_respondents", missing.complete_respondents},
            {"respondents_used", missing.respondents_used},
            {"missing_values", missing.missing_cells()},
            {"missing_per_indicator", per_indicator},
        };
        if (missing.treatment == MissingTreatment::pairwise) json["missing"]["fewest_pairs"] = missing.fewest_pairs;
        if (missing.treatment == MissingTreatment::em) json["missing"]["em_iterations"] = missing.em_iterations;
    }
    json["converged"] = result.converged;
    json["iterations"] = result.iterations;
    json["last_weight_change"] = result.last_weight_change;

    // The measurement model: every construct in model order, its mode and its indicators.
    Json constructs = Json::array();
    for (std::size_t j = 0; j < result.constructs.size(); ++j) {
        Json indicators = Json::array();
        for (std::size_t k = 0; k < result.indicators.size(); ++k)
            if (result.block_of_indicator[k] == static_cast<int>(j)) indicators.push_back(result.indicators[k]);
        const bool formative = j < result.modes.size() && result.modes[j] == MeasurementMode::formative;
        constructs.push_back({{"name", result.constructs[j]}, {"mode", formative ? "formative" : "reflective"},
                              {"indicators", std::move(indicators)}});
    }
    json["constructs"] = std::move(constructs);

    Json paths = Json::array();
    for (const auto& link : result.paths)
        paths.push_back({{"from", result.constructs[link.from]},
                         {"to", result.constructs[link.to]},
                         {"estimate", result.path_coefficients(link.from, link.to)}});
    json["paths"] = paths;
    json["outer_weights"] = per_indicator_by_block(result, result.outer_weights);
    json["loadings"] = per_indicator_by_block(result, result.loadings);
    json["r2"] = per_endogenous(result, result.r2);
    json["r2_adj"] = per_endogenous(result, result.r2_adj);
    json["effects"] = {
        {"direct", paths},
        {"indirect", effect_list(result, result.indirect_effects, has_indirect)},
        {"total", effect_list(result, result.total_effects, has_total)},
    };
    json["construct_correlations"] = labelled_matrix(result.constructs, result.constructs, result.construct_correlations);
    json["cross_loadings"] = labelled_matrix(result.indicators, result.constructs, result.cross_loadings);
    Json indicators = Json::object();
    for (std::size_t k = 0; k < moments.names.size(); ++k)
        indicators[moments.names[k]] = {{"mean", moments.means[static_cast<Eigen::Index>(k)]},
                                        {"sd", moments.sds[static_cast<Eigen::Index>(k)]}};
    json["indicators"] = indicators;
    return json;
}

}  // namespace csipls

namespace csipls {

namespace {

Json pair_list(const PlsResult& result, const std::vector<ConstructPairValue>& pairs) {
    Json list = Json::array();
    for (const auto& pair : pairs)
        list.push_back({{"a", result.constructs[pair.a]}, {"b", result.constructs[pair.b]}, {"value", number_or_null(pair.value)}});
    return list;
}

Json fit_json(const FitMeasures& fit) {
    return {{"srmr", number_or_null(fit.srmr)}, {"d_uls", number_or_null(fit.d_uls)}, {"d_g", number_or_null(fit.d_g)}};
}

}  // namespace

void add_assessment_to_json(Json& json, const PlsResult& result, const Assessment& assessment) {
    const auto& reliability = assessment.reliability;
    Json measures = Json::object();
    const std::pair<const char*, const Eigen::VectorXd*> columns[] = {
        {"cronbach_alpha", &reliability.cronbach_alpha}, {"rho_a", &reliability.rho_a},
        {"rho_c", &reliability.rho_c}, {"ave", &reliability.ave}};
    for (const auto& [key, values] : columns) {
        Json per_construct = Json::object();
        for (std::size_t j = 0; j < result.constructs.size(); ++j)
            per_construct[result.constructs[j]] = number_or_null((*values)[static_cast<Eigen::Index>(j)]);
        measures[key] = per_construct;
    }
    json["reliability"] = measures;
    json["fornell_larcker"] = labelled_matrix(result.constructs, result.constructs, assessment.fornell_larcker);
    json["htmt"] = pair_list(result, assessment.htmt);
    json["htmt_absolute"] = pair_list(result, assessment.htmt_absolute);
    json["htmt2"] = pair_list(result, assessment.htmt2);
    Json vif = Json::array();
    for (const auto& entry : assessment.vif_structural)
        vif.push_back({{"dependent", result.constructs[entry.dependent]},
                       {"predictor", result.constructs[entry.predictor]},
                       {"value", number_or_null(entry.value)}});
    json["vif_structural"] = vif;
    Json vif_formative = Json::array();
    for (const auto& entry : assessment.vif_formative)
        vif_formative.push_back({{"construct", result.constructs[entry.construct]},
                                 {"indicator", result.indicators[entry.indicator]},
                                 {"value", entry.value}});
    json["vif_formative"] = vif_formative;
    Json f2 = Json::array();
    for (const auto& entry : assessment.f2)
        f2.push_back({{"from", result.constructs[entry.from]}, {"to", result.constructs[entry.to]}, {"value", number_or_null(entry.value)}});
    json["f2"] = f2;
    json["fit"] = {{"estimated_model", fit_json(assessment.fit.estimated_model)},
                   {"saturated_model", fit_json(assessment.fit.saturated_model)}};
    json["gof"] = number_or_null(assessment.gof);
    Json criteria = Json::array();
    for (const auto& entry : assessment.information_criteria)
        criteria.push_back({{"construct", result.constructs[entry.construct]}, {"aic", entry.aic}, {"bic", entry.bic}});
    json["information_criteria"] = criteria;
    json["admissibility"] = {{"admissible", assessment.admissibility.admissible},
                             {"problems", assessment.admissibility.problems}};
}

// An undefined value (α of a single item, HTMT2 with a negative correlation) is null, in memory as
// in the file.
Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json csi_index_to_json(const PlsResult& result, const CsiIndex& index, const std::vector<AnswerScale>& scales) {
    Json json;
    Json values = Json::object();
    for (std::size_t j = 0; j < result.constructs.size(); ++j)
        values[result.constructs[j]] = number_or_null(index.index[static_cast<Eigen::Index>(j)]);
    json["values"] = values;
    json["weights"] = per_indicator_by_block(result, index.rescaled_weights);
    Json scale = Json::object();
    for (std::size_t k = 0; k < scales.size(); ++k) scale[result.indicators[k]] = {scales[k].min, scales[k].max};
    json["scale"] = scale;
    Json flagged = Json::array();
    for (std::size_t j = 0; j < result.constructs.size(); ++j)
        if (index.negative_weight[j]) flagged.push_back(result.constructs[j]);
    json["negative_weight"] = flagged;
    json["method"] =
        "ACSI: unstandardized weights (standardized weight / indicator sd) rescaled to sum 1 in each block; "
        "index = sum of weight * (mean - scale min) / (scale max - scale min) * 100";
    return json;
}

Json prediction_to_json(const PlsResult& result, const BlindfoldingResult& q2, const PlsPredictResult& predicted) {
    Json json;
    Json blindfolded = Json::object();
    for (std::size_t j = 0; j < result.constructs.size(); ++j)
        if (result.is_endogenous(static_cast<int>(j))) blindfolded[result.constructs[j]] = number_or_null(q2.q2[static_cast<Eigen::Index>(j)]);
    json["q2_blindfolding"] = {{"omission_distance", q2.omission_distance}, {"q2", blindfolded}};
    Json indicators = Json::array();
    for (int k : predicted.predicted_indicators)
        indicators.push_back({{"indicator", result.indicators[k]},
                              {"pls_rmse", number_or_null(predicted.pls_rmse[k])},
                              {"pls_mae", number_or_null(predicted.pls_mae[k])},
                              {"pls_q2_predict", number_or_null(predicted.pls_q2_predict[k])},
                              {"lm_rmse", number_or_null(predicted.lm_rmse[k])},
                              {"lm_mae", number_or_null(predicted.lm_mae[k])},
                              {"lm_q2_predict", number_or_null(predicted.lm_q2_predict[k])}});
    json["pls_predict"] = {{"folds", predicted.folds}, {"repetitions", predicted.repetitions}, {"seed", predicted.seed},
                           {"indicators", indicators}};
    return json;
}

Json fit_test_to_json(const FitTestResult& fit_test) {
    Json json;
    json["resamples"] = fit_test.options.resamples;
    json["seed"] = fit_test.options.seed;
    json["succeeded"] = fit_test.succeeded;
    json["failed"] = fit_test.failures.size();
    Json failures = Json::array();
    for (const auto& failure : fit_test.failures) failures.push_back({{"replicate", failure.replicate}, {"reason", failure.reason}});
    json["failures"] = failures;
    json["method"] = "Bollen-Stine bootstrap of the data transformed to the estimated model's implied correlations "
                     "(Dijkstra & Henseler 2015, as cSEM testOMF); inadmissible resamples dropped; quantiles type 7";
    const std::pair<const char*, const FitStatisticTest*> measures[] = {
        {"srmr", &fit_test.srmr}, {"d_uls", &fit_test.d_uls}, {"d_g", &fit_test.d_g}};
    for (const auto& [name, test] : measures)
        json[name] = {{"observed", number_or_null(test->observed)},   {"quantile_95", number_or_null(test->quantile_95)},
                      {"quantile_99", number_or_null(test->quantile_99)}, {"exceeds_95", test->exceeds_95},
                      {"exceeds_99", test->exceeds_99},                {"p", number_or_null(test->p_value)}};
    return json;
}

Json bootstrap_to_json(const PlsResult& result, const BootstrapResult& bootstrap) {
    using Kind = BootstrapParameter::Kind;
    Json section;
    section["resamples"] = bootstrap.options.resamples;
    section["seed"] = bootstrap.options.seed;
    section["succeeded"] = bootstrap.succeeded;
    section["failed"] = bootstrap.failures.size();
    Json failures = Json::array();
    for (const auto& failure : bootstrap.failures) failures.push_back({{"replicate", failure.replicate}, {"reason", failure.reason}});
    section["failures"] = failures;
    if (bootstrap.options.ci == ConfidenceInterval::bca) {
        section["jackknife_groups"] = bootstrap.jackknife_groups;
        section["jackknife_failed"] = bootstrap.jackknife_failed;
    }
    section["ci_type"] = to_string(bootstrap.options.ci);
    section["ci_level"] = bootstrap.options.ci_level;
    section["sign_change"] = to_string(bootstrap.options.sign_change);
    section["resampling"] = "respondents with replacement, indicators re-standardized in each resample";
    section["random_streams"] = "replicate r uses Boost mt19937_64 seeded with splitmix64(splitmix64(seed) xor r)";
    section["se"] = "sd of the draws, divisor B - 1";
    section["p"] = "two-sided, Student t with n - 1 degrees of freedom, t = estimate / se";

    for (const ParameterKind& kind : parameter_kinds())
        if (kind.kind != Kind::csi_index || !bootstrap.options.index_scales.empty()) section[kind.section] = Json::array();
    for (std::size_t i = 0; i < bootstrap.parameters.size(); ++i) {
        const auto& parameter = bootstrap.parameters[i];
        const auto& s = bootstrap.summaries[i];
        const ParameterKind& kind = parameter_kind(parameter.kind);
        Json entry;
        for (int e = 0; e < kind.end_count; ++e) entry[kind.ends[e].field] = parameter_end_name(result, parameter, kind.ends[e]);
        entry["estimate"] = s.estimate;
        entry["boot_mean"] = number_or_null(s.boot_mean);
        entry["bias"] = number_or_null(s.bias);
        entry["se"] = number_or_null(s.se);
        entry["t"] = number_or_null(s.t);
        entry["p"] = number_or_null(s.p);
        entry["ci_lower"] = number_or_null(s.ci_lower);
        entry["ci_upper"] = number_or_null(s.ci_upper);
        section[kind.section].push_back(std::move(entry));
    }
    return section;
}

void write_bootstrap_draws(std::ostream& out, const PlsResult& result, const BootstrapResult& bootstrap) {
    std::vector<std::string> header{"replicate"};
    for (const auto& parameter : bootstrap.parameters) header.push_back(parameter_label(result, parameter));
    Eigen::MatrixXd table(bootstrap.draws.rows(), bootstrap.draws.cols() + 1);
    for (Eigen::Index row = 0; row < table.rows(); ++row) table(row, 0) = bootstrap.replicate_of_draw[static_cast<std::size_t>(row)];
    table.rightCols(bootstrap.draws.cols()) = bootstrap.draws;
    write_csv_table(out, header, table);
}

}  // namespace csipls

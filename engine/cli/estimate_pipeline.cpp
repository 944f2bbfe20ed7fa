// The estimation pipeline: options, their checks, and one run from files to results.
#include "estimate_pipeline.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "progress.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/io/data_reader.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

namespace {

AnswerScale parse_answer_scale(const std::string& text) {
    const auto colon = text.find(':');
    AnswerScale scale;
    auto parse = [](std::string_view part, double& value) {
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        return ec == std::errc() && end == part.data() + part.size() && std::isfinite(value);
    };
    if (colon == std::string::npos || !parse(std::string_view(text).substr(0, colon), scale.min) ||
        !parse(std::string_view(text).substr(colon + 1), scale.max) || !(scale.max > scale.min))
        throw UsageError("--scale takes MIN:MAX with MIN < MAX, e.g. 1:10, got '" + text + "'");
    return scale;
}

// An answer outside the scale means the scale is wrong, and every index with it.
void check_answers_within_scale(const Dataset& data, const std::vector<AnswerScale>& scales, const std::string& data_path) {
    const auto x = data.matrix();
    for (Eigen::Index k = 0; k < x.cols(); ++k) {
        const AnswerScale& scale = scales[static_cast<std::size_t>(k)];
        // Missing answers (NaN) are not outside any scale.
        const double low = x.col(k).minCoeff<Eigen::PropagateNumbers>(), high = x.col(k).maxCoeff<Eigen::PropagateNumbers>();
        if (low < scale.min || high > scale.max)
            throw UsageError(data_path + ": indicator '" + data.columns[k] + "' has answers from " + number_text(low) +
                             " to " + number_text(high) + ", outside its scale " + number_text(scale.min) + ":" +
                             number_text(scale.max) +
                             // Survey files code "no answer" as -99, 99, 999: say how to declare such a code.
                             (low < scale.min && low < 0 ? " (if " + number_text(low) + " means no answer, add --missing " + number_text(low) + ")"
                              : high > scale.max && high >= 90 ? " (if " + number_text(high) + " means no answer, add --missing " + number_text(high) + ")"
                                                                 : std::string()));
    }
}

// Per indicator: --scale for all, else the model's scale statements; empty when neither gives one.
std::vector<AnswerScale> answer_scales(const Model& model, const std::optional<AnswerScale>& option) {
    const auto indicators = model.all_indicators();
    if (option) {
        if (!model.scales.empty())
            spdlog::warn("--scale {}:{} replaces the scale statements of {}", number_text(option->min), number_text(option->max),
                         model.source);
        return std::vector<AnswerScale>(indicators.size(), *option);
    }
    const auto stated = model_answer_scales(model);
    std::vector<AnswerScale> scales;
    std::string unscaled;
    for (std::size_t k = 0; k < stated.size(); ++k) {
        if (stated[k])
            scales.push_back(*stated[k]);
        else
            unscaled += (unscaled.empty() ? "" : ", ") + indicators[k];
    }
    if (scales.empty()) return {};
    if (!unscaled.empty())
        throw UsageError(model.source + ": the scale statements give no answer scale to " + unscaled +
                         " (add 'scale MIN:MAX' for all, or name their constructs)");
    return scales;
}

}  // namespace

void add_estimation_options(po::options_description& described, EstimateSettings& s) {
    described.add_options()
        ("model", po::value(&s.model_path)->required(), "model file (lavaan syntax: =~, <~, ~)")
        ("data", po::value(&s.data_path)->required(), "CSV data file with a header row")
        ("delimiter", po::value(&s.delimiter_text)->default_value(","), "field delimiter of the data file: one character, or 'tab'")
        ("decimal-comma", po::bool_switch(&s.csv.decimal_comma), "',' is the decimal mark (European CSV; the delimiter becomes ';' unless given)")
        ("missing", po::value(&s.missing_codes_text), "codes meaning 'no answer', e.g. -99 or -99,99 (empty cells and NA always are)")
        ("missing-treatment", po::value(&s.missing_treatment_text)->default_value("listwise"),
         "missing answers: listwise, mean (replacement), pairwise or em")
        ("case-weights", po::value(&s.csv.weight_column), "column of case (survey) weights: weighted means and correlations")
        ("scheme", po::value(&s.scheme_text)->default_value("path"), "inner weighting scheme: path, centroid or factorial")
        ("tolerance", po::value(&s.options.tolerance)->default_value(s.options.tolerance, "1e-07"),
         "convergence: stop when max |change in outer weights| < T")
        ("max-iter", po::value(&s.options.max_iterations)->default_value(s.options.max_iterations), "iteration limit")
        ("consistent", po::bool_switch(&s.consistent), "consistent PLS (PLSc, Dijkstra & Henseler 2015) for reflective blocks")
        ("scale", po::value(&s.scale_text), "answer scale MIN:MAX of the indicators: adds 0-100 CSI indices (ACSI method)")
        ("bootstrap", po::value(&s.boot.resamples)->default_value(0), "bootstrap resamples (0: none)")
        ("seed", po::value(&s.seed_text)->default_value(s.seed_text), "bootstrap seed; the result is the same for any --threads")
        ("threads", po::value(&s.boot.threads)->default_value(0), "bootstrap threads (0: all cores)")
        ("ci", po::value(&s.ci_text)->default_value("percentile"), "bootstrap confidence interval: percentile, basic or bca")
        ("ci-level", po::value(&s.boot.ci_level)->default_value(0.95, "0.95"), "confidence level of the intervals")
        ("sign-change", po::value(&s.sign_change_text)->default_value("none"), "bootstrap sign correction: none, individual or construct")
        ("fit-test", po::value(&s.fit.resamples)->default_value(0),
         "bootstrap test of exact fit with this many resamples (Bollen-Stine; use --consistent for reflective models)")
        ("predict", po::bool_switch(&s.predict), "predictive power: Q2 by blindfolding and PLSpredict (RMSE, MAE vs a linear model)")
        ("omission-distance", po::value(&s.blindfold.omission_distance)->default_value(7), "blindfolding omission distance D")
        ("folds", po::value(&s.plspredict.folds)->default_value(10), "PLSpredict folds k")
        ("repetitions", po::value(&s.plspredict.repetitions)->default_value(10), "PLSpredict repetitions")
        ("ipma", po::value(&s.ipma_target), "with --scale: importance-performance map for this target construct")
        ("group", po::value(&s.group_column), "text column of groups (company, segment, period): the model is also estimated per group")
        ("pooled", po::bool_switch(&s.groups.pooled), "with --group: groups keep the pooled estimate's weights instead of their own")
        ("group-pairs", po::value(&s.group_pairs_text)->default_value("auto"),
         "group-difference tests: auto (all pairs up to 10 groups), all, none, or A:B[,C:D...]")
        ("permutations", po::value(&s.groups.permutations)->default_value(0), "permutation tests of group differences with this many permutations")
        ("aggregate", po::value(&s.aggregate_path), "with --group and --scale: CSV of group weights and levels (industry, sector) to aggregate indices");
    described.add_options()
        ("item-scores", po::bool_switch(&s.practice.item_scores), "with --scale: mean item satisfaction on -90..+90, per item and construct")
        ("weights-index", po::value(&s.practice.weights_index_path), "with --scale: fixed-weight hierarchical index (0-100) from a CSV node,parent,weight")
        ("gap", po::value(&s.practice.gap_text), "with --scale: satisfaction-minus-expectation gaps, PERCEIVED:EXPECTED[,...] (data columns)");
}

void finish_settings(EstimateSettings& s) {
    s.boot.seed = parse_seed(s.seed_text);
    s.fit.seed = s.boot.seed;
    s.plspredict.seed = s.boot.seed;
    const auto scheme = inner_scheme_from_string(s.scheme_text);
    if (!scheme) throw UsageError("--scheme must be path, centroid or factorial, got '" + s.scheme_text + "'");
    s.options.scheme = *scheme;
    s.options.validate();
    const auto ci = confidence_interval_from_string(s.ci_text);
    if (!ci) throw UsageError("--ci must be percentile, basic or bca, got '" + s.ci_text + "'");
    s.boot.ci = *ci;
    const auto sign_change = sign_change_from_string(s.sign_change_text);
    if (!sign_change) throw UsageError("--sign-change must be none, individual or construct, got '" + s.sign_change_text + "'");
    s.boot.sign_change = *sign_change;
    s.boot.validate();
    s.fit.validate();
    if (!s.scale_text.empty()) s.scale = parse_answer_scale(s.scale_text);
    s.csv.delimiter = parse_delimiter(s.delimiter_text);
    if (s.csv.decimal_comma && s.delimiter_text == ",") s.csv.delimiter = ';';
    const auto treatment = missing_treatment_from_string(s.missing_treatment_text);
    if (!treatment)
        throw UsageError("--missing-treatment must be listwise, mean, pairwise or em, got '" + s.missing_treatment_text + "'");
    s.missing.treatment = *treatment;
    s.csv.missing_codes.clear();
    if (!s.missing_codes_text.empty()) {
        std::string_view rest = s.missing_codes_text;
        for (;;) {
            const auto comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            double code = 0;
            const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), code);
            if (item.empty() || ec != std::errc() || end != item.data() + item.size() || !std::isfinite(code))
                throw UsageError("--missing takes numbers separated by commas, e.g. -99,99, got '" + s.missing_codes_text + "'");
            s.csv.missing_codes.push_back(code);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    if (!s.csv.weight_column.empty() && (s.predict || s.fit.resamples > 0))
        throw UsageError("--case-weights does not work with --predict or --fit-test yet");
    if (s.predict && s.consistent) throw UsageError("--predict uses plain PLS; run it without --consistent");
    finish_practice_settings(s.practice, s.scale.has_value());
    s.csv.group_column = s.group_column;
    s.csv.validate();
    if (s.group_column.empty()) {
        if (s.groups.pooled || s.groups.permutations > 0 || !s.aggregate_path.empty() || s.group_pairs_text != "auto")
            throw UsageError("--pooled, --group-pairs, --permutations and --aggregate need --group COLUMN");
    } else {
        if (s.predict || s.fit.resamples > 0) throw UsageError("--group does not work with --predict or --fit-test");
        s.groups.consistent = s.consistent;
        s.groups.missing = s.missing;
        s.groups.threads = s.boot.threads;
        using Pairs = GroupOptions::Pairs;
        if (s.group_pairs_text == "auto") s.groups.pairs = Pairs::automatic;
        else if (s.group_pairs_text == "all") s.groups.pairs = Pairs::all;
        else if (s.group_pairs_text == "none") s.groups.pairs = Pairs::none;
        else {
            s.groups.pairs = Pairs::listed;
            std::string_view rest = s.group_pairs_text;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                const std::string_view item = rest.substr(0, comma);
                const auto colon = item.find(':');
                if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size())
                    throw UsageError("--group-pairs takes auto, all, none or A:B[,C:D...], got '" + s.group_pairs_text + "'");
                s.groups.listed_pairs.emplace_back(std::string(item.substr(0, colon)), std::string(item.substr(colon + 1)));
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            }
        }
        s.groups.validate();
    }
}

EstimateRun run_estimation(const EstimateSettings& s) {
    EstimateRun run;
    const std::string model_text = read_text_file(s.model_path);
    run.model = parse_model(model_text, s.model_path);
    validate_model(run.model);
    const Model& model = run.model;
    run.data = read_data(s.data_path, model.all_indicators(), s.csv);
    run.index_scales = answer_scales(model, s.scale);
    const std::vector<bool> reversed = reversed_indicators(model);
    if (!run.index_scales.empty()) check_answers_within_scale(run.data, run.index_scales, s.data_path);
    if (std::find(reversed.begin(), reversed.end(), true) != reversed.end()) {
        if (run.index_scales.empty())
            throw UsageError(s.model_path + ": reverse-coded items are recoded on their answer scale: add a 'scale MIN:MAX' "
                             "statement or --scale");
        reverse_code(run.data, reversed, run.index_scales);
    }
    if (run.index_scales.empty() && (!s.ipma_target.empty() || !s.aggregate_path.empty() || s.index_table_requested))
        throw UsageError("--ipma, --aggregate and --index-table work on indices: give the answer scale with --scale MIN:MAX "
                         "or a 'scale' statement in " + s.model_path);
    const Dataset& data = run.data;
    run.provenance.model_path = s.model_path;
    run.provenance.model_xxh64 = xxh64_hex(model_text.data(), model_text.size());
    run.provenance.data = data.source;
    run.provenance.csv = s.csv;  // provenance.missing is filled by compute_moments below
    try {
        run.moments = compute_moments(data, s.missing, &run.provenance.missing);
        run.result = estimate(model, run.moments, s.options);
        if (s.consistent) run.result = make_consistent(model, run.result, run.moments);
    } catch (const ModelError& error) {
        // What the data make impossible (a constant indicator, too few rows): say which data.
        throw ModelError(s.data_path + ": " + error.what());
    }
    const PlsResult& result = run.result;

    run.assessment = assess(model, result, run.moments);
    // A non-converged run gets its own warning and exit code; its other problems are in the result.
    if (result.converged)
        for (const auto& problem : run.assessment.admissibility.problems) spdlog::warn("inadmissible result: {}", problem);

    // Blindfolding, PLSpredict and the Bollen-Stine test work on whole respondents: with missing
    // values only the complete cases, which is listwise deletion, so the other treatments are refused.
    const bool incomplete = run.provenance.missing.missing_cells() > 0;
    if (incomplete && (s.predict || s.fit.resamples > 0) && s.missing.treatment != MissingTreatment::listwise)
        throw UsageError(std::string(s.predict ? "--predict" : "--fit-test") + " needs whole respondents: with missing values (" +
                         std::to_string(run.provenance.missing.missing_cells()) + " in " + s.data_path +
                         ") it works only with --missing-treatment listwise");
    Dataset complete;
    IndicatorMoments complete_moments;
    if (incomplete && (s.predict || s.fit.resamples > 0)) {
        complete = complete_cases(data);
        complete_moments = compute_moments(complete);
    }
    const Dataset& whole_respondents = incomplete ? complete : data;

    BootstrapOptions boot = s.boot;
    boot.missing = s.missing;
    if (!run.index_scales.empty()) {
        boot.index_scales = run.index_scales;
        run.indices = csi_indices(result, run.moments.means, run.moments.sds, run.index_scales);
        for (std::size_t j = 0; j < result.constructs.size(); ++j)
            if (run.indices->negative_weight[j])
                spdlog::warn("construct '{}' has a negative unstandardized weight: its CSI index is not a weighted mean of "
                             "answers and is not meaningful", result.constructs[j]);
    }

    if (!s.ipma_target.empty()) {
        const auto target = std::find(result.constructs.begin(), result.constructs.end(), s.ipma_target);
        if (target == result.constructs.end())
            throw UsageError("--ipma: '" + s.ipma_target + "' is not a construct of " + s.model_path);
        run.ipma = importance_performance(result, *run.indices, run.moments, run.index_scales,
                                          static_cast<int>(target - result.constructs.begin()));
    }

    if (boot.resamples > 0) {
        BootstrapMonitor monitor;
        {
            const long steps = boot.resamples + (boot.ci == ConfidenceInterval::bca ? static_cast<long>(jackknife_groups(data.rows)) : 0);
            ProgressReporter progress(monitor, steps, "bootstrap");
            run.bootstrap = bootstrap(model, data, result, boot, &monitor);
        }
        const BootstrapResult& resampled = *run.bootstrap;
        if (!resampled.failures.empty())
            spdlog::warn("{} of {} bootstrap resamples failed and were left out (first: replicate {}: {})",
                         resampled.failures.size(), boot.resamples, resampled.failures.front().replicate,
                         resampled.failures.front().reason);
        if (resampled.succeeded < 2)
            spdlog::warn("fewer than 2 bootstrap resamples succeeded: standard errors, p-values and intervals are undefined");
        if (resampled.jackknife_failed > 0)
            spdlog::warn("{} of {} jackknife estimations for the BCa acceleration failed and were left out",
                         resampled.jackknife_failed, resampled.jackknife_groups);
    }

    if (s.predict) {
        try {
            run.q2 = blindfolding(model, whole_respondents, s.options, s.blindfold);
            run.predicted = pls_predict(model, whole_respondents, s.options, s.plspredict);
        } catch (const ModelError& error) {
            throw ModelError(s.data_path + ": " + error.what());
        }
    }

    if (s.fit.resamples > 0) {
        const bool reflective = std::any_of(model.constructs.begin(), model.constructs.end(), [](const Construct& c) {
            return c.mode == MeasurementMode::reflective && c.indicators.size() > 1;
        });
        if (reflective && !s.consistent)
            spdlog::warn("the fit test without --consistent tests the composite model: plain PLS loadings overstate "
                         "common-factor correlations, so reflective (=~) blocks are rejected whenever they hold "
                         "measurement error; add --consistent to test a common-factor model");
        FitTestOptions fit = s.fit;
        fit.threads = s.boot.threads;
        BootstrapMonitor monitor;
        {
            ProgressReporter progress(monitor, fit.resamples, "fit test");
            run.fit_test = bootstrap_fit_test(model, whole_respondents, result, incomplete ? complete_moments : run.moments, fit, &monitor);
        }
        if (!run.fit_test->failures.empty())
            spdlog::warn("{} of {} fit-test resamples were left out (first: replicate {}: {})", run.fit_test->failures.size(),
                         fit.resamples, run.fit_test->failures.front().replicate, run.fit_test->failures.front().reason);
    }
    if (!s.group_column.empty()) {
        BootstrapMonitor monitor;
        {
            ProgressReporter progress(monitor, group_analysis_steps(data, s.boot, s.groups), "groups");
            run.groups = estimate_groups(model, data, result, run.moments, s.options, run.index_scales, boot, s.groups, &monitor);
        }
        for (const auto& group : run.groups->groups)
            if (!group.ok()) spdlog::warn("group '{}' ({} respondents) could not be estimated: {}", group.name, group.n_obs, group.error);
        if (run.groups->failed > 0)
            spdlog::warn("{} of {} groups could not be estimated; their rows say why", run.groups->failed, run.groups->groups.size());
    }
    if (run.indices) {
        run.index_table = make_index_table(result, *run.indices, run.bootstrap ? &*run.bootstrap : nullptr,
                                           run.groups ? &*run.groups : nullptr, s.boot.ci_level);
        if (!s.aggregate_path.empty()) {
            const AggregationPlan plan = read_aggregation_plan(s.aggregate_path, s.group_column, s.csv.delimiter);
            auto rows = aggregate_indices(*run.groups, plan, result.constructs, s.boot.ci_level);
            for (auto& row : rows) run.index_table->rows.push_back(std::move(row));
        }
    }
    if (s.practice.wanted()) run.practice = compute_practice_indices(s.practice, model, s.data_path, s.csv, *s.scale);
    return run;
}

Json EstimateRun::to_json() const {
    Json json = result_to_json(result, moments, provenance);
    add_assessment_to_json(json, result, assessment);
    if (indices) json["csi_index"] = csi_index_to_json(result, *indices, index_scales);
    if (bootstrap) json["bootstrap"] = bootstrap_to_json(result, *bootstrap);
    if (fit_test) json["fit_test"] = fit_test_to_json(*fit_test);
    if (q2) json["prediction"] = prediction_to_json(result, *q2, *predicted);
    if (groups) json["groups"] = groups_to_json(result, *groups, provenance.csv.group_column);
    if (index_table) json["index_table"] = index_table_to_json(*index_table);
    if (practice) {
        json["practice_indices"] = practice_indices_to_json(*practice);
        if (practice->weights_file)
            json["input"]["weights_index"] = {{"path", practice->weights_file->path}, {"xxh64", practice->weights_file->xxh64}};
    }
    if (ipma) json["ipma"] = ipma_to_json(result, *ipma);
    return json;
}

void EstimateRun::write_summary(std::ostream& out) const {
    csipls::write_summary(out, result, provenance, &assessment, bootstrap ? &*bootstrap : nullptr,
                          indices ? &*indices : nullptr, fit_test ? &*fit_test : nullptr, q2 ? &*q2 : nullptr);
    if (practice) write_practice_summary(out, *practice);
    // One group's table says nothing the summary above does not.
    if (index_table && index_table->rows.size() > 1) write_index_table_summary(out, *index_table);
    if (ipma) write_ipma_summary(out, result, *ipma);
}

Eigen::MatrixXd EstimateRun::scores() const {
    if (provenance.missing.missing_cells() == 0) return construct_scores(result, moments, data);
    return construct_scores(result, moments, fill_missing_for_scores(data, moments, {provenance.missing.treatment}));
}

int convergence_exit_code(const EstimateRun& run) {
    if (run.result.converged) return exit_ok;
    spdlog::warn("the PLS iteration did not converge within {} iteration{} (last max |change in weights| = {:.3g} "
                 "> tolerance {:g}); the estimates are not a PLS solution. Try a larger --max-iter or another --scheme.",
                 run.result.iterations, run.result.iterations == 1 ? "" : "s", run.result.last_weight_change,
                 run.result.options.tolerance);
    return exit_not_converged;
}

}  // namespace csipls::cli

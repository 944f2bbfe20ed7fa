// The estimation pipeline: options, their checks, and one run from files to results.
#include "estimate_pipeline.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "progress.hpp"
#include "csipls/consistent.hpp"
#include "csipls/error.hpp"
#include "csipls/file_util.hpp"
#include "csipls/model_file.hpp"

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
void check_answers_within_scale(const Dataset& data, const AnswerScale& scale, const std::string& data_path) {
    const auto x = data.matrix();
    for (Eigen::Index k = 0; k < x.cols(); ++k) {
        const double low = x.col(k).minCoeff(), high = x.col(k).maxCoeff();
        if (low < scale.min || high > scale.max)
            throw UsageError(data_path + ": indicator '" + data.columns[k] + "' has answers from " + number_text(low) +
                             " to " + number_text(high) + ", outside --scale " + number_text(scale.min) + ":" +
                             number_text(scale.max));
    }
}

}  // namespace

void add_estimation_options(po::options_description& described, EstimateSettings& s) {
    described.add_options()
        ("model", po::value(&s.model_path)->required(), "model file (lavaan syntax: =~, <~, ~)")
        ("data", po::value(&s.data_path)->required(), "CSV data file with a header row")
        ("delimiter", po::value(&s.delimiter_text)->default_value(","), "field delimiter of the data file: one character, or 'tab'")
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
        ("repetitions", po::value(&s.plspredict.repetitions)->default_value(10), "PLSpredict repetitions");
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
    if (!s.csv.weight_column.empty() && (s.predict || s.fit.resamples > 0))
        throw UsageError("--case-weights does not work with --predict or --fit-test yet");
    if (s.predict && s.consistent) throw UsageError("--predict uses plain PLS; run it without --consistent");
    s.csv.validate();
}

EstimateRun run_estimation(const EstimateSettings& s) {
    EstimateRun run;
    const std::string model_text = read_text_file(s.model_path);
    run.model = parse_model(model_text, s.model_path);
    validate_model(run.model);
    const Model& model = run.model;
    run.data = read_csv(s.data_path, model.all_indicators(), s.csv);
    const Dataset& data = run.data;
    run.provenance = RunProvenance{s.model_path, xxh64_hex(model_text.data(), model_text.size()), data.source, s.csv};
    try {
        run.moments = compute_moments(data);
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

    BootstrapOptions boot = s.boot;
    if (s.scale) {
        check_answers_within_scale(data, *s.scale, s.data_path);
        run.index_scales.assign(data.columns.size(), *s.scale);
        boot.index_scales = run.index_scales;
        run.indices = csi_indices(result, run.moments.means, run.moments.sds, run.index_scales);
        for (std::size_t j = 0; j < result.constructs.size(); ++j)
            if (run.indices->negative_weight[j])
                spdlog::warn("construct '{}' has a negative unstandardized weight: its CSI index is not a weighted mean of "
                             "answers and is not meaningful", result.constructs[j]);
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
            run.q2 = blindfolding(model, data, s.options, s.blindfold);
            run.predicted = pls_predict(model, data, s.options, s.plspredict);
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
            run.fit_test = bootstrap_fit_test(model, data, result, run.moments, fit, &monitor);
        }
        if (!run.fit_test->failures.empty())
            spdlog::warn("{} of {} fit-test resamples were left out (first: replicate {}: {})", run.fit_test->failures.size(),
                         fit.resamples, run.fit_test->failures.front().replicate, run.fit_test->failures.front().reason);
    }
    return run;
}

Json EstimateRun::to_json() const {
    Json json = result_to_json(result, moments, provenance);
    add_assessment_to_json(json, result, assessment);
    if (indices) json["csi_index"] = csi_index_to_json(result, *indices, index_scales);
    if (bootstrap) json["bootstrap"] = bootstrap_to_json(result, *bootstrap);
    if (fit_test) json["fit_test"] = fit_test_to_json(*fit_test);
    if (q2) json["prediction"] = prediction_to_json(result, *q2, *predicted);
    return json;
}

void EstimateRun::write_summary(std::ostream& out) const {
    csipls::write_summary(out, result, provenance, &assessment, bootstrap ? &*bootstrap : nullptr,
                          indices ? &*indices : nullptr, fit_test ? &*fit_test : nullptr, q2 ? &*q2 : nullptr);
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

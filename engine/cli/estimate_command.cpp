// `csipls estimate`: model file + data file -> PLS estimates (summary, JSON, construct scores).
#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "progress.hpp"
#include "csipls/consistent.hpp"
#include "csipls/csi_index.hpp"
#include "csipls/error.hpp"
#include "csipls/fit_test.hpp"
#include "csipls/prediction.hpp"
#include "csipls/estimate.hpp"
#include "csipls/file_util.hpp"
#include "csipls/model_file.hpp"
#include "csipls/result_writers.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

bool parse_command_line(const std::vector<std::string>& args, const po::options_description& described,
                        po::variables_map& values) {
    const auto parsed = po::command_line_parser(args).options(described).run();
    const auto stray = po::collect_unrecognized(parsed.options, po::include_positional);
    if (!stray.empty()) throw UsageError("unexpected argument '" + stray.front() + "' (options start with --; see --help)");
    po::store(parsed, values);
    if (values.count("help")) {
        std::cout << described;
        return false;
    }
    po::notify(values);
    return true;
}

std::uint64_t parse_seed(const std::string& text) {
    std::uint64_t seed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (ec != std::errc() || end != text.data() + text.size())
        throw UsageError("--seed takes a whole number from 0 to 18446744073709551615, got '" + text + "'");
    return seed;
}

char parse_delimiter(const std::string& text) {
    if (text == "tab" || text == "\\t" || text == "\t") return '\t';
    if (text == "semicolon") return ';';
    if (text.size() != 1) throw UsageError("--delimiter takes one character (or 'tab'), got '" + text + "'");
    return text[0];
}

void refuse_overwriting_inputs(const std::string& output, const std::vector<std::string>& inputs, const char* option) {
    for (const auto& input : inputs)
        if (!input.empty() && same_file(output, input))
            throw UsageError(std::string(option) + " " + output + " would overwrite the input file " + input);
}

namespace {

// Blocks SIGINT, SIGTERM and SIGHUP for its lifetime.
class SignalsHeld {
public:
    SignalsHeld() {
        sigset_t held;
        sigemptyset(&held);
        sigaddset(&held, SIGINT);
        sigaddset(&held, SIGTERM);
        sigaddset(&held, SIGHUP);
        ::sigprocmask(SIG_BLOCK, &held, &previous_);
    }
    ~SignalsHeld() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
    SignalsHeld(const SignalsHeld&) = delete;
    SignalsHeld& operator=(const SignalsHeld&) = delete;

private:
    sigset_t previous_;
};

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

int run_estimate(const std::vector<std::string>& args) {
    std::string model_path, data_path, scheme_text = "path", out_path, scores_path, delimiter_text = ",";
    std::string weight_column;
    std::string ci_text = "percentile", sign_change_text = "none", draws_path, seed_text = "20240229", scale_text;
    EstimationOptions options;
    BootstrapOptions boot;
    FitTestOptions fit;
    BlindfoldingOptions blindfold;
    PlsPredictOptions plspredict;
    bool consistent = false, predict = false;
    po::options_description described("csipls estimate --model FILE --data FILE [options]");
    described.add_options()
        ("help,h", "print this help")
        ("model", po::value(&model_path)->required(), "model file (lavaan syntax: =~, <~, ~)")
        ("data", po::value(&data_path)->required(), "CSV data file with a header row")
        ("delimiter", po::value(&delimiter_text)->default_value(","), "field delimiter of the data file: one character, or 'tab'")
        ("case-weights", po::value(&weight_column), "column of case (survey) weights: weighted means and correlations")
        ("scheme", po::value(&scheme_text)->default_value("path"), "inner weighting scheme: path, centroid or factorial")
        ("tolerance", po::value(&options.tolerance)->default_value(options.tolerance, "1e-07"),
         "convergence: stop when max |change in outer weights| < T")
        ("max-iter", po::value(&options.max_iterations)->default_value(options.max_iterations), "iteration limit")
        ("out", po::value(&out_path), "write the JSON result to this file (replaced atomically)")
        ("scores", po::value(&scores_path), "write construct scores (one row per respondent) to this CSV file")
        ("consistent", po::bool_switch(&consistent), "consistent PLS (PLSc, Dijkstra & Henseler 2015) for reflective blocks")
        ("scale", po::value(&scale_text), "answer scale MIN:MAX of the indicators: adds 0-100 CSI indices (ACSI method)")
        ("bootstrap", po::value(&boot.resamples)->default_value(0), "bootstrap resamples (0: none)")
        ("seed", po::value(&seed_text)->default_value(seed_text), "bootstrap seed; the result is the same for any --threads")
        ("threads", po::value(&boot.threads)->default_value(0), "bootstrap threads (0: all cores)")
        ("ci", po::value(&ci_text)->default_value("percentile"), "bootstrap confidence interval: percentile, basic or bca")
        ("ci-level", po::value(&boot.ci_level)->default_value(0.95, "0.95"), "confidence level of the intervals")
        ("sign-change", po::value(&sign_change_text)->default_value("none"), "bootstrap sign correction: none, individual or construct")
        ("fit-test", po::value(&fit.resamples)->default_value(0),
         "bootstrap test of exact fit with this many resamples (Bollen-Stine; use --consistent for reflective models)")
        ("predict", po::bool_switch(&predict), "predictive power: Q2 by blindfolding and PLSpredict (RMSE, MAE vs a linear model)")
        ("omission-distance", po::value(&blindfold.omission_distance)->default_value(7), "blindfolding omission distance D")
        ("folds", po::value(&plspredict.folds)->default_value(10), "PLSpredict folds k")
        ("repetitions", po::value(&plspredict.repetitions)->default_value(10), "PLSpredict repetitions")
        ("save-draws", po::value(&draws_path), "write every bootstrap replicate's estimates to this CSV file");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;

    boot.seed = parse_seed(seed_text);
    fit.seed = boot.seed;
    plspredict.seed = boot.seed;
    const auto scheme = inner_scheme_from_string(scheme_text);
    if (!scheme) throw UsageError("--scheme must be path, centroid or factorial, got '" + scheme_text + "'");
    options.scheme = *scheme;
    options.validate();
    const auto ci = confidence_interval_from_string(ci_text);
    if (!ci) throw UsageError("--ci must be percentile, basic or bca, got '" + ci_text + "'");
    boot.ci = *ci;
    const auto sign_change = sign_change_from_string(sign_change_text);
    if (!sign_change) throw UsageError("--sign-change must be none, individual or construct, got '" + sign_change_text + "'");
    boot.sign_change = *sign_change;
    boot.validate();
    if (!draws_path.empty() && boot.resamples == 0) throw UsageError("--save-draws needs --bootstrap B");
    fit.validate();
    CsvOptions csv;
    csv.delimiter = parse_delimiter(delimiter_text);
    csv.weight_column = weight_column;
    if (!weight_column.empty() && (predict || fit.resamples > 0))
        throw UsageError("--case-weights does not work with --predict or --fit-test yet");
    if (predict && consistent) throw UsageError("--predict uses plain PLS; run it without --consistent");
    csv.validate();
    const std::pair<const char*, const std::string*> output_options[] = {
        {"--out", &out_path}, {"--scores", &scores_path}, {"--save-draws", &draws_path}};
    for (const auto& [option, output] : output_options) {
        if (output->empty()) continue;
        refuse_overwriting_inputs(*output, {model_path, data_path}, option);
        for (const auto& [other_option, other] : output_options)
            if (other != output && !other->empty() && same_file(*other, *output))
                throw UsageError(std::string(option) + " and " + other_option + " name the same file");
    }

    const std::string model_text = read_text_file(model_path);
    const Model model = parse_model(model_text, model_path);
    validate_model(model);
    const Dataset data = read_csv(data_path, model.all_indicators(), csv);
    IndicatorMoments moments;
    PlsResult result;
    try {
        moments = compute_moments(data);
        result = estimate(model, moments, options);
        if (consistent) result = make_consistent(model, result, moments);
    } catch (const ModelError& error) {
        // What the data make impossible (a constant indicator, too few rows): say which data.
        throw ModelError(data_path + ": " + error.what());
    }

    const Assessment assessment = assess(model, result, moments);
    // A non-converged run gets its own warning and exit code below; its other problems are in the result.
    if (result.converged)
        for (const auto& problem : assessment.admissibility.problems) spdlog::warn("inadmissible result: {}", problem);

    std::optional<CsiIndex> indices;
    if (!scale_text.empty()) {
        const AnswerScale scale = parse_answer_scale(scale_text);
        check_answers_within_scale(data, scale, data_path);
        boot.index_scales.assign(data.columns.size(), scale);
        indices = csi_indices(result, moments.means, moments.sds, boot.index_scales);
        for (std::size_t j = 0; j < result.constructs.size(); ++j)
            if (indices->negative_weight[j])
                spdlog::warn("construct '{}' has a negative unstandardized weight: its CSI index is not a weighted mean of "
                             "answers and is not meaningful", result.constructs[j]);
    }

    std::optional<BootstrapResult> resampled;
    if (boot.resamples > 0) {
        BootstrapMonitor monitor;
        {
            const long steps = boot.resamples + (boot.ci == ConfidenceInterval::bca ? static_cast<long>(jackknife_groups(data.rows)) : 0);
            ProgressReporter progress(monitor, steps, "bootstrap");
            resampled = bootstrap(model, data, result, boot, &monitor);
        }
        if (!resampled->failures.empty())
            spdlog::warn("{} of {} bootstrap resamples failed and were left out (first: replicate {}: {})",
                         resampled->failures.size(), boot.resamples, resampled->failures.front().replicate,
                         resampled->failures.front().reason);
        if (resampled->succeeded < 2)
            spdlog::warn("fewer than 2 bootstrap resamples succeeded: standard errors, p-values and intervals are undefined");
        if (resampled->jackknife_failed > 0)
            spdlog::warn("{} of {} jackknife estimations for the BCa acceleration failed and were left out",
                         resampled->jackknife_failed, resampled->jackknife_groups);
    }

    std::optional<BlindfoldingResult> q2;
    std::optional<PlsPredictResult> predicted;
    if (predict) {
        try {
            q2 = blindfolding(model, data, options, blindfold);
            predicted = pls_predict(model, data, options, plspredict);
        } catch (const ModelError& error) {
            throw ModelError(data_path + ": " + error.what());
        }
    }

    std::optional<FitTestResult> fit_test;
    if (fit.resamples > 0) {
        const bool reflective = std::any_of(model.constructs.begin(), model.constructs.end(), [](const Construct& c) {
            return c.mode == MeasurementMode::reflective && c.indicators.size() > 1;
        });
        if (reflective && !consistent)
            spdlog::warn("the fit test without --consistent tests the composite model: plain PLS loadings overstate "
                         "common-factor correlations, so reflective (=~) blocks are rejected whenever they hold "
                         "measurement error; add --consistent to test a common-factor model");
        fit.threads = boot.threads;
        BootstrapMonitor monitor;
        {
            ProgressReporter progress(monitor, fit.resamples, "fit test");
            fit_test = bootstrap_fit_test(model, data, result, moments, fit, &monitor);
        }
        if (!fit_test->failures.empty())
            spdlog::warn("{} of {} fit-test resamples were left out (first: replicate {}: {})", fit_test->failures.size(),
                         fit.resamples, fit_test->failures.front().replicate, fit_test->failures.front().reason);
    }

    const RunProvenance provenance{model_path, xxh64_hex(model_text.data(), model_text.size()), data.source, csv};
    // Ctrl-C or a kill while files are written would leave temporaries behind: hold such signals
    // until every output is in place (they take effect right after).
    const SignalsHeld held;
    OutputBatch outputs;  // every file of the run, or none
    if (!out_path.empty()) {
        Json json = result_to_json(result, moments, provenance);
        add_assessment_to_json(json, result, assessment);
        if (indices) json["csi_index"] = csi_index_to_json(result, *indices, boot.index_scales);
        if (resampled) json["bootstrap"] = bootstrap_to_json(result, *resampled);
        if (fit_test) json["fit_test"] = fit_test_to_json(*fit_test);
        if (q2) json["prediction"] = prediction_to_json(result, *q2, *predicted);
        outputs.stage(out_path, [&](std::ostream& out) { out << json.dump(2) << '\n'; });
    }
    if (!scores_path.empty()) {
        const Eigen::MatrixXd scores = construct_scores(result, moments, data);
        outputs.stage(scores_path, [&](std::ostream& out) { write_csv_table(out, result.constructs, scores); });
    }
    if (!draws_path.empty())
        outputs.stage(draws_path, [&](std::ostream& out) { write_bootstrap_draws(out, result, *resampled); });
    outputs.commit();
    if (out_path.empty()) {
        write_summary(std::cout, result, provenance, &assessment, resampled ? &*resampled : nullptr,
                      indices ? &*indices : nullptr, fit_test ? &*fit_test : nullptr, q2 ? &*q2 : nullptr);
        std::cout.flush();
        if (!std::cout) throw IoError("standard output: write failed");
    }
    if (!result.converged) {
        spdlog::warn("the PLS iteration did not converge within {} iteration{} (last max |change in weights| = {:.3g} "
                     "> tolerance {:g}); the estimates are not a PLS solution. Try a larger --max-iter or another --scheme.",
                     result.iterations, result.iterations == 1 ? "" : "s", result.last_weight_change, options.tolerance);
        return exit_not_converged;
    }
    return exit_ok;
}

}  // namespace csipls::cli

// `csipls estimate`: model file + data file -> PLS estimates (summary, JSON, construct scores).
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "progress.hpp"
#include "csipls/error.hpp"
#include "csipls/estimate.hpp"
#include "csipls/file_util.hpp"
#include "csipls/model_file.hpp"
#include "csipls/result_writers.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

char parse_delimiter(const std::string& text) {
    if (text == "tab" || text == "\\t" || text == "\t") return '\t';
    if (text == "semicolon") return ';';
    if (text.size() != 1) throw UsageError("--delimiter takes one character (or 'tab'), got '" + text + "'");
    return text[0];
}

void refuse_overwriting_inputs(const std::string& output, const std::vector<std::string>& inputs, const char* option) {
    std::error_code ec;
    for (const auto& input : inputs)
        if (std::filesystem::equivalent(output, input, ec))
            throw UsageError(std::string(option) + " " + output + " would overwrite the input file " + input);
}

int run_estimate(const std::vector<std::string>& args) {
    std::string model_path, data_path, scheme_text = "path", out_path, scores_path, delimiter_text = ",";
    std::string ci_text = "percentile", sign_change_text = "none", draws_path;
    EstimationOptions options;
    BootstrapOptions boot;
    po::options_description described("csipls estimate --model FILE --data FILE [options]");
    described.add_options()
        ("help,h", "print this help")
        ("model", po::value(&model_path)->required(), "model file (lavaan syntax: =~, <~, ~)")
        ("data", po::value(&data_path)->required(), "CSV data file with a header row")
        ("delimiter", po::value(&delimiter_text)->default_value(","), "field delimiter of the data file: one character, or 'tab'")
        ("scheme", po::value(&scheme_text)->default_value("path"), "inner weighting scheme: path, centroid or factorial")
        ("tolerance", po::value(&options.tolerance)->default_value(options.tolerance, "1e-7"),
         "convergence: stop when max |change in outer weights| < T")
        ("max-iter", po::value(&options.max_iterations)->default_value(options.max_iterations), "iteration limit")
        ("out", po::value(&out_path), "write the JSON result to this file (replaced atomically)")
        ("scores", po::value(&scores_path), "write construct scores (one row per respondent) to this CSV file")
        ("bootstrap", po::value(&boot.resamples)->default_value(0), "bootstrap resamples (0: none)")
        ("seed", po::value(&boot.seed)->default_value(boot.seed), "bootstrap seed; the result is the same for any --threads")
        ("threads", po::value(&boot.threads)->default_value(0), "bootstrap threads (0: all cores)")
        ("ci", po::value(&ci_text)->default_value("percentile"), "bootstrap confidence interval: percentile, basic or bca")
        ("ci-level", po::value(&boot.ci_level)->default_value(0.95), "confidence level of the intervals")
        ("sign-change", po::value(&sign_change_text)->default_value("none"), "bootstrap sign correction: none, individual or construct")
        ("save-draws", po::value(&draws_path), "write every bootstrap replicate's estimates to this CSV file");
    po::variables_map values;
    po::store(po::command_line_parser(args).options(described).run(), values);
    if (values.count("help")) {
        std::cout << described;
        return exit_ok;
    }
    po::notify(values);

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
    CsvOptions csv;
    csv.delimiter = parse_delimiter(delimiter_text);
    csv.validate();
    const std::pair<const char*, const std::string*> outputs[] = {
        {"--out", &out_path}, {"--scores", &scores_path}, {"--save-draws", &draws_path}};
    for (const auto& [option, output] : outputs) {
        if (output->empty()) continue;
        refuse_overwriting_inputs(*output, {model_path, data_path}, option);
        for (const auto& [other_option, other] : outputs)
            if (other != output && *other == *output)
                throw UsageError(std::string(option) + " and " + other_option + " name the same file");
    }

    const std::string model_text = read_text_file(model_path);
    const Model model = parse_model(model_text, model_path);
    validate_model(model);
    const Dataset data = read_csv(data_path, model.all_indicators(), csv);
    const IndicatorMoments moments = compute_moments(data);
    const PlsResult result = estimate(model, moments, options);

    std::optional<BootstrapResult> resampled;
    if (boot.resamples > 0) {
        BootstrapMonitor monitor;
        {
            ProgressReporter progress(monitor, boot.resamples, "bootstrap");
            resampled = bootstrap(model, data, result, boot, &monitor);
        }
        if (!resampled->failures.empty())
            spdlog::warn("{} of {} bootstrap resamples failed and were left out (first: replicate {}: {})",
                         resampled->failures.size(), boot.resamples, resampled->failures.front().replicate,
                         resampled->failures.front().reason);
    }

    const RunProvenance provenance{model_path, xxh64_hex(model_text.data(), model_text.size()), data.source, csv};
    if (!out_path.empty()) {
        Json json = result_to_json(result, moments, provenance);
        if (resampled) json["bootstrap"] = bootstrap_to_json(result, *resampled);
        write_file_atomically(out_path, [&](std::ostream& out) { out << json.dump(2) << '\n'; });
    } else {
        write_summary(std::cout, result, provenance, resampled ? &*resampled : nullptr);
    }
    if (!draws_path.empty())
        write_file_atomically(draws_path, [&](std::ostream& out) { write_bootstrap_draws(out, result, *resampled); });
    if (!scores_path.empty()) {
        const Eigen::MatrixXd scores = construct_scores(result, moments, data);
        write_file_atomically(scores_path, [&](std::ostream& out) { write_csv_table(out, result.constructs, scores); });
    }
    if (!result.converged) {
        spdlog::error("the PLS iteration did not converge in {} iterations (last max |change in weights| = {:.3g} "
                      "> tolerance {:g}); the estimates are not a PLS solution. Try a larger --max-iter or another --scheme.",
                      result.iterations, result.last_weight_change, options.tolerance);
        return exit_not_converged;
    }
    return exit_ok;
}

}  // namespace csipls::cli

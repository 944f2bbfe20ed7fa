// `csipls estimate`: model file + data file -> PLS estimates (summary, JSON, construct scores).
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>

#include "commands.hpp"
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
    EstimationOptions options;
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
        ("scores", po::value(&scores_path), "write construct scores (one row per respondent) to this CSV file");
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
    CsvOptions csv;
    csv.delimiter = parse_delimiter(delimiter_text);
    csv.validate();
    for (const auto* output : {&out_path, &scores_path})
        if (!output->empty())
            refuse_overwriting_inputs(*output, {model_path, data_path}, output == &out_path ? "--out" : "--scores");
    if (!out_path.empty() && out_path == scores_path) throw UsageError("--out and --scores name the same file");

    const std::string model_text = read_text_file(model_path);
    const Model model = parse_model(model_text, model_path);
    validate_model(model);
    const Dataset data = read_csv(data_path, model.all_indicators(), csv);
    const IndicatorMoments moments = compute_moments(data);
    const PlsResult result = estimate(model, moments, options);

    const RunProvenance provenance{model_path, xxh64_hex(model_text.data(), model_text.size()), data.source, csv};
    if (!out_path.empty()) {
        const Json json = result_to_json(result, moments, provenance);
        write_file_atomically(out_path, [&](std::ostream& out) { out << json.dump(2) << '\n'; });
    } else {
        write_summary(std::cout, result, provenance);
    }
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

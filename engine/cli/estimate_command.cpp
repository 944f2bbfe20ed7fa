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
#include "study_command.hpp"
#include "progress.hpp"
#include "signals_held.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/prediction.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/report/xlsx.hpp"

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

void refuse_overwriting_inputs(const std::string& output, const std::vector<std::string>& inputs, const char* option) {
    for (const auto& input : inputs)
        if (!input.empty() && same_file(output, input))
            throw UsageError(std::string(option) + " " + output + " would overwrite the input file " + input);
}


namespace {

// `csipls estimate`, and `csipls segment` (the same with a segmentation method, FIMIX by default).
int run_estimation(const std::vector<std::string>& args, bool segment) {
    StudyCommandLine line;
    std::string out_path, scores_path, draws_path, index_table_path, xlsx_path, assignments_path;
    po::options_description described(segment ? "csipls segment --model FILE --data FILE [--method fimix|pos] [--k 1..6] [options]"
                                              : "csipls estimate --model FILE --data FILE [options]");
    described.add_options()("help,h", "print this help");
    add_study_options(described, line);
    described.add_options()
        ("out", po::value(&out_path), "write the JSON result to this file (replaced atomically)")
        ("scores", po::value(&scores_path), "write construct scores (one row per respondent) to this CSV file")
        ("save-draws", po::value(&draws_path), "write every bootstrap replicate's estimates to this CSV file")
        ("index-table", po::value(&index_table_path), "with --scale: write the index table (a row per group, CI columns) to this CSV file")
        ("xlsx", po::value(&xlsx_path), "write the result as an Excel workbook (a sheet per table) to this file")
        ("assignments", po::value(&assignments_path),
         "with --method: write each data row's segment (and FIMIX's posterior probabilities) to this CSV file");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;
    const std::vector<std::string> inputs = input_paths(line);
    const std::pair<const char*, const std::string*> output_options[] = {
        {"--out", &out_path}, {"--scores", &scores_path}, {"--save-draws", &draws_path}, {"--index-table", &index_table_path},
        {"--xlsx", &xlsx_path}, {"--assignments", &assignments_path}};
    for (const auto& [option, output] : output_options) {
        if (output->empty()) continue;
        refuse_overwriting_inputs(*output, inputs, option);
        for (const auto& [other_option, other] : output_options)
            if (other != output && !other->empty() && same_file(*other, *output))
                throw UsageError(std::string(option) + " and " + other_option + " name the same file");
    }
    StudyOptions options = study_options_from(values, line);
    if (!draws_path.empty() && options.bootstrap.resamples == 0) throw UsageError("--save-draws needs --bootstrap B");
    options.index_table = !index_table_path.empty();
    if (!assignments_path.empty() && options.segmentation.method == SegmentationMethod::none)
        throw UsageError("--assignments needs --method fimix or pos (or the segment command)");

    const StudyResult run = run_study_files(line, options);

    // Ctrl-C or a kill while files are written would leave temporaries behind: hold such signals
    // until every output is in place (they take effect right after).
    const SignalsHeld held;
    OutputBatch outputs;  // every file of the run, or none
    std::optional<Json> json;
    if (!out_path.empty() || !xlsx_path.empty()) json = run.to_json();
    if (!out_path.empty()) outputs.stage(out_path, [&](std::ostream& out) { out << json->dump(2) << '\n'; });
    if (!xlsx_path.empty()) {
        // Rendered from the JSON document, as `csipls report --xlsx` renders a saved result.
        const std::string workbook = render_xlsx_workbook(*json);
        outputs.stage(xlsx_path, [&](std::ostream& out) { out.write(workbook.data(), static_cast<std::streamsize>(workbook.size())); });
    }
    if (!scores_path.empty()) {
        const Eigen::MatrixXd scores = run.scores();
        outputs.stage(scores_path, [&](std::ostream& out) { write_csv_table(out, run.estimates.constructs, scores); });
    }
    if (!draws_path.empty())
        outputs.stage(draws_path, [&](std::ostream& out) { write_bootstrap_draws(out, run.estimates, *run.bootstrap); });
    if (!index_table_path.empty())
        outputs.stage(index_table_path, [&](std::ostream& out) { write_index_table_csv(out, *run.index_table); });
    if (!assignments_path.empty())
        outputs.stage(assignments_path, [&](std::ostream& out) { write_segment_assignments(out, *run.segmentation); });
    outputs.commit();
    if (out_path.empty()) {
        run.write_summary(std::cout);
        std::cout.flush();
        if (!std::cout) throw IoError("standard output: write failed");
    }
    return exit_code_of(run);
}

}  // namespace

int run_estimate(const std::vector<std::string>& args) { return run_estimation(args, false); }
int run_segment(const std::vector<std::string>& args) {
    // FIMIX unless --method says otherwise; set before the options are validated (--describe needs a method).
    const bool method_given = std::any_of(args.begin(), args.end(), [](const std::string& arg) { return arg.rfind("--method", 0) == 0; });
    std::vector<std::string> with_method = args;
    if (!method_given) with_method.insert(with_method.begin(), {"--method", "fimix"});
    return run_estimation(with_method, true);
}

}  // namespace csipls::cli

// `csipls report`: the study report as one HTML page, estimated now (--model, --data) or from a saved
// result (--result). Both routes render the same JSON document, so they give the same page.
#include <algorithm>
#include <boost/program_options.hpp>
#include <functional>
#include <iostream>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "pdf_printer.hpp"
#include "study_command.hpp"
#include "signals_held.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/result_reader.hpp"
#include "csipls/report/report.hpp"
#include "csipls/report/xlsx.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

namespace {

bool has_option(const std::vector<std::string>& args, const std::string& name) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) { return a == name || a.rfind(name + "=", 0) == 0; });
}

ReportDraws draws_of(const StudyResult& run) {
    ReportDraws draws;
    const BootstrapResult& boot = *run.bootstrap;
    for (std::size_t k = 0; k < boot.parameters.size(); ++k) {
        draws.labels.push_back(parameter_label(run.estimates, boot.parameters[k]));
        const auto column = boot.draws.col(static_cast<Eigen::Index>(k));
        draws.columns.emplace_back(column.data(), column.data() + column.size());
    }
    return draws;
}

// What a report run writes: any of the HTML page, the workbook and the PDF.
struct ReportOutputs {
    std::string html_path;
    std::string xlsx_path;
    std::string pdf_path;
    std::string language = "en";  // of the report's fixed texts (--lang)
    std::string browser;  // found before estimating, so a missing one costs no estimation
};

void add_output_options(po::options_description& described, ReportOutputs& outputs) {
    described.add_options()
        ("out", po::value(&outputs.html_path), "write the HTML report here (replaced atomically; - for stdout)")
        ("xlsx", po::value(&outputs.xlsx_path), "write the result as an Excel workbook (a sheet per table) here")
        ("pdf", po::value(&outputs.pdf_path),
         "write the report as PDF here, printed by headless Chromium ($CSIPLS_CHROMIUM, else chromium on PATH)")
        ("lang", po::value(&outputs.language)->default_value("en"),
         "language of the report's titles, headers and notes: en or zh (names from the model and data stay as they are)");
}

void check_outputs(ReportOutputs& outputs, const std::vector<std::string>& inputs) {
    if (outputs.html_path.empty() && outputs.xlsx_path.empty() && outputs.pdf_path.empty())
        throw UsageError("the option '--out' is required but missing (or give --xlsx or --pdf alone)");
    const std::vector<std::pair<const char*, const std::string*>> named{
        {"--out", &outputs.html_path}, {"--xlsx", &outputs.xlsx_path}, {"--pdf", &outputs.pdf_path}};
    for (std::size_t i = 0; i < named.size(); ++i) {
        if (named[i].second->empty()) continue;
        refuse_overwriting_inputs(*named[i].second, inputs, named[i].first);
        for (std::size_t j = i + 1; j < named.size(); ++j)
            if (!named[j].second->empty() && same_file(*named[i].second, *named[j].second))
                throw UsageError(std::string(named[i].first) + " and " + named[j].first + " name the same file");
    }
    if (!outputs.pdf_path.empty()) outputs.browser = find_chromium();
}

// Renders every requested output before any is written, naming `source` when the document is not
// what a csipls result holds; then writes them all or none.
void write_report(const ReportOutputs& paths, const Json& result, const ReportDraws* draws, const ReportOptions& options,
                  const std::string& source, const std::function<void()>& rendered) {
    std::string html, workbook, printable, pdf;
    try {
        if (!paths.html_path.empty()) html = render_html_report(result, draws, options);
        if (!paths.xlsx_path.empty()) workbook = render_xlsx_workbook(result);
        if (!paths.pdf_path.empty()) {
            ReportOptions print_options = options;
            print_options.print = true;
            printable = render_html_report(result, draws, print_options);
        }
    } catch (const InputError& error) {
        throw InputError(source + ": " + error.what());
    }
    rendered();
    // The slow step, and one that can fail, comes before anything is staged.
    if (!paths.pdf_path.empty()) pdf = print_to_pdf(printable, paths.browser);
    const auto bytes = [](const std::string& data) {
        return [&data](std::ostream& out) { out.write(data.data(), static_cast<std::streamsize>(data.size())); };
    };
    const SignalsHeld held;
    OutputBatch outputs;
    if (!paths.html_path.empty()) outputs.stage(paths.html_path, bytes(html));
    if (!paths.xlsx_path.empty()) outputs.stage(paths.xlsx_path, bytes(workbook));
    if (!paths.pdf_path.empty()) outputs.stage(paths.pdf_path, bytes(pdf));
    outputs.commit();
}

int report_from_result(const std::vector<std::string>& args, po::options_description& general) {
    std::string result_path, draws_path;
    ReportOutputs outputs;
    ReportOptions options;
    po::options_description described(
        "csipls report --result RESULT.json [--draws DRAWS.csv] --out REPORT.html [--xlsx BOOK.xlsx] [--pdf REPORT.pdf] [--lang en|zh]");
    described.add(general);
    described.add_options()
        ("result", po::value(&result_path)->required(), "a saved JSON result (csipls estimate --out)")
        ("draws", po::value(&draws_path), "its bootstrap draws (csipls estimate --save-draws) for the histograms")
        ("period", po::value(&options.period_column), "the result's groups are periods of this column: add a control chart");
    add_output_options(described, outputs);
    for (const char* estimation_only : {"--model", "--data"})
        if (has_option(args, estimation_only))
            throw UsageError(std::string("--result and ") + estimation_only + " exclude each other: report a saved result, "
                             "or estimate with --model and --data");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;
    check_outputs(outputs, {result_path, draws_path});
    options.language = parse_report_language(outputs.language);

    // Checks the schema version (refusing a newer one) and the measurement model, naming the file.
    const ResultView view = ResultView::from_file(result_path);
    const Json& result = view.json();
    std::optional<ReportDraws> draws;
    if (!draws_path.empty()) {
        draws = parse_report_draws(read_text_file(draws_path), draws_path);
        // Draws from another run would draw the wrong histograms without any sign of it.
        const Json* boot = result.is_object() && result.contains("bootstrap") ? &result["bootstrap"] : nullptr;
        if (!boot || !boot->is_object())
            throw InputError(draws_path + ": the result " + result_path + " has no bootstrap, so these draws are not from it");
        const std::size_t rows = draws->columns.empty() ? 0 : draws->columns.front().size();
        const auto succeeded = boot->value("succeeded", Json());
        if (succeeded.is_number_integer() && succeeded.get<long long>() != static_cast<long long>(rows))
            throw InputError(draws_path + ": " + std::to_string(rows) + " replicates, but the bootstrap of " + result_path +
                             " has " + std::to_string(succeeded.get<long long>()) + ": the draws are not from this result");
    }
    // Said once the result has proved readable (a refused file gets its error alone); a result that
    // renders is one that was readable.
    write_report(outputs, result, draws ? &*draws : nullptr, options, result_path, [&] {
        for (const auto& notice : view.notices()) spdlog::warn("{}", notice);
    });
    return exit_ok;
}

int report_from_data(const std::vector<std::string>& args, po::options_description& general) {
    StudyCommandLine line;
    ReportOutputs outputs;
    ReportOptions options;
    po::options_description described(
        "csipls report --model FILE --data FILE [estimation options] --out REPORT.html [--xlsx BOOK.xlsx] [--pdf REPORT.pdf] [--lang en|zh]");
    described.add(general);
    add_study_options(described, line);
    described.add_options()
        ("period", po::value(&options.period_column),
         "estimate one group per value of this column (periods, in their order) and add a control chart of the index");
    add_output_options(described, outputs);
    for (const char* result_only : {"--draws"})
        if (has_option(args, result_only)) throw UsageError(std::string(result_only) + " goes with --result");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;
    // The periods are the groups the study estimates one by one.
    check_outputs(outputs, input_paths(line));
    options.language = parse_report_language(outputs.language);
    const StudyOptions study_options = study_options_from(values, line, options.period_column);

    const StudyResult run = run_study_files(line, study_options);
    const Json result = run.to_json();
    std::optional<ReportDraws> draws;
    if (run.bootstrap && run.bootstrap->succeeded > 0) draws = draws_of(run);
    write_report(outputs, result, draws ? &*draws : nullptr, options, "the estimate of " + line.data_path, [] {});
    return exit_code_of(run);
}

}  // namespace

int run_report(const std::vector<std::string>& args) {
    po::options_description general("general");
    general.add_options()("help,h", "print this help");
    if (has_option(args, "--help") || has_option(args, "-h")) {
        // Both routes' options, so one --help shows how to report either way.
        std::vector<std::string> help{"--help"};
        std::cout << "csipls report: the study report as one self-contained HTML page, a PDF of it, an Excel workbook\n\n";
        report_from_data(help, general);
        std::cout << '\n';
        report_from_result(help, general);
        return exit_ok;
    }
    return has_option(args, "--result") ? report_from_result(args, general) : report_from_data(args, general);
}

}  // namespace csipls::cli

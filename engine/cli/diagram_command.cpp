// `csipls diagram`: the path diagram alone, as SVG and as Graphviz DOT; with estimates when data are
// given, the model's structure only without.
#include <algorithm>
#include <boost/program_options.hpp>

#include "commands.hpp"
#include "study_command.hpp"
#include "signals_held.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/study/study_files.hpp"
#include "csipls/report/report.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

int run_diagram(const std::vector<std::string>& args) {
    std::string svg_path, dot_path;
    StudyCommandLine line;
    const bool with_data = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "--data" || a.rfind("--data=", 0) == 0 || a == "--help" || a == "-h";
    });
    po::options_description described("csipls diagram --model FILE [--data FILE [estimation options]] --svg FILE --dot FILE");
    described.add_options()("help,h", "print this help");
    if (with_data) {
        add_study_options(described, line);
    } else {
        // Structure only: the model file is all there is to read.
        described.add_options()("model", po::value(&line.model_path)->required(), "model file (lavaan syntax: =~, <~, ~)");
    }
    described.add_options()
        ("svg", po::value(&svg_path), "write the diagram as SVG here (replaced atomically; - for stdout)")
        ("dot", po::value(&dot_path), "write the diagram as Graphviz DOT here (replaced atomically; - for stdout)");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;
    if (svg_path.empty() && dot_path.empty()) throw UsageError("diagram needs --svg FILE, --dot FILE or both");
    if (!svg_path.empty() && !dot_path.empty() && same_file(svg_path, dot_path) && svg_path != "-")
        throw UsageError("--svg and --dot name the same file");
    for (const auto& [option, output] : {std::pair{"--svg", &svg_path}, std::pair{"--dot", &dot_path}})
        if (!output->empty()) refuse_overwriting_inputs(*output, input_paths(line), option);
    const StudyOptions options = with_data ? study_options_from(values, line) : StudyOptions{};

    DiagramModel diagram;
    int exit_code = exit_ok;
    if (with_data) {
        const StudyResult run = run_study_files(line, options);
        diagram = diagram_from_result(run.to_json());
        exit_code = exit_code_of(run);
    } else {
        diagram = diagram_from_model(load_model(line.model_path));
    }

    const SignalsHeld held;
    OutputBatch outputs;
    if (!svg_path.empty()) {
        const std::string svg = render_diagram_svg(diagram);
        outputs.stage(svg_path, [&](std::ostream& out) { out << svg; });
    }
    if (!dot_path.empty()) {
        const std::string dot = render_diagram_dot(diagram);
        outputs.stage(dot_path, [&](std::ostream& out) { out << dot; });
    }
    outputs.commit();
    return exit_code;
}

}  // namespace csipls::cli

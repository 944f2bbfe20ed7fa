// `csipls diagram`: the path diagram alone, as SVG and as Graphviz DOT; with estimates when data are
// given, the model's structure only without.
#include <algorithm>
#include <boost/program_options.hpp>

#include "commands.hpp"
#include "estimate_pipeline.hpp"
#include "signals_held.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/report/report.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

int run_diagram(const std::vector<std::string>& args) {
    std::string svg_path, dot_path;
    EstimateSettings settings;
    const bool with_data = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "--data" || a.rfind("--data=", 0) == 0 || a == "--help" || a == "-h";
    });
    po::options_description described("csipls diagram --model FILE [--data FILE [estimation options]] --svg FILE --dot FILE");
    described.add_options()("help,h", "print this help");
    if (with_data) {
        add_estimation_options(described, settings);
    } else {
        // Structure only: the model file is all there is to read.
        described.add_options()("model", po::value(&settings.model_path)->required(), "model file (lavaan syntax: =~, <~, ~)");
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
        if (!output->empty()) refuse_overwriting_inputs(*output, settings.input_paths(), option);

    DiagramModel diagram;
    int exit_code = exit_ok;
    if (with_data) {
        finish_settings(settings);
        const EstimateRun run = run_estimation(settings);
        diagram = diagram_from_result(run.to_json());
        exit_code = convergence_exit_code(run);
    } else {
        const Model model = parse_model(read_text_file(settings.model_path), settings.model_path);
        validate_model(model);
        diagram = diagram_from_model(model);
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

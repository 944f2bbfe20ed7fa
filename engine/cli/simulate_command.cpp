// `csipls simulate`: draws survey-like data from a population model (values in the model file in
// lavaan's fixed-value syntax, or taken from an earlier JSON result with --params).
#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <spdlog/spdlog.h>
#include <charconv>
#include <iostream>

#include "commands.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/result_reader.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/core/simulate.hpp"

namespace po = boost::program_options;

namespace csipls::cli {
namespace {

void parse_scale(const std::string& text, SimulationOptions& options) {
    const auto colon = text.find(':');
    auto parse_int = [&](std::string_view part, int& value) {
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        return ec == std::errc() && end == part.data() + part.size();
    };
    if (colon == std::string::npos || !parse_int(std::string_view(text).substr(0, colon), options.scale_min) ||
        !parse_int(std::string_view(text).substr(colon + 1), options.scale_max))
        throw UsageError("--scale takes MIN:MAX with whole numbers, e.g. 1:10, got '" + text + "'");
}

// Population values from a JSON result of `csipls estimate`: its paths and loadings.
void apply_parameters_file(Model& model, const std::string& path) {
    const ResultView result = ResultView::from_file(path);
    if (!result.has("paths") || !result.has("loadings"))
        throw InputError(path + ": a parameters file is a JSON result of `csipls estimate` (it needs 'paths' and 'loadings')");
    const std::vector<ResultPath> estimates = result.paths();
    for (auto& path_spec : model.paths) {
        const auto at = std::find_if(estimates.begin(), estimates.end(),
                                     [&](const ResultPath& p) { return p.from == path_spec.from && p.to == path_spec.to; });
        if (at == estimates.end()) throw InputError(path + ": no estimate for the path " + path_spec.from + " -> " + path_spec.to);
        if (!std::isfinite(at->estimate))
            throw InputError(path + ": the estimate of the path " + path_spec.from + " -> " + path_spec.to + " is null");
        path_spec.population_value = at->estimate;
    }
    for (auto& construct : model.constructs) {
        construct.population_loadings.assign(construct.indicators.size(), std::nullopt);
        for (std::size_t i = 0; i < construct.indicators.size(); ++i) {
            const Json& loadings = result.json()["loadings"];
            if (!loadings.is_object() || !loadings.contains(construct.name) || !loadings[construct.name].is_object() ||
                !loadings[construct.name].contains(construct.indicators[i]))
                throw InputError(path + ": no loading for indicator '" + construct.indicators[i] + "' of '" + construct.name + "'");
            const double loading = result.loading(construct.name, construct.indicators[i]);
            if (!std::isfinite(loading))
                throw InputError(path + ": the loading of indicator '" + construct.indicators[i] + "' of '" + construct.name + "' is null");
            construct.population_loadings[i] = loading;
        }
    }
    for (const auto& notice : result.notices()) spdlog::warn("{}", notice);
}

}  // namespace

int run_simulate(const std::vector<std::string>& args) {
    std::string model_path, out_path, scale_text = "1:10", params_path, seed_text = "1", mixture_text;
    SimulationOptions options;
    po::options_description described("csipls simulate --model FILE --n N --out FILE [options]");
    described.add_options()
        ("help,h", "print this help")
        ("model", po::value(&model_path)->required(), "model file; population values as `Y ~ 0.4*X`, `F =~ 0.8*x1`")
        ("params", po::value(&params_path), "take population paths and loadings from this JSON result of `csipls estimate`")
        ("n", po::value(&options.n)->required(), "number of respondents")
        ("seed", po::value(&seed_text)->default_value(seed_text), "random seed (same seed, same data, on any machine)")
        ("scale", po::value(&scale_text)->default_value("1:10"), "integer answer scale MIN:MAX")
        ("continuous", po::bool_switch(), "write continuous standardized indicators instead of answers on a scale")
        ("centre", po::value(&options.centre)->default_value(options.centre, "0.7"), "where the average answer sits on the scale, 0..1")
        ("default-loading", po::value(&options.default_loading)->default_value(options.default_loading, "0.8"),
         "loading of indicators without a population value")
        ("default-path", po::value(&options.default_path)->default_value(options.default_path, "0.3"),
         "value of paths without a population value")
        ("groups", po::value(&options.groups)->default_value(0), "simulate this many companies of --n respondents each, in a 'company' column")
        ("group-spread", po::value(&options.group_spread)->default_value(options.group_spread, "0.1"),
         "with --groups: each company's answer centre moves by up to this much (0..0.5)")
        ("mixture", po::value(&mixture_text),
         "hidden segments: FILE:SHARE[,FILE:SHARE...] further population models and their shares; --model takes the rest; "
         "a 'segment' column (S1 = --model) says who came from which")
        ("out", po::value(&out_path)->required(), "CSV file to write (replaced atomically)");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;
    options.seed = parse_seed(seed_text);
    options.discrete = !values["continuous"].as<bool>();
    if (options.discrete) parse_scale(scale_text, options);
    options.validate();
    refuse_overwriting_inputs(out_path, {model_path, params_path}, "--out");

    Model model = read_model_file(model_path);
    if (!params_path.empty()) apply_parameters_file(model, params_path);
    std::vector<Model> populations{model};
    std::vector<double> shares{1.0};
    std::vector<std::string> inputs{model_path, params_path};
    for (std::string_view rest = mixture_text; !rest.empty();) {
        const auto comma = rest.find(',');
        const std::string item(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto colon = item.rfind(':');
        double share = 0;
        const char* const end = item.data() + item.size();
        if (colon == std::string::npos || std::from_chars(item.data() + colon + 1, end, share).ptr != end || !(share > 0 && share < 1))
            throw UsageError("--mixture takes FILE:SHARE[,FILE:SHARE...] with shares between 0 and 1, got '" + item + "'");
        populations.push_back(read_model_file(item.substr(0, colon)));
        inputs.push_back(item.substr(0, colon));
        shares.push_back(share);
        shares.front() -= share;
    }
    if (populations.size() > 1) {
        if (options.groups > 0) throw UsageError("--mixture and --groups cannot be combined");
        if (!(shares.front() > 0)) throw UsageError("--mixture: the shares must leave --model a positive share");
        refuse_overwriting_inputs(out_path, inputs, "--out");
    }
    const Dataset data = populations.size() > 1 ? simulate_mixture(populations, shares, options) : simulate(model, options);
    write_file_atomically(out_path, [&](std::ostream& out) {
        if (data.group_names.empty())
            write_csv_table(out, data.columns, data.matrix());
        else
            write_grouped_csv(out, populations.size() > 1 ? "segment" : "company", data);
    });
    return exit_ok;
}

}  // namespace csipls::cli

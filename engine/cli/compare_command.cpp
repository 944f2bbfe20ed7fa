// `csipls compare OLD.json NEW.json`: the change of every CSI index between two waves (years).
#include <boost/program_options.hpp>
#include <iostream>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "commands.hpp"
#include "signals_held.hpp"
#include "csipls/io/compare_io.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

int run_compare(const std::vector<std::string>& args) {
    std::vector<std::string> inputs;
    std::string out_path, table_path;
    double level = 0.95;
    po::options_description described("csipls compare OLD.json NEW.json [options]");
    described.add_options()
        ("help,h", "print this help")
        ("out", po::value(&out_path), "write the comparison as JSON to this file (replaced atomically)")
        ("table", po::value(&table_path), "write the comparison as CSV (a line per group and construct) to this file")
        ("level", po::value(&level)->default_value(0.95, "0.95"), "confidence level of the intervals and the significance test");
    po::options_description hidden;
    hidden.add_options()("results", po::value(&inputs));
    po::options_description all;
    all.add(described).add(hidden);
    po::positional_options_description positional;
    positional.add("results", -1);
    po::variables_map values;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), values);
    if (values.count("help")) {
        std::cout << described;
        return exit_ok;
    }
    po::notify(values);
    if (inputs.size() != 2)
        throw UsageError("compare takes two JSON results of csipls estimate (the old wave, then the new), got " +
                         std::to_string(inputs.size()));
    if (!(level > 0 && level < 1)) throw UsageError("--level must be between 0 and 1, e.g. 0.95");
    for (const auto& [option, output] : {std::pair<const char*, const std::string*>{"--out", &out_path}, {"--table", &table_path}})
        if (!output->empty()) refuse_overwriting_inputs(*output, inputs, option);
    if (!out_path.empty() && !table_path.empty() && same_file(out_path, table_path))
        throw UsageError("--out and --table name the same file");

    const IndexResultFile old_file = read_index_result(inputs[0]);
    const IndexResultFile new_file = read_index_result(inputs[1]);
    const std::vector<std::string> warnings = check_comparable(old_file, new_file);
    for (const auto& warning : warnings) spdlog::warn("{}", warning);
    IndexComparison comparison;
    try {
        comparison = compare_indices(old_file.wave, new_file.wave, level);
    } catch (const InputError& error) {  // checked above; kept so a gap there is a clear error
        throw InputError(inputs[0] + " and " + inputs[1] + ": " + error.what());
    }

    const SignalsHeld held;
    OutputBatch outputs;
    if (!out_path.empty()) {
        const Json json = index_comparison_to_json(comparison, old_file, new_file, warnings);
        outputs.stage(out_path, [&](std::ostream& out) { out << json.dump(2) << '\n'; });
    }
    if (!table_path.empty())
        outputs.stage(table_path, [&](std::ostream& out) { write_index_comparison_csv(out, comparison); });
    outputs.commit();
    write_index_comparison_table(std::cout, comparison);
    std::cout.flush();
    if (!std::cout) throw IoError("standard output: write failed");
    return exit_ok;
}

}  // namespace csipls::cli

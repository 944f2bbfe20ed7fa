// `csipls montecarlo` (a Monte Carlo study, or one shard of it) and `csipls merge` (its shards).
#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/json.hpp"
#include "csipls/report/report.hpp"
#include "csipls/study/montecarlo_study.hpp"
#include "progress.hpp"

namespace po = boost::program_options;

namespace csipls::cli {
namespace {

// DIR/report.html from DIR/summary.json.
void write_montecarlo_report(const std::string& out_dir) {
    const Json summary = Json::parse(read_text_file(out_dir + "/summary.json"));
    write_file_atomically(out_dir + "/report.html", [&](std::ostream& out) { out << render_montecarlo_html(summary); });
}

}  // namespace

int run_montecarlo(const std::vector<std::string>& args) {
    std::string design_path, out_dir, shard_text;
    int shards = 0, threads = 0;
    po::options_description described("csipls montecarlo --design STUDY.toml --out DIR [options]");
    described.add_options()
        ("help,h", "print this help")
        ("design", po::value(&design_path)->required(), "the study's design (TOML)")
        ("out", po::value(&out_dir)->required(), "output directory: summary.csv, conditions.csv, summary.json, parts/")
        ("resume", po::bool_switch(), "continue from the checkpoint (the part) of an interrupted run")
        ("keep-replications", po::bool_switch(), "also write every replication's estimates to DIR/replications/")
        ("shard", po::value(&shard_text), "run shard I of N (I/N, I from 0); merge the parts with `csipls merge DIR`")
        ("shards", po::value(&shards), "number of shards when the index comes from JOB_COMPLETION_INDEX")
        ("threads", po::value(&threads)->default_value(0), "threads (0: all cores); never changes the result");
    po::variables_map values;
    if (!parse_command_line(args, described, values)) return exit_ok;

    const LoadedDesign loaded = read_design(design_path);
    MonteCarloRunOptions options;
    options.out_dir = out_dir;
    options.resume = values["resume"].as<bool>();
    options.keep_replications = values["keep-replications"].as<bool>();
    options.shard = choose_shard(shard_text, shards, [](const char* name) { return std::getenv(name); });
    if (values["threads"].defaulted() == false) options.threads = threads;
    if (options.shard.count > 1)
        spdlog::info("shard {}/{} (from {})", options.shard.index, options.shard.count, options.shard.source);
    BootstrapMonitor monitor;
    std::unique_ptr<ProgressReporter> progress;
    try {
        run_monte_carlo_study(loaded, options, &monitor, [&](long replications) {
            progress = std::make_unique<ProgressReporter>(monitor, replications, "replications");
        });
    } catch (const Cancelled&) {
        // Unlike other commands, an interrupted study keeps its work: the part holds every completed block.
        progress.reset();
        std::cerr << "csipls: error: interrupted; the completed blocks are kept in " << out_dir
                  << "/parts (continue with --resume)\n";
        return exit_interrupted;
    }
    progress.reset();
    if (options.shard.count == 1) write_montecarlo_report(out_dir);
    return exit_ok;
}

int run_merge(const std::vector<std::string>& args) {
    std::string out_dir;
    po::options_description described("csipls merge DIR");
    described.add_options()("help,h", "print this help")("dir", po::value(&out_dir)->required(),
                                                            "the --out directory of the shards");
    po::positional_options_description positional;
    positional.add("dir", 1);
    po::variables_map values;
    std::vector<std::string> named = args;
    if (!named.empty() && named.front().rfind("-", 0) != 0) named.insert(named.begin(), "--dir");
    if (!parse_command_line(named, described, values)) return exit_ok;
    merge_monte_carlo_parts(out_dir);
    write_montecarlo_report(out_dir);
    return exit_ok;
}

}  // namespace csipls::cli

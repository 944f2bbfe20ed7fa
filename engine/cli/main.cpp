// The csipls command line: picks the subcommand and catches every error once, here.
#include <boost/program_options/errors.hpp>
#include <iostream>
#include <new>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "study_command.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/core/error.hpp"
#include "csipls/version.hpp"

namespace {

constexpr const char* usage = R"(csipls: customer satisfaction index models by PLS path modelling

usage:
  csipls estimate --model FILE --data FILE [options]   estimate a model (csipls estimate --help)
  csipls segment --model FILE --data FILE [--method fimix|pos] [--k 1..6] [--assignments FILE.csv]
                                                       hidden segments: FIMIX-PLS or PLS-POS
  csipls simulate --model FILE --n N --out FILE [options]
                                                       draw survey data from a population model
  csipls report --model FILE --data FILE [options] --out REPORT.html
  csipls report --result RESULT.json [--draws FILE] --out REPORT.html
                                                       the study report as one HTML page
  csipls diagram --model FILE [--data FILE] --svg FILE --dot FILE
                                                       the path diagram as SVG and Graphviz DOT
  csipls compare OLD.json NEW.json [--out FILE.json] [--table FILE.csv] [--level 0.95]
                                                       change of every CSI index between two waves
  csipls montecarlo --design STUDY.toml --out DIR [--shard I/N] [--resume]
                                                       a Monte Carlo study (bias, coverage, power, fit)
  csipls merge DIR                                     merge the shards of a Monte Carlo study
  csipls --version                                     print the engine version
  csipls --help                                        print this help
)";

int dispatch(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << usage;
        return csipls::cli::exit_usage;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << usage;
        return csipls::cli::exit_ok;
    }
    if (command == "--version") {
        std::cout << csipls::engine_name << ' ' << csipls::engine_version << " (" << csipls::engine_commit << ")\n";
        return csipls::cli::exit_ok;
    }
    if (command == "estimate") return csipls::cli::run_estimate(args);
    if (command == "segment") return csipls::cli::run_segment(args);
    if (command == "simulate") return csipls::cli::run_simulate(args);
    if (command == "report") return csipls::cli::run_report(args);
    if (command == "diagram") return csipls::cli::run_diagram(args);
    if (command == "compare") return csipls::cli::run_compare(args);
    if (command == "montecarlo") return csipls::cli::run_montecarlo(args);
    if (command == "merge") return csipls::cli::run_merge(args);
    throw csipls::UsageError("unknown command '" + command + "' (commands: estimate, segment, simulate, report, diagram, compare, montecarlo, merge; see csipls --help)");
}

}  // namespace

int main(int argc, char** argv) {
    auto logger = spdlog::stderr_color_mt("csipls");
    logger->set_pattern("csipls: %^%l%$: %v");
    spdlog::set_default_logger(logger);
    try {
        return dispatch(argc, argv);
    } catch (const csipls::UsageError& error) {
        // The library names its options' fields; say the flags instead.
        std::cerr << "csipls: error: " << csipls::cli::with_flags(error.what()) << '\n';
        return csipls::cli::exit_usage;
    } catch (const boost::program_options::error& error) {
        std::cerr << "csipls: error: " << error.what() << '\n';
        return csipls::cli::exit_usage;
    } catch (const csipls::Cancelled&) {
        std::cerr << "csipls: error: interrupted; nothing was written\n";
        return csipls::cli::exit_interrupted;
    } catch (const csipls::Error& error) {
        std::cerr << "csipls: error: " << error.what() << '\n';
        return csipls::cli::exit_error;
    } catch (const std::bad_alloc&) {
        std::cerr << "csipls: error: out of memory\n";
        return csipls::cli::exit_error;
    } catch (const std::exception& error) {
        std::cerr << "csipls: internal error: " << error.what() << " (please report this)\n";
        return csipls::cli::exit_internal;
    }
}

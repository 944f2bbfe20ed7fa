#pragma once
#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace csipls::cli {

// Exit codes, documented in README.md.
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;          // bad input, model that cannot be estimated, I/O failure
inline constexpr int exit_usage = 2;          // invalid command line
inline constexpr int exit_not_converged = 3;  // result written, but the PLS iteration did not converge
inline constexpr int exit_interrupted = 130;   // Ctrl-C: stopped cleanly, no output written
inline constexpr int exit_internal = 70;      // a bug: please report

// Each subcommand takes the arguments after its name; errors propagate to main's single catch.
int run_estimate(const std::vector<std::string>& args);
int run_segment(const std::vector<std::string>& args);
int run_simulate(const std::vector<std::string>& args);
int run_report(const std::vector<std::string>& args);
int run_diagram(const std::vector<std::string>& args);
int run_compare(const std::vector<std::string>& args);
int run_montecarlo(const std::vector<std::string>& args);
int run_merge(const std::vector<std::string>& args);

// Shared option helpers.
// Parses `args` into `values`, refusing stray words. Returns false when --help was asked for (and printed).
bool parse_command_line(const std::vector<std::string>& args, const boost::program_options::options_description& described,
                        boost::program_options::variables_map& values);
std::uint64_t parse_seed(const std::string& text);
void refuse_overwriting_inputs(const std::string& output, const std::vector<std::string>& inputs, const char* option);

}  // namespace csipls::cli

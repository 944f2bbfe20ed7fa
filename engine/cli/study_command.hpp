#pragma once
// The study options of the commands that estimate (estimate, report, diagram): flags built from the
// library's option table, turned into StudyOptions, and one run with a progress bar. No estimation
// happens here: run_study does it all.
#include <boost/program_options.hpp>
#include <deque>
#include <string>
#include <vector>

#include "csipls/study/study.hpp"

namespace csipls::cli {

struct StudyCommandLine {
    std::string model_path;
    std::string data_path;
    // One slot per field of the option table: the text given (fields with a value) or the switch.
    std::deque<std::string> texts;
    std::deque<bool> switches;
};

// Adds --model, --data and a flag per StudyOptions field to `described`, bound to `line`.
void add_study_options(boost::program_options::options_description& described, StudyCommandLine& line);

// The options the command line gives, validated. `group` (report --period) presets data.group;
// --group must then agree. Throws UsageError (field names; main maps them to flags).
StudyOptions study_options_from(const boost::program_options::variables_map& values, const StudyCommandLine& line,
                                const std::string& group = {});

// Every file the command line names for reading (model, data, the FILE options), so that no output
// may replace one of them. Known before any is read.
std::vector<std::string> input_paths(const StudyCommandLine& line);

// Reads the model and data files and runs the study, with a progress bar on standard error for the
// long stages; its warnings go to the log, with flag names.
StudyResult run_study_files(const StudyCommandLine& line, const StudyOptions& options);

// 0, or exit_not_converged for a run whose PLS iteration did not converge.
int exit_code_of(const StudyResult& result);

// `message` with each StudyOptions field the library names in backquotes replaced by its flag
// ("`bootstrap.resamples`" -> "--bootstrap"), for errors and warnings of the library. Nothing else
// changes, so a construct, column or reason that happens to be a field's name stays as it is.
std::string with_flags(const std::string& message);

}  // namespace csipls::cli

#include "study_command.hpp"

#include <memory>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "progress.hpp"
#include "csipls/core/error.hpp"
#include "csipls/study/option_table.hpp"
#include "csipls/study/study_files.hpp"

namespace po = boost::program_options;

namespace csipls::cli {

namespace {

// Names that are not table fields but appear in the library's messages.
constexpr std::pair<const char*, const char*> other_flags[] = {
    {"index_table", "--index-table"},
};

// The progress bar of each long stage; Ctrl-C cancels through the monitor.
class ProgressMonitor : public StudyMonitor {
public:
    void stage_started(std::string_view stage, long steps) override {
        stage_name_ = std::string(stage);
        reporter_ = std::make_unique<ProgressReporter>(progress, steps, stage_name_.c_str());
    }
    void stage_finished(std::string_view) override { reporter_.reset(); }

private:
    std::string stage_name_;
    std::unique_ptr<ProgressReporter> reporter_;
};

}  // namespace

void add_study_options(po::options_description& described, StudyCommandLine& line) {
    described.add_options()
        ("model", po::value(&line.model_path)->required()->value_name("FILE"), "model file (lavaan syntax: =~, <~, ~)")
        ("data", po::value(&line.data_path)->required()->value_name("FILE"), "data file: CSV (header row), .tsv, or SPSS .sav/.zsav");
    const StudyOptions defaults;
    line.texts.clear();
    line.switches.clear();
    for (const auto& field : study_option_fields()) {
        line.texts.emplace_back();
        line.switches.push_back(false);
        if (!field.value_name) {
            described.add_options()(field.flag, po::bool_switch(&line.switches.back()), field.help);
            continue;
        }
        auto* value = po::value(&line.texts.back())->value_name(field.value_name);
        if (const std::string shown = field.shown_default(defaults); !shown.empty()) value->default_value(shown, shown);
        described.add_options()(field.flag, value, field.help);
    }
}

StudyOptions study_options_from(const po::variables_map& values, const StudyCommandLine& line, const std::string& group) {
    StudyOptions options;
    options.data.group = group;
    const auto& fields = study_option_fields();
    std::vector<std::size_t> files;
    for (std::size_t k = 0; k < fields.size(); ++k) {
        const auto& field = fields[k];
        if (!field.value_name) {
            if (line.switches[k]) field.set(options, "true");
            continue;
        }
        const auto given = values.find(field.flag);
        if (given == values.end() || given->second.defaulted()) continue;
        if (!group.empty() && std::string_view(field.name) == "data.group" && line.texts[k] != group)
            throw UsageError("--period " + group + " and --group " + line.texts[k] + " differ");
        if (std::string_view(field.value_name) == "FILE")
            files.push_back(k);
        else
            field.set(options, line.texts[k]);
    }
    // The files are read last, once the rules between the options hold (the aggregation file is
    // read by the group column: without --group it must say so, not that the file lacks a column).
    if (!files.empty()) {
        StudyOptions declared = options;
        for (std::size_t k : files) {
            if (std::string_view(fields[k].name) == "aggregation") declared.aggregation.emplace();
            if (std::string_view(fields[k].name) == "practice.weights_index") declared.practice.weights_index.emplace();
            if (std::string_view(fields[k].name) == "data.segments") fields[k].set(declared, line.texts[k]);
        }
        declared.validate();
        for (std::size_t k : files) fields[k].set(options, line.texts[k]);
    }
    options.validate();
    return options;
}

std::vector<std::string> input_paths(const StudyCommandLine& line) {
    std::vector<std::string> paths{line.model_path, line.data_path};
    const auto& fields = study_option_fields();
    for (std::size_t k = 0; k < line.texts.size() && k < fields.size(); ++k)
        if (fields[k].value_name && std::string_view(fields[k].value_name) == "FILE" && !line.texts[k].empty())
            paths.push_back(line.texts[k]);
    return paths;
}

StudyResult run_study_files(const StudyCommandLine& line, const StudyOptions& options) {
    const Model model = load_model(line.model_path);
    Dataset data = load_study_data(line.data_path, model, options);
    ProgressMonitor monitor;
    StudyResult result = run_study(model, std::move(data), options, &monitor);
    // The convergence warning goes with the exit code, said once when the outputs are written.
    const std::string convergence = result.convergence_warning();
    for (const auto& warning : result.warnings)
        if (warning != convergence) spdlog::warn("{}", with_flags(warning));
    return result;
}

int exit_code_of(const StudyResult& result) {
    if (result.converged()) return exit_ok;
    spdlog::warn("{}", with_flags(result.convergence_warning()));
    return exit_not_converged;
}

std::string with_flags(const std::string& message) {
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
        const std::size_t open = message.find('`', i);
        const std::size_t close = open == std::string::npos ? std::string::npos : message.find('`', open + 1);
        if (close == std::string::npos) break;
        const std::string_view name(message.data() + open + 1, close - open - 1);
        std::string flag;
        if (const auto* field = find_study_option_field(name)) flag = std::string("--") + field->flag;
        for (const auto& [other, other_flag] : other_flags)
            if (name == other) flag = other_flag;
        out.append(message, i, open - i);
        if (flag.empty())
            out.append(message, open, close + 1 - open);  // not an option: as the library wrote it
        else
            out += flag;
        i = close + 1;
    }
    out.append(message, i, std::string::npos);
    return out;
}

}  // namespace csipls::cli

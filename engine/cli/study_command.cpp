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
    {"groups.listed_pairs", "--group-pairs"},
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
        ("model", po::value(&line.model_path)->required(), "model file (lavaan syntax: =~, <~, ~)")
        ("data", po::value(&line.data_path)->required(), "data file: CSV (header row), .tsv, or SPSS .sav/.zsav");
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

StudyOptions study_options_from(const po::variables_map& values, StudyCommandLine& line, const std::string& group) {
    StudyOptions options;
    options.data.group = group;
    const auto& fields = study_option_fields();
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
        field.set(options, line.texts[k]);
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
    for (const auto& warning : result.warnings)
        // The convergence warning is the exit code's, said once when the outputs are written.
        if (result.converged() || warning.find("did not converge") == std::string::npos) spdlog::warn("{}", with_flags(warning));
    return result;
}

int exit_code_of(const StudyResult& result) {
    if (result.converged()) return exit_ok;
    for (const auto& warning : result.warnings)
        if (warning.find("did not converge") != std::string::npos) spdlog::warn("{}", with_flags(warning));
    return exit_not_converged;
}

std::string with_flags(const std::string& message) {
    auto is_name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    };
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
        if (!is_name_char(message[i])) {
            out += message[i++];
            continue;
        }
        std::size_t end = i;
        while (end < message.size() && is_name_char(message[end])) ++end;
        std::string_view token(message.data() + i, end - i);
        while (!token.empty() && token.back() == '.') token.remove_suffix(1);  // a sentence's full stop
        // Flags already named (--x) and quoted names ('x', a construct or column) stay as they are.
        const bool after_dash = i > 0 && (message[i - 1] == '-' || message[i - 1] == '\'');
        std::string flag;
        if (!after_dash) {
            if (const auto* field = find_study_option_field(token)) flag = std::string("--") + field->flag;
            for (const auto& [name, other] : other_flags)
                if (token == name) flag = other;
        }
        if (flag.empty()) {
            out.append(message, i, end - i);
        } else {
            out += flag;
            out.append(message, i + token.size(), end - i - token.size());
        }
        i = end;
    }
    return out;
}

}  // namespace csipls::cli

#pragma once
// The table of StudyOptions fields: each field's name, its command-line flag, help, how it is set
// from text and how it is recorded in the result's settings. The CLI builds its options from it,
// the JSON result records every field through it, and bindings may name fields after it: a new
// option is added here and nowhere else.
#include <string>
#include <string_view>
#include <vector>

#include "csipls/io/json.hpp"
#include "csipls/study/study_options.hpp"

namespace csipls {

struct StudyOptionField {
    const char* name;        // the field, as validation messages name it: "bootstrap.resamples"
    const char* flag;        // the CLI flag without dashes: "bootstrap"
    const char* value_name;  // e.g. "B"; nullptr for a switch (set with the text "true")
    const char* help;
    // Sets the field from its text; throws UsageError naming the field (and what it takes).
    void (*set)(StudyOptions& options, const std::string& text);
    // The field's value as recorded in the result's settings (null when not set).
    Json (*get)(const StudyOptions& options);
    // The default shown in help; empty: none shown.
    std::string (*shown_default)(const StudyOptions& defaults);
};

const std::vector<StudyOptionField>& study_option_fields();

// The field called `name`, or nullptr.
const StudyOptionField* find_study_option_field(std::string_view name);

// The field a binding's keyword argument names: the field's name or its flag, with '.' and '-'
// read as '_' (R and Python names: bootstrap_ci_level, bootstrap.resamples, ci_level); nullptr when
// none. The field's name wins when a keyword matches both.
const StudyOptionField* find_study_option_keyword(std::string_view keyword);

// Options from the texts of some fields (as a front end got them: keyword arguments, flags), set in
// the table's order with the files (FILE fields) last, then validated. Throws UsageError naming the
// field at fault.
StudyOptions study_options_from_texts(const std::vector<std::pair<const StudyOptionField*, std::string>>& texts);

// Every field's recorded value, by field name: the settings a result was made with.
Json study_options_to_json(const StudyOptions& options);

// MIN:MAX with MIN < MAX, e.g. "1:10"; throws UsageError naming `field`.
AnswerScale parse_answer_scale(const std::string& text, const std::string& field = "answer_scale");

}  // namespace csipls

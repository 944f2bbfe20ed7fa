#pragma once
// The report's fixed, user-visible texts in every language, in one table. A text is named by its
// English wording: Label's constructor looks it up at compile time, so a text missing from the
// table is a compile error, and tests/report/labels_test.cpp checks that every entry has its
// translation (with the same `{}` placeholders). Names from the model and data are never here.
#include <cstddef>
#include <fmt/format.h>
#include <string>
#include <string_view>

#include "csipls/report/report.hpp"

namespace csipls::report_detail {

struct LabelText {
    std::string_view en, zh;
};

// `{}` marks where a number or name goes; both languages keep the same number of them.
inline constexpr LabelText label_table[] = {
#include "labels.inc"
};

inline constexpr std::size_t label_count = sizeof(label_table) / sizeof(label_table[0]);

consteval std::size_t label_index(std::string_view en) {
    for (std::size_t i = 0; i < label_count; ++i)
        if (label_table[i].en == en) return i;
    throw "report label missing from labels.inc";  // not a constant expression: a compile error
}

// The language the report being rendered is written in (one per thread: render_html_report sets
// it for the duration of one rendering, so the many small renderers need not pass it around).
ReportLanguage current_report_language();

class LanguageScope {
public:
    explicit LanguageScope(ReportLanguage language);
    ~LanguageScope();
    LanguageScope(const LanguageScope&) = delete;
    LanguageScope& operator=(const LanguageScope&) = delete;

private:
    ReportLanguage previous_;
};

class Label {
public:
    consteval Label(const char* en) : index_(label_index(en)) {}  // NOLINT: implicit by design
    consteval Label(std::string_view en) : index_(label_index(en)) {}
    std::string_view text(ReportLanguage language) const {
        return language == ReportLanguage::zh ? label_table[index_].zh : label_table[index_].en;
    }
    // The text in the language of the report being rendered.
    operator std::string_view() const { return text(current_report_language()); }  // NOLINT

private:
    std::size_t index_;
};

// The text of `label` in the current report language, as a string (for concatenation).
inline std::string L(Label label) { return std::string(std::string_view(label)); }

}  // namespace csipls::report_detail

namespace csipls::report_detail {

// A label with `{}` placeholders filled in (the label's text is not a compile-time format string).
template <class... Args>
std::string format_label(std::string_view format, const Args&... args) {
    return fmt::format(fmt::runtime(format), args...);
}

}  // namespace csipls::report_detail

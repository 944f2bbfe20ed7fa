#include "labels.hpp"

#include "csipls/core/error.hpp"

namespace csipls::report_detail {

namespace {
thread_local ReportLanguage report_language = ReportLanguage::en;
}

ReportLanguage current_report_language() { return report_language; }

LanguageScope::LanguageScope(ReportLanguage language) : previous_(report_language) { report_language = language; }
LanguageScope::~LanguageScope() { report_language = previous_; }

}  // namespace csipls::report_detail

namespace csipls {

ReportLanguage parse_report_language(std::string_view name) {
    if (name == "en") return ReportLanguage::en;
    if (name == "zh") return ReportLanguage::zh;
    throw UsageError("--lang: unknown language '" + std::string(name) + "' (choose en or zh)");
}

std::string_view report_language_code(ReportLanguage language) {
    return language == ReportLanguage::zh ? "zh" : "en";
}

}  // namespace csipls

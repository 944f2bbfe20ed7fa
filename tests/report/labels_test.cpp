// The report's label table: every fixed text has its Chinese translation, with the same
// placeholders, and the language switch picks it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fmt/args.h>
#include <set>
#include <string>

#include "csipls/core/error.hpp"
#include "labels.hpp"

namespace {

using namespace csipls;
using namespace csipls::report_detail;
using testing::HasSubstr;

// Symbols, written the same way in Chinese texts.
const std::set<std::string_view> same_in_every_language = {"ρ_A", "ρ_C", "AVE"};

bool has_letters(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// The placeholders `{}`/`{0}` of a format text, in order of appearance, without their positions.
std::size_t placeholders(std::string_view text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '{')); }

TEST(ReportLabels, EveryLabelHasItsChineseText) {
    ASSERT_GT(label_count, 150u);
    std::set<std::string_view> seen;
    for (const auto& [en, zh] : label_table) {
        SCOPED_TRACE(std::string(en));
        EXPECT_TRUE(seen.insert(en).second) << "listed twice";
        EXPECT_FALSE(en.empty());
        EXPECT_FALSE(zh.empty());
        if (has_letters(en) && !same_in_every_language.count(en)) EXPECT_NE(zh, en);
        EXPECT_EQ(placeholders(zh), placeholders(en));
        // A translation is written in Chinese, not left in English with a few words changed.
        if (en.size() > 12) EXPECT_TRUE(std::any_of(zh.begin(), zh.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xE4; }));
    }
}

TEST(ReportLabels, EveryChineseFormatTakesTheEnglishArguments) {
    for (const auto& [en, zh] : label_table) {
        const std::size_t n = placeholders(en);
        if (n == 0) continue;
        SCOPED_TRACE(std::string(en));
        // Formatting with as many arguments as the English text takes throws when the Chinese one
        // mixes automatic and numbered fields or numbers one out of range.
        std::vector<std::string> arguments;
        for (std::size_t k = 0; k < n; ++k) arguments.push_back("<" + std::to_string(k) + ">");
        fmt::dynamic_format_arg_store<fmt::format_context> store;
        for (const auto& a : arguments) store.push_back(a);
        std::string text;
        EXPECT_NO_THROW(text = fmt::vformat(zh, store));
        for (const auto& a : arguments) EXPECT_THAT(text, HasSubstr(a));
    }
}

TEST(ReportLabels, TheLanguageScopePicksTheText) {
    constexpr Label title{"Structural model"};
    EXPECT_EQ(std::string_view(title), "Structural model");
    {
        const LanguageScope zh(ReportLanguage::zh);
        EXPECT_EQ(std::string_view(title), "结构模型");
        EXPECT_EQ(L("Discriminant validity"), "判别效度");
        EXPECT_EQ(format_label(L("{} constructs, {} paths"), 7, 6), "7 个构念，6 条路径");
    }
    EXPECT_EQ(L("Discriminant validity"), "Discriminant validity");
}

TEST(ReportLabels, LanguageNames) {
    EXPECT_EQ(parse_report_language("en"), ReportLanguage::en);
    EXPECT_EQ(parse_report_language("zh"), ReportLanguage::zh);
    EXPECT_EQ(report_language_code(ReportLanguage::zh), "zh");
    try {
        parse_report_language("fr");
        FAIL() << "fr accepted";
    } catch (const UsageError& error) {
        EXPECT_THAT(error.what(), HasSubstr("'fr'"));
        EXPECT_THAT(error.what(), HasSubstr("en or zh"));
    }
}

}  // namespace

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/result_writers.hpp"
#include "test_helpers.hpp"

namespace csipls {
namespace {

using testing::HasSubstr;
using testing_support::write_temp_file;

TEST(TextTable, QuotesBomCrlfAndBlankLines) {
    const auto path = write_temp_file("table.csv", "\xEF\xBB\xBF" "company, weight ,industry\r\n\r\n"
                                                   "\"Bank, A\",2.5,banks\r\n  Bank \"\"B\"\" ,1,\"multi\nline\"\r\n");
    const TextTable table = read_text_table(path);
    EXPECT_EQ(table.header, (std::vector<std::string>{"company", "weight", "industry"}));
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[0], (std::vector<std::string>{"Bank, A", "2.5", "banks"}));
    EXPECT_EQ(table.rows[1][0], "Bank \"\"B\"\"");  // quotes inside an unquoted field stay as they are
    EXPECT_EQ(table.rows[1][2], "multi\nline");
    EXPECT_EQ(table.lines, (std::vector<std::size_t>{3, 4}));
}

TEST(TextTable, RaggedRowsUnclosedQuotesAndDuplicateColumnsNameTheLine) {
    auto message = [](const std::string& name, const std::string& text) {
        try {
            read_text_table(write_temp_file(name, text));
        } catch (const InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(message("ragged.csv", "a,b\n1,2\n3\n"), HasSubstr("ragged.csv:3: the row has 1 fields but the header has 2"));
    EXPECT_THAT(message("quote.csv", "a,b\n1,\"2\n"), HasSubstr("quote.csv:2: a quoted field is not closed"));
    EXPECT_THAT(message("dup.csv", "a,b,a\n1,2,3\n"), HasSubstr("column 'a' appears twice"));
    EXPECT_THAT(message("empty.csv", "\n\n"), HasSubstr("empty.csv: the file is empty"));
}

TEST(AggregationPlan, ReadsWeightsAndLevelsAndRefusesBadRows) {
    const auto good = write_temp_file("plan.csv", "company,weight,industry,sector\nC1,2,banks,finance\nC2,0.5,insurers,finance\n");
    const AggregationPlan plan = read_aggregation_plan(good, "company");
    EXPECT_EQ(plan.levels, (std::vector<std::string>{"industry", "sector"}));
    ASSERT_EQ(plan.members.size(), 2u);
    EXPECT_EQ(plan.members[1].group, "C2");
    EXPECT_DOUBLE_EQ(plan.members[1].weight, 0.5);
    EXPECT_EQ(plan.members[1].units, (std::vector<std::string>{"insurers", "finance"}));
    auto message = [](const std::string& name, const std::string& text) {
        try {
            read_aggregation_plan(write_temp_file(name, text), "company");
        } catch (const InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(message("w.csv", "company,weight\nC1,abc\n"), HasSubstr("w.csv:2: column 'weight': 'abc' is not a positive number"));
    EXPECT_THAT(message("neg.csv", "company,weight\nC1,-1\n"), HasSubstr("neg.csv:2"));
    EXPECT_THAT(message("twice.csv", "company,weight\nC1,1\nC1,2\n"), HasSubstr("twice.csv:3: group 'C1' is listed twice"));
    EXPECT_THAT(message("nogroup.csv", "firm,weight\nC1,1\n"), HasSubstr("needs a column 'company' (or 'group')"));
    EXPECT_THAT(message("noweight.csv", "company,share\nC1,1\n"), HasSubstr("needs a 'weight' column"));
    EXPECT_THAT(message("level.csv", "company,weight,industry\nC1,1,\n"), HasSubstr("level.csv:2: column 'industry' is empty"));
    EXPECT_THAT(message("none.csv", "company,weight\n"), HasSubstr("lists no groups"));
}

}  // namespace
}  // namespace csipls

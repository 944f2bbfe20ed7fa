#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using testing::HasSubstr;
using testing_support::write_temp_file;

namespace {

std::string read_error(const std::string& path, const std::vector<std::string>& columns, CsvOptions options = {}) {
    try {
        read_csv(path, columns, options);
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

}  // namespace

TEST(CsvReader, ReadsRequestedColumnsInRequestedOrder) {
    const auto path = write_temp_file("order.csv", "id,b,a,c\nx1,2,1.5,-3\nx2,4,2.5e1,+6\n");
    const Dataset data = read_csv(path, {"a", "c", "b"});
    EXPECT_EQ(data.rows, 2);
    EXPECT_EQ(data.columns, (std::vector<std::string>{"a", "c", "b"}));
    EXPECT_EQ(data.matrix()(0, 0), 1.5);
    EXPECT_EQ(data.matrix()(0, 1), -3.0);
    EXPECT_EQ(data.matrix()(1, 0), 25.0);
    EXPECT_EQ(data.matrix()(1, 1), 6.0);
    EXPECT_EQ(data.matrix()(1, 2), 4.0);
    EXPECT_EQ(data.source.path, path);
    EXPECT_EQ(data.source.size_bytes, 35u);
    const std::string bytes = read_text_file(path);
    EXPECT_EQ(data.source.xxh64, xxh64_hex(bytes.data(), bytes.size()));
}

TEST(CsvReader, HandlesBomCrlfQuotesAndUnusedTextColumns) {
    const auto path = write_temp_file("quirks.csv",
                                      "\xEF\xBB\xBF\"a\",note,b\r\n"
                                      "1,\"hello, \"\"world\"\"\r\nsecond line\",\"2\"\r\n"
                                      "\r\n"
                                      "3,,4\r\n");
    const Dataset data = read_csv(path, {"a", "b"});
    ASSERT_EQ(data.rows, 2);
    EXPECT_EQ(data.matrix()(0, 0), 1.0);
    EXPECT_EQ(data.matrix()(0, 1), 2.0);
    EXPECT_EQ(data.matrix()(1, 0), 3.0);
    EXPECT_EQ(data.matrix()(1, 1), 4.0);
}

TEST(CsvReader, OtherDelimiterAndNoFinalNewline) {
    const auto path = write_temp_file("semi.csv", "a;b\n1;2\n3;4");
    CsvOptions options;
    options.delimiter = ';';
    const Dataset data = read_csv(path, {"b"}, options);
    ASSERT_EQ(data.rows, 2);
    EXPECT_EQ(data.matrix()(1, 0), 4.0);
    EXPECT_THAT(read_error(path, {"b"}), HasSubstr("is the delimiter right?"));
}

// Records that straddle the reader's 4 MiB refills, including a long quoted text field.
TEST(CsvReader, RecordsAcrossBufferRefillsParseExactly) {
    std::string text = "x,comment,y\n";
    const int rows = 400000;
    for (int i = 0; i < rows; ++i) {
        text += std::to_string(i) + ",";
        text += (i % 50000 == 7) ? "\"" + std::string(100000, 'q') + "\nq\"" : "ok";
        text += "," + std::to_string(i % 10) + ".25\n";
    }
    const auto path = write_temp_file("large.csv", text);
    const Dataset data = read_csv(path, {"y", "x"});
    ASSERT_EQ(data.rows, rows);
    for (int i = 0; i < rows; i += 997) {
        ASSERT_EQ(data.matrix()(i, 1), static_cast<double>(i)) << i;
        ASSERT_EQ(data.matrix()(i, 0), (i % 10) + 0.25) << i;
    }
    EXPECT_EQ(data.matrix()(rows - 1, 1), rows - 1.0);
}

TEST(CsvReader, ErrorsNameFileLineAndColumn) {
    const auto bad_cell = write_temp_file("bad_cell.csv", "a,b\n1,2\n3,x7\n");
    EXPECT_THAT(read_error(bad_cell, {"a", "b"}), HasSubstr("bad_cell.csv:3: column 'b' (field 2): not a number 'x7'"));
    const auto ragged = write_temp_file("ragged.csv", "a,b\n1,2\n3\n");
    EXPECT_THAT(read_error(ragged, {"a"}), HasSubstr("ragged.csv:3: the row has 1 fields but the header has 2"));
    const auto duplicate = write_temp_file("dup.csv", "a,b,a\n1,2,3\n");
    EXPECT_THAT(read_error(duplicate, {"a"}), HasSubstr("dup.csv:1: column 'a' appears twice in the header (columns 1 and 3)"));
    EXPECT_EQ(read_error(duplicate, {"b"}), "no error");  // an unused duplicate is ignored
    const auto missing = write_temp_file("missing.csv", "a,b\n1,2\n");
    EXPECT_THAT(read_error(missing, {"a", "zz"}), HasSubstr("missing.csv:1: column 'zz' is not in the header (it has: a, b)"));
    const auto nan = write_temp_file("nan.csv", "a\n1\nnan\n");
    EXPECT_THAT(read_error(nan, {"a"}), HasSubstr("nan.csv:3: column 'a' (field 1): not a finite number 'nan'"));
    const auto huge = write_temp_file("huge.csv", "a\n1e999\n");
    EXPECT_THAT(read_error(huge, {"a"}), HasSubstr("huge.csv:2: column 'a' (field 1): number out of range"));
    const auto unterminated = write_temp_file("open_quote.csv", "a,b\n1,\"abc\n");
    EXPECT_THAT(read_error(unterminated, {"a"}), HasSubstr("open_quote.csv:2: a quoted field is not closed"));
    const auto after_quote = write_temp_file("after_quote.csv", "a,b\n1,\"abc\"x\n");
    EXPECT_THAT(read_error(after_quote, {"a"}), HasSubstr("after_quote.csv:2: unexpected character 'x' after a closing quote"));
    const auto quoted_newline = write_temp_file("lines.csv", "a,b\n1,\"two\nlines\"\nq,2\n");
    EXPECT_THAT(read_error(quoted_newline, {"a"}), HasSubstr("lines.csv:4: column 'a'"));
}

TEST(CsvReader, EmptyAndHeaderOnlyFiles) {
    EXPECT_THAT(read_error(write_temp_file("empty.csv", ""), {"a"}), HasSubstr("empty.csv: the file is empty"));
    EXPECT_THAT(read_error(write_temp_file("blank.csv", "\n\n"), {"a"}), HasSubstr("blank.csv: the file is empty"));
    EXPECT_THAT(read_error(write_temp_file("header.csv", "a,b\n"), {"a"}), HasSubstr("header.csv: the file has a header but no data rows"));
    EXPECT_THAT(read_error("/nonexistent/dir/x.csv", {"a"}), HasSubstr("/nonexistent/dir/x.csv: cannot open"));
    EXPECT_THAT(read_error(::testing::TempDir(), {"a"}), HasSubstr("not a regular file"));
}

TEST(CsvReader, BinaryGarbageIsAClearError) {
    std::string garbage = "a,b\n";
    for (int i = 0; i < 256; ++i) garbage += static_cast<char>((i * 37) % 256);
    const std::string message = read_error(write_temp_file("garbage.bin", garbage), {"a", "b"});
    EXPECT_THAT(message, HasSubstr("garbage.bin:"));
    const std::string header_garbage = read_error(write_temp_file("nul.bin", std::string("a\0b,c\n1,2\n", 10)), {"a"});
    EXPECT_THAT(header_garbage, HasSubstr("nul.bin:1: the header holds a NUL byte"));
}

TEST(CsvReader, RejectsBadDelimiter) {
    CsvOptions options;
    options.delimiter = '"';
    EXPECT_THROW(options.validate(), UsageError);
}

TEST(CsvReader, HeaderWithoutFinalNewlineAndOldMacLineEnds) {
    EXPECT_THAT(read_error(write_temp_file("header_only_no_newline.csv", "a,b,c"), {"a", "b"}),
                HasSubstr("header_only_no_newline.csv: the file has a header but no data rows"));
    const Dataset data = read_csv(write_temp_file("mac.csv", "a,b\r1,2\r3,4\r\r5,6"), {"b", "a"});
    ASSERT_EQ(data.rows, 3);
    EXPECT_EQ(data.matrix()(2, 0), 6.0);
    EXPECT_EQ(data.matrix()(2, 1), 5.0);
}

TEST(CsvReader, PlusSignOnlyBeforeADigit) {
    EXPECT_EQ(read_csv(write_temp_file("plus.csv", "a\n+5\n+.5\n"), {"a"}).matrix()(1, 0), 0.5);
    EXPECT_THAT(read_error(write_temp_file("plusminus.csv", "a\n+-5\n"), {"a"}), HasSubstr("not a number '+-5'"));
}

TEST(CsvReader, CaseWeightColumnIsMovedOutOfTheRows) {
    CsvOptions options;
    options.weight_column = "w";
    const Dataset data = read_csv(write_temp_file("weights.csv", "a,w,b,note\n1,0.5,2,x\n3,2,4,y\n5,1.5,6,z\n"), {"b", "a"}, options);
    ASSERT_EQ(data.rows, 3);
    EXPECT_EQ(data.columns, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(data.values.size(), 6u);
    EXPECT_EQ(data.matrix()(1, 0), 4.0);
    EXPECT_EQ(data.matrix()(2, 1), 5.0);
    EXPECT_EQ(data.case_weights, Eigen::Vector3d(0.5, 2, 1.5));
    EXPECT_THAT(read_error(write_temp_file("negative_weight.csv", "a,w\n1,1\n2,-1\n"), {"a"}, options),
                HasSubstr("negative_weight.csv:3: column 'w' (field 2): a case weight cannot be negative '-1'"));
    EXPECT_THAT(read_error(write_temp_file("zero_weights.csv", "a,w\n1,0\n2,0\n"), {"a"}, options),
                HasSubstr("case weights in column 'w' sum to 0"));
    EXPECT_THAT(read_error(write_temp_file("no_weight.csv", "a\n1\n2\n"), {"a"}, options),
                HasSubstr("column 'w' is not in the header"));
}

TEST(CsvReader, EmptyCellsNaAndMissingCodesBecomeMissing) {
    const auto path = write_temp_file("missing_values.csv", "a,b,c\n1, ,-99\nNA,2,-99.0\n3,99,4\n\"\",5,6\n");
    CsvOptions options;
    const Dataset plain = read_csv(path, {"a", "b", "c"}, options);
    EXPECT_TRUE(std::isnan(plain.matrix()(0, 1)));
    EXPECT_TRUE(std::isnan(plain.matrix()(1, 0)));
    EXPECT_TRUE(std::isnan(plain.matrix()(3, 0)));  // a quoted empty cell too
    EXPECT_EQ(plain.matrix()(0, 2), -99.0);         // a code only with --missing
    options.missing_codes = {-99, 99};
    const Dataset coded = read_csv(path, {"a", "b", "c"}, options);
    EXPECT_TRUE(std::isnan(coded.matrix()(0, 2)));
    EXPECT_TRUE(std::isnan(coded.matrix()(1, 2)));  // matched as a number: -99.0 is -99
    EXPECT_TRUE(std::isnan(coded.matrix()(2, 1)));  // the whole-number fast path too
    EXPECT_EQ(coded.matrix()(2, 2), 4.0);
    // Unused columns may hold anything; a missing case weight is an error naming the cell.
    options.weight_column = "w";
    EXPECT_THAT(read_error(write_temp_file("missing_weight.csv", "a,w\n1,1\n2,\n"), {"a"}, options),
                HasSubstr("missing_weight.csv:3: column 'w' (field 2): the case weight is missing"));
    EXPECT_THAT(read_error(write_temp_file("coded_weight.csv", "a,w\n1,1\n2,-99\n"), {"a"}, options),
                HasSubstr("coded_weight.csv:3: column 'w' (field 2): the case weight is a missing-value code '-99'"));
    EXPECT_THAT(read_error(write_temp_file("na_text.csv", "a\n1\nN/A\n"), {"a"}), HasSubstr("na_text.csv:3: column 'a' (field 1): not a number 'N/A'"));
}

TEST(CsvReader, DecimalCommaForEuropeanFiles) {
    CsvOptions options;
    options.delimiter = ';';
    options.decimal_comma = true;
    const Dataset data = read_csv(write_temp_file("european.csv", "a;b\n1,5;-2,25\n3;\"4,75\"\n;1e2\n"), {"a", "b"}, options);
    ASSERT_EQ(data.rows, 3);
    EXPECT_EQ(data.matrix()(0, 0), 1.5);
    EXPECT_EQ(data.matrix()(0, 1), -2.25);
    EXPECT_EQ(data.matrix()(1, 1), 4.75);
    EXPECT_TRUE(std::isnan(data.matrix()(2, 0)));
    EXPECT_EQ(data.matrix()(2, 1), 100.0);
    EXPECT_THAT(read_error(write_temp_file("dot_in_european.csv", "a;b\n1.5;2\n"), {"a"}, options),
                HasSubstr("dot_in_european.csv:2: column 'a' (field 1): not a number (with --decimal-comma the decimal mark is ','"));
    // Without the option a decimal comma gets a hint.
    CsvOptions semicolon;
    semicolon.delimiter = ';';
    EXPECT_THAT(read_error(write_temp_file("comma_no_option.csv", "a;b\n1,5;2\n"), {"a"}, semicolon),
                HasSubstr("not a number (if ',' is the decimal mark, use --decimal-comma) '1,5'"));
    CsvOptions clash;
    clash.decimal_comma = true;  // with the ',' delimiter
    EXPECT_THROW(clash.validate(), UsageError);
}

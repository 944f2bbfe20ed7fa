// SPSS files written here with ReadStat's own writer, then read back: values, variable and value
// labels, system- and user-missing values, .zsav compression, and damaged files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <readstat.h>

#include "csipls/io/data_reader.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/sav.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using testing::HasSubstr;

namespace {

ssize_t write_bytes(const void* bytes, size_t length, void* file) {
    return static_cast<ssize_t>(std::fwrite(bytes, 1, length, static_cast<FILE*>(file)));
}

// A survey of 4 respondents: q1 (labelled 1..5, user-missing 9), q2 (user-missing range 97..99),
// weight, and a text column; the 4th respondent's q1 is system-missing.
std::string write_survey(const std::string& name, bool compressed) {
    const std::string path = testing_support::write_temp_file(name, "");
    FILE* file = std::fopen(path.c_str(), "wb");
    readstat_writer_t* writer = readstat_writer_init();
    readstat_set_data_writer(writer, write_bytes);
    if (compressed) readstat_writer_set_compression(writer, READSTAT_COMPRESS_BINARY);
    readstat_label_set_t* agree = readstat_add_label_set(writer, READSTAT_TYPE_DOUBLE, "agree");
    readstat_label_double_value(agree, 1, "strongly disagree");
    readstat_label_double_value(agree, 5, "strongly agree");
    readstat_label_double_value(agree, 9, "don't know");
    readstat_variable_t* q1 = readstat_add_variable(writer, "q1", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_set_label(q1, "Overall satisfaction");
    readstat_variable_set_label_set(q1, agree);
    readstat_variable_add_missing_double_value(q1, 9);
    readstat_variable_t* q2 = readstat_add_variable(writer, "q2", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_add_missing_double_range(q2, 97, 99);
    readstat_variable_t* weight = readstat_add_variable(writer, "weight", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_t* note = readstat_add_variable(writer, "note", READSTAT_TYPE_STRING, 8);
    readstat_begin_writing_sav(writer, file, 4);
    const double q1_values[] = {1, 9, 5, 0};
    const double q2_values[] = {2.5, 3, 98, -99};
    const double weights[] = {1, 2, 0.5, 1};
    for (int row = 0; row < 4; ++row) {
        readstat_begin_row(writer);
        if (row == 3)
            readstat_insert_missing_value(writer, q1);
        else
            readstat_insert_double_value(writer, q1, q1_values[row]);
        readstat_insert_double_value(writer, q2, q2_values[row]);
        readstat_insert_double_value(writer, weight, weights[row]);
        readstat_insert_string_value(writer, note, "text");
        readstat_end_row(writer);
    }
    readstat_end_writing(writer);
    readstat_writer_free(writer);
    std::fclose(file);
    return path;
}

std::string read_error(const std::string& path, const std::vector<std::string>& columns, const CsvOptions& options = {}) {
    try {
        read_data(path, columns, options);
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

}  // namespace

TEST(SavReader, RoundTripsValuesLabelsAndMissingValues) {
    for (bool compressed : {false, true}) {
        const std::string path = write_survey(compressed ? "survey.zsav" : "survey.sav", compressed);
        CsvOptions options;
        options.weight_column = "weight";
        const Dataset data = read_data(path, {"q2", "q1"}, options);
        ASSERT_EQ(data.rows, 4) << path;
        EXPECT_EQ(data.columns, (std::vector<std::string>{"q2", "q1"}));
        EXPECT_EQ(data.matrix()(0, 0), 2.5);
        EXPECT_EQ(data.matrix()(0, 1), 1.0);
        EXPECT_TRUE(std::isnan(data.matrix()(1, 1))) << "user-missing value 9";
        EXPECT_TRUE(std::isnan(data.matrix()(2, 0))) << "user-missing range 97-99";
        EXPECT_TRUE(std::isnan(data.matrix()(3, 1))) << "system-missing";
        EXPECT_EQ(data.matrix()(3, 0), -99.0) << "not a code unless asked";
        EXPECT_EQ(data.case_weights, Eigen::Vector4d(1, 2, 0.5, 1));
        ASSERT_EQ(data.labels.size(), 2u);
        EXPECT_EQ(data.labels[1].label, "Overall satisfaction");
        EXPECT_EQ(data.labels[1].values,
                  (std::vector<std::pair<double, std::string>>{{1, "strongly disagree"}, {5, "strongly agree"}, {9, "don't know"}}));
        EXPECT_TRUE(data.labels[0].values.empty());
        EXPECT_EQ(data.source.path, path);
        EXPECT_EQ(data.source.xxh64.size(), 16u);
        options.missing_codes = {-99};
        EXPECT_TRUE(std::isnan(read_data(path, {"q2"}, options).matrix()(3, 0)));
    }
}

TEST(SavReader, ErrorsNameFileAndVariable) {
    const std::string path = write_survey("errors.sav", false);
    EXPECT_THAT(read_error(path, {"q1", "q9"}), HasSubstr("errors.sav: variable 'q9' is not in the SPSS file (it has: q1, q2, weight, note)"));
    EXPECT_THAT(read_error(path, {"note"}), HasSubstr("errors.sav: variable 'note' is text; indicators must be numeric"));
    CsvOptions weighted;
    weighted.weight_column = "q1";  // has missing values
    EXPECT_THAT(read_error(path, {"q2"}, weighted), HasSubstr("errors.sav: row 2, variable 'q1': the case weight is missing"));
    weighted.weight_column = "q2";
    weighted.missing_codes = {};
    EXPECT_THAT(read_error(path, {"q1"}, weighted), HasSubstr("the case weight is missing"));
    EXPECT_THAT(read_error("/nonexistent/x.sav", {"q1"}), HasSubstr("/nonexistent/x.sav: cannot open"));
    // Not SPSS, and SPSS cut short.
    EXPECT_THAT(read_error(testing_support::write_temp_file("text.sav", "a,b\n1,2\n"), {"a"}),
                HasSubstr("text.sav: not a readable SPSS .sav/.zsav file"));
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string message = read_error(testing_support::write_temp_file("cut.sav", bytes.substr(0, bytes.size() / 2)), {"q1"});
    EXPECT_THAT(message, HasSubstr("cut.sav"));
    EXPECT_NE(message, "no error");
}

TEST(DataReader, ChoosesTheReaderByExtension) {
    EXPECT_TRUE(is_spss_path("a/b.SAV"));
    EXPECT_TRUE(is_spss_path("b.zsav"));
    EXPECT_FALSE(is_spss_path("b.csv"));
    EXPECT_FALSE(is_spss_path("dir.sav/b"));
    const auto tsv = testing_support::write_temp_file("tabs.tsv", "a\tb\n1,5\t2\n");
    const Dataset data = read_data(tsv, {"b"});
    EXPECT_EQ(data.matrix()(0, 0), 2.0);
    CsvOptions grouped;
    grouped.group_column = "note";
    EXPECT_THAT(read_error(write_survey("grouped.sav", false), {"q1"}, grouped), HasSubstr("a group column does not work with SPSS files yet"));
}

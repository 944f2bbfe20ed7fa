// SPSS files written here with ReadStat's own writer, then read back: values, variable and value
// labels, system- and user-missing values, .zsav compression, damaged files, and group columns
// (numbers named by their value labels, or text).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
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

// A group column of a test file: numbers (nullopt: system-missing) with value labels, or texts.
struct GroupColumn {
    std::vector<std::optional<double>> numbers;
    std::vector<std::string> texts;  // used when `numbers` is empty
    std::vector<std::pair<double, std::string>> labels;
    std::vector<std::pair<std::string, std::string>> text_labels;
    std::optional<double> user_missing;
};

// One indicator q1 (1, 2, 3, ...) and the group variable `segment`, one row per group value.
std::string write_grouped(const std::string& name, const GroupColumn& group) {
    const bool text = group.numbers.empty();
    const int rows = static_cast<int>(text ? group.texts.size() : group.numbers.size());
    const std::string path = testing_support::write_temp_file(name, "");
    FILE* file = std::fopen(path.c_str(), "wb");
    readstat_writer_t* writer = readstat_writer_init();
    readstat_set_data_writer(writer, write_bytes);
    if (name.ends_with(".zsav")) readstat_writer_set_compression(writer, READSTAT_COMPRESS_BINARY);
    readstat_variable_t* q1 = readstat_add_variable(writer, "q1", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_t* segment = readstat_add_variable(writer, "segment", text ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE,
                                                         text ? 16 : 0);
    if (!group.labels.empty() || !group.text_labels.empty()) {
        readstat_label_set_t* set = readstat_add_label_set(writer, text ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE, "segments");
        for (const auto& [value, label] : group.labels) readstat_label_double_value(set, value, label.c_str());
        for (const auto& [value, label] : group.text_labels) readstat_label_string_value(set, value.c_str(), label.c_str());
        readstat_variable_set_label_set(segment, set);
    }
    if (group.user_missing) readstat_variable_add_missing_double_value(segment, *group.user_missing);
    readstat_begin_writing_sav(writer, file, rows);
    for (int row = 0; row < rows; ++row) {
        readstat_begin_row(writer);
        readstat_insert_double_value(writer, q1, row + 1);
        if (text)
            readstat_insert_string_value(writer, segment, group.texts[static_cast<std::size_t>(row)].c_str());
        else if (const auto& value = group.numbers[static_cast<std::size_t>(row)])
            readstat_insert_double_value(writer, segment, *value);
        else
            readstat_insert_missing_value(writer, segment);
        readstat_end_row(writer);
    }
    readstat_end_writing(writer);
    readstat_writer_free(writer);
    std::fclose(file);
    return path;
}

CsvOptions grouped_by(const std::string& column) {
    CsvOptions options;
    options.group_column = column;
    return options;
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
    // A group column in an SPSS file goes to the SPSS reader (it once was refused).
    const Dataset grouped = read_data(write_survey("grouped.sav", false), {"q1"}, grouped_by("note"));
    EXPECT_EQ(grouped.group_names, std::vector<std::string>{"text"});
    EXPECT_EQ(grouped.group_of_row, (std::vector<int>{0, 0, 0, 0}));
}

TEST(SavReader, NumericGroupsAreNamedByTheirValueLabelsElseTheirNumber) {
    for (bool compressed : {false, true}) {
        GroupColumn group;
        group.numbers = {2, 1, 3, 2, 4.5, 8, 9, 1, -0.0, 0};
        group.labels = {{1, "North"}, {2, "South"}, {8, "Other"}, {9, "Other"}, {7, "unused"}};
        const std::string path = write_grouped(compressed ? "numeric_groups.zsav" : "numeric_groups.sav", group);
        const Dataset data = read_data(path, {"q1"}, grouped_by("segment"));
        ASSERT_EQ(data.rows, 10);
        // In the order they first appear; 3 and 4.5 have no label; 8 and 9 share one, so one group.
        EXPECT_EQ(data.group_names, (std::vector<std::string>{"South", "North", "3", "4.5", "Other", "0"}));
        EXPECT_EQ(data.group_of_row, (std::vector<int>{0, 1, 2, 0, 3, 4, 4, 1, 5, 5}));
        EXPECT_EQ(data.columns, std::vector<std::string>{"q1"});
        EXPECT_EQ(data.matrix()(9, 0), 10.0);
        ASSERT_EQ(data.labels.size(), 1u);  // the group column is not an indicator
    }
    // Without labels: integers without a decimal point.
    GroupColumn plain;
    plain.numbers = {2024, 2025, 2024};
    const Dataset data = read_data(write_grouped("years.sav", plain), {"q1"}, grouped_by("segment"));
    EXPECT_EQ(data.group_names, (std::vector<std::string>{"2024", "2025"}));
    EXPECT_EQ(data.group_of_row, (std::vector<int>{0, 1, 0}));
}

TEST(SavReader, TextGroupsAsInACsvFile) {
    GroupColumn group;
    group.texts = {"Acme", "顾客满意", "  Globex ", "Acme", "Globex"};
    const Dataset sav = read_data(write_grouped("text_groups.sav", group), {"q1"}, grouped_by("segment"));
    const Dataset csv = read_data(testing_support::write_temp_file("text_groups.csv",
                                                                   "q1,segment\n1,Acme\n2,顾客满意\n3,  Globex \n4,Acme\n5,Globex\n"),
                                  {"q1"}, grouped_by("segment"));
    EXPECT_EQ(sav.group_names, (std::vector<std::string>{"Acme", "顾客满意", "Globex"}));
    EXPECT_EQ(sav.group_of_row, (std::vector<int>{0, 1, 2, 0, 2}));
    EXPECT_EQ(sav.group_names, csv.group_names);
    EXPECT_EQ(sav.group_of_row, csv.group_of_row);
    // Text value labels name the groups too.
    group.text_labels = {{"Acme", "Acme Corporation"}};
    const Dataset labelled = read_data(write_grouped("text_labels.sav", group), {"q1"}, grouped_by("segment"));
    EXPECT_EQ(labelled.group_names, (std::vector<std::string>{"Acme Corporation", "顾客满意", "Globex"}));
}

TEST(SavReader, GroupErrorsNameTheFileRowAndColumn) {
    GroupColumn missing;
    missing.numbers = {1, 2, std::nullopt, 1};
    EXPECT_THAT(read_error(write_grouped("system_missing.sav", missing), {"q1"}, grouped_by("segment")),
                HasSubstr("system_missing.sav: row 3, variable 'segment': missing group value"));
    GroupColumn user_missing;
    user_missing.numbers = {1, 2, 1, 99};
    user_missing.user_missing = 99;
    EXPECT_THAT(read_error(write_grouped("user_missing.sav", user_missing), {"q1"}, grouped_by("segment")),
                HasSubstr("user_missing.sav: row 4, variable 'segment': missing group value"));
    // The --missing codes are for answers: 99 is a group like any other when the file does not say.
    user_missing.user_missing.reset();
    CsvOptions codes = grouped_by("segment");
    codes.missing_codes = {99};
    EXPECT_EQ(read_data(write_grouped("codes.sav", user_missing), {"q1"}, codes).group_names,
              (std::vector<std::string>{"1", "2", "99"}));
    GroupColumn empty;
    empty.texts = {"a", "b", "  "};
    EXPECT_THAT(read_error(write_grouped("empty_label.sav", empty), {"q1"}, grouped_by("segment")),
                HasSubstr("empty_label.sav: row 3, variable 'segment': empty group label"));
    const std::string survey = write_survey("group_errors.sav", false);
    EXPECT_THAT(read_error(survey, {"q1"}, grouped_by("region")),
                HasSubstr("group_errors.sav: the group column 'region' is not in the SPSS file (it has: q1, q2, weight, note)"));
    EXPECT_THAT(read_error(survey, {"q1", "q2"}, grouped_by("q2")), HasSubstr("the group column 'q2' is also an indicator or the weight column"));
    CsvOptions weighted = grouped_by("weight");
    weighted.weight_column = "weight";
    EXPECT_THAT(read_error(survey, {"q1"}, weighted), HasSubstr("the group column 'weight' is also an indicator or the weight column"));
}

// dataset_from_columns: in-memory columns (the R and Python packages' data frames) give the Dataset
// the file reader gives, with its rules for missing codes, case weights and groups.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "csipls/core/error.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/study/study_columns.hpp"
#include "csipls/study/study_files.hpp"

namespace csipls {
namespace {

using ::testing::HasSubstr;

const std::string columns_source_dir = CSIPLS_SOURCE_DIR;

// A data frame in memory: named columns, each with its own storage (as R and pandas hold them).
struct Frame {
    std::map<std::string, std::vector<double>> numeric;
    std::map<std::string, GroupColumnView> groups;
    Eigen::Index rows = 0;

    InMemoryColumns columns() const {
        InMemoryColumns in;
        in.source_name = "the frame";
        in.rows = rows;
        in.numeric = [this](const std::string& name) {
            const auto found = numeric.find(name);
            if (found == numeric.end()) throw InputError("the frame has no column '" + name + "'");
            return NumericColumnView{found->second.data(), 1};
        };
        in.group = [this](const std::string& name) { return groups.at(name); };
        return in;
    }
};

// The CSV file's columns as a frame, with a text group column of two labels by row parity.
Frame frame_of_file(const std::string& path, const Model& model) {
    const Dataset file = read_csv(path, model.all_indicators());
    Frame frame;
    frame.rows = file.rows;
    for (Eigen::Index k = 0; k < file.cols(); ++k) {
        const Eigen::VectorXd column = file.matrix().col(k);
        frame.numeric[file.columns[static_cast<std::size_t>(k)]] = std::vector<double>(column.data(), column.data() + column.size());
    }
    return frame;
}

TEST(StudyColumnsTest, ColumnsInMemoryGiveTheFileReadersDataset) {
    const Model model = load_model(columns_source_dir + "/models/ccsi.model");
    const std::string path = columns_source_dir + "/data/ccsi_example.csv";
    Frame frame = frame_of_file(path, model);
    frame.numeric["BI1"][3] = -99;  // a missing-value code
    frame.numeric["EQ2"][5] = std::numeric_limits<double>::quiet_NaN();
    // Codes into labels with an unused first label: the groups are numbered as they first appear.
    GroupColumnView segment{{}, {"unused", "odd", "even"}};
    std::vector<double> weight;
    for (Eigen::Index r = 0; r < frame.rows; ++r) {
        segment.code_of_row.push_back(r % 2 == 0 ? 2 : 1);
        weight.push_back(1.0 + static_cast<double>(r % 3));
    }
    frame.groups["segment"] = segment;
    frame.numeric["w"] = weight;
    StudyOptions options;
    options.data.missing_codes = {-99};
    options.data.group = "segment";
    options.data.case_weights = "w";

    const Dataset data = dataset_from_columns(model, options, frame.columns());
    const Dataset file = read_csv(path, model.all_indicators());
    EXPECT_EQ(data.columns, model.all_indicators());
    EXPECT_EQ(data.source.path, "the frame");
    ASSERT_EQ(data.rows, file.rows);
    for (Eigen::Index r = 0; r < data.rows; ++r)
        for (Eigen::Index k = 0; k < data.cols(); ++k) {
            const bool blanked = (r == 3 && k == 0) || (r == 5 && k == data.column_index("EQ2"));
            if (blanked)
                EXPECT_TRUE(std::isnan(data.matrix()(r, k)));
            else
                EXPECT_EQ(data.matrix()(r, k), file.matrix()(r, k)) << r << ", " << k;
        }
    EXPECT_EQ(data.group_names, (std::vector<std::string>{"even", "odd"}));
    EXPECT_EQ(data.group_of_row[0], 0);
    EXPECT_EQ(data.group_of_row[1], 1);
    EXPECT_EQ(data.case_weights[2], 3.0);
}

TEST(StudyColumnsTest, BadColumnsAreNamedWithTheirRow) {
    const Model model = load_model(columns_source_dir + "/models/ccsi.model");
    Frame frame = frame_of_file(columns_source_dir + "/data/ccsi_example.csv", model);
    auto problem = [&](const Frame& f, const StudyOptions& options) {
        try {
            dataset_from_columns(model, options, f.columns());
        } catch (const InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    StudyOptions plain;
    Frame empty = frame;
    empty.rows = 0;
    EXPECT_EQ(problem(empty, plain), "the frame has no rows");
    Frame infinite = frame;
    infinite.numeric["PQ2"][9] = std::numeric_limits<double>::infinity();
    EXPECT_EQ(problem(infinite, plain), "the frame: column 'PQ2', row 10: not a finite number (inf)");
    Frame missing_column = frame;
    missing_column.numeric.erase("LOY3");
    EXPECT_EQ(problem(missing_column, plain), "the frame has no column 'LOY3'");

    StudyOptions weighted;
    weighted.data.case_weights = "w";
    Frame bad_weight = frame;
    bad_weight.numeric["w"] = std::vector<double>(static_cast<std::size_t>(frame.rows), 1.0);
    bad_weight.numeric["w"][4] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(problem(bad_weight, weighted), "the frame: column 'w', row 5: the case weight is missing or not finite");
    bad_weight.numeric["w"][4] = -1;
    EXPECT_EQ(problem(bad_weight, weighted), "the frame: column 'w', row 5: a case weight cannot be negative");

    StudyOptions grouped;
    grouped.data.group = "g";
    Frame no_group = frame;
    no_group.groups["g"] = GroupColumnView{std::vector<int>(static_cast<std::size_t>(frame.rows), 0), {"a"}};
    no_group.groups["g"].code_of_row[7] = -1;
    EXPECT_EQ(problem(no_group, grouped), "the frame: column 'g', row 8: no group label");

    StudyOptions indicator_as_group;
    indicator_as_group.data.group = "BI1";
    EXPECT_THROW(dataset_from_columns(model, indicator_as_group, frame.columns()), UsageError);
}

TEST(StudyColumnsTest, PracticeColumnsFollowTheIndicatorsOnce) {
    const Model model = load_model(columns_source_dir + "/models/ccsi.model");
    StudyOptions options;
    options.answer_scale = AnswerScale{1, 10};
    options.practice.gaps = {{"SAT1", "EXP1"}, {"LOY1", "EXP2"}};
    std::vector<std::string> expected = model.all_indicators();
    expected.push_back("EXP1");
    expected.push_back("EXP2");
    EXPECT_EQ(study_data_columns(model, options), expected);
}

}  // namespace
}  // namespace csipls

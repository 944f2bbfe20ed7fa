// The weights file of the fixed-weight index: a good file read as written, and each kind of bad
// file refused with a message naming the file and the line at fault.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/core/error.hpp"
#include "csipls/io/practice_io.hpp"
#include "test_helpers.hpp"

namespace csipls {
namespace {

using testing::HasSubstr;
using testing_support::write_temp_file;

std::string error_of(const std::string& name, const std::string& contents) {
    const std::string path = write_temp_file(name, contents);
    try {
        read_weights_index(path);
    } catch (const InputError& error) {
        return error.what();
    }
    return "no error";
}

TEST(WeightsFile, ReadsNodesParentsWeightsAndLeaves) {
    const std::string path = write_temp_file("weights_ok.csv",
                                             "node,parent,weight\r\n"
                                             "product,CSI,0.3\nservice,CSI,0.7\n"
                                             "X311,product,0.40\nX312,product,0.20\nX313,product,0.40\n"
                                             "X321,service,1\n");
    const WeightsFile file = read_weights_index(path);
    ASSERT_EQ(file.nodes.size(), 6u);
    EXPECT_EQ(file.nodes[2].name, "X311");
    EXPECT_EQ(file.nodes[2].parent, "product");
    EXPECT_DOUBLE_EQ(file.nodes[2].weight, 0.4);
    EXPECT_EQ(file.nodes[2].line, 4u);
    EXPECT_EQ(file.leaves(), (std::vector<std::string>{"X311", "X312", "X313", "X321"}));
    EXPECT_EQ(file.xxh64.size(), 16u);
}

TEST(WeightsFile, WeightsNotSummingToOne) {
    const auto message = error_of("weights_sum.csv", "node,parent,weight\nA,CSI,0.5\nB,CSI,0.5\nX,A,0.4\nY,A,0.5\nZ,B,1\n");
    EXPECT_THAT(message, HasSubstr("weights_sum.csv:4: the weights of the children of 'A' sum to 0.9, not 1"));
}

TEST(WeightsFile, DuplicateNode) {
    const auto message = error_of("weights_dup.csv", "node,parent,weight\nA,CSI,1\nX,A,0.5\nX,A,0.5\n");
    EXPECT_THAT(message, HasSubstr("weights_dup.csv:4: node 'X' is listed twice (first on line 3)"));
}

TEST(WeightsFile, Cycle) {
    const auto message = error_of("weights_cycle.csv", "node,parent,weight\nA,B,1\nB,A,1\nX,A,1\n");
    EXPECT_THAT(message, HasSubstr("weights_cycle.csv:2: the hierarchy has a cycle: A -> B -> A"));
    EXPECT_THAT(error_of("weights_self.csv", "node,parent,weight\nA,A,1\n"), HasSubstr("weights_self.csv:2: the hierarchy has a cycle"));
}

TEST(WeightsFile, BadWeightAndMissingColumn) {
    EXPECT_THAT(error_of("weights_bad.csv", "node,parent,weight\nA,CSI,0.5x\n"),
                HasSubstr("weights_bad.csv:2: weight '0.5x' of node 'A' is not a positive number"));
    EXPECT_THAT(error_of("weights_neg.csv", "node,parent,weight\nA,CSI,-1\nB,CSI,2\n"),
                HasSubstr("weights_neg.csv:2: weight '-1'"));
    EXPECT_THAT(error_of("weights_cols.csv", "node,parent\nA,CSI\n"),
                HasSubstr("weights_cols.csv:1: the weights file needs the columns node, parent, weight (no 'weight')"));
    EXPECT_THAT(error_of("weights_root.csv", "node,parent,weight\nCSI,,0.5\nA,CSI,1\n"),
                HasSubstr("weights_root.csv:2: root 'CSI' (no parent) has weight '0.5'"));
}

}  // namespace
}  // namespace csipls

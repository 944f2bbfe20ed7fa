#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/core/error.hpp"
#include "csipls/core/model.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using namespace csipls::testing_support;
using testing::HasSubstr;

namespace {

Model chain() {
    Model model;
    model.source = "chain.model";
    model.constructs = {block("A", {"a1", "a2"}), block("B", {"b1"}), block("C", {"c1", "c2", "c3"})};
    model.paths = {path("B", "C"), path("A", "B")};
    return model;
}

std::string validation_message(const Model& model) {
    try {
        validate_model(model);
    } catch (const ModelError& error) {
        return error.what();
    }
    return "no error";
}

}  // namespace

TEST(Model, IndicatorsInBlockOrder) {
    const Model model = chain();
    EXPECT_EQ(model.all_indicators(), (std::vector<std::string>{"a1", "a2", "b1", "c1", "c2", "c3"}));
    EXPECT_EQ(model.indicator_count(), 6u);
    EXPECT_EQ(model.construct_index("C"), 2);
    EXPECT_EQ(model.construct_index("Z"), -1);
}

TEST(Model, TopologicalOrderPutsPredictorsFirst) {
    Model model = chain();
    EXPECT_EQ(topological_order(model), (std::vector<int>{0, 1, 2}));
    model.constructs = {block("C", {"c1"}), block("B", {"b1"}), block("A", {"a1"})};
    EXPECT_EQ(topological_order(model), (std::vector<int>{2, 1, 0}));
}

TEST(Model, ValidModelPasses) { EXPECT_NO_THROW(validate_model(chain())); }

TEST(Model, RefusesCycle) {
    Model model = chain();
    model.paths.push_back(path("C", "A"));
    EXPECT_THAT(validation_message(model), HasSubstr("cycle through A, B, C"));
}

TEST(Model, RefusesIndicatorInTwoBlocks) {
    Model model = chain();
    model.constructs[2].indicators.push_back("a2");
    model.constructs[2].line = 3;
    EXPECT_THAT(validation_message(model), HasSubstr("chain.model:3: indicator 'a2' is in two blocks, 'A' and 'C'"));
}

TEST(Model, RefusesRepeatedIndicatorInOneBlock) {
    Model model = chain();
    model.constructs[0].indicators.push_back("a1");
    EXPECT_THAT(validation_message(model), HasSubstr("'a1' appears twice in block 'A'"));
}

TEST(Model, RefusesConstructWithoutIndicators) {
    Model model = chain();
    model.constructs[1].indicators.clear();
    EXPECT_THAT(validation_message(model), HasSubstr("construct 'B' has no indicators"));
}

TEST(Model, RefusesUndefinedConstructInPath) {
    Model model = chain();
    model.paths.push_back(path("Ghost", "C"));
    model.paths.back().line = 9;
    EXPECT_THAT(validation_message(model), HasSubstr("chain.model:9: 'Ghost' in a structural path is not a construct"));
}

TEST(Model, RefusesSelfLoopAndDuplicatePath) {
    Model model = chain();
    model.paths.push_back(path("A", "A"));
    EXPECT_THAT(validation_message(model), HasSubstr("'A' cannot predict itself"));
    model = chain();
    model.paths.push_back(path("A", "B"));
    EXPECT_THAT(validation_message(model), HasSubstr("path A -> B is given twice"));
}

TEST(Model, RefusesIsolatedConstructAndEmptyModel) {
    Model model = chain();
    model.constructs.push_back(block("D", {"d1"}));
    EXPECT_THAT(validation_message(model), HasSubstr("construct 'D' is in no structural path"));
    EXPECT_THAT(validation_message(Model{}), HasSubstr("defines no constructs"));
}

TEST(Model, RefusesConstructUsedAsIndicator) {
    Model model = chain();
    model.constructs[2].indicators.push_back("A");
    EXPECT_THAT(validation_message(model), HasSubstr("'A' is used both as a construct and as an indicator"));
}

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
    EXPECT_THAT(validation_message(model), HasSubstr("chain.model: higher-order construct 'C' mixes constructs and items"));
}

namespace {

// A moderated chain: Y ~ X + M + X:M.
Model moderated() {
    Model model;
    model.source = "moderated.model";
    model.constructs = {block("X", {"x1", "x2"}), block("M", {"m1", "m2"}), block("Y", {"y1", "y2"})};
    model.paths = {path("X", "Y"), path("M", "Y"), path("X:M", "Y")};
    model.paths[2].line = 7;
    return model;
}

// Performance measured by Quality and Value, predicting Satisfaction.
Model higher_order() {
    Model model;
    model.source = "hoc.model";
    model.constructs = {block("Quality", {"q1", "q2"}), block("Value", {"v1", "v2"}), block("Performance", {"Quality", "Value"}),
                        block("Satisfaction", {"s1", "s2"})};
    model.constructs[2].line = 3;
    model.paths = {path("Performance", "Satisfaction")};
    return model;
}

}  // namespace

TEST(ModelTwoStage, InteractionTermsAndHigherOrderConstructsAreFound) {
    const Model m = moderated();
    EXPECT_NO_THROW(validate_model(m));
    const auto terms = interaction_terms(m);
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_EQ(terms[0].name, "X:M");
    EXPECT_EQ(terms[0].first, "X");
    EXPECT_EQ(terms[0].second, "M");
    EXPECT_TRUE(needs_two_stages(m));
    const Model h = higher_order();
    EXPECT_NO_THROW(validate_model(h));
    const auto higher = higher_order_constructs(h);
    ASSERT_EQ(higher.size(), 1u);
    EXPECT_EQ(higher[0].construct, 2);
    EXPECT_EQ(higher[0].lower_order, (std::vector<int>{0, 1}));
    EXPECT_EQ(h.items(), (std::vector<std::string>{"q1", "q2", "v1", "v2", "s1", "s2"}));
    EXPECT_FALSE(needs_two_stages(chain()));
    EXPECT_THROW(require_one_stage(h, "the test"), ModelError);
}

TEST(ModelTwoStage, BadInteractionTermsNameTheLine) {
    Model self = moderated();
    self.paths[2].from = "X:X";
    EXPECT_THAT(validation_message(self), HasSubstr("moderated.model:7: interaction term 'X:X' is a construct times itself"));
    Model undefined = moderated();
    undefined.paths[2].from = "X:Z";
    EXPECT_THAT(validation_message(undefined), HasSubstr("moderated.model:7: interaction term 'X:Z' names 'Z', which is not a construct"));
    Model left = moderated();
    left.paths.push_back(path("X", "X:M"));
    left.paths.back().line = 9;
    EXPECT_THAT(validation_message(left), HasSubstr("moderated.model:9: the product term 'X:M' cannot be on the left of '~'"));
    Model no_main_effect = moderated();
    no_main_effect.paths.erase(no_main_effect.paths.begin() + 1);
    EXPECT_THAT(validation_message(no_main_effect), HasSubstr("but 'M' does not: add the main effect (`Y ~ M`)"));
    Model three_way = moderated();
    three_way.paths[2].from = "X:M:Y";
    EXPECT_THAT(validation_message(three_way), HasSubstr("three-way interaction"));
}

TEST(ModelTwoStage, BadHigherOrderConstructsNameTheLine) {
    Model lonely = higher_order();
    lonely.constructs[2].indicators = {"Quality"};
    lonely.constructs.erase(lonely.constructs.begin() + 1);
    EXPECT_THAT(validation_message(lonely), HasSubstr("hoc.model:3: higher-order construct 'Performance' has one lower-order construct"));
    Model twice = higher_order();
    twice.constructs.push_back(block("Other", {"Quality", "Value"}));
    twice.paths.push_back(path("Other", "Satisfaction"));
    EXPECT_THAT(validation_message(twice), HasSubstr("uses lower-order construct 'Quality', which already measures 'Performance'"));
    Model cycle = higher_order();
    cycle.paths.push_back(path("Satisfaction", "Quality"));
    cycle.paths.back().line = 12;
    EXPECT_THAT(validation_message(cycle), HasSubstr("hoc.model:12: 'Quality' measures the higher-order construct 'Performance' and has "
                                                     "no structural paths of its own"));
    Model itself = higher_order();
    itself.constructs[2].indicators.push_back("Performance");
    EXPECT_THAT(validation_message(itself), HasSubstr("is among its own lower-order constructs (a cycle"));
    Model mixed = higher_order();
    mixed.constructs[2].indicators.push_back("p1");
    EXPECT_THAT(validation_message(mixed), HasSubstr("hoc.model:3: higher-order construct 'Performance' mixes constructs and items"));
}

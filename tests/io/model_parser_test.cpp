// Tests of the lavaan-syntax model parser and of the model files shipped in models/ and data/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csipls/core/error.hpp"
#include "csipls/core/model.hpp"
#include "csipls/io/model_file.hpp"

#ifndef CSIPLS_SOURCE_DIR
#error "CSIPLS_SOURCE_DIR must name the source tree"
#endif

namespace csipls {
namespace {

using testing::ElementsAre;
using testing::EndsWith;
using testing::HasSubstr;
using testing::Not;
using testing::Optional;
using testing::Pair;
using testing::StartsWith;

const std::string source_dir = CSIPLS_SOURCE_DIR;

// 顾客满意 and 品牌形象 spelled as bytes, so the comparisons do not depend on how the compiler reads
// this file.
const std::string satisfaction_zh = "\xE9\xA1\xBE\xE5\xAE\xA2\xE6\xBB\xA1\xE6\x84\x8F";
const std::string brand_image_zh = "\xE5\x93\x81\xE7\x89\x8C\xE5\xBD\xA2\xE8\xB1\xA1";

Model parse(std::string_view text) {
    return parse_model(text, "test.model");
}

std::vector<std::pair<std::string, std::string>> path_pairs(const Model& model) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const StructuralPath& path : model.paths) pairs.emplace_back(path.from, path.to);
    return pairs;
}

// The paths as a set, for comparing with the published structure regardless of the order in which
// the file lists them.
using PathSet = std::set<std::pair<std::string, std::string>>;

PathSet path_set(const Model& model) {
    const auto pairs = path_pairs(model);
    PathSet set(pairs.begin(), pairs.end());
    EXPECT_EQ(set.size(), pairs.size()) << "a path is listed twice";
    return set;
}

std::vector<std::string> construct_names(const Model& model) {
    std::vector<std::string> names;
    for (const Construct& construct : model.constructs) names.push_back(construct.name);
    return names;
}

const Construct& construct(const Model& model, std::string_view name) {
    for (const Construct& c : model.constructs) {
        if (c.name == name) return c;
    }
    throw std::runtime_error("no construct " + std::string(name));
}

std::optional<double> path_value(const Model& model, std::string_view from, std::string_view to) {
    for (const StructuralPath& path : model.paths) {
        if (path.from == from && path.to == to) return path.population_value;
    }
    throw std::runtime_error("no path " + std::string(from) + " -> " + std::string(to));
}

// --- The shipped model files ----------------------------------------------------------------------

TEST(ModelParserShipped, EcsiIsTheMobiModel) {
    const std::string path = source_dir + "/models/ecsi.model";
    const Model model = read_model_file(path);
    EXPECT_EQ(model.source, path);
    EXPECT_THAT(construct_names(model), ElementsAre("Image", "Expectation", "Quality", "Value", "Satisfaction",
                                                    "Complaints", "Loyalty"));
    for (const Construct& c : model.constructs) {
        EXPECT_EQ(c.mode, MeasurementMode::reflective) << c.name;
        EXPECT_GT(c.line, 0) << c.name;
        EXPECT_EQ(c.population_loadings.size(), c.indicators.size()) << c.name;
        for (const auto& loading : c.population_loadings) EXPECT_FALSE(loading.has_value()) << c.name;
    }
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"));
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("CUEX1", "CUEX2", "CUEX3"));
    EXPECT_THAT(model.constructs[2].indicators,
                ElementsAre("PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"));
    EXPECT_THAT(model.constructs[3].indicators, ElementsAre("PERV1", "PERV2"));
    EXPECT_THAT(model.constructs[4].indicators, ElementsAre("CUSA1", "CUSA2", "CUSA3"));
    EXPECT_THAT(model.constructs[5].indicators, ElementsAre("CUSCO"));
    EXPECT_THAT(model.constructs[6].indicators, ElementsAre("CUSL1", "CUSL2", "CUSL3"));
    EXPECT_EQ(path_set(model),
              (PathSet{{"Image", "Expectation"}, {"Image", "Satisfaction"},
                       {"Image", "Loyalty"}, {"Expectation", "Quality"},
                       {"Expectation", "Value"}, {"Expectation", "Satisfaction"},
                       {"Quality", "Value"}, {"Quality", "Satisfaction"},
                       {"Value", "Satisfaction"}, {"Satisfaction", "Complaints"},
                       {"Satisfaction", "Loyalty"}, {"Complaints", "Loyalty"}}));
    for (const StructuralPath& p : model.paths) {
        EXPECT_FALSE(p.population_value.has_value());
        EXPECT_GT(p.line, 0);
    }
}

TEST(ModelParserShipped, AcsiIsTheFornell1996Model) {
    const Model model = read_model_file(source_dir + "/models/acsi.model");
    EXPECT_THAT(construct_names(model),
                ElementsAre("Expectations", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"));
    for (const Construct& c : model.constructs) EXPECT_EQ(c.mode, MeasurementMode::reflective) << c.name;
    EXPECT_THAT(construct(model, "Expectations").indicators, ElementsAre("EXP1", "EXP2", "EXP3"));
    EXPECT_THAT(construct(model, "Quality").indicators, ElementsAre("QUAL1", "QUAL2", "QUAL3"));
    EXPECT_THAT(construct(model, "Value").indicators, ElementsAre("VAL1", "VAL2"));
    EXPECT_THAT(construct(model, "Satisfaction").indicators, ElementsAre("SAT1", "SAT2", "SAT3"));
    EXPECT_THAT(construct(model, "Complaints").indicators, ElementsAre("COMP1"));
    EXPECT_THAT(construct(model, "Loyalty").indicators, ElementsAre("LOY1", "LOY2"));
    EXPECT_EQ(path_set(model),
              (PathSet{{"Expectations", "Quality"}, {"Expectations", "Value"},
                       {"Expectations", "Satisfaction"}, {"Quality", "Value"},
                       {"Quality", "Satisfaction"}, {"Value", "Satisfaction"},
                       {"Satisfaction", "Complaints"}, {"Satisfaction", "Loyalty"},
                       {"Complaints", "Loyalty"}}));
}

// The CCSI with Chinese construct names, in both shipped forms: plain and with population values.
void expect_ccsi_structure(const Model& model) {
    EXPECT_THAT(construct_names(model), ElementsAre("品牌形象", "预期质量", "感知质量", "感知价值", "顾客满意", "顾客忠诚"));
    EXPECT_EQ(model.constructs[0].name, brand_image_zh);
    EXPECT_EQ(model.constructs[4].name, satisfaction_zh);
    for (const Construct& c : model.constructs) EXPECT_EQ(c.mode, MeasurementMode::reflective) << c.name;
    EXPECT_THAT(construct(model, "品牌形象").indicators, ElementsAre("BI1", "BI2", "BI3"));
    EXPECT_THAT(construct(model, "预期质量").indicators, ElementsAre("EQ1", "EQ2", "EQ3"));
    EXPECT_THAT(construct(model, "感知质量").indicators, ElementsAre("PQ1", "PQ2", "PQ3", "PQ4"));
    EXPECT_THAT(construct(model, "感知价值").indicators, ElementsAre("PV1", "PV2"));
    EXPECT_THAT(construct(model, "顾客满意").indicators, ElementsAre("SAT1", "SAT2", "SAT3"));
    EXPECT_THAT(construct(model, "顾客忠诚").indicators, ElementsAre("LOY1", "LOY2", "LOY3"));
    EXPECT_EQ(path_set(model),
              (PathSet{{"品牌形象", "预期质量"}, {"品牌形象", "感知质量"},
                       {"品牌形象", "顾客满意"}, {"品牌形象", "顾客忠诚"},
                       {"预期质量", "感知质量"}, {"预期质量", "感知价值"},
                       {"预期质量", "顾客满意"}, {"感知质量", "感知价值"},
                       {"感知质量", "顾客满意"}, {"感知价值", "顾客满意"},
                       {"顾客满意", "顾客忠诚"}}));
}

TEST(ModelParserShipped, CcsiHasChineseConstructs) {
    const Model model = read_model_file(source_dir + "/models/ccsi.model");
    expect_ccsi_structure(model);
    for (const StructuralPath& p : model.paths) EXPECT_FALSE(p.population_value.has_value());
}

TEST(ModelParserShipped, CcsiPopulationValues) {
    const Model model = read_model_file(source_dir + "/data/ccsi_population.model");
    expect_ccsi_structure(model);

    EXPECT_THAT(construct(model, "品牌形象").population_loadings, ElementsAre(0.80, 0.85, 0.75));
    EXPECT_THAT(construct(model, "预期质量").population_loadings, ElementsAre(0.70, 0.80, 0.75));
    EXPECT_THAT(construct(model, "感知质量").population_loadings, ElementsAre(0.85, 0.80, 0.75, 0.70));
    EXPECT_THAT(construct(model, "感知价值").population_loadings, ElementsAre(0.90, 0.85));
    EXPECT_THAT(construct(model, "顾客满意").population_loadings, ElementsAre(0.90, 0.85, 0.80));
    EXPECT_THAT(construct(model, "顾客忠诚").population_loadings, ElementsAre(0.80, 0.75, 0.85));
    for (const Construct& c : model.constructs) {
        for (const auto& loading : c.population_loadings) {
            ASSERT_TRUE(loading.has_value()) << c.name;
            EXPECT_GE(*loading, 0.7) << c.name;
            EXPECT_LE(*loading, 0.9) << c.name;
        }
    }

    EXPECT_THAT(path_value(model, "品牌形象", "预期质量"), Optional(0.5));
    EXPECT_THAT(path_value(model, "品牌形象", "感知质量"), Optional(0.3));
    EXPECT_THAT(path_value(model, "预期质量", "感知质量"), Optional(0.4));
    EXPECT_THAT(path_value(model, "预期质量", "感知价值"), Optional(0.2));
    EXPECT_THAT(path_value(model, "感知质量", "感知价值"), Optional(0.5));
    EXPECT_THAT(path_value(model, "品牌形象", "顾客满意"), Optional(0.2));
    EXPECT_THAT(path_value(model, "预期质量", "顾客满意"), Optional(0.1));
    EXPECT_THAT(path_value(model, "感知质量", "顾客满意"), Optional(0.35));
    EXPECT_THAT(path_value(model, "感知价值", "顾客满意"), Optional(0.25));
    EXPECT_THAT(path_value(model, "品牌形象", "顾客忠诚"), Optional(0.25));
    EXPECT_THAT(path_value(model, "顾客满意", "顾客忠诚"), Optional(0.5));
}

TEST(ModelParserShipped, AllShippedModelsAreEstimable) {
    for (const char* file : {"/models/ecsi.model", "/models/acsi.model", "/models/ccsi.model",
                             "/data/ccsi_population.model"}) {
        const Model model = read_model_file(source_dir + file);
        EXPECT_NO_THROW(validate_model(model)) << file;
    }
}

TEST(ModelParserShipped, MissingFileIsAnIoError) {
    EXPECT_THROW(read_model_file(source_dir + "/models/no_such_model.model"), IoError);
}

// --- Syntax ----------------------------------------------------------------------------------------

TEST(ModelParserSyntax, BlocksAndPaths) {
    const Model model = parse("F =~ a + b + c\nG <~ d + e\nG ~ F\n");
    EXPECT_EQ(model.source, "test.model");
    ASSERT_EQ(model.constructs.size(), 2u);
    EXPECT_EQ(model.constructs[0].name, "F");
    EXPECT_EQ(model.constructs[0].mode, MeasurementMode::reflective);
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b", "c"));
    EXPECT_EQ(model.constructs[0].line, 1);
    EXPECT_EQ(model.constructs[1].name, "G");
    EXPECT_EQ(model.constructs[1].mode, MeasurementMode::formative);
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("d", "e"));
    EXPECT_EQ(model.constructs[1].line, 2);
    ASSERT_EQ(model.paths.size(), 1u);
    EXPECT_EQ(model.paths[0].from, "F");
    EXPECT_EQ(model.paths[0].to, "G");
    EXPECT_EQ(model.paths[0].line, 3);
    EXPECT_FALSE(model.paths[0].population_value.has_value());
}

TEST(ModelParserSyntax, OnePathPerPredictorInOrder) {
    const Model model = parse("Y =~ y\nX1 =~ x1\nX2 =~ x2\nY ~ X1 + X2\n");
    EXPECT_THAT(path_pairs(model), ElementsAre(Pair("X1", "Y"), Pair("X2", "Y")));
}

TEST(ModelParserSyntax, NoSpacesNeeded) {
    const Model model = parse("F=~a+b\nG<~c\nG~0.4*F");
    EXPECT_THAT(construct_names(model), ElementsAre("F", "G"));
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b"));
    EXPECT_EQ(model.constructs[1].mode, MeasurementMode::formative);
    ASSERT_EQ(model.paths.size(), 1u);
    EXPECT_THAT(model.paths[0].population_value, Optional(0.4));
}

TEST(ModelParserSyntax, Utf8NamesRoundTripByteExact) {
    const std::string text = brand_image_zh + " =~ BI1 + BI2\n" + satisfaction_zh + " =~ 满意_1 + 满意.2 + \xF0\x9F\x98\x80x\n" +
                             satisfaction_zh + " ~ " + brand_image_zh + "\n";
    const Model model = parse(text);
    ASSERT_EQ(model.constructs.size(), 2u);
    EXPECT_EQ(model.constructs[0].name, brand_image_zh);
    EXPECT_EQ(model.constructs[1].name, satisfaction_zh);
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("满意_1", "满意.2", "\xF0\x9F\x98\x80x"));
    ASSERT_EQ(model.paths.size(), 1u);
    EXPECT_EQ(model.paths[0].from, brand_image_zh);
    EXPECT_EQ(model.paths[0].to, satisfaction_zh);
}

TEST(ModelParserSyntax, NamesWithPunctuationAndDigits) {
    const Model model = parse("F_1.a =~ x.1 + x_2 + inf + nan + a-b + -x + x2.0e1\n");
    ASSERT_EQ(model.constructs.size(), 1u);
    EXPECT_EQ(model.constructs[0].name, "F_1.a");
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("x.1", "x_2", "inf", "nan", "a-b", "-x", "x2.0e1"));
    for (const auto& loading : model.constructs[0].population_loadings) EXPECT_FALSE(loading.has_value());
}

TEST(ModelParserSyntax, UnicodeSpacesSeparateNames) {
    // Ideographic space U+3000 and no-break space U+00A0, as Chinese input methods and word
    // processors produce them.
    const Model model = parse(satisfaction_zh + "\xE3\x80\x80=~\xE3\x80\x80SAT1\xC2\xA0+ SAT2\n");
    ASSERT_EQ(model.constructs.size(), 1u);
    EXPECT_EQ(model.constructs[0].name, satisfaction_zh);
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("SAT1", "SAT2"));
}

TEST(ModelParserSyntax, ContinuationAfterPlus) {
    const Model model = parse(
        "F =~ a +\n"
        "     b +   # a comment after the plus\n"
        "\n"
        "# a comment line in between\n"
        "     c\n"
        "G =~ d\n"
        "G ~ 0.2*F +\n"
        "    H\n"
        "H =~ e\n");
    ASSERT_EQ(model.constructs.size(), 3u);
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b", "c"));
    EXPECT_EQ(model.constructs[0].line, 1);
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("d"));
    EXPECT_EQ(model.constructs[1].line, 6);
    EXPECT_EQ(model.constructs[2].line, 9);
    ASSERT_EQ(model.paths.size(), 2u);
    EXPECT_EQ(model.paths[0].from, "F");
    EXPECT_EQ(model.paths[0].line, 7);
    EXPECT_THAT(model.paths[0].population_value, Optional(0.2));
    EXPECT_EQ(model.paths[1].from, "H");
    EXPECT_EQ(model.paths[1].line, 8);  // each path records the line of its predictor
}

TEST(ModelParserSyntax, ContinuationAfterOperatorAndStar) {
    const Model model = parse(
        "F =~\n"
        "  a + b\n"
        "Y ~\n"
        "  # predictors follow\n"
        "  0.3*\n"
        "  F\n");
    ASSERT_EQ(model.constructs.size(), 1u);
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b"));
    EXPECT_EQ(model.constructs[0].line, 1);
    ASSERT_EQ(model.paths.size(), 1u);
    EXPECT_EQ(model.paths[0].from, "F");
    EXPECT_EQ(model.paths[0].to, "Y");
    EXPECT_EQ(model.paths[0].line, 6);
    EXPECT_THAT(model.paths[0].population_value, Optional(0.3));
}

TEST(ModelParserSyntax, SemicolonsSeparateStatements) {
    const Model model = parse("F =~ a + b; G =~ c;; G ~ F;\n;H =~ d ; H ~ G\n");
    EXPECT_THAT(construct_names(model), ElementsAre("F", "G", "H"));
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("c"));
    EXPECT_EQ(model.constructs[2].line, 2);
    EXPECT_THAT(path_pairs(model), ElementsAre(Pair("F", "G"), Pair("G", "H")));
    EXPECT_EQ(model.paths[1].line, 2);
}

TEST(ModelParserSyntax, HashAndBangComments) {
    const Model model = parse(
        "# leading comment\n"
        "! lavaan also reads this as a comment\n"
        "F =~ a + b# no space before the comment\n"
        "G =~ c ! trailing bang comment with =~ and + inside\n"
        "   # indented comment ; with a semicolon\n"
        "G ~ F#");
    EXPECT_THAT(construct_names(model), ElementsAre("F", "G"));
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b"));
    EXPECT_EQ(model.constructs[0].line, 3);
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("c"));
    EXPECT_THAT(path_pairs(model), ElementsAre(Pair("F", "G")));
    EXPECT_EQ(model.paths[0].line, 6);
}

TEST(ModelParserSyntax, CrlfLineEnds) {
    const Model model = parse("# comment\r\nF =~ a +\r\n  b\r\n\r\nG =~ c\r\nG ~ F\r\n");
    EXPECT_THAT(construct_names(model), ElementsAre("F", "G"));
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b"));
    EXPECT_THAT(model.constructs[1].indicators, ElementsAre("c"));
    EXPECT_EQ(model.constructs[1].line, 5);
    EXPECT_THAT(path_pairs(model), ElementsAre(Pair("F", "G")));
    EXPECT_EQ(model.paths[0].line, 6);
}

TEST(ModelParserSyntax, LoneCarriageReturnsEndLines) {
    const Model model = parse("F =~ a\rG =~ b\rG ~ F\r");
    EXPECT_THAT(construct_names(model), ElementsAre("F", "G"));
    EXPECT_EQ(model.constructs[1].line, 2);
    EXPECT_EQ(model.paths[0].line, 3);
}

TEST(ModelParserSyntax, ByteOrderMarkIsSkipped) {
    const Model model = parse("\xEF\xBB\xBF" + satisfaction_zh + " =~ SAT1\r\n");
    ASSERT_EQ(model.constructs.size(), 1u);
    EXPECT_EQ(model.constructs[0].name, satisfaction_zh);
    EXPECT_EQ(model.constructs[0].line, 1);
}

TEST(ModelParserSyntax, RepeatedBlocksMerge) {
    const Model model = parse("F =~ a + b\nG =~ c\nF =~ 0.7*d\nG ~ F\n");
    EXPECT_THAT(construct_names(model), ElementsAre("F", "G"));
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b", "d"));
    EXPECT_THAT(model.constructs[0].population_loadings, ElementsAre(std::nullopt, std::nullopt, Optional(0.7)));
    EXPECT_EQ(model.constructs[0].line, 1);  // where it was first defined
    const Model formative = parse("F <~ a\nF <~ b\n");
    ASSERT_EQ(formative.constructs.size(), 1u);
    EXPECT_EQ(formative.constructs[0].mode, MeasurementMode::formative);
    EXPECT_THAT(formative.constructs[0].indicators, ElementsAre("a", "b"));
}

TEST(ModelParserSyntax, FixedValues) {
    const Model model = parse(
        "F =~ 0.8*a + b + 7.5E-1 * c + -0.25*d\n"
        "Y ~ 0.4*X1 + -0.3 * X2 + X3 + +1e-1*X4 + .5*X5 + 2*X6 +0.05*X7 + 0*X8\n");
    ASSERT_EQ(model.constructs.size(), 1u);
    EXPECT_THAT(model.constructs[0].indicators, ElementsAre("a", "b", "c", "d"));
    EXPECT_THAT(model.constructs[0].population_loadings,
                ElementsAre(Optional(0.8), std::nullopt, Optional(0.75), Optional(-0.25)));
    ASSERT_EQ(model.paths.size(), 8u);
    EXPECT_THAT(path_pairs(model),
                ElementsAre(Pair("X1", "Y"), Pair("X2", "Y"), Pair("X3", "Y"), Pair("X4", "Y"), Pair("X5", "Y"),
                            Pair("X6", "Y"), Pair("X7", "Y"), Pair("X8", "Y")));
    EXPECT_THAT(model.paths[0].population_value, Optional(0.4));
    EXPECT_THAT(model.paths[1].population_value, Optional(-0.3));
    EXPECT_FALSE(model.paths[2].population_value.has_value());
    EXPECT_THAT(model.paths[3].population_value, Optional(0.1));
    EXPECT_THAT(model.paths[4].population_value, Optional(0.5));
    EXPECT_THAT(model.paths[5].population_value, Optional(2.0));
    EXPECT_THAT(model.paths[6].population_value, Optional(0.05));
    EXPECT_THAT(model.paths[7].population_value, Optional(0.0));
}

// --- Errors ----------------------------------------------------------------------------------------

struct ErrorCase {
    std::string name;  // test name suffix
    std::string text;
    int line;           // 0: the message has no line (an empty model)
    std::string token;  // as quoted in the message
    std::string what;   // a fragment of the explanation
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.name;
}

class ModelParserError : public testing::TestWithParam<ErrorCase> {};

TEST_P(ModelParserError, NamesSourceLineAndToken) {
    const ErrorCase& c = GetParam();
    std::string message;
    try {
        parse_model(c.text, "bad.model");
        FAIL() << "parsed without an error";
    } catch (const InputError& e) {
        message = e.what();
    }
    EXPECT_THAT(message, Not(HasSubstr("\n")));
    EXPECT_THAT(message, Not(HasSubstr("\r")));
    EXPECT_THAT(message, HasSubstr(c.what));
    if (c.line == 0) {
        EXPECT_EQ(message, "bad.model: " + c.what);
    } else {
        EXPECT_THAT(message, StartsWith("bad.model:" + std::to_string(c.line) + ": "));
        EXPECT_THAT(message, EndsWith(" near '" + c.token + "'"));
    }
}

const ErrorCase error_cases[] = {
    {"MissingLeftHandSide", "F =~ a\n=~ b + c\n", 2, "=~", "missing left-hand side"},
    {"MissingRightHandSideAtEnd", "F =~ a\nG =~", 2, "=~", "missing right-hand side"},
    {"MissingRightHandSideBeforeComments", "F =~ a\nG ~\n\n# nothing follows\n", 2, "~", "missing right-hand side"},
    {"MissingRightHandSideBeforeSemicolon", "F =~ ; G =~ a", 1, "=~", "missing right-hand side"},
    {"DanglingPlusAtEnd", "F =~ a +\n# the end\n", 1, "+", "'+' without a term after it"},
    {"DanglingPlusBeforeSemicolon", "F =~ a + ; b", 1, "+", "'+' without a term after it"},
    {"DoublePlus", "F =~ a\nG =~ a + + b\n", 2, "+", "'+' without a term before it"},
    {"DoublePlusBeforeNumber", "Y ~ X + + 0.4*Z\n", 1, "+", "'+' without a term before it"},
    {"PlusRightAfterOperator", "F =~ + a\n", 1, "+", "'+' without a term before it"},
    {"LineStartsWithPlus", "F =~ a\n  + b\n", 2, "+", "statement starts with '+'"},
    {"NoOperator", "F =~ a\nImage Expectation\n", 2, "Expectation", "expected =~, <~ or ~ after 'Image'"},
    {"LoneName", "F =~ a\n\nImage\n", 3, "Image", "without an operator"},
    {"SeveralLeftHandSides", "F + G ~ X\n", 1, "+", "expected =~, <~ or ~ after 'F'"},
    {"UnknownOperatorEquals", "F = a + b\n", 1, "=", "unknown operator '='"},
    {"UnknownOperatorRun", "F =~~ a\n", 1, "=~~", "unknown operator '=~~'"},
    {"Covariance", "F =~ a\nG =~ b\n\n# residual covariance\nF ~~ G\n", 5, "~~",
     "unsupported operator '~~' (csipls reads =~, <~ and ~)"},
    {"DefinedParameter", "ab := a*b\n", 1, ":=", "unsupported operator ':='"},
    {"EqualityConstraint", "F =~ a\nb1 == b2\n", 2, "==", "unsupported operator '=='"},
    {"LessThanConstraint", "b1 < 0.5\n", 1, "<", "unsupported operator '<'"},
    {"GreaterThanConstraint", "b1 > 0\n", 1, ">", "unsupported operator '>'"},
    {"Threshold", "x | t1\n", 1, "|", "unsupported operator '|'"},
    {"Intercept", "F =~ a\nY ~ 1\n", 2, "1", "unsupported operator '~1'"},
    {"InterceptWithoutSpace", "Y ~1 + X\n", 1, "1", "unsupported operator '~1'"},
    {"Label", "Y ~ b1*X\n", 1, "b1", "unsupported label 'b1*'"},
    {"FreeParameterLabelNA", "F =~ NA*a + b\n", 1, "NA", "unsupported label 'NA*'"},
    {"StartModifier", "F =~ start(0.5)*a + b\n", 1, "start", "unsupported modifier 'start(...)'"},
    {"StarWithoutNumber", "Y ~ *X\n", 1, "*", "'*' without a number before it"},
    {"StarWithoutName", "Y ~ 0.4* + X\n", 1, "*", "'*' without a name after it"},
    {"StarAtEnd", "Y ~ X + 0.4*\n\n", 1, "*", "'*' without a name after it"},
    {"NumberAfterStar", "Y ~ 0.4*0.5\n", 1, "0.5", "a number where a name is required"},
    {"NumberAsIndicator", "F =~ a + 0.4\n", 1, "0.4", "a number where a name is required"},
    {"NumberAsConstruct", "F =~ a\n0.4 ~ F\n", 2, "0.4", "a number where a construct name is required"},
    {"NameStartsWithNumber", "F =~ a\nY ~ 0.4X1\n", 2, "0.4X1", "a name cannot start with a number"},
    {"NameStartsWithDigit", "F =~ 2nd + a\n", 1, "2nd", "a name cannot start with a number"},
    {"NumberOutOfRange", "Y ~ 1e999*X\n", 1, "1e999", "number out of range"},
    {"MissingPlus", "F =~ a b\n", 1, "b", "expected '+' between terms"},
    {"SecondOperator", "Y ~ X\nY ~ X ~ Z\n", 2, "~", "a second operator in one statement"},
    {"Parenthesis", "F =~ (a + b)\n", 1, "(", "unexpected '('"},
    {"IndicatorTwiceInBlock", "F =~ a + b + a\n", 1, "a", "indicator 'a' appears twice in block 'F'"},
    {"IndicatorTwiceInMergedBlock", "F =~ a + b\nF =~ c +\n  a\n", 3, "a", "indicator 'a' appears twice in block 'F'"},
    {"ModeConflict", "F =~ a\nG =~ b\nF <~ c\n", 3, "<~", "'F' was defined with '=~' on line 1 and now with '<~'"},
    {"ErrorOnContinuedLine", "Y ~ X1 +\n  X2 +\n  X3 X4\n", 3, "X4", "expected '+' between terms"},
    {"ErrorLineWithCrlf", "F =~ a\r\nG =~ b\r\nF ~~ G\r\n", 3, "~~", "unsupported operator '~~'"},
    {"ErrorLineWithBom", "\xEF\xBB\xBF# comment\nF ~~ G\n", 2, "~~", "unsupported operator '~~'"},
    {"ChineseTokenInMessage", "顾客满意 =~ a\n品牌形象 顾客满意\n", 2, "顾客满意", "expected =~, <~ or ~ after '品牌形象'"},
    {"EmptyFile", "", 0, "", "the model has no statements"},
    {"OnlyWhitespace", "\xEF\xBB\xBF \n\t\r\n\n", 0, "", "the model has no statements"},
    {"OnlyComments", "# ECSI\n! nothing here\n;;\n", 0, "", "the model has no statements"},
    {"InvalidUtf8Gbk", "F =~ a\n# \xB9\xCB\xBF\xCD\n", 2, "\\xB9", "invalid UTF-8"},
    {"InvalidUtf8Truncated", "F =~ a\nG =~ b\n\xE9\xA1", 3, "\\xE9", "invalid UTF-8"},
    {"InvalidUtf8Overlong", "F =~ \xC0\xAF\n", 1, "\\xC0", "invalid UTF-8"},
    {"InvalidUtf8Surrogate", "F =~ a\nG =~ \xED\xA0\x80\n", 2, "\\xED", "invalid UTF-8"},
    {"Utf16", "\xFF\xFE" "F", 1, "\\xFF", "UTF-16"},
    {"NulByte", std::string("F =~ a\nG =~ b\0c\n", 16), 2, "\\0", "NUL byte"},
    {"ControlCharacter", "F =~ a\nG =~ b\x01\n", 2, "\\x01", "control character"},
};

INSTANTIATE_TEST_SUITE_P(ModelParser, ModelParserError, testing::ValuesIn(error_cases),
                         [](const testing::TestParamInfo<ErrorCase>& param_info) { return param_info.param.name; });

// csipls's own statements beside lavaan's: answer scales and reverse-coded items.
TEST(ModelParserStatements, ScaleAndReverseStatementsAreReadWithTheirLines) {
    const Model model = parse_model("scale 1:10   # all items\n"
                                    "Image =~ BI1 + BI2\n"
                                    "Loyalty =~ LOY1 + LOY2 + LOY3\n"
                                    "scale 1:5 Loyalty, BI2\n"
                                    "reverse LOY3 + LOY2\n"
                                    "Loyalty ~ Image\n"
                                    "scale =~ s1 + s2\n"   // a construct called scale is still a construct
                                    "Loyalty ~ scale\n",
                                    "m.model");
    ASSERT_EQ(model.scales.size(), 2u);
    EXPECT_EQ(model.scales[0].names.size(), 0u);
    EXPECT_DOUBLE_EQ(model.scales[0].max, 10.0);
    EXPECT_EQ(model.scales[1].names, (std::vector<std::string>{"Loyalty", "BI2"}));
    EXPECT_EQ(model.scales[1].line, 4);
    ASSERT_EQ(model.reversed.size(), 1u);
    EXPECT_EQ(model.reversed[0].items, (std::vector<std::string>{"LOY3", "LOY2"}));
    EXPECT_EQ(model.reversed[0].line, 5);
    EXPECT_EQ(model.constructs.size(), 3u);
    EXPECT_EQ(model.constructs[2].name, "scale");
    EXPECT_EQ(model.paths.size(), 2u);
    EXPECT_EQ(model.paths[1].line, 8);  // line numbers after a statement line are unchanged
}

// The message parsing `text` (as m.model) fails with, or "no error".
std::string statement_error(const std::string& text) {
    try {
        parse_model(text, "m.model");
    } catch (const InputError& error) {
        return std::string(error.what());
    }
    return std::string("no error");
}

TEST(ModelParserStatements, BadStatementsNameFileAndLine) {
    EXPECT_EQ(statement_error("F =~ a\nscale\n"), "m.model:2: 'scale' needs MIN:MAX, e.g. 'scale 1:10' or 'scale 1:5 Loyalty'");
    EXPECT_EQ(statement_error("F =~ a\nscale 10:1\n"), "m.model:2: 'scale' takes MIN:MAX with MIN < MAX, got '10:1'");
    EXPECT_EQ(statement_error("F =~ a\nscale 1-10 F\n"), "m.model:2: 'scale' takes MIN:MAX with MIN < MAX, got '1-10'");
    EXPECT_EQ(statement_error("F =~ a\r\n\r\nreverse   # nothing\r\n"), "m.model:3: 'reverse' needs the names of the reverse-coded items");
}

// The path diagram's hand-tuned columns.
TEST(ModelParserStatements, LayoutLineGivesTheDiagramsColumns) {
    const Model model = parse_model("A =~ a1\nB =~ b1\nC =~ c1\nD =~ d1\nB ~ A\nC ~ A + B\nD ~ C\n"
                                    "layout A, B | C |D   # left to right\n",
                                    "m.model");
    ASSERT_TRUE(model.layout.has_value());
    EXPECT_EQ(model.layout->line, 8);
    EXPECT_EQ(model.layout->columns, (std::vector<std::vector<std::string>>{{"A", "B"}, {"C"}, {"D"}}));
    EXPECT_EQ(model.paths.size(), 4u);
    EXPECT_FALSE(parse_model("A =~ a1\nB =~ b1\nB ~ A\n", "m.model").layout.has_value());
}

TEST(ModelParserStatements, BadLayoutLinesNameFileAndLine) {
    const std::string model = "A =~ a1\nB =~ b1\nB ~ A\n";
    EXPECT_EQ(statement_error(model + "layout A | Q\n"), "m.model:4: 'layout' names 'Q', which is not a construct of the model");
    EXPECT_EQ(statement_error(model + "layout A | B A\n"), "m.model:4: 'layout' names the construct 'A' twice");
    EXPECT_EQ(statement_error(model + "layout A || B\n"),
              "m.model:4: 'layout' has an empty column 2: list each column's constructs from top to bottom, columns "
              "separated by '|', e.g. 'layout Image Expectation | Satisfaction | Loyalty'");
    EXPECT_EQ(statement_error(model + "layout\n"),
              "m.model:4: 'layout' has an empty column 1: list each column's constructs from top to bottom, columns "
              "separated by '|', e.g. 'layout Image Expectation | Satisfaction | Loyalty'");
    EXPECT_EQ(statement_error(model + "layout A\n\nlayout B\n"),
              "m.model:6: a second 'layout' line (the first is line 4): give every column in one line");
}

TEST(ModelParserInteractions, ColonAndCsemPointMakeOneInteractionTerm) {
    const Model colon = parse("A =~ a1 + a2\nB =~ b1\nY =~ y1\nY ~ A + B + 0.2*A:B\n");
    EXPECT_THAT(path_pairs(colon), ElementsAre(Pair("A", "Y"), Pair("B", "Y"), Pair("A:B", "Y")));
    EXPECT_EQ(path_value(colon, "A:B", "Y"), 0.2);
    // cSEM's `A.B`, also when the constructs are defined after the path; a point inside a construct
    // name stays part of it.
    const Model point = parse("Y ~ A + B.c + A.B.c\nA =~ a1\nB.c =~ b1\nY =~ y1\n");
    EXPECT_THAT(path_pairs(point), ElementsAre(Pair("A", "Y"), Pair("B.c", "Y"), Pair("A:B.c", "Y")));
    ASSERT_EQ(interaction_terms(point).size(), 1u);
    EXPECT_EQ(interaction_terms(point)[0].first, "A");
    EXPECT_EQ(interaction_terms(point)[0].second, "B.c");
}

TEST(ModelParserInteractions, ColonOutsideAPredictorNamesTheLine) {
    auto message = [](const std::string& text) {
        try {
            parse_model(text, "old.model");
        } catch (const InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message("F =~ x1 + Q:1\n"), "old.model:1: ':' is reserved for interaction terms (A:B in a structural path): rename the "
                                            "indicator 'Q:1' in the model and the data near 'Q:1'");
    EXPECT_EQ(message("F =~ x1\nG:1 =~ x2\n"), "old.model:2: ':' is reserved for interaction terms (A:B in a structural path): "
                                                  "rename the construct 'G:1' near 'G:1'");
    EXPECT_EQ(message("A =~ a\nB =~ b\nA:B ~ A\n"), "old.model:3: the product term 'A:B' cannot be on the left of '~' (an "
                                                        "interaction term predicts: Y ~ A + B + A:B) near 'A:B'");
}

}  // namespace
}  // namespace csipls

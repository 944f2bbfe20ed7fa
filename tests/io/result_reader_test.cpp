// ResultView, the one reader of JSON results: versions (current, unversioned, newer), modes from
// `constructs` or, for older results, from vif_formative, and errors naming the source and key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "csipls/core/error.hpp"
#include "csipls/io/result_reader.hpp"

namespace {

using csipls::InputError;
using csipls::Json;
using csipls::MeasurementMode;
using csipls::ResultView;
using testing::HasSubstr;

Json versioned_result() {
    Json result;
    result["engine"] = {{"name", "csipls"}, {"version", "0.1.0"}, {"commit", "abc"}};
    result["schema_version"] = csipls::result_schema_version;
    result["n_obs"] = 100;
    result["constructs"] = Json::array({Json{{"name", "Q"}, {"mode", "formative"}, {"indicators", {"q1", "q2"}}},
                                        Json{{"name", "S"}, {"mode", "reflective"}, {"indicators", {"s1"}}}});
    result["paths"] = Json::array({Json{{"from", "Q"}, {"to", "S"}, {"estimate", 0.5}}});
    result["outer_weights"] = {{"Q", {{"q1", 0.6}, {"q2", 0.5}}}, {"S", {{"s1", 1.0}}}};
    result["loadings"] = {{"Q", {{"q1", 0.9}, {"q2", nullptr}}}, {"S", {{"s1", 1.0}}}};
    return result;
}

std::string message_of(const Json& json, const std::string& source = "r.json") {
    try {
        ResultView view(json, source);
    } catch (const InputError& error) {
        return error.what();
    }
    return "";
}

TEST(ResultView, ReadsTheVersionedContract) {
    const ResultView view(versioned_result(), "r.json");
    EXPECT_EQ(view.schema_version(), 1);
    EXPECT_TRUE(view.notices().empty());
    EXPECT_EQ(view.engine_version(), "0.1.0");
    EXPECT_TRUE(view.modes_recorded());
    ASSERT_EQ(view.constructs().size(), 2u);
    EXPECT_EQ(view.constructs()[0].mode, MeasurementMode::formative);
    EXPECT_EQ(view.constructs()[1].mode, MeasurementMode::reflective);
    EXPECT_EQ(view.constructs()[0].indicators, (std::vector<std::string>{"q1", "q2"}));
    EXPECT_EQ(view.n_obs(), 100);
    ASSERT_EQ(view.paths().size(), 1u);
    EXPECT_EQ(view.paths()[0].estimate, 0.5);
    EXPECT_EQ(view.loading("Q", "q1"), 0.9);
    EXPECT_TRUE(std::isnan(view.loading("Q", "q2")));  // null: undefined
    EXPECT_EQ(view.outer_weight("Q", "q2"), 0.5);
}

TEST(ResultView, ModesComeFromTheResultNotFromVifFormative) {
    Json result = versioned_result();
    result["vif_formative"] = Json::array({Json{{"construct", "S"}, {"indicator", "s1"}, {"value", 1.0}}});
    const ResultView view(result, "r.json");
    EXPECT_EQ(view.construct("Q")->mode, MeasurementMode::formative);
    EXPECT_EQ(view.construct("S")->mode, MeasurementMode::reflective);
}

TEST(ResultView, UnversionedResultIsReadWithANoticeAndInferredModes) {
    Json result = versioned_result();
    result.erase("schema_version");
    result.erase("constructs");
    result["vif_formative"] = Json::array({Json{{"construct", "Q"}, {"indicator", "q1"}, {"value", 1.2}},
                                           Json{{"construct", "Q"}, {"indicator", "q2"}, {"value", 1.2}}});
    const ResultView view(result, "old.json");
    EXPECT_FALSE(view.schema_version());
    EXPECT_FALSE(view.modes_recorded());
    ASSERT_EQ(view.notices().size(), 1u);
    EXPECT_THAT(view.notices()[0], HasSubstr("old.json: no schema_version (written by csipls 0.1.0)"));
    EXPECT_THAT(view.notices()[0], HasSubstr("measurement modes inferred from vif_formative"));
    ASSERT_EQ(view.constructs().size(), 2u);
    EXPECT_EQ(view.construct("Q")->mode, MeasurementMode::formative);
    EXPECT_EQ(view.construct("S")->mode, MeasurementMode::reflective);
    EXPECT_EQ(view.construct("Q")->indicators, (std::vector<std::string>{"q1", "q2"}));
}

TEST(ResultView, NewerSchemaVersionIsRefusedNamingBothVersions) {
    Json result = versioned_result();
    result["schema_version"] = csipls::result_schema_version + 1;
    const std::string message = message_of(result, "future.json");
    EXPECT_THAT(message, HasSubstr("future.json: result schema version 2 is newer than this csipls reads (1)"));
    EXPECT_THAT(message, HasSubstr("csipls 0.1.0"));
}

TEST(ResultView, MalformedKeysAreNamedWithTheSource) {
    Json result = versioned_result();
    result["schema_version"] = "1";
    EXPECT_EQ(message_of(result), "r.json: key 'schema_version': is not a whole number of at least 1");
    result = versioned_result();
    result["constructs"][1]["mode"] = "B";
    EXPECT_EQ(message_of(result), "r.json: key 'constructs[1].mode': is 'B', not 'reflective' or 'formative'");
    result = versioned_result();
    result["constructs"][0].erase("indicators");
    EXPECT_EQ(message_of(result), "r.json: key 'constructs[0].indicators': is missing");
    result = versioned_result();
    result.erase("paths");
    const ResultView view(result, "r.json");
    EXPECT_THROW(
        {
            try {
                view.paths();
            } catch (const InputError& error) {
                EXPECT_STREQ(error.what(), "r.json: key 'paths': is missing");
                throw;
            }
        },
        InputError);
    try {
        view.loading("S", "nope");
        ADD_FAILURE() << "no error";
    } catch (const InputError& error) {
        EXPECT_THAT(error.what(), HasSubstr("r.json: key 'loadings.S.nope': is missing"));
    }
    try {
        view.csi_index_values("estimate with --scale MIN:MAX");
        ADD_FAILURE() << "no error";
    } catch (const InputError& error) {
        EXPECT_THAT(error.what(), HasSubstr("r.json: the result has no CSI indices (no 'csi_index'); estimate with --scale MIN:MAX"));
    }
}

TEST(ResultView, FromTextNamesTheSourceOfInvalidJson) {
    try {
        ResultView::from_text("{\"engine\":", "broken.json");
        ADD_FAILURE() << "no error";
    } catch (const InputError& error) {
        EXPECT_THAT(error.what(), HasSubstr("broken.json: not valid JSON"));
    }
    EXPECT_THROW(ResultView::from_text("[1, 2]", "array.json"), InputError);
}

TEST(ResultView, BorrowReadsWithoutCopying) {
    const Json result = versioned_result();
    const ResultView view = ResultView::borrow(result, "the result");
    EXPECT_EQ(&view.json(), &result);
    EXPECT_EQ(view.constructs().size(), 2u);
}

}  // namespace

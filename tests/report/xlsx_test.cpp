// The Excel workbook writer: which sheets a result gives (a table the result lacks has no sheet),
// a refused result names the key, and the bytes are a zip archive that the same result reproduces.
// The cells themselves are read back by an independent reader in tests/cli/xlsx_end_to_end_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "csipls/core/error.hpp"
#include "csipls/report/xlsx.hpp"

namespace {

using csipls::Json;
using testing::ElementsAre;
using testing::HasSubstr;

// The keys every result has: engine, paths, outer weights, loadings.
Json workbook_result() {
    Json result;
    result["engine"] = {{"name", "csipls"}, {"version", "0.1.0"}, {"commit", "test"}};
    result["n_obs"] = 250;
    result["paths"] = Json::array({{{"from", "Quality"}, {"to", "Satisfaction"}, {"estimate", 0.5}}});
    result["outer_weights"] = {{"Quality", {{"q1", 0.6}, {"q2", 0.5}}}, {"Satisfaction", {{"s1", 1.0}}}};
    result["loadings"] = {{"Quality", {{"q1", 0.9}, {"q2", 0.8}}}, {"Satisfaction", {{"s1", 1.0}}}};
    return result;
}

TEST(XlsxWorkbook, MinimalResultHasTheRequiredTablesAndSettings) {
    EXPECT_THAT(csipls::xlsx_sheet_names(workbook_result()), ElementsAre("Paths", "Outer weights", "Loadings", "Settings"));
}

TEST(XlsxWorkbook, EveryTablePresentGivesItsSheetInOrder) {
    Json result = workbook_result();
    result["r2"] = {{"Satisfaction", 0.25}};
    result["r2_adj"] = {{"Satisfaction", 0.24}};
    result["reliability"] = {{"cronbach_alpha", {{"Quality", 0.8}, {"Satisfaction", nullptr}}},
                             {"rho_a", {{"Quality", 0.81}, {"Satisfaction", 1.0}}}};
    result["htmt"] = Json::array({{{"a", "Quality"}, {"b", "Satisfaction"}, {"value", 0.7}}});
    result["fit"] = {{"estimated_model", {{"srmr", 0.05}}}, {"saturated_model", {{"srmr", 0.04}}}};
    result["gof"] = 0.5;
    result["csi_index"] = {{"values", {{"Quality", 71.5}, {"Satisfaction", 70.25}}}};
    result["index_table"] = {{"constructs", {"Quality", "Satisfaction"}},
                             {"rows", Json::array({{{"group", "(all)"}, {"level", "all"}, {"n_obs", 250},
                                                    {"index", {{"Quality", 71.5}, {"Satisfaction", 70.25}}}}})}};
    result["groups"] = {{"results", Json::array({{{"group", "A"}, {"n_obs", 120}, {"paths", result["paths"]}},
                                                 {{"group", "B"}, {"n_obs", 3}, {"error", "too few respondents"}}})},
                        {"differences", Json::array({{{"a", "A"}, {"b", "B"}, {"kind", "path"}, {"difference", 0.1}}})}};
    result["micom"] = Json::array({{{"a", "A"}, {"b", "B"}, {"construct", "Quality"}, {"c", 0.99}, {"verdict", nullptr}}});
    result["mga"] = Json::array({{{"a", "A"}, {"b", "B"}, {"test", "welch"}, {"p", 0.2}, {"significant", false}}});
    result["specific_indirect_effects"] =
        Json::array({{{"route", {"Quality", "Value", "Satisfaction"}}, {"from", "Quality"}, {"to", "Satisfaction"}, {"estimate", 0.1}}});
    result["settings"] = {{"inner_scheme", "path"}, {"options", {{"seed", 20240229}}}};
    EXPECT_THAT(csipls::xlsx_sheet_names(result),
                ElementsAre("Paths", "Outer weights", "Loadings", "R2", "Reliability", "HTMT", "Fit", "Indices", "Index table",
                            "Groups", "Group differences", "MICOM", "MGA", "Specific indirect effects", "Settings"));
    for (const auto& name : csipls::xlsx_sheet_names(result)) EXPECT_LE(name.size(), 31u) << name;
    // The workbook renders too: every kind of cell (text, numbers, null, booleans, lists).
    EXPECT_GT(csipls::render_xlsx_workbook(result).size(), 1000u);
}

TEST(XlsxWorkbook, EmptyArraysGiveNoSheet) {
    Json result = workbook_result();
    result["mga"] = Json::array();
    result["micom"] = Json::array();
    result["specific_indirect_effects"] = Json::array();
    EXPECT_THAT(csipls::xlsx_sheet_names(result), ElementsAre("Paths", "Outer weights", "Loadings", "Settings"));
}

TEST(XlsxWorkbook, MissingOrMistypedRequiredKeysAreNamed) {
    for (const char* key : {"engine", "paths", "outer_weights", "loadings"}) {
        Json result = workbook_result();
        result.erase(key);
        try {
            csipls::render_xlsx_workbook(result);
            ADD_FAILURE() << "a result without " << key << " was rendered";
        } catch (const csipls::InputError& error) {
            EXPECT_THAT(error.what(), HasSubstr(key));
        }
    }
    Json result = workbook_result();
    result["paths"] = "not a list";
    EXPECT_THROW(csipls::render_xlsx_workbook(result), csipls::InputError);
    EXPECT_THROW(csipls::render_xlsx_workbook(Json::array()), csipls::InputError);
}

TEST(XlsxWorkbook, IsAZipArchiveAndTheSameResultGivesTheSameBytes) {
    Json result = workbook_result();
    result["settings"] = {{"options", {{"seed", 18446744073709551615ULL}}}};  // beyond a double: written as text
    const std::string first = csipls::render_xlsx_workbook(result);
    ASSERT_GE(first.size(), 4u);
    EXPECT_EQ(first.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_EQ(csipls::render_xlsx_workbook(result), first);
    result["paths"][0]["estimate"] = 0.25;
    EXPECT_NE(csipls::render_xlsx_workbook(result), first);
}

}  // namespace

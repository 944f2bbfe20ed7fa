// The report renderer: escaping, the diagram's nodes, edges and layout, sections present or left
// out by what the result holds, the index table at 300 groups, the control chart's limits, and the
// bootstrap draws parser. Results are small JSON fixtures written here, so the tests also cover
// keys (ipma, index_table, groups) before the estimation writes them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>

#include "csipls/core/error.hpp"
#include "csipls/report/report.hpp"
#include "test_helpers.hpp"

namespace {

using csipls::Json;
using csipls::testing_support::count;
using csipls::testing_support::count_regex;
using testing::HasSubstr;
using testing::Not;


// A result with the keys the renderer requires, for constructs `names` chained by `paths`.
Json minimal_result(const std::vector<std::string>& names, const std::vector<std::pair<int, int>>& paths) {
    Json result;
    result["engine"] = {{"name", "csipls"}, {"version", "0.1.0"}, {"commit", "test"}};
    result["input"] = {{"model", {{"path", "m.model"}, {"xxh64", "0123456789abcdef"}}},
                       {"data", {{"path", "d.csv"}, {"size_bytes", 100}, {"xxh64", "fedcba9876543210"}}}};
    result["n_obs"] = 250;
    result["paths"] = Json::array();
    for (const auto& [from, to] : paths)
        result["paths"].push_back({{"from", names[from]}, {"to", names[to]}, {"estimate", 0.25 + 0.01 * from}});
    result["outer_weights"] = Json::object();
    result["loadings"] = Json::object();
    for (std::size_t c = 0; c < names.size(); ++c)
        for (int k = 1; k <= 3; ++k) {
            const std::string indicator = "x" + std::to_string(c) + "_" + std::to_string(k);
            result["outer_weights"][names[c]][indicator] = 0.4;
            result["loadings"][names[c]][indicator] = 0.8;
        }
    return result;
}

const std::vector<std::string> acsi = {"Expectation", "Quality", "Value", "Satisfaction", "Loyalty"};
const std::vector<std::pair<int, int>> acsi_paths = {{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}, {3, 4}};

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
    EXPECT_EQ(csipls::html_escape("a<b>&\"c'd 顾客"), "a&lt;b&gt;&amp;&quot;c&#39;d 顾客");
}

TEST(SignificanceStars, FollowTheUsualCutoffs) {
    EXPECT_EQ(csipls::significance_stars(0.0009), "***");
    EXPECT_EQ(csipls::significance_stars(0.009), "**");
    EXPECT_EQ(csipls::significance_stars(0.049), "*");
    EXPECT_EQ(csipls::significance_stars(0.05), "");
    EXPECT_EQ(csipls::significance_stars(std::nan("")), "");
}

TEST(Report, EscapesEveryNameInTheHtml) {
    // '<' is an operator character of model files, but &, >, " and ' may be in names.
    const std::vector<std::string> names = {"Q&A\"x'>", "Sat"};
    Json result = minimal_result(names, {{0, 1}});
    result["r2"] = {{"Sat", 0.3}};
    result["outer_weights"][names[0]]["i&<1"] = 0.5;
    result["loadings"][names[0]]["i&<1"] = 0.7;
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, HasSubstr("Q&amp;A&quot;x&#39;&gt;"));
    EXPECT_THAT(html, HasSubstr("i&amp;&lt;1"));
    EXPECT_THAT(html, Not(HasSubstr("Q&A\"")));
    EXPECT_THAT(html, Not(HasSubstr("i&<1")));
    EXPECT_THAT(html, Not(HasSubstr("<script")));
}

TEST(Report, DiagramHasOneNodePerConstructAndOneEdgePerPath) {
    Json result = minimal_result(acsi, acsi_paths);
    result["r2"] = {{"Quality", 0.2}, {"Value", 0.3}, {"Satisfaction", 0.6}, {"Loyalty", 0.4}};
    const std::string svg = csipls::render_diagram_svg(csipls::diagram_from_result(result));
    EXPECT_EQ(count(svg, "class=\"construct\""), acsi.size());
    EXPECT_EQ(count_regex(svg, "<g class=\"path[ \"]"), acsi_paths.size());
    EXPECT_EQ(count(svg, "class=\"indicator\""), 3 * acsi.size());
    EXPECT_EQ(count(svg, "R² = "), 4u);  // the endogenous constructs only
    EXPECT_THAT(svg, HasSubstr("R² = 0.600"));
    // The report embeds the same diagram.
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_EQ(count(html, "class=\"construct\""), acsi.size());
    EXPECT_EQ(count_regex(html, "<g class=\"path[ \"]"), acsi_paths.size());
}

TEST(Report, PathLabelsCarryStarsFromBootstrapP) {
    Json result = minimal_result({"A", "B", "C"}, {{0, 1}, {1, 2}});
    result["bootstrap"] = {{"resamples", 100}, {"succeeded", 100}, {"ci_level", 0.95},
                           {"paths", {{{"from", "A"}, {"to", "B"}, {"p", 0.0004}, {"se", 0.1}, {"ci_lower", 0.1}, {"ci_upper", 0.4}},
                                      {{"from", "B"}, {"to", "C"}, {"p", 0.2}, {"se", 0.1}, {"ci_lower", -0.1}, {"ci_upper", 0.5}}}}};
    const std::string svg = csipls::render_diagram_svg(csipls::diagram_from_result(result));
    EXPECT_THAT(svg, HasSubstr(">0.250***</text>"));
    EXPECT_THAT(svg, HasSubstr(">0.260</text>"));
    EXPECT_EQ(count(svg, "class=\"path not-significant\""), 1u);
}

TEST(Report, FormativeBlocksComeFromVifFormativeAndShowWeights) {
    Json result = minimal_result({"A", "B"}, {{0, 1}});
    result["outer_weights"]["A"]["x0_1"] = 0.61;
    result["vif_formative"] = {{{"construct", "A"}, {"indicator", "x0_1"}, {"value", 1.2}}};
    const auto diagram = csipls::diagram_from_result(result);
    ASSERT_EQ(diagram.constructs.size(), 2u);
    EXPECT_TRUE(diagram.constructs[0].formative);
    EXPECT_FALSE(diagram.constructs[1].formative);
    EXPECT_DOUBLE_EQ(diagram.constructs[0].indicator_values[0], 0.61);  // weight, not the loading 0.8
    EXPECT_DOUBLE_EQ(diagram.constructs[1].indicator_values[0], 0.8);
    EXPECT_THAT(csipls::render_diagram_svg(diagram), HasSubstr("data-mode=\"formative\""));
}

bool overlap(const csipls::Box& a, const csipls::Box& b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

// True when the segment crosses the inside of the box (Liang-Barsky clipping).
bool crosses(std::pair<double, double> p, std::pair<double, double> q, const csipls::Box& box) {
    double t0 = 0, t1 = 1;
    const double dx = q.first - p.first, dy = q.second - p.second;
    const double shrink = 1;  // touching an edge is not crossing
    const double edges[4][2] = {{-dx, p.first - (box.x + shrink)}, {dx, box.x + box.width - shrink - p.first},
                                {-dy, p.second - (box.y + shrink)}, {dy, box.y + box.height - shrink - p.second}};
    for (const auto& [denominator, numerator] : edges) {
        if (denominator == 0) {
            if (numerator < 0) return false;
        } else {
            const double t = numerator / denominator;
            if (denominator < 0) t0 = std::max(t0, t);
            else t1 = std::min(t1, t);
        }
    }
    return t0 < t1;
}

// 20 constructs in 5 layers of 4; each construct of layers 1-4 has two predecessors in the layer
// before, and six paths skip layers (the kind that run through other nodes in a naive layout).
csipls::DiagramModel twenty_construct_model() {
    csipls::DiagramModel model;
    for (int c = 0; c < 20; ++c) {
        csipls::DiagramConstruct construct;
        construct.name = c % 2 ? "顾客满意度" + std::to_string(c) : "Construct" + std::to_string(c);
        for (int k = 1; k <= 3 + c % 3; ++k) {
            construct.indicators.push_back("Q" + std::to_string(c) + "_" + std::to_string(k));
            construct.indicator_values.push_back(0.7 + 0.01 * k);
        }
        construct.has_r2 = c >= 4;
        construct.r2 = 0.5;
        construct.formative = c == 1;
        model.constructs.push_back(construct);
    }
    auto add = [&](int from, int to, double estimate, double p) { model.paths.push_back({from, to, true, estimate, true, p}); };
    for (int layer = 1; layer < 5; ++layer)
        for (int k = 0; k < 4; ++k) {
            add(4 * (layer - 1) + k, 4 * layer + k, 0.412, 0.0001);
            add(4 * (layer - 1) + (k + 1) % 4, 4 * layer + k, -0.123, 0.03);
        }
    for (const auto& [from, to] : {std::pair{0, 9}, {1, 14}, {2, 19}, {4, 18}, {3, 12}, {7, 17}}) add(from, to, 0.205, 0.2);
    return model;
}

TEST(DiagramLayout, TwentyConstructsWithoutOverlaps) {
    const auto model = twenty_construct_model();
    const auto layout = csipls::layout_diagram(model);
    ASSERT_EQ(layout.constructs.size(), 20u);
    ASSERT_EQ(layout.path_labels.size(), model.paths.size());
    EXPECT_EQ(layout.depth[0], 0);
    EXPECT_EQ(layout.depth[19], 4);

    std::vector<csipls::Box> boxes, nodes;
    std::vector<int> owner;  // construct of each node box
    for (std::size_t c = 0; c < 20; ++c) {
        boxes.push_back(layout.constructs[c]);
        nodes.push_back(layout.constructs[c]);
        owner.push_back(static_cast<int>(c));
        for (const auto& box : layout.indicators[c]) boxes.push_back(box), nodes.push_back(box), owner.push_back(static_cast<int>(c));
        for (const auto& box : layout.indicator_labels[c]) boxes.push_back(box);
    }
    for (const auto& box : layout.path_labels) {
        ASSERT_GT(box.width, 0);  // every path has an estimate, so every path has a label
        boxes.push_back(box);
    }
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        EXPECT_GE(boxes[i].x, 0);
        EXPECT_GE(boxes[i].y, 0);
        EXPECT_LE(boxes[i].x + boxes[i].width, layout.width);
        EXPECT_LE(boxes[i].y + boxes[i].height, layout.height);
        for (std::size_t j = i + 1; j < boxes.size(); ++j)
            EXPECT_FALSE(overlap(boxes[i], boxes[j])) << "boxes " << i << " and " << j << " overlap";
    }
    // No arrow runs through a construct or indicator other than its own two ends.
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& route = layout.path_routes[p];
        ASSERT_GE(route.size(), 4u);
        for (std::size_t k = 0; k + 1 < route.size(); ++k)
            for (std::size_t b = 0; b < nodes.size(); ++b) {
                if (owner[b] == model.paths[p].from || owner[b] == model.paths[p].to) continue;
                EXPECT_FALSE(crosses(route[k], route[k + 1], nodes[b])) << "path " << p << " crosses a node of construct " << owner[b];
            }
    }
    // A 20-construct diagram stays a readable size (it scales down to the page, so not too large).
    EXPECT_LT(layout.width, 2600);
    EXPECT_LT(layout.height, 2000);
}

TEST(DiagramLayout, IsDeterministic) {
    const auto model = twenty_construct_model();
    EXPECT_EQ(csipls::render_diagram_svg(model), csipls::render_diagram_svg(model));
}

TEST(DiagramDot, OneNodePerConstructAndIndicatorOneEdgePerPathAndQuotesEscaped) {
    csipls::Model model;
    model.constructs.push_back({"Say \"hi\"", csipls::MeasurementMode::reflective, {"a1", "a2"}, {}, 1});
    model.constructs.push_back({"B\\x", csipls::MeasurementMode::formative, {"b1"}, {}, 2});
    model.paths.push_back({"Say \"hi\"", "B\\x", std::nullopt, 3});
    const std::string dot = csipls::render_diagram_dot(csipls::diagram_from_model(model));
    EXPECT_THAT(dot, HasSubstr("digraph csipls {"));
    EXPECT_THAT(dot, HasSubstr("\"c:Say \\\"hi\\\"\" [shape=ellipse"));
    EXPECT_THAT(dot, HasSubstr("\"c:B\\\\x\" [shape=ellipse"));
    EXPECT_EQ(count(dot, "shape=ellipse"), 2u);
    EXPECT_EQ(count(dot, "shape=box"), 3u);
    EXPECT_EQ(count(dot, "\"c:Say \\\"hi\\\"\" -> \"c:B\\\\x\""), 1u);
    EXPECT_EQ(count(dot, ", dir=back"), 2u);  // the reflective block's two arrows point to its indicators
    EXPECT_EQ(dot.back(), '\n');
}

TEST(Report, SectionsAbsentFromTheResultAreLeftOut) {
    const std::string html = csipls::render_html_report(minimal_result(acsi, acsi_paths), nullptr);
    EXPECT_THAT(html, HasSubstr("<section id=\"diagram\">"));
    EXPECT_THAT(html, HasSubstr("<section id=\"structural\">"));
    EXPECT_THAT(html, HasSubstr("<section id=\"run\">"));
    for (const char* absent : {"id=\"indices\"", "id=\"ipma\"", "id=\"control\"", "id=\"reliability\"", "id=\"fit\"",
                               "class=\"histogram\"", "class=\"chart"})
        EXPECT_THAT(html, Not(HasSubstr(absent))) << absent;
    EXPECT_THAT(html, HasSubstr("No bootstrap draws"));
    EXPECT_THAT(html, HasSubstr("no significance stars"));
}

TEST(Report, ProvenanceIsRecordedAndNoTimestamps) {
    const std::string html = csipls::render_html_report(minimal_result(acsi, acsi_paths), nullptr);
    EXPECT_THAT(html, HasSubstr("<code>d.csv</code>, 100 bytes, xxh64 <code>fedcba9876543210</code>"));
    EXPECT_THAT(html, HasSubstr("xxh64 <code>0123456789abcdef</code>"));
    EXPECT_EQ(html, csipls::render_html_report(minimal_result(acsi, acsi_paths), nullptr));
}

TEST(Report, MissingOrMistypedRequiredKeysAreNamed) {
    Json result = minimal_result(acsi, acsi_paths);
    result.erase("paths");
    try {
        csipls::render_html_report(result, nullptr);
        FAIL() << "no error";
    } catch (const csipls::InputError& error) {
        EXPECT_THAT(error.what(), HasSubstr("'paths'"));
    }
    result = minimal_result(acsi, acsi_paths);
    result["outer_weights"] = 3;
    EXPECT_THROW(csipls::render_html_report(result, nullptr), csipls::InputError);
    EXPECT_THROW(csipls::render_html_report(Json::array(), nullptr), csipls::InputError);
    result = minimal_result(acsi, acsi_paths);
    result["paths"].push_back({{"from", "Loyalty"}, {"to", "Expectation"}, {"estimate", 0.1}});  // a cycle
    EXPECT_THROW(csipls::render_html_report(result, nullptr), csipls::InputError);
}

TEST(Report, AssessmentThresholdsAreMarked) {
    Json result = minimal_result({"A", "B", "C"}, {{0, 1}, {1, 2}});
    result["reliability"] = {{"cronbach_alpha", {{"A", 0.65}, {"B", 0.81}, {"C", 0.9}}},
                             {"rho_a", {{"A", 0.75}, {"B", 0.82}, {"C", 0.9}}},
                             {"rho_c", {{"A", 0.8}, {"B", 0.85}, {"C", 0.9}}},
                             {"ave", {{"A", 0.45}, {"B", 0.6}, {"C", 0.7}}}};
    result["htmt"] = {{{"a", "B"}, {"b", "A"}, {"value", 0.87}}, {{"a", "C"}, {"b", "A"}, {"value", 0.93}},
                      {{"a", "C"}, {"b", "B"}, {"value", 0.5}}};
    result["fit"] = {{"estimated_model", {{"srmr", 0.091}, {"d_uls", 0.5}, {"d_g", 0.3}}},
                     {"saturated_model", {{"srmr", 0.05}, {"d_uls", 0.4}, {"d_g", 0.2}}}};
    result["vif_structural"] = {{{"dependent", "B"}, {"predictor", "A"}, {"value", 5.5}}};
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, HasSubstr("<td class=\"fail\" title=\"below 0.7\">0.650</td>"));
    EXPECT_THAT(html, HasSubstr("<td class=\"fail\" title=\"below 0.5\">0.450</td>"));
    EXPECT_THAT(html, HasSubstr("<td class=\"warn\" title=\"above 0.85\">0.870</td>"));
    EXPECT_THAT(html, HasSubstr("<td class=\"fail\" title=\"above 0.90\">0.930</td>"));
    EXPECT_THAT(html, HasSubstr("<td class=\"fail\" title=\"0.08 or more\">0.091</td>"));
    EXPECT_THAT(html, HasSubstr("<td class=\"pass\">0.050</td>"));
    EXPECT_THAT(html, HasSubstr("<td class=\"fail\" title=\"5 or more\">5.50</td>"));
    EXPECT_EQ(count(html, "class=\"fail\""), 5u);
}

// index_table and ipma as the group and IPMA estimation will write them.
Json grouped_result(int groups, bool with_se) {
    Json result = minimal_result(acsi, acsi_paths);
    Json table;
    table["constructs"] = acsi;
    table["ci_level"] = 0.95;
    for (int g = -1; g < groups; ++g) {
        Json row;
        row["group"] = g < 0 ? "(all)" : "P" + std::to_string(g + 1);
        row["n_obs"] = 250;
        for (std::size_t c = 0; c < acsi.size(); ++c) {
            const double value = 70 + static_cast<double>(c) + (g >= 0 ? 0.5 * std::sin(g) : 0);
            row["index"][acsi[c]] = value;
            if (with_se) {
                row["se"][acsi[c]] = 1.0;
                row["ci_lower"][acsi[c]] = value - 1.96;
                row["ci_upper"][acsi[c]] = value + 1.96;
            }
        }
        table["rows"].push_back(row);
    }
    result["index_table"] = table;
    return result;
}

TEST(Report, IndexTableWithThreeHundredGroups) {
    const Json result = grouped_result(300, true);
    const std::string html = csipls::render_html_report(result, nullptr);
    const auto table_start = html.find("<table class=\"numbers index-table\">");
    ASSERT_NE(table_start, std::string::npos);
    const std::string table = html.substr(table_start, html.find("</table>", table_start) - table_start);
    EXPECT_EQ(count(table, "<tr"), 302u);  // header, (all), 300 groups
    EXPECT_EQ(count(table, "<span class=\"ci\">"), 301u * acsi.size());
    // Too many groups for labelled bars: a strip of points, one per group, for the key construct
    // (Satisfaction: most paths lead into it).
    EXPECT_EQ(count(html, "class=\"chart strip-chart\""), 1u);
    EXPECT_EQ(count(html, "<g class=\"point\">"), 300u);
    EXPECT_THAT(html, HasSubstr("Index of Satisfaction in each of the 300 groups"));
}

TEST(Report, FewGroupsGetLabelledBars) {
    const std::string html = csipls::render_html_report(grouped_result(8, false), nullptr);
    EXPECT_EQ(count(html, "class=\"chart bar-chart\""), 2u);  // overall by construct, and Satisfaction by group
    EXPECT_EQ(count(html, "class=\"chart strip-chart\""), 0u);
    EXPECT_THAT(html, HasSubstr("No bootstrap in this result, so no intervals."));
}

TEST(Report, ImportancePerformanceMap) {
    Json result = minimal_result(acsi, acsi_paths);
    result["ipma"] = {{"target", "Loyalty"}, {"importance_mean", 0.3}, {"performance_mean", 70.0},
                      {"constructs", {{{"construct", "Quality"}, {"importance", 0.45}, {"performance", 65.0}, {"quadrant", "priority"}},
                                      {{"construct", "Value"}, {"importance", 0.2}, {"performance", 75.0}, {"quadrant", "possible_overkill"}},
                                      {{"construct", "Expectation"}, {"importance", 0.1}, {"performance", 60.0}, {"quadrant", "low_priority"}}}},
                      {"indicators", {{{"construct", "Quality"}, {"indicator", "x1_1"}, {"importance", 0.08}, {"performance", 70.1}, {"quadrant", "keep_up"}}}}};
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, HasSubstr("<section id=\"ipma\">"));
    EXPECT_EQ(count(html, "<g class=\"ipma-point "), 3u);
    EXPECT_EQ(count(html, "<g class=\"ipma-point priority\">"), 1u);
    EXPECT_EQ(count(html, "class=\"quadrant-line\""), 2u);
    EXPECT_THAT(html, HasSubstr("<td>priority (improve first)</td>"));
    EXPECT_THAT(html, HasSubstr("<td>x1_1</td>"));
}

Json period_result(const std::vector<double>& values, const std::vector<double>& se) {
    Json result = minimal_result(acsi, acsi_paths);
    result["groups"] = {{"column", "quarter"}, {"mode", "separate"}, {"results", Json::array()}};
    Json table{{"constructs", {"Satisfaction"}}, {"ci_level", 0.95}};
    table["rows"].push_back({{"group", "(all)"}, {"n_obs", 1000}, {"index", {{"Satisfaction", 70.0}}}});
    for (std::size_t k = 0; k < values.size(); ++k) {
        Json row{{"group", "2024Q" + std::to_string(k + 1)}, {"n_obs", 250}, {"index", {{"Satisfaction", values[k]}}}};
        if (!se.empty()) row["se"] = {{"Satisfaction", se[k]}};
        table["rows"].push_back(row);
    }
    result["index_table"] = table;
    return result;
}

TEST(ControlChart, LimitsFromEachPeriodsStandardError) {
    // se 1 everywhere: centre = mean = 71, limits 68 and 74; 75 is out of control.
    const Json result = period_result({70, 70, 70, 75, 70}, {1, 1, 1, 1, 1});
    const std::string html = csipls::render_html_report(result, nullptr, {"quarter"});
    EXPECT_THAT(html, HasSubstr("<section id=\"control\">"));
    EXPECT_EQ(count(html, "<circle class=\"out-of-control\""), 1u);
    EXPECT_EQ(count(html, "<circle class=\"in-control\""), 4u);
    EXPECT_THAT(html, HasSubstr("<tr><td>2024Q4</td><td>75.00</td><td>68.00</td><td>74.00</td><td class=\"fail\">out of control</td></tr>"));
    EXPECT_THAT(html, HasSubstr("1 of 5 periods outside the limits"));
}

TEST(ControlChart, UnequalStandardErrorsWeightTheCentreAndWidenTheLimits) {
    // Weights 1/se²: 4, 4, 0.25 → centre (4·70 + 4·71 + 0.25·76)/8.25 = 70.667; limits ±1.5 and, for the
    // imprecise third period, ±6, so its 76 is within them.
    const Json result = period_result({70, 71, 76}, {0.5, 0.5, 2});
    const std::string html = csipls::render_html_report(result, nullptr, {"quarter"});
    EXPECT_THAT(html, HasSubstr("<tr><td>2024Q1</td><td>70.00</td><td>69.17</td><td>72.17</td><td></td></tr>"));
    EXPECT_THAT(html, HasSubstr("<tr><td>2024Q3</td><td>76.00</td><td>64.67</td><td>76.67</td><td></td></tr>"));
    EXPECT_THAT(html, HasSubstr("0 of 3 periods outside the limits"));
}

TEST(ControlChart, MovingRangeWithoutStandardErrors) {
    // Moving ranges 1, 1, 1, 1 → σ = 1/1.128 = 0.8865; centre 70.4; limits 67.74 and 73.06.
    const Json result = period_result({70, 71, 70, 71, 70}, {});
    const std::string html = csipls::render_html_report(result, nullptr, {"quarter"});
    EXPECT_THAT(html, HasSubstr("<td>67.74</td><td>73.06</td>"));
    EXPECT_THAT(html, HasSubstr("σ = mean moving range / 1.128 (0.89)"));
    EXPECT_EQ(count(html, "<circle class=\"out-of-control\""), 0u);
}

TEST(ControlChart, RefusedWithoutPerPeriodIndicesOrForAnotherColumn) {
    EXPECT_THROW(csipls::render_html_report(minimal_result(acsi, acsi_paths), nullptr, {"quarter"}), csipls::InputError);
    try {
        csipls::render_html_report(period_result({70, 71}, {}), nullptr, {"month"});
        FAIL() << "no error";
    } catch (const csipls::InputError& error) {
        EXPECT_THAT(error.what(), HasSubstr("'quarter'"));
        EXPECT_THAT(error.what(), HasSubstr("'month'"));
    }
    // Without --period the periods are just groups: no chart.
    EXPECT_THAT(csipls::render_html_report(period_result({70, 71}, {}), nullptr), Not(HasSubstr("id=\"control\"")));
}

TEST(Histograms, OnePerPathWithDrawsAndTheEstimateMarked) {
    Json result = minimal_result({"A", "B", "C"}, {{0, 1}, {1, 2}});
    csipls::ReportDraws draws;
    draws.labels = {"B ~ A", "C ~ B", "B =~ x1_1"};
    draws.columns.assign(3, std::vector<double>{});
    for (int r = 0; r < 200; ++r) {
        draws.columns[0].push_back(0.25 + 0.001 * (r % 50));
        draws.columns[1].push_back(0.26 - 0.001 * (r % 30));
        draws.columns[2].push_back(0.8);
    }
    draws.columns[1][7] = std::nan("");  // a failed draw of one parameter is left out
    const std::string html = csipls::render_html_report(result, &draws);
    EXPECT_EQ(count(html, "class=\"chart histogram\""), 2u);
    EXPECT_THAT(html, HasSubstr(">200 draws</text>"));
    EXPECT_THAT(html, HasSubstr(">199 draws</text>"));
    EXPECT_EQ(count(html, "class=\"estimate\""), 2u);
    EXPECT_THAT(html, Not(HasSubstr("No bootstrap draws")));
}

TEST(ReportDraws, ParsesSaveDrawsOutput) {
    const auto draws = csipls::parse_report_draws("replicate,B ~ A,\"x,y ~ \"\"z\"\"\"\n0,0.5,nan\r\n1,0.25,-1e-3\n\n", "d.csv");
    ASSERT_EQ(draws.labels.size(), 2u);
    EXPECT_EQ(draws.labels[1], "x,y ~ \"z\"");
    ASSERT_EQ(draws.columns[0].size(), 2u);
    EXPECT_DOUBLE_EQ(draws.columns[0][1], 0.25);
    EXPECT_TRUE(std::isnan(draws.columns[1][0]));
    EXPECT_DOUBLE_EQ(draws.columns[1][1], -0.001);
}

TEST(ReportDraws, ErrorsNameTheFileLineAndColumn) {
    auto message = [](const std::string& text) {
        try {
            csipls::parse_report_draws(text, "d.csv");
        } catch (const csipls::InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(message("a,b\n1,2\n"), HasSubstr("d.csv:1: not a bootstrap draws file"));
    EXPECT_THAT(message("replicate,B ~ A\n0,0.5\n1,abc\n"), HasSubstr("d.csv:3: column 'B ~ A' holds 'abc'"));
    EXPECT_THAT(message("replicate,B ~ A\n0,0.5,7\n"), HasSubstr("d.csv:2: 3 fields where the header has 2"));
    EXPECT_THAT(message("replicate,\"B ~ A\n0,1\n"), HasSubstr("d.csv:1: a quoted field is not closed"));
}

}  // namespace

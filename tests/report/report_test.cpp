// The report renderer: escaping, the diagram's nodes, edges and layout, sections present or left
// out by what the result holds, the index table at 300 groups, the control chart's limits, and the
// bootstrap draws parser. Results are small JSON fixtures written here, so the tests also cover
// keys (ipma, index_table, groups) before the estimation writes them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
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

// True when the segment runs through the ellipse inscribed in the box (not just its bounding box's
// corners): in coordinates where the ellipse is the unit circle, the segment comes nearer the
// centre than 0.98.
bool crosses_ellipse(std::pair<double, double> p, std::pair<double, double> q, const csipls::Box& box) {
    const double a = box.width / 2, b = box.height / 2, cx = box.x + a, cy = box.y + b;
    const double px = (p.first - cx) / a, py = (p.second - cy) / b, qx = (q.first - cx) / a, qy = (q.second - cy) / b;
    const double dx = qx - px, dy = qy - py, length2 = dx * dx + dy * dy;
    const double t = length2 > 0 ? std::clamp(-(px * dx + py * dy) / length2, 0.0, 1.0) : 0;
    return std::hypot(px + t * dx, py + t * dy) < 0.98;
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
    std::vector<bool> is_ellipse;
    for (std::size_t c = 0; c < 20; ++c) {
        boxes.push_back(layout.constructs[c]);
        nodes.push_back(layout.constructs[c]);
        owner.push_back(static_cast<int>(c));
        is_ellipse.push_back(true);
        for (const auto& box : layout.indicators[c])
            boxes.push_back(box), nodes.push_back(box), owner.push_back(static_cast<int>(c)), is_ellipse.push_back(false);
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
    // No arrow runs through a construct other than its own two ends. Graphviz's splines avoid the
    // cells nearly always, but here two graze the corner of an indicator's box (measured: paths 8
    // and 30, by a few pixels): allowed, and no more.
    int indicator_hits = 0;
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& route = layout.path_routes[p];
        ASSERT_GE(route.size(), 4u);
        for (std::size_t b = 0; b < nodes.size(); ++b) {
            if (owner[b] == model.paths[p].from || owner[b] == model.paths[p].to) continue;
            bool hit = false;
            for (std::size_t k = 0; k + 1 < route.size(); ++k)
                hit = hit || (is_ellipse[b] ? crosses_ellipse(route[k], route[k + 1], nodes[b]) : crosses(route[k], route[k + 1], nodes[b]));
            if (is_ellipse[b]) EXPECT_FALSE(hit) << "path " << p << " crosses the ellipse of construct " << owner[b];
            else indicator_hits += hit;
        }
    }
    EXPECT_LE(indicator_hits, 2);
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
    for (const char* absent : {"id=\"indices\"", "id=\"groups\"", "id=\"micom\"", "id=\"mga\"", "id=\"ipma\"",
                               "id=\"control\"", "id=\"reliability\"", "id=\"fit\"",
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

// --- groups compared, MICOM and MGA ----------------------------------------------------------

namespace {

// A real `csipls estimate --group gender --bootstrap 100` result with `micom`, `micom_settings`,
// `mga` and `mga_settings` added as the engine writes them (tests/fixtures/report_groups/make_fixture.sh).
std::string group_fixture_text() {
    std::ifstream in(std::string(CSIPLS_SOURCE_DIR) + "/tests/fixtures/report_groups/result.json", std::ios::binary);
    EXPECT_TRUE(in) << "fixture missing";
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Json group_fixture() { return Json::parse(group_fixture_text()); }

// The HTML of one section (from its <section> to the next </section>), or "" when it is absent.
std::string section_of(const std::string& html, const std::string& id) {
    const auto start = html.find("<section id=\"" + id + "\">");
    if (start == std::string::npos) return "";
    return html.substr(start, html.find("</section>", start) - start);
}

// The row of a table that starts with this first cell.
std::string row_of(const std::string& html, const std::string& first_cell) {
    const auto start = html.find("<tr><td>" + first_cell + "</td>");
    if (start == std::string::npos) return "";
    return html.substr(start, html.find("</tr>", start) - start);
}

}  // namespace

TEST(GroupReport, PathR2AndIndexTablesPerGroupWithTheGroupBootstrap) {
    const std::string html = csipls::render_html_report(group_fixture(), nullptr);
    const std::string groups = section_of(html, "groups");
    ASSERT_FALSE(groups.empty());
    EXPECT_THAT(html, HasSubstr("<li><a href=\"#groups\">Groups compared</a></li>"));
    EXPECT_THAT(groups, HasSubstr("Groups of the column <code>gender</code>: 2 groups"));
    // Three tables (paths, R², indices), columns pooled, female, male, each with its n.
    EXPECT_EQ(count(groups, "<table class=\"numbers by-column group-table\">"), 3u);
    EXPECT_EQ(count(groups, "<th>Pooled<br><span class=\"ci\">n = 240</span></th><th>female<br><span class=\"ci\">n = 120</span></th>"
                            "<th>male<br><span class=\"ci\">n = 120</span></th>"), 3u);
    // Image → Loyalty: female's interval [-0.061, 0.287] holds 0 (no mark), male's and the pooled one do not.
    EXPECT_EQ(row_of(groups, "Image → Loyalty"),
              "<tr><td>Image → Loyalty</td><td>0.253 *<br><span class=\"ci\">[0.126, 0.378]</span></td>"
              "<td>0.103<br><span class=\"ci\">[-0.061, 0.287]</span></td>"
              "<td>0.300 *<br><span class=\"ci\">[0.133, 0.471]</span></td>");
    EXPECT_EQ(count(groups, " *<br>"), 14u);  // 5 paths × 3 columns, less female's Image → Loyalty
    EXPECT_THAT(row_of(groups, "Quality"), HasSubstr("<td>0.120<br><span class=\"ci\">[0.042, 0.273]</span></td>"));
    EXPECT_THAT(groups, HasSubstr("<tr><td>Image</td><td>68.1<br><span class=\"ci\">[65.5, 70.4]</span></td>"
                                  "<td>59.8<br><span class=\"ci\">[56.6, 63.2]</span></td>"
                                  "<td>76.4<br><span class=\"ci\">[74.0, 78.2]</span></td></tr>"));
    EXPECT_THAT(groups, HasSubstr("95 % bootstrap intervals (percentile)"));
    // The index chart by group carries each group's interval.
    EXPECT_THAT(html, HasSubstr("Index of Satisfaction in each of the 2 groups, with each group's 95 % bootstrap interval."));
}

TEST(GroupReport, WithoutGroupBootstrapNoIntervalsAndNoMarks) {
    Json result = group_fixture();
    result.erase("bootstrap");
    for (auto& group : result["groups"]["results"]) group.erase("bootstrap");
    result["groups"]["results"][0]["paths"][0]["estimate"] = nullptr;
    const std::string groups = section_of(csipls::render_html_report(result, nullptr), "groups");
    EXPECT_THAT(groups, Not(HasSubstr("<span class=\"ci\">[")));
    EXPECT_THAT(groups, Not(HasSubstr(" *")));
    EXPECT_THAT(groups, HasSubstr("No group bootstrap in this result, so no intervals and no marks."));
    EXPECT_EQ(row_of(groups, "Image → Quality"), "<tr><td>Image → Quality</td><td>0.563</td><td>—</td><td>0.346</td>");
}

TEST(GroupReport, AFailedGroupIsNamedAndItsColumnEmpty) {
    Json result = group_fixture();
    Json& male = result["groups"]["results"][1];
    male = {{"group", "male"}, {"n_obs", 120}, {"error", "the PLS iteration did not converge"}};
    const std::string groups = section_of(csipls::render_html_report(result, nullptr), "groups");
    EXPECT_THAT(groups, HasSubstr("<p class=\"fail\">Group male: no estimate (the PLS iteration did not converge).</p>"));
    EXPECT_THAT(row_of(groups, "Image → Quality"), testing::EndsWith("<td>—</td>"));
}

TEST(GroupReport, ManyGroupsAreTransposed) {
    Json result = group_fixture();
    const Json female = result["groups"]["results"][0];
    for (int groups : {12, 13}) {
        result["groups"]["results"] = Json::array();
        for (int g = 0; g < groups; ++g) {
            Json entry = female;
            entry["group"] = "G" + std::to_string(g + 1);
            result["groups"]["results"].push_back(entry);
        }
        const std::string section = section_of(csipls::render_html_report(result, nullptr), "groups");
        if (groups == 12) {
            // A column per group: rows are the 5 paths, 3 R² and 4 indices.
            EXPECT_EQ(count(section, "<tr><td>"), 12u);
            EXPECT_EQ(count(section, "<span class=\"ci\">n = 120</span>"), 3u * 12);
            EXPECT_THAT(section, Not(HasSubstr("transposed")));
        } else {
            // A row per group (and one for the pooled estimate) in each of the three tables.
            EXPECT_EQ(count(section, "<thead><tr><th>Group</th><th>n</th>"), 3u);
            EXPECT_EQ(count(section, "<tr class=\"overall\"><td>Pooled</td><td>240</td>"), 3u);
            EXPECT_EQ(count(section, "<tr><td>G13</td><td>120</td><td>"), 3u);
            EXPECT_THAT(section, HasSubstr("<th>Image → Loyalty</th>"));
            EXPECT_THAT(section, HasSubstr("With more than 12 groups the tables are transposed"));
        }
    }
}

TEST(GroupReport, IndexIntervalsComeFromTheGroupBootstrapWhenTheTableLacksThem) {
    Json result = group_fixture();
    for (auto& row : result["index_table"]["rows"])
        if (row["group"] != "(all)") row.erase("ci_lower"), row.erase("ci_upper"), row.erase("se");
    const std::string indices = section_of(csipls::render_html_report(result, nullptr), "indices");
    EXPECT_THAT(indices, HasSubstr("<tr><td>female</td><td>120</td><td>59.8<br><span class=\"ci\">[56.6, 63.2]</span></td>"));
    const std::string chart = indices.substr(indices.find("aria-label=\"Index of Satisfaction by group\""));
    EXPECT_EQ(count(chart, "class=\"whisker\""), 2u);
}

TEST(MicomReport, VerdictsTestsAndConfiguralChecks) {
    const std::string micom = section_of(csipls::render_html_report(group_fixture(), nullptr), "micom");
    ASSERT_FALSE(micom.empty());
    EXPECT_THAT(micom, HasSubstr("<p>Permutations: 5000; seed: 1; α = 0.05; composite scores from indicators standardized on "
                                 "the pooled data.</p>"));
    EXPECT_THAT(micom, HasSubstr("<tr><td>female vs male</td><td class=\"verdict full\">holds</td><td><ul><li>same indicators "
                                 "in every block</li>"));
    EXPECT_THAT(micom, HasSubstr("<h3>female vs male</h3>"));
    EXPECT_THAT(micom, HasSubstr("<th>95 % interval</th>"));
    EXPECT_EQ(row_of(micom, "Image"),
              "<tr><td>Image</td><td class=\"verdict full\">full invariance</td><td>0.9962</td><td>0.9913</td><td>0.290</td>"
              "<td>0.170</td><td>[-0.250, 0.240]</td><td>0.180</td><td>-0.010</td><td>[-0.390, 0.410]</td><td>0.960</td>");
    EXPECT_THAT(row_of(micom, "Quality"), HasSubstr("<td class=\"verdict partial\">partial invariance</td>"));
    EXPECT_THAT(row_of(micom, "Quality"), HasSubstr("<td class=\"fail\" title=\"below α = 0.05\">0.002</td>"));
    EXPECT_THAT(row_of(micom, "Satisfaction"),
                HasSubstr("<td class=\"verdict none\">no invariance</td><td class=\"fail\" title=\"below the 5 % quantile\">0.9804</td>"
                          "<td>0.9895</td><td class=\"fail\" title=\"below α = 0.05\">0.012</td>"));
    // Loyalty's row holds nulls: each prints as a dash.
    EXPECT_EQ(row_of(micom, "Loyalty"),
              "<tr><td>Loyalty</td><td class=\"verdict\">—</td><td>0.9975</td><td>—</td><td>—</td><td>0.080</td>"
              "<td>[-0.250, 0.250]</td><td>0.520</td><td>—</td><td>—</td><td>—</td>");
    EXPECT_EQ(count(micom, "class=\"fail\""), 3u);
    EXPECT_THAT(micom, HasSubstr("partial invariance when steps 1 and 2 hold"));
    EXPECT_THAT(micom, HasSubstr("<tr><th>log_var_ratio</th><td>log of the ratio"));
}

TEST(MgaReport, ATablePerTestSignificanceMarkedAndOmnibusApart) {
    const std::string mga = section_of(csipls::render_html_report(group_fixture(), nullptr), "mga");
    ASSERT_FALSE(mga.empty());
    EXPECT_THAT(mga, HasSubstr("p adjusted by Holm; α = 0.05."));
    // One table per test in the order they first appear, then the omnibus tests.
    const std::vector<std::string> headings = {"<h3>Parametric t-test (equal variances)</h3>",
                                               "<h3>Welch-Satterthwaite t-test (unequal variances)</h3>",
                                               "<h3>Permutation test</h3>", "<h3>Confidence interval overlap</h3>",
                                               "<h3>Omnibus tests (all groups at once)</h3>"};
    std::size_t at = 0;
    for (const auto& heading : headings) {
        const auto found = mga.find(heading, at);
        ASSERT_NE(found, std::string::npos) << heading;
        at = found;
    }
    EXPECT_EQ(count(mga, "<table class=\"numbers mga-table\">"), 5u);
    EXPECT_THAT(mga, HasSubstr("<tr class=\"significant\"><td>female vs male</td><td>Image → Loyalty</td><td>-0.196</td>"
                               "<td>-2.900</td><td>238</td><td>0.004</td><td>0.008</td><td>*</td></tr>"));
    EXPECT_THAT(mga, HasSubstr("<tr><td>female vs male</td><td>Image → Loyalty</td><td>-0.196</td><td>-2.080</td><td>231.4</td>"
                               "<td>0.039</td><td>0.078</td><td></td></tr>"));
    EXPECT_THAT(mga, HasSubstr("<tr class=\"significant\"><td>female vs male</td><td>R² of Satisfaction</td>"));
    EXPECT_THAT(mga, HasSubstr("<td>index of Loyalty</td><td>2.400</td>"));
    // ci_overlap: no statistic, df or p.
    EXPECT_THAT(mga, HasSubstr("<td>-0.196</td><td>—</td><td>—</td><td>—</td><td>—</td><td></td></tr>"));
    EXPECT_THAT(mga, HasSubstr("<tr class=\"significant\"><td>OTG (Sarstedt et al. 2011)</td><td>Image → Loyalty</td><td>4.700</td>"
                               "<td>1</td><td>0.031</td><td>0.031</td><td>*</td></tr>"));
    EXPECT_THAT(mga, HasSubstr("<tr><td>d_G distance test (Klesel et al. 2019)</td><td>whole model</td><td>0.012</td><td>—</td>"));
    EXPECT_EQ(count(mga, "<tr class=\"significant\">"), 3u);
    EXPECT_THAT(mga, HasSubstr("Bold with *: significant at α = 0.05 after the p adjustment (Holm)"));
}

TEST(GroupReport, SectionsAbsentWithoutTheirParts) {
    Json result = group_fixture();
    for (const char* key : {"micom", "micom_settings", "mga", "mga_settings"}) result.erase(key);
    std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, HasSubstr("<section id=\"groups\">"));
    for (const char* absent : {"id=\"micom\"", "id=\"mga\"", "#micom", "#mga", "MICOM", "Multigroup"})
        EXPECT_THAT(html, Not(HasSubstr(absent))) << absent;
    EXPECT_THAT(html, HasSubstr("td.verdict {"));
    result.erase("groups");
    html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, Not(HasSubstr("id=\"groups\"")));
    EXPECT_THAT(html, Not(HasSubstr("Groups compared")));
    // Nor their style rules: a report without these sections keeps its bytes.
    EXPECT_THAT(html, Not(HasSubstr("td.verdict")));
    // Present but empty, or null: still absent, not an empty section.
    result = group_fixture();
    result["micom"] = Json::array();
    result["micom_settings"] = nullptr;
    result["mga"] = nullptr;
    html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, Not(HasSubstr("id=\"micom\"")));
    EXPECT_THAT(html, Not(HasSubstr("id=\"mga\"")));
    // Not a list: refused, naming the key.
    result["mga"] = 3;
    try {
        csipls::render_html_report(result, nullptr);
        FAIL() << "no error";
    } catch (const csipls::InputError& error) {
        EXPECT_THAT(error.what(), HasSubstr("'mga'"));
    }
}

TEST(GroupReport, NullsPrintAsDashes) {
    Json result = group_fixture();
    for (auto& row : result["mga"])
        for (const char* key : {"a", "b", "test", "method", "kind", "from", "to", "construct", "difference", "statistic", "df", "p",
                                "p_adjusted", "significant"})
            row[key] = nullptr;
    result["mga"][0]["a"] = "female";  // a pair row of an unnamed test
    result["mga_settings"] = nullptr;
    result["micom"][0] = {{"a", nullptr}, {"b", nullptr}, {"construct", nullptr}};
    result["micom_settings"]["configural"][0]["holds"] = nullptr;
    result["groups"]["results"][1]["n_obs"] = nullptr;
    result["groups"]["results"][1]["r2"] = nullptr;
    const std::string html = csipls::render_html_report(result, nullptr);
    const std::string micom = section_of(html, "micom"), mga = section_of(html, "mga");
    EXPECT_THAT(micom, HasSubstr("<h3>— vs —</h3>"));
    EXPECT_THAT(micom, HasSubstr("<tr><td>—</td><td class=\"verdict\">—</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td>"
                                 "<td>—</td><td>—</td><td>—</td><td>—</td></tr>"));
    EXPECT_THAT(micom, HasSubstr("<tr><td>female vs male</td><td>—</td>"));
    EXPECT_THAT(mga, HasSubstr("<h3>—</h3>"));
    EXPECT_THAT(mga, HasSubstr("<tr><td>female vs —</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td><td></td></tr>"));
    EXPECT_THAT(mga, HasSubstr("<tr><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td><td></td></tr>"));  // omnibus
    EXPECT_THAT(mga, Not(HasSubstr("null")));
    const std::string groups = section_of(html, "groups");
    EXPECT_THAT(groups, HasSubstr("<th>male<br><span class=\"ci\">n = —</span></th>"));
    EXPECT_THAT(row_of(groups, "Quality"), HasSubstr("<td>—<br><span class=\"ci\">[0.042, 0.273]</span></td>"));
}

TEST(GroupReport, GroupNamesAreEscapedEverywhere) {
    std::string text = group_fixture_text();
    for (auto at = text.find("\"female\""); at != std::string::npos; at = text.find("\"female\"", at)) text.replace(at, 8, "\"<b>&\"");
    Json result = Json::parse(text);
    result["micom_settings"]["configural"][0]["problems"] = {"<i>weights</i> & signs"};
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, Not(HasSubstr("<b>&")));
    EXPECT_THAT(html, Not(HasSubstr("<i>")));
    EXPECT_THAT(section_of(html, "groups"), HasSubstr("<th>&lt;b&gt;&amp;<br><span class=\"ci\">n = 120</span></th>"));
    EXPECT_THAT(section_of(html, "micom"), HasSubstr("<h3>&lt;b&gt;&amp; vs male</h3>"));
    EXPECT_THAT(section_of(html, "micom"), HasSubstr("<li>&lt;i&gt;weights&lt;/i&gt; &amp; signs</li>"));
    EXPECT_EQ(count(section_of(html, "mga"), "<td>&lt;b&gt;&amp; vs male</td>"), 7u);
    EXPECT_THAT(section_of(html, "indices"), HasSubstr("<td>&lt;b&gt;&amp;</td>"));
}

// The path diagram's Graphviz layout on the three shipped index models (ACSI, ECSI, CCSI): no boxes
// overlap, and its edges cross each other less often than the hand-written column layout's did. A
// higher-order construct is drawn with both levels, from its model and from a two-stage result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "csipls/core/error.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/report/report.hpp"
#include "csipls/study/study.hpp"

namespace {

using Point = std::pair<double, double>;

bool boxes_overlap(const csipls::Box& a, const csipls::Box& b) {
    if (a.width <= 0 || b.width <= 0) return false;
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

bool inside(const Point& p, const csipls::Box& box) {
    return p.first >= box.x && p.first <= box.x + box.width && p.second >= box.y && p.second <= box.y + box.height;
}

// Where segments p1-p2 and q1-q2 properly intersect, if they do.
std::optional<Point> intersection(Point p1, Point p2, Point q1, Point q2) {
    const double rx = p2.first - p1.first, ry = p2.second - p1.second;
    const double sx = q2.first - q1.first, sy = q2.second - q1.second;
    const double denominator = rx * sy - ry * sx;
    if (std::abs(denominator) < 1e-12) return std::nullopt;
    const double t = ((q1.first - p1.first) * sy - (q1.second - p1.second) * sx) / denominator;
    const double u = ((q1.first - p1.first) * ry - (q1.second - p1.second) * rx) / denominator;
    if (t <= 0 || t >= 1 || u <= 0 || u >= 1) return std::nullopt;
    return Point{p1.first + t * rx, p1.second + t * ry};
}

// Crossings between the drawn paths: every point where two paths' routes intersect, except inside
// a construct's ellipse box (paths that share an end meet there by design); each as the two paths.
std::vector<std::pair<std::size_t, std::size_t>> crossing_paths(const csipls::DiagramLayout& layout) {
    std::vector<std::pair<std::size_t, std::size_t>> crossings;
    const auto& routes = layout.path_routes;
    for (std::size_t a = 0; a < routes.size(); ++a)
        for (std::size_t b = a + 1; b < routes.size(); ++b)
            for (std::size_t i = 0; i + 1 < routes[a].size(); ++i)
                for (std::size_t j = 0; j + 1 < routes[b].size(); ++j) {
                    const auto point = intersection(routes[a][i], routes[a][i + 1], routes[b][j], routes[b][j + 1]);
                    if (!point) continue;
                    const bool at_a_construct = std::any_of(layout.constructs.begin(), layout.constructs.end(),
                                                            [&](const csipls::Box& box) { return inside(*point, box); });
                    if (!at_a_construct) crossings.emplace_back(a, b);
                }
    return crossings;
}

int edge_crossings(const csipls::DiagramLayout& layout) { return static_cast<int>(crossing_paths(layout).size()); }

csipls::DiagramModel shipped(const std::string& name) {
    return csipls::diagram_from_model(csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/" + name + ".model"));
}

std::vector<csipls::Box> all_boxes(const csipls::DiagramLayout& layout) {
    std::vector<csipls::Box> boxes;
    for (std::size_t c = 0; c < layout.constructs.size(); ++c) {
        boxes.push_back(layout.constructs[c]);
        for (const auto& box : layout.indicators[c]) boxes.push_back(box);
        for (const auto& box : layout.indicator_labels[c]) boxes.push_back(box);
    }
    for (const auto& box : layout.path_labels) boxes.push_back(box);
    return boxes;
}

// The hand-written column layout this replaced (commit 7eb1676, layout_diagram in
// engine/report/diagram.cpp) was measured with this same edge_crossings() on the same three model
// files before their `layout` lines were added: ACSI 0, ECSI 0, CCSI 1 crossings, at 1433 x 210,
// 2163 x 258 and 1493 x 258 units (one long row). Its lanes kept most paths apart at the price of
// that width; the layered layout must cross no more often while being far more compact.
struct OldLayout {
    const char* model;
    int crossings;
    double width, height;
};
constexpr OldLayout old_layouts[] = {{"acsi", 0, 1433, 210}, {"ecsi", 0, 2163, 258}, {"ccsi", 1, 1493, 258}};

TEST(DiagramLayout, ShippedIndexModelsCrossLessThanTheOldLayoutAndNoBoxesOverlap) {
    int crossings = 0, old_crossings = 0;
    for (const auto& old : old_layouts) {
        SCOPED_TRACE(old.model);
        const auto model = shipped(old.model);
        ASSERT_FALSE(model.columns.empty()) << "the shipped model has its hand-tuned layout line";
        const auto layout = csipls::layout_diagram(model);
        const int count = edge_crossings(layout);
        EXPECT_LE(count, old.crossings);
        crossings += count, old_crossings += old.crossings;
        // Aspect ratio nearer a page's: at most 3:1 (the old one was 6:1 to 8:1).
        EXPECT_LT(layout.width, 3 * layout.height);
        EXPECT_LT(layout.width, old.width);
        const auto boxes = all_boxes(layout);
        for (std::size_t i = 0; i < boxes.size(); ++i)
            for (std::size_t j = i + 1; j < boxes.size(); ++j) EXPECT_FALSE(boxes_overlap(boxes[i], boxes[j])) << i << " " << j;
    }
    EXPECT_LT(crossings, old_crossings);
}

TEST(DiagramLayout, HandTunedColumnsAreKeptLeftToRightAndTopToBottom) {
    // ECSI's line: Image Expectation Quality | Value | Satisfaction | Loyalty Complaints.
    const auto model = shipped("ecsi");
    const auto layout = csipls::layout_diagram(model);
    auto at = [&](const std::string& name) {
        for (std::size_t c = 0; c < model.constructs.size(); ++c)
            if (model.constructs[c].name == name) return layout.constructs[c];
        ADD_FAILURE() << name;
        return csipls::Box{};
    };
    auto centre_x = [](const csipls::Box& b) { return b.x + b.width / 2; };
    EXPECT_NEAR(centre_x(at("Image")), centre_x(at("Expectation")), 0.5);
    EXPECT_NEAR(centre_x(at("Image")), centre_x(at("Quality")), 0.5);
    EXPECT_LT(at("Image").y, at("Expectation").y);
    EXPECT_LT(at("Expectation").y, at("Quality").y);
    EXPECT_LT(centre_x(at("Quality")), centre_x(at("Value")));
    EXPECT_LT(centre_x(at("Value")), centre_x(at("Satisfaction")));
    EXPECT_LT(centre_x(at("Satisfaction")), centre_x(at("Loyalty")));
    EXPECT_NEAR(centre_x(at("Loyalty")), centre_x(at("Complaints")), 0.5);
    EXPECT_LT(at("Loyalty").y, at("Complaints").y);
}

// A saved result carries the columns, so a report made from it later draws the same.
TEST(DiagramFromResult, ColumnsComeFromDiagramLayoutAndABadOneIsRefused) {
    csipls::Json result;
    result["paths"] = csipls::Json::array({{{"from", "A"}, {"to", "B"}, {"estimate", 0.4}}, {{"from", "B"}, {"to", "C"}, {"estimate", 0.5}}});
    for (const char* name : {"A", "B", "C"}) {
        result["outer_weights"][name][std::string("x") + name] = 1.0;
        result["loadings"][name][std::string("x") + name] = 1.0;
    }
    EXPECT_TRUE(csipls::diagram_from_result(result).columns.empty());
    using csipls::Json;
    result["diagram_layout"] = Json::array({Json::array({"A", "B"}), Json::array({"C"})});
    EXPECT_EQ(csipls::diagram_from_result(result).columns, (std::vector<std::vector<int>>{{0, 1}, {2}}));
    // A name that is no construct, a construct twice, an empty column, not a list of lists.
    for (const Json& bad : {Json::array({Json::array({"A", "Q"})}), Json::array({Json::array({"A"}), Json::array({"A"})}),
                            Json::array({Json::array()}), Json::array({"A"})}) {
        result["diagram_layout"] = bad;
        try {
            csipls::diagram_from_result(result);
            ADD_FAILURE() << "accepted " << bad.dump();
        } catch (const csipls::InputError& error) {
            EXPECT_STREQ(error.what(), "not a csipls result: diagram_layout is not a list of columns naming each construct at most once");
        }
    }
}

TEST(DiagramDot, HandTunedColumnsAreItsRanks) {
    const std::string dot = csipls::render_diagram_dot(shipped("ecsi"));
    EXPECT_NE(dot.find("  { rank=same; \"c:Image\"; \"c:Expectation\"; \"c:Quality\"; }\n"), std::string::npos) << dot;
    EXPECT_NE(dot.find("  { rank=same; \"c:Loyalty\"; \"c:Complaints\"; }\n"), std::string::npos) << dot;
}

void expect_no_overlaps(const csipls::DiagramLayout& layout) {
    const auto boxes = all_boxes(layout);
    for (std::size_t i = 0; i < boxes.size(); ++i)
        for (std::size_t j = i + 1; j < boxes.size(); ++j) EXPECT_FALSE(boxes_overlap(boxes[i], boxes[j])) << i << " " << j;
}

// ECSI on mobi with Quality and Value combined into Performance (=~), as the seminr reference has it.
const std::string hoc_model_file = std::string(CSIPLS_SOURCE_DIR) + "/validation/hoc_mobi_performance/model.model";
const std::string mobi_file = std::string(CSIPLS_SHARED_DIR) + "/data/mobi.csv";

int position_of(const csipls::DiagramModel& model, const std::string& name) {
    for (std::size_t c = 0; c < model.constructs.size(); ++c)
        if (model.constructs[c].name == name) return static_cast<int>(c);
    ADD_FAILURE() << "no construct " << name;
    return -1;
}

const csipls::DiagramPath* link_between(const csipls::DiagramModel& model, const std::string& lower, const std::string& higher) {
    for (const auto& path : model.paths)
        if (path.higher_order && path.from == position_of(model, lower) && path.to == position_of(model, higher)) return &path;
    return nullptr;
}

// Both levels: each lower-order construct an ellipse with its items, the higher-order construct an
// ellipse without boxes joined to them, its structural paths unchanged; nothing overlaps, the links
// cross no path.
void expect_both_levels(const csipls::DiagramModel& model) {
    const std::vector<std::string> quality = {"PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"};
    EXPECT_EQ(model.constructs[position_of(model, "Quality")].indicators, quality);
    EXPECT_EQ(model.constructs[position_of(model, "Value")].indicators, (std::vector<std::string>{"PERV1", "PERV2"}));
    EXPECT_TRUE(model.constructs[position_of(model, "Performance")].indicators.empty());
    EXPECT_NE(link_between(model, "Quality", "Performance"), nullptr);
    EXPECT_NE(link_between(model, "Value", "Performance"), nullptr);
    EXPECT_EQ(std::count_if(model.paths.begin(), model.paths.end(), [](const csipls::DiagramPath& p) { return p.higher_order; }), 2);
    EXPECT_EQ(std::count_if(model.paths.begin(), model.paths.end(), [](const csipls::DiagramPath& p) { return !p.higher_order; }), 9);

    const auto layout = csipls::layout_diagram(model);
    expect_no_overlaps(layout);
    // The links cross no path and pass by every indicator and its value.
    for (const auto& [a, b] : crossing_paths(layout))
        EXPECT_FALSE(model.paths[a].higher_order || model.paths[b].higher_order) << "paths " << a << " and " << b << " cross";
    for (std::size_t p = 0; p < model.paths.size(); ++p)
        if (model.paths[p].higher_order)
            for (const auto& point : layout.path_routes[p])
                for (std::size_t c = 0; c < model.constructs.size(); ++c)
                    for (const auto* boxes : {&layout.indicators[c], &layout.indicator_labels[c]})
                        for (const auto& box : *boxes)
                            EXPECT_FALSE(inside(point, box)) << "link " << p << " at " << point.first << "," << point.second
                                                             << " over an item of " << model.constructs[c].name;
    // The structural paths cross at most once more than in the drawing before, which had the
    // lower-order constructs as boxes of the higher-order one (0 crossings; now 1): with the new
    // column, two paths' ends on one ellipse come in the wrong order, as layout_diagram orders them
    // by the height of their first pieces' ends, which lie at different distances (ordered by the
    // slope toward those ends instead, both drawings cross 0 times, but other reports change).
    csipls::DiagramModel before = model;
    std::erase_if(before.paths, [](const csipls::DiagramPath& path) { return path.higher_order; });
    before.constructs[position_of(before, "Performance")].indicators = {"Quality", "Value"};
    EXPECT_LE(edge_crossings(layout), edge_crossings(csipls::layout_diagram(before)) + 1);
    // Each lower-order construct's items below its own ellipse; the lower-order constructs left of
    // the higher-order one, as indicators are their construct's.
    for (const char* lower : {"Quality", "Value"}) {
        const auto& ellipse = layout.constructs[position_of(model, lower)];
        for (const auto& item : layout.indicators[position_of(model, lower)]) EXPECT_GT(item.y, ellipse.y + ellipse.height);
        EXPECT_LT(ellipse.x + ellipse.width, layout.constructs[position_of(model, "Performance")].x) << lower;
    }
    // Reflective: the link's curve runs from Performance to its lower-order construct, where the arrow points.
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        if (!model.paths[p].higher_order) continue;
        const auto& curve = layout.path_curves[p];
        ASSERT_FALSE(curve.empty());
        const auto distance = [](const Point& point, const csipls::Box& box) {
            return std::hypot(point.first - (box.x + box.width / 2), point.second - (box.y + box.height / 2));
        };
        const auto& higher = layout.constructs[model.paths[p].to];
        const auto& lower = layout.constructs[model.paths[p].from];
        EXPECT_LT(distance(curve.front(), higher), distance(curve.front(), lower));
        EXPECT_LT(distance(curve.back(), lower), distance(curve.back(), higher));
    }
}

TEST(DiagramFromModel, HigherOrderConstructIsDrawnWithBothLevels) {
    const auto model = csipls::diagram_from_model(csipls::read_model_file(hoc_model_file));
    expect_both_levels(model);
    const std::string svg = csipls::render_diagram_svg(model);
    EXPECT_NE(svg.find("class=\"path higher-order\" id=\"pd-p9\" data-from=\"Performance\" data-to=\"Quality\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("data-from=\"Performance\" data-to=\"Value\""), std::string::npos);
    EXPECT_NE(svg.find("aria-label=\"Path diagram: 8 constructs, 9 paths\""), std::string::npos);
    const std::string dot = csipls::render_diagram_dot(model);
    EXPECT_NE(dot.find("  \"c:Quality\" -> \"c:Performance\" [color=\"#2f5d9b\", dir=back];\n"), std::string::npos) << dot;
    EXPECT_EQ(dot.find("\"i:Quality\""), std::string::npos) << "a lower-order construct is no indicator box";
    // Quality and Value one column before Performance (which follows Expectation), not in the first.
    EXPECT_NE(dot.find("  { rank=same; \"c:Expectation\"; \"c:Quality\"; \"c:Value\"; }\n"), std::string::npos) << dot;
}

TEST(DiagramFromModel, FormativeHigherOrderConstructsLinksPointIntoIt) {
    auto model = csipls::read_model_file(hoc_model_file);
    model.constructs[static_cast<std::size_t>(model.construct_index("Performance"))].mode = csipls::MeasurementMode::formative;
    const auto diagram = csipls::diagram_from_model(model);
    const std::string svg = csipls::render_diagram_svg(diagram);
    EXPECT_NE(svg.find("data-from=\"Quality\" data-to=\"Performance\""), std::string::npos) << svg;
    EXPECT_NE(csipls::render_diagram_dot(diagram).find("  \"c:Value\" -> \"c:Performance\" [color=\"#2f5d9b\"];\n"), std::string::npos);
}

// An interaction term drawn from a model file (no method, so no indicators): a construct with its path.
TEST(DiagramFromModel, InteractionTermIsAConstructWithItsPath) {
    const auto model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/validation/moderation_corp_rep/model.model");
    const auto diagram = csipls::diagram_from_model(model);
    const auto term = std::find_if(diagram.constructs.begin(), diagram.constructs.end(), [](const auto& c) { return c.name == "CUSA:SC"; });
    ASSERT_NE(term, diagram.constructs.end());
    EXPECT_TRUE(term->indicators.empty());
    const auto position = static_cast<int>(term - diagram.constructs.begin());
    EXPECT_EQ(std::count_if(diagram.paths.begin(), diagram.paths.end(), [&](const auto& path) {
                  return path.from == position && diagram.constructs[static_cast<std::size_t>(path.to)].name == "CUSL";
              }),
              1);
    const std::string svg = csipls::render_diagram_svg(diagram);
    EXPECT_NE(svg.find("CUSA:SC"), std::string::npos);
}

// A two-stage result: the lower-order constructs' items carry stage 1's loadings, the links stage 2's.
TEST(DiagramFromResult, HigherOrderConstructIsDrawnWithBothLevels) {
    if (!std::ifstream(mobi_file)) GTEST_SKIP() << mobi_file << " is absent";
    const csipls::Model model = csipls::read_model_file(hoc_model_file);
    const csipls::Json result = csipls::run_study(model, csipls::read_csv(mobi_file, model.items(), {}), {}).to_json();
    ASSERT_EQ(result["two_stage"]["higher_order"][0]["lower_order_modes"], csipls::Json::array({"A", "A"}));
    const auto diagram = csipls::diagram_from_result(result);
    expect_both_levels(diagram);
    const auto& stage1 = result["two_stage"]["stage1"]["loadings"];
    const auto& quality = diagram.constructs[position_of(diagram, "Quality")];
    ASSERT_EQ(quality.indicator_values.size(), 7u);
    EXPECT_EQ(quality.indicator_values[0], stage1["Quality"]["PERQ1"].get<double>());
    EXPECT_EQ(diagram.constructs[position_of(diagram, "Value")].indicator_values[1], stage1["Value"]["PERV2"].get<double>());
    for (const char* lower : {"Quality", "Value"}) {
        const auto* link = link_between(diagram, lower, "Performance");
        ASSERT_NE(link, nullptr);
        ASSERT_TRUE(link->has_estimate);
        EXPECT_EQ(link->estimate, result["loadings"]["Performance"][lower].get<double>());
    }
    EXPECT_TRUE(diagram.constructs[position_of(diagram, "Performance")].has_r2);
    const std::string svg = csipls::render_diagram_svg(diagram);
    // The link's label: Performance's stage-2 loading of Quality (0.924 in the seminr reference).
    const auto link_at = svg.find("data-from=\"Performance\" data-to=\"Quality\"");
    ASSERT_NE(link_at, std::string::npos) << svg;
    EXPECT_NE(svg.find(">0.924</text>", link_at), std::string::npos);
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_NE(html.find("Blue arrows join each higher-order construct to its lower-order constructs"), std::string::npos);
}

// A two-stage result keeps the model's layout line, which may place the lower-order constructs.
TEST(DiagramFromResult, HigherOrderModelKeepsItsLayoutLine) {
    if (!std::ifstream(mobi_file)) GTEST_SKIP() << mobi_file << " is absent";
    std::ifstream file(hoc_model_file);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const csipls::Model model =
        csipls::parse_model(text + "layout Image | Expectation Quality Value | Performance | Satisfaction | Complaints Loyalty\n", "hoc_layout.model");
    const csipls::Json result = csipls::run_study(model, csipls::read_csv(mobi_file, model.items(), {}), {}).to_json();
    ASSERT_TRUE(result.contains("diagram_layout"));
    const auto diagram = csipls::diagram_from_result(result);
    ASSERT_EQ(diagram.columns.size(), 5u);
    EXPECT_EQ(diagram.columns[1], (std::vector<int>{position_of(diagram, "Expectation"), position_of(diagram, "Quality"), position_of(diagram, "Value")}));
    const auto layout = csipls::layout_diagram(diagram);
    const auto centre_x = [&](const char* name) { return layout.constructs[position_of(diagram, name)].x + layout.constructs[position_of(diagram, name)].width / 2; };
    EXPECT_NEAR(centre_x("Quality"), centre_x("Expectation"), 0.5);
    EXPECT_NEAR(centre_x("Value"), centre_x("Expectation"), 0.5);
    EXPECT_LT(centre_x("Value"), centre_x("Performance"));
    expect_no_overlaps(layout);
}

// The repeated-indicators approach has one stage with the lower-order constructs as constructs:
// drawn as it is estimated, without links.
TEST(DiagramFromResult, RepeatedIndicatorsHaveNoHigherOrderLinks) {
    if (!std::ifstream(mobi_file)) GTEST_SKIP() << mobi_file << " is absent";
    const csipls::Model model = csipls::read_model_file(hoc_model_file);
    csipls::StudyOptions options;
    options.staging.higher_order = csipls::HigherOrderApproach::repeated;
    const auto diagram = csipls::diagram_from_result(csipls::run_study(model, csipls::read_csv(mobi_file, model.items(), {}), options).to_json());
    EXPECT_TRUE(std::none_of(diagram.paths.begin(), diagram.paths.end(), [](const csipls::DiagramPath& p) { return p.higher_order; }));
    EXPECT_FALSE(diagram.constructs[position_of(diagram, "Performance")].indicators.empty());
}

TEST(DiagramLayout, CrossingCountFindsACrossing) {
    // Two straight paths forming an X between four constructs far apart.
    csipls::DiagramLayout layout;
    layout.constructs = {csipls::Box{0, 0, 10, 10}, csipls::Box{0, 100, 10, 10}, csipls::Box{200, 0, 10, 10},
                         csipls::Box{200, 100, 10, 10}};
    layout.path_routes = {{{10, 5}, {200, 105}}, {{10, 105}, {200, 5}}};
    EXPECT_EQ(edge_crossings(layout), 1);
    layout.path_routes[1] = {{10, 105}, {200, 110}};
    EXPECT_EQ(edge_crossings(layout), 0);
}

}  // namespace

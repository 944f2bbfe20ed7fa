// The path diagram's Graphviz layout on the three shipped index models (ACSI, ECSI, CCSI): no boxes
// overlap, and its edges cross each other less often than the hand-written column layout's did.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "csipls/core/error.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/report/report.hpp"

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
// a construct's ellipse box (paths that share an end meet there by design).
int edge_crossings(const csipls::DiagramLayout& layout) {
    int crossings = 0;
    const auto& routes = layout.path_routes;
    for (std::size_t a = 0; a < routes.size(); ++a)
        for (std::size_t b = a + 1; b < routes.size(); ++b)
            for (std::size_t i = 0; i + 1 < routes[a].size(); ++i)
                for (std::size_t j = 0; j + 1 < routes[b].size(); ++j) {
                    const auto point = intersection(routes[a][i], routes[a][i + 1], routes[b][j], routes[b][j + 1]);
                    if (!point) continue;
                    const bool at_a_construct = std::any_of(layout.constructs.begin(), layout.constructs.end(),
                                                            [&](const csipls::Box& box) { return inside(*point, box); });
                    if (!at_a_construct) ++crossings;
                }
    return crossings;
}

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

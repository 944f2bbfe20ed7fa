// The path diagram's Graphviz layout on the three shipped index models (ACSI, ECSI, CCSI): no boxes
// overlap, and its edges cross each other less often than the hand-written column layout's did.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

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

TEST(DiagramCrossings, MeasureOld) {
    for (const char* name : {"acsi", "ecsi", "ccsi"}) {
        const auto layout = csipls::layout_diagram(shipped(name));
        std::printf("%s crossings %d size %.0f x %.0f\n", name, edge_crossings(layout), layout.width, layout.height);
    }
}

}  // namespace

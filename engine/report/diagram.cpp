// The path diagram: its content (from a result or a model), a left-to-right layered layout by
// Graphviz's dot (libgvc, in process), and its SVG (our own drawing) and Graphviz DOT renderings.
#include <graphviz/gvc.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <numeric>

#include "csipls/core/error.hpp"
#include "labels.hpp"
#include "report_internal.hpp"

namespace csipls {

using namespace report_detail;

namespace {

constexpr double construct_font = 13, indicator_font = 11, path_font = 11, value_font = 10;
constexpr double ellipse_ry = 28;
constexpr double arrow_drop = 44;  // vertical room between an ellipse and its indicators' row
constexpr double rect_height = 22;
constexpr double margin = 20;
constexpr double cell_pad = 8;  // room reserved round a construct's cell beyond what is drawn
constexpr double label_height = 16;
constexpr double value_label_height = 12;

std::string path_label_text(const DiagramPath& path) {
    if (!path.has_estimate) return "";
    return fixed(path.estimate, 3) + (path.has_p ? significance_stars(path.p) : "");
}

// A reflective higher-order construct's arrows leave it, toward its lower-order constructs.
bool points_to_lower_order(const DiagramModel& model, const DiagramPath& path) {
    return path.higher_order && !model.constructs[path.to].formative;
}

std::vector<int> longest_path_depth(const DiagramModel& model) {
    const std::size_t n = model.constructs.size();
    std::vector<int> depth(n, 0);
    // Relaxation to a fixed point; the structural model is acyclic, so n rounds suffice.
    for (std::size_t round = 0; round < n; ++round) {
        bool changed = false;
        for (const auto& path : model.paths)
            if (depth[path.to] < depth[path.from] + 1) {
                depth[path.to] = depth[path.from] + 1;
                changed = true;
            }
        if (!changed) break;
    }
    // A lower-order construct has no structural paths: it goes in the column just before its
    // higher-order construct rather than in the first.
    for (const auto& path : model.paths)
        if (path.higher_order) depth[path.from] = std::max(depth[path.from], depth[path.to] - 1);
    return depth;
}

// A construct's cell: its ellipse on top, its indicators in a row below, each with room for its
// loading or weight above it.
struct Geometry {
    double rx = 0;
    std::vector<double> rect_widths, slot_widths;
    double cell_width = 0, cell_height = 0;
};

Geometry construct_geometry(const DiagramConstruct& c) {
    Geometry g;
    const double name_width = text_width(c.name, construct_font);
    const double r2_width = c.has_r2 ? text_width("R² = 0.000", indicator_font) : 0;
    g.rx = std::max(50.0, std::max(name_width, r2_width) / 2 + 20);
    const bool values = !c.indicator_values.empty();
    const double value_width = values ? text_width("-0.000", value_font) + 4 : 0;
    double row = 0;
    for (const auto& name : c.indicators) {
        const double width = std::max(36.0, text_width(name, indicator_font) + 14);
        g.rect_widths.push_back(width);
        g.slot_widths.push_back(std::max(width, value_width) + 8);
        row += g.slot_widths.back();
    }
    // A higher-order construct's indicators are its lower-order constructs, drawn as cells of their
    // own: its cell is its ellipse, so dot brings the paths close to it.
    g.cell_width = c.indicators.empty() ? 2 * g.rx : std::max(2 * g.rx, row) + 20;
    g.cell_height = 2 * ellipse_ry + (c.indicators.empty() ? 0 : arrow_drop + rect_height);
    return g;
}

// Where the line from the ellipse's centre toward (tx, ty) leaves the ellipse.
std::pair<double, double> ellipse_exit(const Box& e, double tx, double ty) {
    const double cx = e.x + e.width / 2, cy = e.y + e.height / 2, a = e.width / 2, b = e.height / 2;
    const double dx = tx - cx, dy = ty - cy;
    if (dx == 0 && dy == 0) return {cx, cy};
    const double scale = 1 / std::sqrt((dx * dx) / (a * a) + (dy * dy) / (b * b));
    return {cx + dx * scale, cy + dy * scale};
}

std::pair<double, double> centre(const Box& b) { return {b.x + b.width / 2, b.y + b.height / 2}; }

// Graphviz keeps global state (its error handler, its string pool per graph is not the issue): one
// layout at a time.
std::mutex graphviz_mutex;
std::string graphviz_errors;

int collect_graphviz_error(char* message) {
    graphviz_errors += message;
    return 0;
}

// cgraph takes char* for names and values it copies.
void set_attribute(void* object, const char* name, const std::string& value) {
    agsafeset(object, const_cast<char*>(name), const_cast<char*>(value.c_str()), const_cast<char*>(""));
}

void set_html_attribute(Agraph_t* graph, void* object, const char* name, const std::string& html) {
    char* text = agstrdup_html(graph, const_cast<char*>(html.c_str()));
    agsafeset(object, const_cast<char*>(name), text, const_cast<char*>(""));
    agstrfree(graph, text);
}

// Graphviz sizes in points (1/72 inch), as our SVG user units.
std::string points(double value) { return fmt::format("{:.2f}", value); }

// An HTML-like label of exactly width x height points: Graphviz reserves the room without
// measuring any text, so the layout does not depend on the fonts installed. `port` names the
// top part of a construct's cell (its ellipse), where the paths attach.
std::string fixed_box_label(double width, double height) {
    return fmt::format(R"(<table border="0" cellborder="0" cellspacing="0" cellpadding="0" fixedsize="true" width="{0}" )"
                       R"(height="{1}"><tr><td fixedsize="true" width="{0}" height="{1}"></td></tr></table>)",
                       points(width), points(height));
}

std::string cell_label(double width, double ellipse_height, double rest_height) {
    return fmt::format(R"(<table border="0" cellborder="0" cellspacing="0" cellpadding="0">)"
                       R"(<tr><td port="e" fixedsize="true" width="{0}" height="{1}"></td></tr>)"
                       R"(<tr><td fixedsize="true" width="{0}" height="{2}"></td></tr></table>)",
                       points(width), points(ellipse_height), points(rest_height));
}

// One Graphviz context for the whole process, made on first use (under graphviz_mutex) and never
// freed: Graphviz 2.43 (Debian 12) loses part of every context it frees (LeakSanitizer), and its
// text layout plugin keeps a pointer into a freed context that the next one reads (AddressSanitizer:
// heap-use-after-free). One context has neither.
GVC_t* graphviz_context() {
    static GVC_t* const context = gvContext();
    if (!context) throw Error("Graphviz could not be initialised (libgvc)");
    return context;
}

// Frees one layout's graph, in the order Graphviz requires, however the layout ends.
struct GraphvizSession {
    GVC_t* context = graphviz_context();
    Agraph_t* graph = agopen(const_cast<char*>("csipls"), Agdirected, nullptr);
    bool laid_out = false;
    GraphvizSession() = default;
    ~GraphvizSession() {
        if (laid_out) gvFreeLayout(context, graph);
        agclose(graph);
    }
    GraphvizSession(const GraphvizSession&) = delete;
    GraphvizSession& operator=(const GraphvizSession&) = delete;
};

// Points of the cubic Bézier pieces p0 c1 c2 p1 c1 c2 p2 ..., sampled into a polyline.
std::vector<std::pair<double, double>> flatten_bezier(const std::vector<std::pair<double, double>>& control) {
    std::vector<std::pair<double, double>> line;
    if (control.empty()) return line;
    line.push_back(control.front());
    constexpr int steps = 12;
    for (std::size_t k = 0; k + 3 < control.size(); k += 3)
        for (int step = 1; step <= steps; ++step) {
            const double t = step / static_cast<double>(steps), u = 1 - t;
            const double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
            line.push_back({a * control[k].first + b * control[k + 1].first + c * control[k + 2].first + d * control[k + 3].first,
                            a * control[k].second + b * control[k + 1].second + c * control[k + 2].second +
                                d * control[k + 3].second});
        }
    return line;
}

}  // namespace

// Layered drawing by Graphviz's dot (Gansner et al. 1993: network-simplex ranking, crossing
// reduction by weighted medians, spline routing around the nodes), left to right. Each construct
// is one node the size of its whole cell, so the paths are routed around indicators too; the
// paths attach to the cell's top part, the ellipse. Path labels are dot's edge labels, sized to
// our text, so dot keeps them clear of everything. We draw everything ourselves from the
// coordinates.
DiagramLayout layout_diagram(const DiagramModel& model) {
    const std::size_t n = model.constructs.size();
    DiagramLayout layout;
    layout.depth = longest_path_depth(model);
    layout.constructs.assign(n, Box{});
    layout.indicators.assign(n, {});
    layout.indicator_labels.assign(n, {});
    if (n == 0) return layout;

    std::vector<Geometry> geometry;
    for (const auto& c : model.constructs) geometry.push_back(construct_geometry(c));

    const std::lock_guard lock(graphviz_mutex);
    graphviz_errors.clear();
    const agusererrf previous_handler = agseterrf(collect_graphviz_error);
    const agerrlevel_t previous_level = agseterr(AGERR);
    struct RestoreHandler {
        agusererrf handler;
        agerrlevel_t level;
        ~RestoreHandler() { agseterrf(handler), agseterr(level); }
    } restore{previous_handler, previous_level};

    GraphvizSession session;
    Agraph_t* graph = session.graph;
    set_attribute(graph, "rankdir", "LR");
    set_attribute(graph, "ranksep", "0.55");  // inches, between columns
    set_attribute(graph, "nodesep", "0.3");   // inches, between cells stacked in a column
    set_attribute(graph, "splines", "spline");
    std::vector<Agnode_t*> nodes;
    for (std::size_t c = 0; c < n; ++c) {
        Agnode_t* node = agnode(graph, const_cast<char*>(fmt::format("c{}", c).c_str()), 1);
        set_attribute(node, "shape", "plain");
        set_html_attribute(graph, node, "label",
                           // A little more room than drawn below and beside: dot's curves may graze a node's edge.
                           cell_label(geometry[c].cell_width + 2 * cell_pad, 2 * ellipse_ry, geometry[c].cell_height - 2 * ellipse_ry + cell_pad));
        nodes.push_back(node);
    }
    // A path between two constructs of one hand-tuned column is drawn by us, as a bow beside the
    // column (dot would route it through the cells between).
    std::vector<int> column_of(n, -1);
    for (std::size_t k = 0; k < model.columns.size(); ++k)
        for (const int c : model.columns[k]) column_of[c] = static_cast<int>(k);
    auto in_one_column = [&](const DiagramPath& path) { return column_of[path.from] >= 0 && column_of[path.from] == column_of[path.to]; };
    std::vector<Agedge_t*> edges;
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& path = model.paths[p];
        if (in_one_column(path)) {
            edges.push_back(nullptr);
            continue;
        }
        Agedge_t* edge = agedge(graph, nodes[path.from], nodes[path.to], const_cast<char*>(fmt::format("p{}", p).c_str()), 1);
        set_attribute(edge, "tailport", "e");
        set_attribute(edge, "headport", "e");
        const std::string text = path_label_text(path);
        if (!text.empty()) set_html_attribute(graph, edge, "label", fixed_box_label(text_width(text, path_font) + 8, label_height));
        edges.push_back(edge);
    }
    // Hand-tuned columns: each one rank, its constructs kept in the given order from top to bottom
    // by invisible edges within the rank, and the columns in their order by invisible edges between
    // their first constructs.
    for (std::size_t k = 0; k < model.columns.size(); ++k) {
        const auto& column = model.columns[k];
        Agraph_t* rank = agsubg(graph, const_cast<char*>(fmt::format("column{}", k).c_str()), 1);
        set_attribute(rank, "rank", "same");
        for (std::size_t i = 0; i < column.size(); ++i) {
            agsubnode(rank, nodes[column[i]], 1);
            if (i == 0) continue;
            Agedge_t* order = agedge(graph, nodes[column[i - 1]], nodes[column[i]], const_cast<char*>(fmt::format("o{}_{}", k, i).c_str()), 1);
            set_attribute(order, "style", "invis");
        }
        if (k > 0) {
            Agedge_t* next = agedge(graph, nodes[model.columns[k - 1].front()], nodes[column.front()],
                                    const_cast<char*>(fmt::format("n{}", k).c_str()), 1);
            set_attribute(next, "style", "invis");
            set_attribute(next, "weight", "0");
        }
    }
    if (gvLayout(session.context, graph, "dot") != 0)
        throw Error("Graphviz could not lay out the path diagram" + (graphviz_errors.empty() ? "" : ": " + graphviz_errors));
    session.laid_out = true;

    // Graphviz's y grows upwards; ours downwards (the margin is added once everything is placed).
    const boxf bounds = GD_bb(graph);
    auto to_svg = [&](pointf p) { return std::pair{p.x - bounds.LL.x, bounds.UR.y - p.y}; };

    for (std::size_t c = 0; c < n; ++c) {
        const Geometry& g = geometry[c];
        const auto [cx, cy] = to_svg(ND_coord(nodes[c]));
        const double top = cy - (g.cell_height + cell_pad) / 2;
        layout.constructs[c] = Box{cx - g.rx, top, 2 * g.rx, 2 * ellipse_ry};
        const double row_width = std::accumulate(g.slot_widths.begin(), g.slot_widths.end(), 0.0);
        double slot_x = cx - row_width / 2;
        const double rect_y = top + 2 * ellipse_ry + arrow_drop;
        const bool values = !model.constructs[c].indicator_values.empty();
        const double value_width = values ? text_width("-0.000", value_font) + 4 : 0;
        for (std::size_t k = 0; k < g.rect_widths.size(); ++k) {
            const double slot_centre = slot_x + g.slot_widths[k] / 2;
            layout.indicators[c].push_back(Box{slot_centre - g.rect_widths[k] / 2, rect_y, g.rect_widths[k], rect_height});
            layout.indicator_labels[c].push_back(
                values ? Box{slot_centre - value_width / 2, rect_y - value_label_height - 3, value_width, value_label_height} : Box{});
            slot_x += g.slot_widths[k];
        }
    }

    std::vector<std::vector<std::pair<double, double>>> curves(model.paths.size());
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& path = model.paths[p];
        const std::string text = path_label_text(path);
        const double label_width = text.empty() ? 0 : text_width(text, path_font) + 8;
        auto& control = curves[p];
        if (!edges[p]) {
            // The bow: out of one ellipse's side and into the other's, bulging clear of every cell of
            // the column (to the left in the first column, else to the right), its label at the bulge.
            const auto& column = model.columns[column_of[path.from]];
            const bool left = column_of[path.from] == 0 && model.columns.size() > 1;
            double side = left ? 1e300 : -1e300;
            for (const int c : column) {
                const Geometry& g = geometry[c];
                const double cx = layout.constructs[c].x + layout.constructs[c].width / 2;
                side = left ? std::min(side, cx - g.cell_width / 2) : std::max(side, cx + g.cell_width / 2);
            }
            // A bow over more of the column bulges further and leaves from the ellipse's middle, so
            // the bows nest instead of overlapping.
            const auto position = [&](int c) { return std::find(column.begin(), column.end(), c) - column.begin(); };
            const double span = static_cast<double>(std::abs(position(path.to) - position(path.from)));
            const double bulge = side + (left ? -1 : 1) * (span * (label_width / 2 + 8) + (span - 1) * (label_width / 2 + 8));
            const Box& from = layout.constructs[path.from];
            const Box& to = layout.constructs[path.to];
            const double lean = span > 1 ? 0.5 : 1;  // toward the ellipse's bottom (top) for a short bow
            const auto start = ellipse_exit(from, left ? from.x : from.x + from.width, from.y + from.height * lean);
            const auto end = ellipse_exit(to, left ? to.x : to.x + to.width, to.y + to.height * (1 - lean));
            // A cubic's extreme lies 3/4 of the way from its ends to its inner control points.
            const double reach_start = start.first + (bulge - start.first) / 0.75, reach_end = end.first + (bulge - end.first) / 0.75;
            control = {start, {reach_start, start.second}, {reach_end, end.second}, end};
            layout.path_labels.push_back(text.empty() ? Box{}
                                                      : Box{bulge - label_width / 2, (start.second + end.second) / 2 - label_height / 2,
                                                            label_width, label_height});
            continue;
        }
        const splines* spline = ED_spl(edges[p]);
        if (spline && spline->size > 0) {
            const bezier& curve = spline->list[0];
            for (int k = 0; k < curve.size; ++k) control.push_back(to_svg(curve.list[k]));
        }
        const textlabel_t* label = ED_label(edges[p]);
        if (label && !text.empty()) {
            const auto [lx, ly] = to_svg(label->pos);
            layout.path_labels.push_back(Box{lx - label_width / 2, ly - label_height / 2, label_width, label_height});
        } else {
            layout.path_labels.push_back(Box{});
        }
    }

    // dot clips each curve at the cell's top part, which is wider than the ellipse, and every path
    // of one side of a construct at one point. Move the ends onto the ellipse, spread over the
    // middle of its height in the order the paths arrive (so they do not cross there), each end's
    // neighbouring control point moved with it.
    for (std::size_t c = 0; c < n; ++c) {
        const Box& ellipse = layout.constructs[c];
        const double cx = ellipse.x + ellipse.width / 2, cy = ellipse.y + ellipse.height / 2;
        for (const bool right : {false, true}) {
            struct End {
                std::size_t path, point, neighbour;
                double approach;  // where the path comes from, top to bottom
            };
            std::vector<End> ends;
            for (std::size_t p = 0; p < model.paths.size(); ++p) {
                auto& control = curves[p];
                if (!edges[p] || control.size() < 4) continue;
                const auto consider = [&](std::size_t point, std::size_t neighbour, std::size_t far) {
                    if ((control[point].first > cx) == right) ends.push_back(End{p, point, neighbour, control[far].second});
                };
                if (model.paths[p].from == static_cast<int>(c)) consider(0, 1, std::min<std::size_t>(3, control.size() - 1));
                if (model.paths[p].to == static_cast<int>(c)) consider(control.size() - 1, control.size() - 2, control.size() >= 4 ? control.size() - 4 : 0);
            }
            std::stable_sort(ends.begin(), ends.end(), [](const End& a, const End& b) { return a.approach < b.approach; });
            const double k = static_cast<double>(ends.size());
            for (std::size_t i = 0; i < ends.size(); ++i) {
                auto& control = curves[ends[i].path];
                // A higher-order construct's links meet it where dot brings them, fanning out of it
                // as a block's arrows do (spread among its paths' ends, they would hook back).
                const bool fan = model.paths[ends[i].path].higher_order && ends[i].point != 0;
                const double y = ends.size() == 1 || fan ? control[ends[i].point].second
                                                         : cy + ellipse_ry * 0.6 * (2 * (static_cast<double>(i) + 0.5) / k - 1);
                const double clamped = std::clamp(y, cy - ellipse_ry * 0.8, cy + ellipse_ry * 0.8);
                const double half = (ellipse.width / 2) * std::sqrt(std::max(0.0, 1 - (clamped - cy) * (clamped - cy) / (ellipse_ry * ellipse_ry)));
                const std::pair target{cx + (right ? half : -half), clamped};
                auto& end = control[ends[i].point];
                if (model.paths[ends[i].path].higher_order) {
                    // Dragged onto the ellipse, a link's end piece would sweep over a lower-order
                    // construct's row of items (its cell is wide, the link often comes from below).
                    // A piece of its own joins dot's end to the ellipse instead: sideways out of the
                    // ellipse, on along dot's curve, all its points within the empty band beside the
                    // ellipse, so the curve stays there.
                    const std::pair join = end;
                    const auto& next = control[ends[i].neighbour];
                    const double reach = std::hypot(join.first - target.first, join.second - target.second) / 3;
                    const double along = std::max(1e-9, std::hypot(next.first - join.first, next.second - join.second));
                    const std::pair beside{std::clamp(join.first - (next.first - join.first) / along * reach, std::min(target.first, join.first),
                                                      std::max(target.first, join.first)),
                                           std::clamp(join.second - (next.second - join.second) / along * reach, ellipse.y,
                                                      ellipse.y + ellipse.height)};
                    const std::pair out{target.first + (right ? reach : -reach), target.second};
                    if (ends[i].point == 0) control.insert(control.begin(), {target, out, beside});
                    else control.insert(control.end(), {beside, out, target});
                    continue;
                }
                auto& neighbour = control[ends[i].neighbour];
                neighbour.first += target.first - end.first;  // not its y: the curve keeps clear of other cells
                end = target;
            }
        }
    }

    for (std::size_t p = 0; p < model.paths.size(); ++p)
        if (points_to_lower_order(model, model.paths[p])) std::reverse(curves[p].begin(), curves[p].end());

    // Bows and labels may reach past dot's bounding box: shift everything so the whole drawing
    // has the margin all round.
    double min_x = 1e300, min_y = 1e300, max_x = -1e300, max_y = -1e300;
    auto extend = [&](double x, double y) { min_x = std::min(min_x, x), min_y = std::min(min_y, y), max_x = std::max(max_x, x), max_y = std::max(max_y, y); };
    auto extend_box = [&](const Box& b) {
        if (b.width > 0) extend(b.x, b.y), extend(b.x + b.width, b.y + b.height);
    };
    for (std::size_t c = 0; c < n; ++c) {
        extend_box(layout.constructs[c]);
        for (const auto& b : layout.indicators[c]) extend_box(b);
    }
    for (const auto& b : layout.path_labels) extend_box(b);
    for (const auto& curve : curves)
        for (const auto& point : flatten_bezier(curve)) extend(point.first, point.second);
    const double dx = margin - min_x, dy = margin - min_y;
    auto shift = [&](Box& b) {
        if (b.width > 0) b.x += dx, b.y += dy;
    };
    for (std::size_t c = 0; c < n; ++c) {
        shift(layout.constructs[c]);
        for (auto& b : layout.indicators[c]) shift(b);
        for (auto& b : layout.indicator_labels[c]) shift(b);
    }
    for (auto& b : layout.path_labels) shift(b);
    for (auto& curve : curves)
        for (auto& point : curve) point.first += dx, point.second += dy;
    layout.width = max_x - min_x + 2 * margin;
    layout.height = max_y - min_y + 2 * margin;
    for (auto& curve : curves) {
        layout.path_routes.push_back(flatten_bezier(curve));
        layout.path_curves.push_back(std::move(curve));
    }
    return layout;
}

DiagramModel diagram_from_model(const Model& model) {
    DiagramModel diagram;
    for (const auto& c : model.constructs)
        diagram.constructs.push_back(DiagramConstruct{c.name, c.mode == MeasurementMode::formative, c.indicators, {}, false, 0});
    // An interaction term is a construct of stage 2; what measures it depends on the method, so the
    // model's drawing gives it no indicators.
    auto position = [&](const std::string& name) {
        for (std::size_t j = 0; j < diagram.constructs.size(); ++j)
            if (diagram.constructs[j].name == name) return static_cast<int>(j);
        diagram.constructs.push_back(DiagramConstruct{name, false, {}, {}, false, 0});
        return static_cast<int>(diagram.constructs.size()) - 1;
    };
    for (const auto& path : model.paths) diagram.paths.push_back(DiagramPath{position(path.from), position(path.to)});
    // A higher-order construct's indicators are constructs, each drawn with its own items.
    for (const auto& higher : higher_order_constructs(model)) {
        diagram.constructs[static_cast<std::size_t>(higher.construct)].indicators.clear();
        for (const int lower : higher.lower_order) {
            DiagramPath link{lower, higher.construct};
            link.higher_order = true;
            diagram.paths.push_back(link);
        }
    }
    if (model.layout)
        for (const auto& names : model.layout->columns) {
            auto& column = diagram.columns.emplace_back();
            for (const auto& name : names) column.push_back(model.construct_index(name));
        }
    return diagram;
}

namespace {

// The block `name` of a result's `weights` (called `where` in errors) with its indicators' loadings
// (reflective) or outer weights (formative).
DiagramConstruct diagram_block(const std::string& name, const Json& weights, const Json& loadings, bool formative,
                               const std::string& where) {
    const Json* block = member(weights, name);
    if (!block || !block->is_object()) throw InputError("not a csipls result: " + where + "['" + name + "'] is not an object");
    DiagramConstruct c;
    c.name = name;
    c.formative = formative;
    const Json* block_loadings = member(loadings, name);
    for (const auto& [indicator, weight] : block->items()) {
        c.indicators.push_back(indicator);
        const auto value = c.formative ? number_of(&weight) : (block_loadings ? number_at(*block_loadings, indicator) : std::nullopt);
        c.indicator_values.push_back(value.value_or(std::nan("")));
    }
    return c;
}

struct LowerOrderConstruct {
    std::string name;
    bool formative = false;
};

// A two-stage result's higher-order constructs by name, each with its lower-order constructs (their
// modes as recorded; reflective in a result that predates lower_order_modes). Empty without stage 1:
// the repeated-indicators approach already has the lower-order constructs as constructs.
std::map<std::string, std::vector<LowerOrderConstruct>> two_stage_higher_order(const Json* two_stage) {
    std::map<std::string, std::vector<LowerOrderConstruct>> out;
    const Json* list = two_stage ? member(*two_stage, "higher_order") : nullptr;
    if (!list || !member(*two_stage, "stage1")) return out;
    if (!list->is_array()) throw InputError("not a csipls result: two_stage.higher_order is not a list");
    for (const auto& entry : *list) {
        const Json* lower = entry.is_object() ? member(entry, "lower_order") : nullptr;
        const std::string name = entry.is_object() ? text_at(entry, "construct") : "";
        if (name.empty() || !lower || !lower->is_array())
            throw InputError("not a csipls result: two_stage.higher_order has an entry without construct and lower_order");
        const Json* modes = member(entry, "lower_order_modes");
        auto& constructs = out[name];
        for (std::size_t k = 0; k < lower->size(); ++k) {
            if (!(*lower)[k].is_string()) throw InputError("not a csipls result: two_stage.higher_order['" + name + "'].lower_order is not a list of names");
            const bool formative = modes && modes->is_array() && k < modes->size() && (*modes)[k] == "B";
            constructs.push_back({(*lower)[k].get<std::string>(), formative});
        }
    }
    return out;
}

}  // namespace

DiagramModel diagram_from_result(const Json& result) {
    DiagramModel diagram;
    const Json& weights = required_object(result, "outer_weights");
    const Json& loadings = required_object(result, "loadings");
    // Modes as the result records them (an older result: inferred from vif_formative).
    const std::set<std::string> formative = formative_constructs(result);
    const Json* r2 = member(result, "r2");
    // Stage 2 measures a higher-order construct by its lower-order constructs' scores; stage 1 holds
    // their own blocks, drawn as constructs just before it.
    const Json* two_stage = member(result, "two_stage");
    const auto higher_order = two_stage_higher_order(two_stage);
    const Json* stage1 = higher_order.empty() ? nullptr : &required_object(*two_stage, "stage1");
    std::map<std::string, int> position;
    auto add = [&](DiagramConstruct c) {
        if (!position.emplace(c.name, static_cast<int>(diagram.constructs.size())).second)
            throw InputError("not a csipls result: the construct '" + c.name + "' has two blocks");
        diagram.constructs.push_back(std::move(c));
    };
    std::vector<DiagramPath> links;
    for (const auto& [name, block] : weights.items()) {
        const auto higher = higher_order.find(name);
        if (higher != higher_order.end())
            for (const auto& lower : higher->second)
                add(diagram_block(lower.name, required_object(*stage1, "outer_weights"), required_object(*stage1, "loadings"),
                                  lower.formative, "two_stage.stage1.outer_weights"));
        DiagramConstruct c = diagram_block(name, weights, loadings, formative.count(name) > 0, "outer_weights");
        if (r2)
            if (const auto value = number_at(*r2, name)) c.has_r2 = true, c.r2 = *value;
        if (higher != higher_order.end()) {
            // Its indicators are its lower-order constructs, added just before: links to them instead of boxes.
            for (std::size_t k = 0; k < c.indicators.size(); ++k) {
                const auto lower = position.find(c.indicators[k]);
                const auto listed = [&](const LowerOrderConstruct& l) { return l.name == c.indicators[k]; };
                if (lower == position.end() || std::none_of(higher->second.begin(), higher->second.end(), listed))
                    throw InputError("not a csipls result: outer_weights['" + name + "'] names '" + c.indicators[k] +
                                     "', which two_stage.higher_order does not list as its lower-order construct");
                DiagramPath link{lower->second, static_cast<int>(diagram.constructs.size())};
                link.has_estimate = std::isfinite(c.indicator_values[k]), link.estimate = c.indicator_values[k];
                link.higher_order = true;
                links.push_back(link);
            }
            c.indicators.clear(), c.indicator_values.clear();
        }
        add(std::move(c));
    }
    for (const auto& entry : required_array(result, "paths")) {
        const std::string from = text_at(entry, "from"), to = text_at(entry, "to");
        if (!position.count(from) || !position.count(to))
            throw InputError("not a csipls result: the path '" + from + "' -> '" + to + "' names a construct without a block");
        DiagramPath path{position[from], position[to]};
        if (const auto estimate = number_at(entry, "estimate")) path.has_estimate = true, path.estimate = *estimate;
        if (const auto p = bootstrap_path_p(result, from, to)) path.has_p = true, path.p = *p;
        diagram.paths.push_back(path);
    }
    diagram.paths.insert(diagram.paths.end(), links.begin(), links.end());
    if (const Json* layout = member(result, "diagram_layout")) {
        // Written by csipls from a checked `layout` line; a hand-edited one is checked again.
        std::set<int> placed;
        bool valid = layout->is_array();
        for (const auto& names : valid ? *layout : Json::array()) {
            if (!names.is_array() || names.empty()) valid = false;
            auto& column = diagram.columns.emplace_back();
            for (const auto& name : names.is_array() ? names : Json::array()) {
                const auto found = name.is_string() ? position.find(name.get<std::string>()) : position.end();
                if (found == position.end() || !placed.insert(found->second).second) valid = false;
                else column.push_back(found->second);
            }
        }
        if (!valid)
            throw InputError("not a csipls result: diagram_layout is not a list of columns naming each construct at most once");
    }
    // A cycle would make the depth meaningless; the engine never writes one, a hand-edited file might.
    std::vector<int> depth(diagram.constructs.size(), 0);
    for (std::size_t round = 0; round <= diagram.constructs.size(); ++round) {
        bool changed = false;
        for (const auto& path : diagram.paths)
            if (depth[path.to] < depth[path.from] + 1) depth[path.to] = depth[path.from] + 1, changed = true;
        if (!changed) break;
        if (round == diagram.constructs.size()) throw InputError("not a csipls result: its paths form a cycle");
    }
    return diagram;
}

namespace report_detail {

std::string diagram_svg(const DiagramModel& model, std::string_view prefix, bool standalone) {
    const DiagramLayout layout = layout_diagram(model);
    const std::string id(html_escape(prefix));
    std::string svg;
    svg.reserve(4096 + model.constructs.size() * 1024);
    auto out = std::back_inserter(svg);
    fmt::format_to(out,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"path-diagram\" id=\"{0}\" viewBox=\"0 0 {1} {2}\" "
                   "width=\"{1}\" height=\"{2}\" role=\"img\" aria-label=\"{3}\">\n",
                   id, coord(layout.width), coord(layout.height),
                   format_label(L("Path diagram: {} constructs, {} paths"), model.constructs.size(),
                                std::count_if(model.paths.begin(), model.paths.end(), [](const DiagramPath& path) { return !path.higher_order; })));
    if (standalone)
        fmt::format_to(out,
                       "<style>\n"
                       "text {{ font-family: {}; fill: #1d2430; }}\n"
                       ".construct ellipse {{ fill: #e8f0fb; stroke: #2f5d9b; stroke-width: 1.5; }}\n"
                       ".construct .name {{ font-size: 13px; font-weight: 600; }}\n"
                       ".construct .r2 {{ font-size: 11px; }}\n"
                       ".indicator rect {{ fill: #fff8e6; stroke: #a07a1f; }}\n"
                       ".indicator text {{ font-size: 11px; }}\n"
                       ".measurement line {{ stroke: #8a8f98; stroke-width: 1; }}\n"
                       ".measurement text {{ font-size: 10px; fill: #555; }}\n"
                       ".path path {{ fill: none; stroke: #333; }}\n"
                       ".path.negative path {{ stroke: #b03a2e; }}\n"
                       ".path.not-significant path {{ stroke: #9aa0a8; stroke-dasharray: 5 3; }}\n"
                       ".path text {{ font-size: 11px; font-weight: 600; }}\n"
                       ".path rect {{ fill: #ffffff; fill-opacity: 0.9; }}\n"
                       "</style>\n",
                       font_stack);
    fmt::format_to(out,
                   "<defs><marker id=\"{0}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
                   "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#444\"/></marker>"
                   "<marker id=\"{0}-tip\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"5\" "
                   "markerHeight=\"5\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#8a8f98\"/></marker></defs>\n",
                   id);

    // Measurement model first, so structural arrows and labels are drawn over it.
    for (std::size_t c = 0; c < model.constructs.size(); ++c) {
        const auto& construct = model.constructs[c];
        const Box& ellipse = layout.constructs[c];
        for (std::size_t k = 0; k < construct.indicators.size(); ++k) {
            const Box& rect = layout.indicators[c][k];
            const auto [rx, ry] = centre(rect);
            // Arrows start below the ellipse, straight above their indicator where the ellipse reaches.
            const double ex = std::clamp(rx, ellipse.x + ellipse.width * 0.2, ellipse.x + ellipse.width * 0.8);
            const auto [sx, sy] = ellipse_exit(ellipse, ex, ellipse.y + ellipse.height * 4);
            const double top = rect.y;
            fmt::format_to(out, "<g class=\"measurement\" data-construct=\"{}\" data-indicator=\"{}\">", html_escape(construct.name),
                           html_escape(construct.indicators[k]));
            if (construct.formative)
                fmt::format_to(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" marker-end=\"url(#{}-tip)\"/>", coord(rx),
                               coord(top), coord(sx), coord(sy), id);
            else
                fmt::format_to(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" marker-end=\"url(#{}-tip)\"/>", coord(sx),
                               coord(sy), coord(rx), coord(top), id);
            if (k < construct.indicator_values.size()) {
                const Box& label = layout.indicator_labels[c][k];
                const double value = construct.indicator_values[k];
                fmt::format_to(out,
                               "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" stroke=\"#fff\" stroke-width=\"3\" "
                               "paint-order=\"stroke\">{}</text>",
                               coord(label.x + label.width / 2), coord(label.y + label.height - 2),
                               std::isfinite(value) ? fixed(value, 3) : "—");
            }
            fmt::format_to(out, "</g>\n");
            fmt::format_to(out,
                           "<g class=\"indicator\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\"/>"
                           "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>\n",
                           coord(rect.x), coord(rect.y), coord(rect.width), coord(rect.height), coord(rx), coord(ry + 4),
                           html_escape(construct.indicators[k]));
        }
    }
    for (std::size_t c = 0; c < model.constructs.size(); ++c) {
        const auto& construct = model.constructs[c];
        const auto [cx, cy] = centre(layout.constructs[c]);
        fmt::format_to(out,
                       "<g class=\"construct\" id=\"{}-c{}\" data-name=\"{}\" data-mode=\"{}\"><ellipse cx=\"{}\" cy=\"{}\" "
                       "rx=\"{}\" ry=\"{}\"/>",
                       id, c, html_escape(construct.name), construct.formative ? "formative" : "reflective", coord(cx),
                       coord(cy), coord(layout.constructs[c].width / 2), coord(layout.constructs[c].height / 2));
        if (construct.has_r2)
            fmt::format_to(out,
                           "<text class=\"name\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2}</text>"
                           "<text class=\"r2\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">R² = {4}</text>",
                           coord(cx), coord(cy - 2), html_escape(construct.name), coord(cy + 13), fixed(construct.r2, 3));
        else
            fmt::format_to(out, "<text class=\"name\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", coord(cx),
                           coord(cy + 5), html_escape(construct.name));
        fmt::format_to(out, "</g>\n");
    }
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& path = model.paths[p];
        const auto& curve = layout.path_curves[p];
        std::string d;
        for (std::size_t k = 0; k < curve.size(); ++k)
            d += (k == 0 ? "M" : k == 1 ? " C" : " ") + coord(curve[k].first) + "," + coord(curve[k].second);
        std::string classes = path.higher_order ? "path higher-order" : "path";
        if (path.has_estimate && path.estimate < 0) classes += " negative";
        if (path.has_p && !(path.p < 0.05)) classes += " not-significant";
        // A higher-order link is measurement, not a path: thin, in the constructs' colour (a style
        // attribute, as the report's stylesheet has no rule for it).
        const double stroke = path.higher_order ? 1.5 : path.has_estimate ? 1 + std::min(3.0, 4 * std::abs(path.estimate)) : 1.5;
        const bool reversed = points_to_lower_order(model, path);
        fmt::format_to(out,
                       "<g class=\"{}\" id=\"{}-p{}\" data-from=\"{}\" data-to=\"{}\"><path d=\"{}\" "
                       "stroke-width=\"{}\"{} marker-end=\"url(#{}-arrow)\"/>",
                       classes, id, p, html_escape(model.constructs[reversed ? path.to : path.from].name),
                       html_escape(model.constructs[reversed ? path.from : path.to].name), d, coord(stroke),
                       path.higher_order ? " style=\"stroke: #2f5d9b\"" : "", id);
        const std::string text = path_label_text(path);
        if (!text.empty()) {
            const Box& label = layout.path_labels[p];
            fmt::format_to(out,
                           "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>"
                           "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                           coord(label.x), coord(label.y), coord(label.width), coord(label.height),
                           coord(label.x + label.width / 2), coord(label.y + label.height - 4), text);
        }
        fmt::format_to(out, "</g>\n");
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace report_detail

std::string render_diagram_svg(const DiagramModel& model, std::string_view id_prefix) {
    return report_detail::diagram_svg(model, id_prefix, true);
}

namespace {

std::string dot_quoted(std::string_view text) {
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + '"';
}

}  // namespace

std::string render_diagram_dot(const DiagramModel& model) {
    const std::vector<int> depth = longest_path_depth(model);
    std::string dot;
    auto out = std::back_inserter(dot);
    const std::string fonts = dot_quoted("Noto Sans CJK SC,Source Han Sans SC,Microsoft YaHei,PingFang SC,sans-serif");
    fmt::format_to(out,
                   "digraph csipls {{\n"
                   "  graph [rankdir=LR, ranksep=1.1, nodesep=0.25, fontname={0}];\n"
                   "  node [fontname={0}];\n"
                   "  edge [fontname={0}];\n",
                   fonts);
    // Node names carry a kind prefix: a construct and an indicator may share a name.
    for (const auto& c : model.constructs) {
        std::string label = c.name;
        if (c.has_r2) label += "\nR² = " + fixed(c.r2, 3);
        fmt::format_to(out, "  {} [shape=ellipse, style=filled, fillcolor=\"#e8f0fb\", label={}];\n", dot_quoted("c:" + c.name),
                       dot_quoted(label));
        for (std::size_t k = 0; k < c.indicators.size(); ++k) {
            fmt::format_to(out, "  {} [shape=box, fontsize=10, label={}];\n", dot_quoted("i:" + c.indicators[k]),
                           dot_quoted(c.indicators[k]));
            std::string value;
            if (k < c.indicator_values.size() && std::isfinite(c.indicator_values[k]))
                value = ", label=" + dot_quoted(fixed(c.indicator_values[k], 3));
            // Indicators rank left of their construct either way; dir=back draws a reflective
            // block's arrows from the construct to its indicators.
            fmt::format_to(out, "  {} -> {} [arrowsize=0.6, fontsize=9, color=\"#8a8f98\"{}{}];\n",
                           dot_quoted("i:" + c.indicators[k]), dot_quoted("c:" + c.name), c.formative ? "" : ", dir=back", value);
        }
    }
    for (const auto& path : model.paths) {
        // A higher-order link ranks its lower-order construct first either way, as indicators do.
        std::string attributes = path.higher_order ? "color=\"#2f5d9b\"" : "penwidth=1.5";
        if (points_to_lower_order(model, path)) attributes += ", dir=back";
        const std::string text = path_label_text(path);
        if (!text.empty()) attributes += ", label=" + dot_quoted(text);
        if (path.has_p && !(path.p < 0.05)) attributes += ", style=dashed, color=\"#9aa0a8\"";
        fmt::format_to(out, "  {} -> {} [{}];\n", dot_quoted("c:" + model.constructs[path.from].name),
                       dot_quoted("c:" + model.constructs[path.to].name), attributes);
    }
    // The hand-tuned columns when the model has them, else one rank per structural depth.
    std::vector<std::vector<int>> ranks = model.columns;
    if (ranks.empty()) {
        ranks.resize(depth.empty() ? 0 : *std::max_element(depth.begin(), depth.end()) + 1);
        for (std::size_t c = 0; c < model.constructs.size(); ++c) ranks[depth[c]].push_back(static_cast<int>(c));
    }
    for (const auto& rank : ranks) {
        dot += "  { rank=same;";
        for (const int c : rank) dot += " " + dot_quoted("c:" + model.constructs[c].name) + ";";
        dot += " }\n";
    }
    dot += "}\n";
    return dot;
}

}  // namespace csipls

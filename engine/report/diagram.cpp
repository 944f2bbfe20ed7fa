// The path diagram: its content (from a result or a model), a left-to-right layered layout, and its
// SVG and Graphviz DOT renderings.
#include <algorithm>
#include <map>
#include <numeric>

#include "csipls/core/error.hpp"
#include "report_internal.hpp"

namespace csipls {

using namespace report_detail;

namespace {

constexpr double construct_font = 13, indicator_font = 11, path_font = 11, value_font = 10;
constexpr double ellipse_ry = 28;
constexpr double arrow_drop = 44;  // vertical room between an ellipse and its indicators' row
constexpr double rect_height = 22;
constexpr double cell_gap = 26;    // between the cells stacked in one column
constexpr double margin = 20;
constexpr double label_height = 16;
constexpr double value_label_height = 12;

std::string path_label_text(const DiagramPath& path) {
    if (!path.has_estimate) return "";
    return fixed(path.estimate, 3) + (path.has_p ? significance_stars(path.p) : "");
}

bool overlaps(const Box& a, const Box& b, double pad) {
    if (a.width <= 0 || b.width <= 0) return false;
    return a.x < b.x + b.width + pad && b.x < a.x + a.width + pad && a.y < b.y + b.height + pad &&
           b.y < a.y + a.height + pad;
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
    return depth;
}

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
    g.cell_width = std::max(2 * g.rx, row) + 20;
    g.cell_height = 2 * ellipse_ry + arrow_drop + rect_height + cell_gap;
    return g;
}

// Where the line from the ellipse's centre toward (tx, ty) leaves the ellipse.
std::pair<double, double> ellipse_exit(const Box& e, double tx, double ty) {
    const double cx = e.x + e.width / 2, cy = e.y + e.height / 2, a = e.width / 2, b = e.height / 2;
    const double dx = tx - cx, dy = ty - cy;
    const double scale = 1 / std::sqrt((dx * dx) / (a * a) + (dy * dy) / (b * b));
    return {cx + dx * scale, cy + dy * scale};
}

std::pair<double, double> centre(const Box& b) { return {b.x + b.width / 2, b.y + b.height / 2}; }

// One layout attempt with a given gap between columns. Returns the number of path labels that
// could not be placed clear of everything else.
//
// Layered drawing after Sugiyama et al. (1981), as Graphviz's dot does: constructs in columns by
// structural depth, and a path that skips columns gets a lane in each column it crosses, so no
// arrow runs through a construct or an indicator. Arrows leave a construct on its right side and
// enter on the left, and run diagonally only in the empty gaps between columns.
int layout_with_gap(const DiagramModel& model, double column_gap, DiagramLayout& layout) {
    const std::size_t n = model.constructs.size();
    layout = DiagramLayout{};
    layout.depth = longest_path_depth(model);
    const int columns = n ? *std::max_element(layout.depth.begin(), layout.depth.end()) + 1 : 0;

    std::vector<Geometry> geometry;
    for (const auto& c : model.constructs) geometry.push_back(construct_geometry(c));

    // Items: the constructs (0 .. n-1), then one lane per path per skipped column.
    constexpr double lane_height = 24;
    std::vector<int> column_of;
    for (std::size_t c = 0; c < n; ++c) column_of.push_back(layout.depth[c]);
    std::vector<std::vector<int>> chain(model.paths.size());
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& path = model.paths[p];
        chain[p].push_back(path.from);
        for (int column = layout.depth[path.from] + 1; column < layout.depth[path.to]; ++column) {
            chain[p].push_back(static_cast<int>(column_of.size()));
            column_of.push_back(column);
        }
        chain[p].push_back(path.to);
    }
    const std::size_t items = column_of.size();
    std::vector<std::vector<int>> predecessors(items), successors(items);
    for (const auto& links : chain)
        for (std::size_t k = 1; k < links.size(); ++k) {
            predecessors[links[k]].push_back(links[k - 1]);
            successors[links[k - 1]].push_back(links[k]);
        }

    // Order within each column by the barycentre of neighbours, a few sweeps each way, starting
    // from model order; stable sorts keep it deterministic.
    std::vector<std::vector<int>> column_members(columns);
    for (std::size_t item = 0; item < items; ++item) column_members[column_of[item]].push_back(static_cast<int>(item));
    std::vector<double> rank(items, 0);
    auto renumber = [&] {
        for (const auto& members : column_members)
            for (std::size_t k = 0; k < members.size(); ++k)
                rank[members[k]] = static_cast<double>(k) - static_cast<double>(members.size()) / 2.0;
    };
    renumber();
    for (int sweep = 0; sweep < 6; ++sweep) {
        const bool forward = sweep % 2 == 0;
        for (int step = 1; step < columns; ++step) {
            const int column = forward ? step : columns - 1 - step;
            auto& members = column_members[column];
            std::vector<double> key(items, 0);
            for (const int item : members) {
                const auto& neighbours = forward ? predecessors[item] : successors[item];
                double sum = 0;
                for (const int other : neighbours) sum += rank[other];
                key[item] = neighbours.empty() ? rank[item] : sum / static_cast<double>(neighbours.size());
            }
            std::stable_sort(members.begin(), members.end(), [&](int a, int b) { return key[a] < key[b]; });
            renumber();
        }
    }

    auto item_height = [&](int item) { return item < static_cast<int>(n) ? geometry[item].cell_height : lane_height; };
    std::vector<double> column_width(columns, 0), column_height(columns, 0), column_left(columns, 0);
    for (int column = 0; column < columns; ++column)
        for (const int item : column_members[column]) {
            if (item < static_cast<int>(n)) column_width[column] = std::max(column_width[column], geometry[item].cell_width);
            column_height[column] += item_height(item);
        }
    const double content_height = columns ? *std::max_element(column_height.begin(), column_height.end()) : 0;

    layout.constructs.assign(n, Box{});
    layout.indicators.assign(n, {});
    layout.indicator_labels.assign(n, {});
    std::vector<double> item_y(items, 0);  // ellipse centre, or the lane's line
    double x = margin;
    for (int column = 0; column < columns; ++column) {
        column_left[column] = x;
        double y = margin + (content_height - column_height[column]) / 2;
        const double cx = x + column_width[column] / 2;
        for (const int item : column_members[column]) {
            if (item >= static_cast<int>(n)) {
                item_y[item] = y + lane_height / 2;
                y += lane_height;
                continue;
            }
            const int c = item;
            const Geometry& g = geometry[c];
            layout.constructs[c] = Box{cx - g.rx, y, 2 * g.rx, 2 * ellipse_ry};
            item_y[c] = y + ellipse_ry;
            const double row_width = std::accumulate(g.slot_widths.begin(), g.slot_widths.end(), 0.0);
            double slot_x = cx - row_width / 2;
            const double rect_y = y + 2 * ellipse_ry + arrow_drop;
            const bool values = !model.constructs[c].indicator_values.empty();
            const double value_width = values ? text_width("-0.000", value_font) + 4 : 0;
            for (std::size_t k = 0; k < g.rect_widths.size(); ++k) {
                const double slot_centre = slot_x + g.slot_widths[k] / 2;
                layout.indicators[c].push_back(Box{slot_centre - g.rect_widths[k] / 2, rect_y, g.rect_widths[k], rect_height});
                layout.indicator_labels[c].push_back(
                    values ? Box{slot_centre - value_width / 2, rect_y - value_label_height - 3, value_width, value_label_height}
                           : Box{});
                slot_x += g.slot_widths[k];
            }
            y += g.cell_height;
        }
        x += column_width[column] + (column + 1 < columns ? column_gap : 0);
    }
    layout.width = x + margin;
    layout.height = content_height - cell_gap + 2 * margin;

    // Ports: a construct's outgoing arrows leave its right side spread over the middle of its
    // height, ordered by where they go, so they do not cross as they leave; incoming ones likewise.
    std::vector<double> out_port_y(model.paths.size()), in_port_y(model.paths.size());
    for (std::size_t c = 0; c < n; ++c) {
        std::vector<std::size_t> outgoing, incoming;
        for (std::size_t p = 0; p < model.paths.size(); ++p) {
            if (model.paths[p].from == static_cast<int>(c)) outgoing.push_back(p);
            if (model.paths[p].to == static_cast<int>(c)) incoming.push_back(p);
        }
        auto spread = [&](std::vector<std::size_t>& list, std::vector<double>& port_y, bool out) {
            std::stable_sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
                const int na = out ? chain[a][1] : chain[a][chain[a].size() - 2];
                const int nb = out ? chain[b][1] : chain[b][chain[b].size() - 2];
                return item_y[na] < item_y[nb];
            });
            const double k = static_cast<double>(list.size());
            for (std::size_t i = 0; i < list.size(); ++i)
                port_y[list[i]] = item_y[c] + ellipse_ry * 0.6 * (2 * (static_cast<double>(i) + 0.5) / k - 1);
        };
        spread(outgoing, out_port_y, true);
        spread(incoming, in_port_y, false);
    }
    auto column_right = [&](int column) { return column_left[column] + column_width[column]; };
    std::vector<std::vector<std::size_t>> gap_segments(model.paths.size());  // index of each diagonal's first point
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const auto& path = model.paths[p];
        const Box& from = layout.constructs[path.from];
        const Box& to = layout.constructs[path.to];
        auto on_side = [](const Box& e, double y, bool right) {
            const double a = e.width / 2, b = e.height / 2, cy = e.y + b;
            const double dx = a * std::sqrt(std::max(0.0, 1 - (y - cy) * (y - cy) / (b * b)));
            return std::pair{e.x + a + (right ? dx : -dx), y};
        };
        auto& route = layout.path_routes.emplace_back();
        route.push_back(on_side(from, out_port_y[p], true));
        route.push_back({column_right(layout.depth[path.from]), out_port_y[p]});
        for (std::size_t k = 1; k + 1 < chain[p].size(); ++k) {
            const int lane = chain[p][k];
            gap_segments[p].push_back(route.size() - 1);
            route.push_back({column_left[column_of[lane]], item_y[lane]});
            route.push_back({column_right(column_of[lane]), item_y[lane]});
        }
        gap_segments[p].push_back(route.size() - 1);
        route.push_back({column_left[layout.depth[path.to]], in_port_y[p]});
        route.push_back(on_side(to, in_port_y[p], false));
    }

    // Path labels: the first spot on a diagonal, nearest its middle, clear of every node, value
    // label and earlier path label.
    std::vector<Box> obstacles;
    for (std::size_t c = 0; c < n; ++c) {
        obstacles.push_back(layout.constructs[c]);
        for (const auto& box : layout.indicators[c]) obstacles.push_back(box);
        for (const auto& box : layout.indicator_labels[c]) obstacles.push_back(box);
    }
    std::vector<double> spots;
    for (int k = 2; k <= 18; ++k) spots.push_back(k / 20.0);
    std::stable_sort(spots.begin(), spots.end(), [](double a, double b) { return std::abs(a - 0.5) < std::abs(b - 0.5); });
    int unplaced = 0;
    for (std::size_t p = 0; p < model.paths.size(); ++p) {
        const std::string text = path_label_text(model.paths[p]);
        if (text.empty()) {
            layout.path_labels.push_back(Box{});
            continue;
        }
        const double width = text_width(text, path_font) + 8;
        const auto& route = layout.path_routes[p];
        Box best{};
        int best_hits = -1;
        for (const std::size_t segment : gap_segments[p]) {
            const auto [x1, y1] = route[segment];
            const auto [x2, y2] = route[segment + 1];
            for (const double t : spots) {
                const Box candidate{x1 + t * (x2 - x1) - width / 2, y1 + t * (y2 - y1) - label_height / 2, width, label_height};
                const int hits = static_cast<int>(std::count_if(obstacles.begin(), obstacles.end(),
                                                                [&](const Box& b) { return overlaps(candidate, b, 2); }));
                if (best_hits < 0 || hits < best_hits) best = candidate, best_hits = hits;
                if (hits == 0) break;
            }
            if (best_hits == 0) break;
        }
        if (best_hits > 0) ++unplaced;
        layout.path_labels.push_back(best);
        obstacles.push_back(best);
    }
    return unplaced;
}

}  // namespace

DiagramLayout layout_diagram(const DiagramModel& model) {
    // Crowded gaps get wider until every path label finds a free spot (or we give up at 5 widenings).
    DiagramLayout layout;
    for (double gap = 100; gap <= 400; gap += 50)
        if (layout_with_gap(model, gap, layout) == 0) break;
    return layout;
}

DiagramModel diagram_from_model(const Model& model) {
    DiagramModel diagram;
    for (const auto& c : model.constructs)
        diagram.constructs.push_back(DiagramConstruct{c.name, c.mode == MeasurementMode::formative, c.indicators, {}, false, 0});
    for (const auto& path : model.paths)
        diagram.paths.push_back(DiagramPath{model.construct_index(path.from), model.construct_index(path.to)});
    return diagram;
}

DiagramModel diagram_from_result(const Json& result) {
    DiagramModel diagram;
    const Json& weights = required_object(result, "outer_weights");
    const Json& loadings = required_object(result, "loadings");
    // Modes as the result records them (an older result: inferred from vif_formative).
    const std::set<std::string> formative = formative_constructs(result);
    const Json* r2 = member(result, "r2");
    std::map<std::string, int> position;
    for (const auto& [name, block] : weights.items()) {
        if (!block.is_object()) throw InputError("not a csipls result: outer_weights['" + name + "'] is not an object");
        DiagramConstruct c;
        c.name = name;
        c.formative = formative.count(name) > 0;
        const Json* block_loadings = member(loadings, name);
        for (const auto& [indicator, weight] : block.items()) {
            c.indicators.push_back(indicator);
            const auto value = c.formative ? number_of(&weight)
                                           : (block_loadings ? number_at(*block_loadings, indicator) : std::nullopt);
            c.indicator_values.push_back(value.value_or(std::nan("")));
        }
        if (r2)
            if (const auto value = number_at(*r2, name)) c.has_r2 = true, c.r2 = *value;
        position[name] = static_cast<int>(diagram.constructs.size());
        diagram.constructs.push_back(std::move(c));
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
                   "width=\"{1}\" height=\"{2}\" role=\"img\" aria-label=\"Path diagram: {3} constructs, {4} paths\">\n",
                   id, coord(layout.width), coord(layout.height), model.constructs.size(), model.paths.size());
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
                       ".path polyline {{ fill: none; stroke: #333; stroke-linejoin: round; }}\n"
                       ".path.negative polyline {{ stroke: #b03a2e; }}\n"
                       ".path.not-significant polyline {{ stroke: #9aa0a8; stroke-dasharray: 5 3; }}\n"
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
        std::string points;
        for (const auto& [px, py] : layout.path_routes[p]) points += (points.empty() ? "" : " ") + coord(px) + "," + coord(py);
        std::string classes = "path";
        if (path.has_estimate && path.estimate < 0) classes += " negative";
        if (path.has_p && !(path.p < 0.05)) classes += " not-significant";
        const double stroke = path.has_estimate ? 1 + std::min(3.0, 4 * std::abs(path.estimate)) : 1.5;
        fmt::format_to(out,
                       "<g class=\"{}\" id=\"{}-p{}\" data-from=\"{}\" data-to=\"{}\"><polyline points=\"{}\" "
                       "stroke-width=\"{}\" marker-end=\"url(#{}-arrow)\"/>",
                       classes, id, p, html_escape(model.constructs[path.from].name),
                       html_escape(model.constructs[path.to].name), points, coord(stroke), id);
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
        std::string attributes = "penwidth=1.5";
        const std::string text = path_label_text(path);
        if (!text.empty()) attributes += ", label=" + dot_quoted(text);
        if (path.has_p && !(path.p < 0.05)) attributes += ", style=dashed, color=\"#9aa0a8\"";
        fmt::format_to(out, "  {} -> {} [{}];\n", dot_quoted("c:" + model.constructs[path.from].name),
                       dot_quoted("c:" + model.constructs[path.to].name), attributes);
    }
    const int layers = depth.empty() ? 0 : *std::max_element(depth.begin(), depth.end()) + 1;
    for (int layer = 0; layer < layers; ++layer) {
        dot += "  { rank=same;";
        for (std::size_t c = 0; c < model.constructs.size(); ++c)
            if (depth[c] == layer) dot += " " + dot_quoted("c:" + model.constructs[c].name) + ";";
        dot += " }\n";
    }
    dot += "}\n";
    return dot;
}

}  // namespace csipls

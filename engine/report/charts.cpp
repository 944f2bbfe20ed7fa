// The report's charts as inline SVG: bars, a strip of many groups, the importance-performance map,
// bootstrap histograms and the control chart. Every text is escaped; no scripts.
#include <algorithm>
#include <cmath>
#include <limits>

#include "labels.hpp"
#include "report_internal.hpp"

namespace csipls::report_detail {

namespace {

// A linear map from data to pixels.
struct Scale {
    double data_low, data_high, pixel_low, pixel_high;
    double operator()(double v) const {
        return pixel_low + (v - data_low) / (data_high - data_low) * (pixel_high - pixel_low);
    }
};

void open_svg(std::string& svg, const std::string& css_class, double width, double height, std::string_view aria_label) {
    fmt::format_to(std::back_inserter(svg),
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {0}\" viewBox=\"0 0 {1} {2}\" width=\"{1}\" "
                   "height=\"{2}\" role=\"img\" aria-label=\"{3}\">\n",
                   css_class, coord(width), coord(height), html_escape(aria_label));
}

// Data range padded to round ticks; a single value gets a band around it.
std::pair<double, double> padded_range(double low, double high) {
    if (!(high > low)) return {low - 1, high + 1};
    const double pad = (high - low) * 0.08;
    return {low - pad, high + pad};
}

void y_axis(std::string& svg, const Scale& y, double x_left, double x_right, std::string_view label) {
    auto out = std::back_inserter(svg);
    for (const double tick : nice_ticks(y.data_low, y.data_high, 5)) {
        const double py = y(tick);
        fmt::format_to(out,
                       "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>"
                       "<text class=\"tick\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
                       coord(x_left), coord(py), coord(x_right), coord(x_left - 4), coord(py + 4), coord(tick));
    }
    if (!label.empty())
        fmt::format_to(out, "<text class=\"axis-label\" x=\"12\" y=\"{0}\" transform=\"rotate(-90 12 {0})\" text-anchor=\"middle\">{1}</text>\n",
                       coord((y.pixel_low + y.pixel_high) / 2), html_escape(label));
}

}  // namespace

std::string bar_chart(const std::vector<ChartItem>& items, double axis_min, double axis_max, std::string_view aria_label) {
    double label_width = 40;
    for (const auto& item : items) label_width = std::max(label_width, text_width(item.label, 12) + 12);
    label_width = std::min(label_width, 260.0);
    const double row = 24, plot_width = 460, top = 10;
    const double width = label_width + plot_width + 70, height = top + row * static_cast<double>(items.size()) + 30;
    const Scale x{axis_min, axis_max, label_width, label_width + plot_width};
    std::string svg;
    open_svg(svg, "bar-chart", width, height, aria_label);
    auto out = std::back_inserter(svg);
    const double bottom = top + row * static_cast<double>(items.size());
    for (const double tick : nice_ticks(axis_min, axis_max, 5))
        fmt::format_to(out,
                       "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
                       "<text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
                       coord(x(tick)), coord(top), coord(bottom), coord(bottom + 16), coord(tick));
    for (std::size_t k = 0; k < items.size(); ++k) {
        const auto& item = items[k];
        const double y = top + row * static_cast<double>(k);
        fmt::format_to(out, "<g class=\"bar\"><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                       coord(label_width - 6), coord(y + 16), html_escape(item.label));
        if (item.value) {
            const double v = std::clamp(*item.value, axis_min, axis_max);
            fmt::format_to(out, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", coord(x(axis_min)), coord(y + 4),
                           coord(x(v) - x(axis_min)), coord(row - 8));
            if (item.lower && item.upper)
                fmt::format_to(out, "<line class=\"whisker\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>",
                               coord(x(std::clamp(*item.lower, axis_min, axis_max))), coord(y + row / 2),
                               coord(x(std::clamp(*item.upper, axis_min, axis_max))));
            fmt::format_to(out, "<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>", coord(x(v) + 6 + (item.upper ? std::max(0.0, x(std::clamp(*item.upper, axis_min, axis_max)) - x(v)) : 0)),
                           coord(y + 16), fixed(*item.value, 1));
        }
        svg += "</g>\n";
    }
    svg += "</svg>\n";
    return svg;
}

std::string strip_chart(const std::vector<ChartItem>& items, std::string_view y_label, std::string_view aria_label) {
    double low = INFINITY, high = -INFINITY;
    for (const auto& item : items) {
        for (const auto& v : {item.value, item.lower, item.upper})
            if (v) low = std::min(low, *v), high = std::max(high, *v);
    }
    if (!std::isfinite(low)) low = 0, high = 100;
    const auto [y_low, y_high] = padded_range(low, high);
    const double left = 56, width = 900, plot_top = 10, plot_height = 240, height = plot_top + plot_height + 70;
    const double step = (width - left - 20) / static_cast<double>(std::max<std::size_t>(items.size(), 1));
    const Scale y{y_low, y_high, plot_top + plot_height, plot_top};
    std::string svg;
    open_svg(svg, "strip-chart", width, height, aria_label);
    auto out = std::back_inserter(svg);
    y_axis(svg, y, left, width - 20, y_label);
    // Label every k-th group so the labels never collide (about 60 px apart).
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(60 / step)));
    for (std::size_t k = 0; k < items.size(); ++k) {
        const auto& item = items[k];
        const double x = left + step * (static_cast<double>(k) + 0.5);
        svg += "<g class=\"point\">";
        if (item.lower && item.upper)
            fmt::format_to(out, "<line class=\"whisker\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", coord(x),
                           coord(y(*item.lower)), coord(y(*item.upper)));
        if (item.value)
            fmt::format_to(out, "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}: {}</title></circle>", coord(x),
                           coord(y(*item.value)), coord(std::clamp(step / 3, 1.2, 4.0)), html_escape(item.label),
                           fixed(*item.value, 1));
        svg += "</g>\n";
        if (k % every == 0)
            fmt::format_to(out, "<text class=\"tick\" x=\"{0}\" y=\"{1}\" text-anchor=\"end\" transform=\"rotate(-45 {0} {1})\">{2}</text>\n",
                           coord(x), coord(plot_top + plot_height + 14), html_escape(item.label));
    }
    svg += "</svg>\n";
    return svg;
}

std::string ipma_chart(const std::vector<IpmaPoint>& points, std::optional<double> importance_mean,
                       std::optional<double> performance_mean) {
    double x_low = 0, x_high = 0, y_low = INFINITY, y_high = -INFINITY;
    for (const auto& p : points) {
        x_low = std::min(x_low, p.importance), x_high = std::max(x_high, p.importance);
        y_low = std::min(y_low, p.performance), y_high = std::max(y_high, p.performance);
    }
    if (importance_mean) x_high = std::max(x_high, *importance_mean);
    if (performance_mean) y_low = std::min(y_low, *performance_mean), y_high = std::max(y_high, *performance_mean);
    if (!std::isfinite(y_low)) y_low = 0, y_high = 100;
    const auto [xa, xb] = padded_range(x_low, x_high);
    const auto [ya, yb] = padded_range(y_low, y_high);
    const double left = 60, top = 10, plot_width = 560, plot_height = 340;
    const double width = left + plot_width + 160, height = top + plot_height + 50;
    const Scale x{xa, xb, left, left + plot_width};
    const Scale y{ya, yb, top + plot_height, top};
    std::string svg;
    open_svg(svg, "ipma-chart", width, height, L("Importance-performance map"));
    auto out = std::back_inserter(svg);
    y_axis(svg, y, left, left + plot_width, L("performance (0-100)"));
    for (const double tick : nice_ticks(xa, xb, 6))
        fmt::format_to(out, "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", coord(x(tick)),
                       coord(top + plot_height + 16), coord(tick));
    fmt::format_to(out, "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", L("importance (total effect)"),
                   coord(left + plot_width / 2), coord(top + plot_height + 40));
    if (importance_mean)
        fmt::format_to(out, "<line class=\"quadrant-line\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n",
                       coord(x(*importance_mean)), coord(top), coord(top + plot_height));
    if (performance_mean)
        fmt::format_to(out, "<line class=\"quadrant-line\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n", coord(left),
                       coord(y(*performance_mean)), coord(left + plot_width));
    // Quadrant names in the corners: high importance is right, high performance is up.
    const std::pair<Label, std::pair<bool, bool>> corners[] = {
        {"priority", {true, false}}, {"keep up", {true, true}}, {"low priority", {false, false}}, {"possible overkill", {false, true}}};
    for (const auto& [name, corner] : corners)
        fmt::format_to(out, "<text class=\"quadrant-name\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>\n",
                       coord(corner.first ? left + plot_width - 6 : left + 6),
                       coord(corner.second ? top + 16 : top + plot_height - 8), corner.first ? "end" : "start", std::string_view(name));
    for (const auto& p : points)
        fmt::format_to(out,
                       "<g class=\"ipma-point {0}\"><circle cx=\"{1}\" cy=\"{2}\" r=\"5\"/><text x=\"{3}\" y=\"{4}\">{5}</text></g>\n",
                       html_escape(p.quadrant), coord(x(p.importance)), coord(y(p.performance)), coord(x(p.importance) + 8),
                       coord(y(p.performance) + 4), html_escape(p.label));
    svg += "</svg>\n";
    return svg;
}

std::string histogram_chart(const std::vector<double>& raw, std::optional<double> estimate, std::optional<double> lower,
                            std::optional<double> upper, std::string_view title) {
    std::vector<double> values;
    for (const double v : raw)
        if (std::isfinite(v)) values.push_back(v);
    const double width = 300, height = 170, left = 10, top = 24, plot_width = 280, plot_height = 110;
    std::string svg;
    open_svg(svg, "histogram", width, height, format_label(L("Bootstrap distribution of {}"), title));
    auto out = std::back_inserter(svg);
    fmt::format_to(out, "<text class=\"chart-title\" x=\"{}\" y=\"15\" text-anchor=\"middle\">{}</text>\n", coord(width / 2),
                   html_escape(title));
    if (values.empty()) {
        svg += "<text class=\"tick\" x=\"150\" y=\"90\" text-anchor=\"middle\">" + L("no finite draws") + "</text></svg>\n";
        return svg;
    }
    double low = *std::min_element(values.begin(), values.end()), high = *std::max_element(values.begin(), values.end());
    for (const auto& v : {estimate, lower, upper})
        if (v) low = std::min(low, *v), high = std::max(high, *v);
    const auto [xa, xb] = padded_range(low, high);
    const Scale x{xa, xb, left, left + plot_width};
    // Square-root rule, bounded: enough bins to show the shape of 100-10,000 draws.
    const int bins = std::clamp(static_cast<int>(std::sqrt(static_cast<double>(values.size()))), 10, 40);
    std::vector<int> counts(static_cast<std::size_t>(bins), 0);
    for (const double v : values) {
        const int bin = std::clamp(static_cast<int>((v - xa) / (xb - xa) * bins), 0, bins - 1);
        ++counts[static_cast<std::size_t>(bin)];
    }
    const int peak = *std::max_element(counts.begin(), counts.end());
    const double bin_width = plot_width / bins;
    for (int b = 0; b < bins; ++b) {
        const double h = plot_height * counts[static_cast<std::size_t>(b)] / std::max(peak, 1);
        if (h > 0)
            fmt::format_to(out, "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", coord(left + b * bin_width),
                           coord(top + plot_height - h), coord(bin_width - 0.5), coord(h));
    }
    svg += "\n";
    const double axis_y = top + plot_height;
    fmt::format_to(out, "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n", coord(left), coord(axis_y),
                   coord(left + plot_width));
    for (const double tick : nice_ticks(xa, xb, 4))
        fmt::format_to(out, "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", coord(x(tick)),
                       coord(axis_y + 14), coord(tick));
    if (xa < 0 && xb > 0)
        fmt::format_to(out, "<line class=\"zero\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", coord(x(0)), coord(top),
                       coord(axis_y));
    for (const auto& bound : {lower, upper})
        if (bound)
            fmt::format_to(out, "<line class=\"ci-bound\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", coord(x(*bound)),
                           coord(top), coord(axis_y));
    if (estimate)
        fmt::format_to(out, "<line class=\"estimate\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", coord(x(*estimate)),
                       coord(top - 4), coord(axis_y));
    fmt::format_to(out, "\n<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", coord(width / 2),
                   coord(height - 6), format_label(L("{} draws"), values.size()));
    svg += "</svg>\n";
    return svg;
}

std::string control_chart(const std::vector<ControlPoint>& points, double centre, std::string_view y_label) {
    double low = centre, high = centre;
    for (const auto& p : points)
        low = std::min({low, p.value, p.lower_limit}), high = std::max({high, p.value, p.upper_limit});
    const auto [ya, yb] = padded_range(low, high);
    const double left = 60, top = 10, width = 900, plot_height = 260, height = top + plot_height + 70;
    const double step = (width - left - 80) / static_cast<double>(std::max<std::size_t>(points.size(), 1));
    const Scale y{ya, yb, top + plot_height, top};
    std::string svg;
    open_svg(svg, "control-chart", width, height, L("Control chart"));
    auto out = std::back_inserter(svg);
    y_axis(svg, y, left, width - 80, y_label);
    auto x = [&](std::size_t k) { return left + step * (static_cast<double>(k) + 0.5); };
    // Limits may differ by period (each period's own standard error), so they are step lines.
    std::string upper_line, lower_line, value_line;
    for (std::size_t k = 0; k < points.size(); ++k) {
        const double x0 = x(k) - step / 2, x1 = x(k) + step / 2;
        upper_line += fmt::format("{}{},{} {},{}", k ? " " : "", coord(x0), coord(y(points[k].upper_limit)), coord(x1),
                                  coord(y(points[k].upper_limit)));
        lower_line += fmt::format("{}{},{} {},{}", k ? " " : "", coord(x0), coord(y(points[k].lower_limit)), coord(x1),
                                  coord(y(points[k].lower_limit)));
        value_line += fmt::format("{}{},{}", k ? " " : "", coord(x(k)), coord(y(points[k].value)));
    }
    fmt::format_to(out, "<line class=\"centre-line\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n", coord(left),
                   coord(y(centre)), coord(width - 80));
    fmt::format_to(out, "<polyline class=\"control-limit\" points=\"{}\"/>\n<polyline class=\"control-limit\" points=\"{}\"/>\n",
                   upper_line, lower_line);
    fmt::format_to(out, "<polyline class=\"series\" points=\"{}\"/>\n", value_line);
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(60 / step)));
    for (std::size_t k = 0; k < points.size(); ++k) {
        const auto& p = points[k];
        fmt::format_to(out, "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}: {}</title></circle>\n",
                       p.out_of_control ? "out-of-control" : "in-control", coord(x(k)), coord(y(p.value)),
                       p.out_of_control ? "5" : "3.5", html_escape(p.label), fixed(p.value, 2));
        if (k % every == 0)
            fmt::format_to(out, "<text class=\"tick\" x=\"{0}\" y=\"{1}\" text-anchor=\"end\" transform=\"rotate(-45 {0} {1})\">{2}</text>\n",
                           coord(x(k)), coord(top + plot_height + 14), html_escape(p.label));
    }
    fmt::format_to(out, "<text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>\n", coord(width - 76), coord(y(centre) + 4),
                   format_label(L("centre {}"), fixed(centre, 1)));
    svg += "</svg>\n";
    return svg;
}

std::string line_chart(const std::vector<LineSeries>& series, std::optional<double> reference, std::string_view x_label,
                       std::string_view y_label, std::string_view aria_label) {
    double x_low = std::numeric_limits<double>::infinity(), x_high = -x_low;
    double low = reference.value_or(x_low), high = reference.value_or(-x_low);
    for (const auto& line : series)
        for (const auto& [x, y] : line.points) {
            x_low = std::min(x_low, x), x_high = std::max(x_high, x);
            if (std::isfinite(y)) low = std::min(low, y), high = std::max(high, y);
        }
    if (!std::isfinite(low)) low = 0, high = 1;
    if (!std::isfinite(x_low)) x_low = 0, x_high = 1;
    const auto [ya, yb] = padded_range(low, high);
    const auto [xa, xb] = padded_range(x_low, x_high);
    const double left = 60, top = 10, width = 520, plot_height = 220, legend = 18.0 * static_cast<double>(series.size());
    const double height = top + plot_height + 44 + legend;
    const Scale y{ya, yb, top + plot_height, top};
    const Scale x{xa, xb, left, width - 20};
    std::string svg;
    open_svg(svg, "line-chart", width, height, aria_label);
    auto out = std::back_inserter(svg);
    y_axis(svg, y, left, width - 20, y_label);
    for (const double tick : nice_ticks(xa, xb, 6))
        fmt::format_to(out, "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", coord(x(tick)),
                       coord(top + plot_height + 16), coord(tick));
    fmt::format_to(out, "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                   coord((left + width - 20) / 2), coord(top + plot_height + 34), html_escape(x_label));
    if (reference)
        fmt::format_to(out, "<line class=\"centre-line\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n", coord(left),
                       coord(y(*reference)), coord(width - 20));
    for (std::size_t k = 0; k < series.size(); ++k) {
        const auto& line = series[k];
        std::string points;
        for (const auto& [px, py] : line.points)
            if (std::isfinite(py)) points += fmt::format("{}{},{}", points.empty() ? "" : " ", coord(x(px)), coord(y(py)));
        fmt::format_to(out, "<polyline class=\"series series-{}\" points=\"{}\"/>\n", k % 6, points);
        for (const auto& [px, py] : line.points)
            if (std::isfinite(py))
                fmt::format_to(out, "<circle class=\"series-{}\" cx=\"{}\" cy=\"{}\" r=\"3\"><title>{}, {}: {}</title></circle>\n",
                               k % 6, coord(x(px)), coord(y(py)), html_escape(line.label), coord(px), fixed(py, 4));
        const double ly = top + plot_height + 44 + 18.0 * static_cast<double>(k);
        fmt::format_to(out,
                       "<line class=\"series series-{0}\" x1=\"{1}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\"/>"
                       "<text class=\"tick\" x=\"{4}\" y=\"{5}\">{6}</text>\n",
                       k % 6, coord(left), coord(ly - 4), coord(left + 24), coord(left + 30), coord(ly), html_escape(line.label));
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace csipls::report_detail

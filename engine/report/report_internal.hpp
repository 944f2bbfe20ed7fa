#pragma once
// Helpers shared by the report's renderers: checked access to the JSON result, number formatting,
// text width estimates and the SVG charts.
#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "csipls/report/report.hpp"

namespace csipls::report_detail {

// The member `key` of `object` when present and not null, else nullptr. Never throws.
const Json* member(const Json& object, std::string_view key);
// Like member(), but refuses a missing key or the wrong type with an InputError naming the key.
const Json& required_object(const Json& object, std::string_view key);
const Json& required_array(const Json& object, std::string_view key);
// A finite number, or nullopt for null, absent, NaN or a non-number.
std::optional<double> number_at(const Json& object, std::string_view key);
std::optional<double> number_of(const Json* value);
std::string text_at(const Json& object, std::string_view key);  // "" when absent or not a string
// The constructs measured formatively: from the result's `constructs` (schema version 1), or for
// an older result inferred from `vif_formative` (see ResultView). InputError for a malformed
// `constructs` or a schema_version newer than this csipls reads.
std::set<std::string> formative_constructs(const Json& result);
// The value as text for a settings table (strings unquoted, others as JSON).
std::string plain_text(const Json& value);

// A table cell holding `text`, escaped.
std::string text_cell(std::string_view text);

// Fixed-point text; "—" for a missing value. Fixed digits keep the report's bytes stable.
std::string fixed(std::optional<double> value, int digits);
inline std::string fixed(double value, int digits) { return fixed(std::optional<double>(value), digits); }
// Compact number for SVG coordinates (two decimals, trailing zeros dropped).
std::string coord(double value);

// Approximate rendered width of `text` in pixels at `font_size` (East Asian characters count double).
double text_width(std::string_view text, double font_size);

// Path coefficient p-values by "from\x1fto" from `bootstrap.paths`.
std::optional<double> bootstrap_path_p(const Json& result, const std::string& from, const std::string& to);

// Axis ticks: about `count` round values covering [low, high].
std::vector<double> nice_ticks(double low, double high, int count);

// The CSS font stack for every text: Latin first, then CJK fonts by platform.
inline constexpr const char* font_stack =
    "\"Noto Sans\", \"DejaVu Sans\", \"Segoe UI\", \"Helvetica Neue\", Arial, \"Noto Sans CJK SC\", "
    "\"Source Han Sans SC\", \"Microsoft YaHei\", \"PingFang SC\", \"Hiragino Sans GB\", "
    "\"WenQuanYi Micro Hei\", sans-serif";

// The diagram's SVG with or without its own <style> (a standalone file needs one; the report's page
// styles every SVG once).
std::string diagram_svg(const DiagramModel& model, std::string_view id_prefix, bool standalone);

}  // namespace csipls::report_detail

namespace csipls::report_detail {

// One bar, point or histogram input of a chart; missing numbers are not drawn.
struct ChartItem {
    std::string label;
    std::optional<double> value, lower, upper;
};

// Horizontal bars on [axis_min, axis_max] with interval whiskers, one row per item.
std::string bar_chart(const std::vector<ChartItem>& items, double axis_min, double axis_max, std::string_view aria_label);
// Many items along x (groups in their order) as points with interval lines; y fits the data.
std::string strip_chart(const std::vector<ChartItem>& items, std::string_view y_label, std::string_view aria_label);

struct IpmaPoint {
    std::string label;
    double importance = 0, performance = 0;
    std::string quadrant;
};
std::string ipma_chart(const std::vector<IpmaPoint>& points, std::optional<double> importance_mean,
                       std::optional<double> performance_mean);

// Histogram of `values` (non-finite ones left out) with the estimate and interval bounds marked.
std::string histogram_chart(const std::vector<double>& values, std::optional<double> estimate,
                            std::optional<double> lower, std::optional<double> upper, std::string_view title);

struct ControlPoint {
    std::string label;
    double value = 0, lower_limit = 0, upper_limit = 0;
    bool out_of_control = false;
};
std::string control_chart(const std::vector<ControlPoint>& points, double centre, std::string_view y_label);

// Lines of y against x (e.g. bias against the sample size), one per series, with a legend and an
// optional horizontal reference line (0 for bias, 0.95 for coverage). Non-finite y are left out.
struct LineSeries {
    std::string label;
    std::vector<std::pair<double, double>> points;  // (x, y), in x order
};
std::string line_chart(const std::vector<LineSeries>& series, std::optional<double> reference, std::string_view x_label,
                       std::string_view y_label, std::string_view aria_label);

}  // namespace csipls::report_detail

namespace csipls::report_detail {

// A section of the report page: its anchor id, title and HTML.
struct ReportSection {
    std::string id, title, html;
};

// Hidden segments (the result's `segmentation`): the criteria table, segment sizes, the segments'
// paths and R² side by side, and FIMIX's posterior-probability histogram; nullopt without one.
std::optional<ReportSection> segmentation_section(const Json& result);

// Interaction terms and higher-order constructs (the result's `two_stage`): the method, the terms
// and constructs, and each interaction's simple slopes (table and plot); nullopt with one stage.
std::optional<ReportSection> two_stage_section(const Json& result);

}  // namespace csipls::report_detail

#pragma once
// The study report and the path diagram, rendered from the JSON result (the documented interface),
// so a report made right after estimation and one made later from a saved result are the same
// bytes. Pure functions: text in, text out; the CLI reads and writes the files.
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/model.hpp"
#include "csipls/io/json.hpp"

namespace csipls {

// Bootstrap draws for the histograms: one column per parameter, labelled as in --save-draws
// ("Satisfaction ~ Quality" for a path).
struct ReportDraws {
    std::vector<std::string> labels;
    std::vector<std::vector<double>> columns;  // columns[k][r]: replicate r of parameter k
};

// Parses a --save-draws CSV (header `replicate,label,...`, then numbers). `source_name` names the
// file in errors. Throws InputError naming the line and column at fault.
ReportDraws parse_report_draws(std::string_view text, const std::string& source_name);

// The language of the report's fixed texts (titles, headers, notes); names from the model and the
// data are written as they are.
enum class ReportLanguage { en, zh };
// "en" or "zh"; anything else is a UsageError listing both.
ReportLanguage parse_report_language(std::string_view name);
std::string_view report_language_code(ReportLanguage language);

struct ReportOptions {
    // The column whose groups are periods (--period): draws the control chart from the index
    // table's group rows. Empty: no control chart.
    std::string period_column;
    // The page is to be printed (report --pdf): adds page numbers and the contents on the first
    // page. Off for --out, so the page a browser shows keeps its bytes.
    bool print = false;
    ReportLanguage language = ReportLanguage::en;
};

// The whole report: one self-contained HTML page (inline CSS and SVG, no scripts, no network).
// Sections whose keys the result lacks are left out. Throws InputError when `result` is not a
// csipls result (a required key missing or of the wrong type); the message names the key.
std::string render_html_report(const Json& result, const ReportDraws* draws, const ReportOptions& options = {});

// The path diagram's content, from a result (estimates, R², significance) or from a model alone.
struct DiagramConstruct {
    std::string name;
    bool formative = false;
    std::vector<std::string> indicators;
    std::vector<double> indicator_values;  // loadings (reflective) or weights (formative); empty: none
    bool has_r2 = false;
    double r2 = 0;
};

struct DiagramPath {
    int from = 0, to = 0;  // construct positions
    bool has_estimate = false;
    double estimate = 0;
    bool has_p = false;
    double p = 0;
    // A higher-order construct's link to one of its lower-order constructs (a two-stage model's
    // second level), labelled with the stage-2 loading or weight. `from` is the lower-order
    // construct and `to` the higher-order one, the side they are laid out on; the arrow points the
    // way the higher-order construct is measured: from it (=~) or into it (<~).
    bool higher_order = false;
};

struct DiagramModel {
    std::vector<DiagramConstruct> constructs;
    std::vector<DiagramPath> paths;
    // Hand-tuned placement (the model's `layout` line; the result's `diagram_layout`): columns
    // left to right, each its constructs' positions top to bottom. Empty: all automatic.
    std::vector<std::vector<int>> columns;
};

DiagramModel diagram_from_model(const Model& model);
// Block modes come from the result's `constructs`; for a result older than schema_version 1, from
// `vif_formative`, which lists every indicator of every formative block.
DiagramModel diagram_from_result(const Json& result);

// Where everything is drawn, in SVG user units (y down). Exposed so tests can check for overlaps.
struct Box {
    double x = 0, y = 0, width = 0, height = 0;  // top-left corner
};

struct DiagramLayout {
    double width = 0, height = 0;
    std::vector<Box> constructs;                       // ellipses' bounding boxes
    std::vector<std::vector<Box>> indicators;          // per construct, its indicators' rectangles
    std::vector<std::vector<Box>> indicator_labels;    // per construct, the loading/weight labels
    std::vector<Box> path_labels;                      // per path, its coefficient label (empty box: none)
    // Per path, the cubic Bézier curve it is drawn along (start, then three points per piece), from
    // the source's ellipse to the target's, routed by Graphviz around every cell; and the same
    // curve sampled into a polyline (for checks such as crossings). A higher-order link's run the
    // way its arrow points.
    std::vector<std::vector<std::pair<double, double>>> path_curves;
    std::vector<std::vector<std::pair<double, double>>> path_routes;
    // Per construct: longest path from an exogenous one; a lower-order construct's is one less than
    // its higher-order construct's.
    std::vector<int> depth;
};

DiagramLayout layout_diagram(const DiagramModel& model);

// `id_prefix` keeps element ids unique when several SVGs share one page.
std::string render_diagram_svg(const DiagramModel& model, std::string_view id_prefix = "pd");
std::string render_diagram_dot(const DiagramModel& model);

// Significance stars of a two-sided p-value: *** < 0.001, ** < 0.01, * < 0.05, else "".
std::string significance_stars(double p);

// Text safe inside HTML/SVG elements and attribute values (& < > " ').
std::string html_escape(std::string_view text);

// The page of a Monte Carlo study (csipls montecarlo, merge) from its summary.json: bias, RMSE and
// coverage against n, one line per estimator (and other factors), and the per-condition rates.
// Throws InputError when a required key is missing.
std::string render_montecarlo_html(const Json& summary);

}  // namespace csipls

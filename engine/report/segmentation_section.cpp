// The report's hidden-segments section, rendered from the result's `segmentation`.
#include <fmt/format.h>
#include <iterator>

#include "labels.hpp"
#include "report_internal.hpp"

namespace csipls::report_detail {

namespace {

std::string criteria_table(const Json& segmentation, bool fimix) {
    std::string html = "<table class=\"numbers\"><thead><tr><th>K</th>";
    const char* const keys[] = {"log_likelihood", "parameters", "aic", "aic3", "aic4", "bic", "caic", "hq", "mdl5", "entropy"};
    const char* const names[] = {"lnL", "N<sub>k</sub>", "AIC", "AIC3", "AIC4", "BIC", "CAIC", "HQ", "MDL5", "EN"};
    if (fimix)
        for (const char* name : names) html += std::string("<th>") + name + "</th>";
    else
        html += "<th>" + L("Summed R²") + "</th>";
    html += "<th>" + L("Sizes") + "</th></tr></thead><tbody>\n";
    auto out = std::back_inserter(html);
    for (const auto& solution : required_array(segmentation, "solutions")) {
        fmt::format_to(out, "<tr><td>{}</td>", plain_text(solution.value("k", Json(nullptr))));
        if (!solution.value("ok", false)) {
            fmt::format_to(out, "<td colspan=\"{}\">{}</td></tr>\n", fimix ? 11 : 2, html_escape(text_at(solution, "error")));
            continue;
        }
        if (fimix) {
            const Json* criteria = member(solution, "criteria");
            for (const char* key : keys) {
                const std::string_view name(key);
                const int digits = name == "entropy" ? 3 : name == "parameters" ? 0 : 2;
                html += text_cell(criteria ? fixed(number_at(*criteria, key), digits) : fixed(std::nullopt, 0));
            }
        } else {
            html += text_cell(fixed(number_at(solution, "objective"), 4));
        }
        std::string sizes;
        if (const Json* list = member(solution, "sizes"); list && list->is_array())
            for (const auto& size : *list) sizes += (sizes.empty() ? "" : " / ") + plain_text(size);
        html += text_cell(sizes) + "</tr>\n";
    }
    return html + "</tbody></table>\n";
}

std::string paths_table(const Json& segmentation) {
    const Json& segments = required_array(segmentation, "segments");
    if (segments.empty()) return {};
    std::string html = "<table class=\"numbers\"><thead><tr><th>" + L("Path") + "</th>";
    for (std::size_t s = 0; s < segments.size(); ++s) html += "<th>" + format_label(L("Segment {}"), s + 1) + "</th>";
    html += "</tr></thead><tbody>\n";
    const Json& first_paths = required_array(segments[0], "paths");
    for (std::size_t p = 0; p < first_paths.size(); ++p) {
        html += "<tr>" + text_cell(text_at(first_paths[p], "from") + " → " + text_at(first_paths[p], "to"));
        for (const auto& segment : segments) html += text_cell(fixed(number_at(required_array(segment, "paths")[p], "estimate"), 3));
        html += "</tr>\n";
    }
    if (const Json* r2 = member(segments[0], "r2"); r2 && r2->is_object())
        for (const auto& [construct, value] : r2->items()) {
            (void)value;
            html += "<tr>" + text_cell("R² " + construct);
            for (const auto& segment : segments) {
                const Json* own = member(segment, "r2");
                html += text_cell(fixed(own ? number_at(*own, construct) : std::nullopt, 3));
            }
            html += "</tr>\n";
        }
    html += "<tr><td>" + L("Size (share)") + "</td>";
    for (const auto& segment : segments)
        html += text_cell(plain_text(segment.value("size", Json(nullptr))) + " (" + fixed(number_at(segment, "share"), 2) + ")");
    return html + "</tr>\n</tbody></table>\n";
}

}  // namespace

std::optional<ReportSection> segmentation_section(const Json& result) {
    const Json* segmentation = member(result, "segmentation");
    if (!segmentation) return std::nullopt;
    const bool fimix = text_at(*segmentation, "method") == "fimix";
    ReportSection s{"segmentation", fimix ? L("Hidden segments (FIMIX-PLS)") : L("Hidden segments (PLS-POS)"), {}};
    s.html += criteria_table(*segmentation, fimix);
    if (fimix)
        s.html += "<p class=\"note\">" + L("Smaller is better for every criterion but the normed entropy EN (closer to 1: clearer "
                  "assignment). N<sub>k</sub> = (K − 1) + K·(paths + endogenous constructs); MDL5 = −2 lnL + 3 ln(n) N<sub>k</sub> "
                  "(Liang, Jaszczak &amp; Coleman 1992, P = 5). Sarstedt et al. (2011) read AIC3 and CAIC together.") + "</p>\n";
    if (const Json* k = member(*segmentation, "k")) {
        s.html += "<h3>" + format_label(L("Segments of K = {}{}"), plain_text(*k),
                                         member(*segmentation, "selected_by") ? L(" (smallest CAIC)") : "") + "</h3>\n";
        s.html += paths_table(*segmentation);
        s.html += "<p class=\"note\">" +
                  (fimix ? L("Per segment, each endogenous construct's regression on its predictors over the "
                             "full-sample standardized construct scores, weighted by the posterior probabilities.")
                         : L("Each segment's own PLS estimation.")) + "</p>\n";
    }
    if (const Json* histogram = member(*segmentation, "posterior_histogram")) {
        std::vector<ChartItem> bars;
        const Json& lower = required_array(*histogram, "lower");
        const Json& counts = required_array(*histogram, "counts");
        double largest = 1;
        for (std::size_t b = 0; b < lower.size() && b < counts.size(); ++b) {
            const double from = lower[b].get<double>();
            bars.push_back({fixed(from, 1) + "–" + fixed(from + 0.1, 1), counts[b].get<double>(), std::nullopt, std::nullopt});
            largest = std::max(largest, counts[b].get<double>());
        }
        s.html += "<h3>" + L("Largest posterior probability per respondent") + "</h3>\n" +
                  bar_chart(bars, 0, largest, L("respondents by their largest posterior probability"));
    }
    return s;
}

}  // namespace csipls::report_detail

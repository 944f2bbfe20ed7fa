// The report's two-stage section, rendered from the result's `two_stage`, `simple_slopes` and
// `paths`: how interaction terms and higher-order constructs were estimated, and each interaction's
// simple slopes as a table with intervals and a slope plot.
#include <fmt/format.h>
#include <iterator>

#include "labels.hpp"
#include "report_internal.hpp"

namespace csipls::report_detail {

namespace {

double path_estimate(const Json& paths, const std::string& from, const std::string& to) {
    for (const auto& path : paths)
        if (text_at(path, "from") == from && text_at(path, "to") == to) return number_at(path, "estimate").value_or(0.0);
    return 0.0;
}

std::string list_of(const Json& items, const char* key, const char* parts_key) {
    std::string html = "<ul>\n";
    for (const auto& item : items) {
        html += "<li>" + html_escape(text_at(item, key));
        if (const Json* parts = member(item, parts_key); parts && parts->is_array()) {
            std::string joined;
            for (const auto& part : *parts) joined += (joined.empty() ? "" : ", ") + plain_text(part);
            html += " (" + html_escape(joined) + ")";
        }
        html += "</li>\n";
    }
    return html + "</ul>\n";
}

// One interaction's slopes to one dependent: the table with intervals and the plot.
std::string slopes_block(const Json& result, const std::vector<const Json*>& slopes) {
    const Json& first = *slopes.front();
    const std::string focal = text_at(first, "focal"), moderator = text_at(first, "moderator"), dependent = text_at(first, "dependent");
    std::string html = "<h3>" + html_escape(format_label(L("Simple slopes of {} → {} at levels of {}"), focal, dependent, moderator)) +
                       "</h3>\n";
    html += "<table class=\"numbers\"><thead><tr><th>" + L("Moderator level (SD)") + "</th><th>" + L("Slope") + "</th><th>" + L("SE") +
            "</th><th>" + L("CI lower") + "</th><th>" + L("CI upper") + "</th></tr></thead><tbody>\n";
    const double moderator_path = path_estimate(required_array(result, "paths"), moderator, dependent);
    std::vector<LineSeries> lines;
    for (const Json* slope : slopes) {
        const double level = number_at(*slope, "moderator_level").value_or(0.0);
        const double b = number_at(*slope, "slope").value_or(0.0);
        html += "<tr>" + text_cell(fixed(level, 0)) + text_cell(fixed(b, 3)) + text_cell(fixed(number_at(*slope, "se"), 3)) +
                text_cell(fixed(number_at(*slope, "ci_lower"), 3)) + text_cell(fixed(number_at(*slope, "ci_upper"), 3)) + "</tr>\n";
        LineSeries line{moderator + (level > 0 ? " +" : level < 0 ? " −" : " ") + (level == 0 ? L("mean") : fixed(std::abs(level), 0) + " SD"), {}};
        for (const double x : {-2.0, 2.0}) line.points.emplace_back(x, moderator_path * level + b * x);
        lines.push_back(std::move(line));
    }
    html += "</tbody></table>\n";
    return html + line_chart(lines, std::nullopt, focal + " (SD)", dependent + " (SD)", format_label(L("simple slopes of {} on {}"), focal, dependent));
}

}  // namespace

std::optional<ReportSection> two_stage_section(const Json& result) {
    const Json* stages = member(result, "two_stage");
    if (!stages || !stages->is_object()) return std::nullopt;
    ReportSection s{"two-stage", L("Interaction terms and higher-order constructs"), {}};
    if (const Json* interactions = member(*stages, "interactions"); interactions && interactions->is_array() && !interactions->empty())
        s.html += "<p>" + html_escape(format_label(L("Interaction terms, estimated by the method ‘{}’"), text_at(*stages, "interaction_method"))) + "</p>\n" +
                  list_of(*interactions, "name", "indicators");
    if (const Json* higher = member(*stages, "higher_order"); higher && higher->is_array() && !higher->empty())
        s.html += "<p>" + html_escape(format_label(L("Higher-order constructs, estimated by the approach ‘{}’"), text_at(*stages, "higher_order_approach"))) + "</p>\n" +
                  list_of(*higher, "construct", "lower_order");
    if (const Json* slopes = member(result, "simple_slopes"); slopes && slopes->is_array() && !slopes->empty()) {
        // Slopes come grouped by interaction and dependent, each group's levels together.
        std::vector<const Json*> group;
        for (const auto& slope : *slopes) {
            if (!group.empty() && (text_at(*group.front(), "interaction") != text_at(slope, "interaction") ||
                                   text_at(*group.front(), "dependent") != text_at(slope, "dependent"))) {
                s.html += slopes_block(result, group);
                group.clear();
            }
            group.push_back(&slope);
        }
        s.html += slopes_block(result, group);
        s.html += "<p class=\"note\">" + L("Slope = path of the focal construct + level · path of the interaction term (Aiken &amp; West 1991), with the moderator at −1 SD, its mean and +1 SD; the plot draws the dependent (in SD) against the focal construct from −2 to +2 SD, each line shifted by the moderator's own path times its level. Indices and IPMA leave interaction terms out.") + "</p>\n";
    }
    return s;
}

}  // namespace csipls::report_detail

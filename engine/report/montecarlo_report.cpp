// The Monte Carlo study's page: bias, RMSE and interval coverage against the sample size, one line
// per estimator (and per level of the design's other factors), averaged over the parameters of each
// kind; then the per-condition rates. Rendered from summary.json alone, like the study report.
#include <map>

#include "csipls/core/error.hpp"
#include "report_internal.hpp"

namespace csipls {

using namespace report_detail;

std::string render_montecarlo_html(const Json& summary) {
    const Json& conditions = required_array(summary, "conditions");
    // Series: every factor but n; per series, per kind, per n: sums and counts of each measure.
    struct Sums {
        double bias = 0, rmse = 0, coverage = 0;
        int biases = 0, rmses = 0, coverages = 0;
    };
    std::map<std::string, std::map<std::string, std::map<double, Sums>>> by_kind;  // kind → series → n
    std::vector<std::string> kinds;
    for (const Json& condition : conditions) {
        const Json& factors = required_object(condition, "factors");
        std::string series;
        for (const auto& [name, value] : factors.items())
            if (name != "n")
                series += (series.empty() ? "" : ", ") + (name == "estimator" ? "" : name + " ") + plain_text(value);
        const double n = number_at(factors, "n").value_or(0);
        for (const Json& parameter : required_array(condition, "parameters")) {
            const std::string kind = text_at(parameter, "kind");
            if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
            Sums& sums = by_kind[kind][series][n];
            if (auto v = number_at(parameter, "bias")) sums.bias += *v, ++sums.biases;
            if (auto v = number_at(parameter, "rmse")) sums.rmse += *v, ++sums.rmses;
            if (auto v = number_at(parameter, "coverage")) sums.coverage += *v, ++sums.coverages;
        }
    }
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Monte Carlo study</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;color:#222} .charts{display:flex;flex-wrap:wrap;gap:1em}\n"
        ".grid{stroke:#ddd} .tick{font-size:11px;fill:#444} .axis-label{font-size:12px;fill:#222}\n"
        ".centre-line{stroke:#2a7;stroke-dasharray:4 3} polyline.series,line.series{fill:none;stroke-width:2}\n"
        ".series-0{stroke:#1f77b4;fill:#1f77b4} .series-1{stroke:#d62728;fill:#d62728} .series-2{stroke:#2ca02c;fill:#2ca02c}\n"
        ".series-3{stroke:#9467bd;fill:#9467bd} .series-4{stroke:#8c564b;fill:#8c564b} .series-5{stroke:#e377c2;fill:#e377c2}\n"
        "polyline.series{fill:none} table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\n"
        "</style></head><body>\n<h1>Monte Carlo study</h1>\n";
    if (const Json* design = member(summary, "design"))
        html += "<p>Design " + html_escape(text_at(*design, "file")) + " (xxh64 " + html_escape(text_at(*design, "xxh64")) +
                "), population " + html_escape(text_at(*design, "population_model")) + ", " +
                fixed(number_at(*design, "replications"), 0) + " replications per condition, " +
                fixed(number_at(*design, "bootstrap"), 0) + " bootstrap resamples each.</p>\n";
    for (const std::string& kind : kinds) {
        html += "<h2>" + html_escape(kind) + " (mean over the parameters of this kind)</h2>\n<div class=\"charts\">\n";
        struct Measure {
            const char* name;
            double Sums::*sum;
            int Sums::*count;
            std::optional<double> reference;
        };
        for (const Measure& measure : {Measure{"bias", &Sums::bias, &Sums::biases, 0.0},
                                       Measure{"RMSE", &Sums::rmse, &Sums::rmses, std::nullopt},
                                       Measure{"coverage", &Sums::coverage, &Sums::coverages, 0.95}}) {
            std::vector<LineSeries> lines;
            for (const auto& [label, by_n] : by_kind[kind]) {
                LineSeries line{label, {}};
                for (const auto& [n, sums] : by_n)
                    if (sums.*(measure.count) > 0) line.points.emplace_back(n, sums.*(measure.sum) / sums.*(measure.count));
                if (!line.points.empty()) lines.push_back(std::move(line));
            }
            if (lines.empty()) continue;
            html += line_chart(lines, measure.reference, "n", measure.name, kind + ": " + measure.name + " against n");
        }
        html += "</div>\n";
    }
    html += "<h2>Conditions</h2>\n<table><tr><th>condition</th><th>factors</th><th>convergence</th><th>admissible</th>"
            "<th>mean SRMR</th><th>exact-fit rejections: SRMR</th><th>d<sub>ULS</sub></th><th>d<sub>G</sub></th></tr>\n";
    for (const Json& condition : conditions) {
        std::string factors;
        for (const auto& [name, value] : required_object(condition, "factors").items())
            factors += (factors.empty() ? "" : ", ") + name + " " + plain_text(value);
        html += "<tr><td>" + fixed(number_at(condition, "condition"), 0) + "</td><td style=\"text-align:left\">" +
                html_escape(factors) + "</td><td>" + fixed(number_at(condition, "convergence_rate"), 3) + "</td><td>" +
                fixed(number_at(condition, "admissibility_rate"), 3) + "</td><td>" +
                fixed(number_at(condition, "mean_srmr"), 4) + "</td>";
        for (const char* rate : {"fit_rejection_rate_srmr", "fit_rejection_rate_d_uls", "fit_rejection_rate_d_g"})
            html += "<td>" + fixed(number_at(condition, rate), 3) + "</td>";
        html += "</tr>\n";
    }
    html += "</table>\n</body></html>\n";
    return html;
}

}  // namespace csipls

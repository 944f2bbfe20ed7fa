// Writers of the hidden segments (JSON, summary, the assignments CSV).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "csipls/io/result_writers.hpp"

namespace csipls {

namespace {

std::string number(double value, const char* format = "{:.3f}") {
    return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : std::string("-");
}

Json segment_to_json(const PlsResult& result, const SegmentModel& segment, int size) {
    Json paths = Json::array();
    for (const auto& path : result.paths)
        paths.push_back({{"from", result.constructs[static_cast<std::size_t>(path.from)]},
                         {"to", result.constructs[static_cast<std::size_t>(path.to)]},
                         {"estimate", number_or_null(segment.path_coefficients(path.from, path.to))}});
    Json r2 = Json::object(), residual_variance = Json::object();
    for (std::size_t j = 0; j < result.constructs.size(); ++j) {
        const auto c = static_cast<Eigen::Index>(j);
        if (!result.is_endogenous(static_cast<int>(j))) continue;
        r2[result.constructs[j]] = number_or_null(segment.r2[c]);
        if (segment.residual_variance.size() > 0) residual_variance[result.constructs[j]] = number_or_null(segment.residual_variance[c]);
    }
    return {{"share", number_or_null(segment.share)}, {"size", size}, {"paths", std::move(paths)}, {"r2", std::move(r2)},
            {"residual_variance", std::move(residual_variance)}};
}

Json criteria_to_json(const SegmentSolution& solution, SegmentationMethod method) {
    if (method != SegmentationMethod::fimix || !solution.ok()) return nullptr;
    const FimixCriteria& c = solution.criteria;
    return {{"log_likelihood", number_or_null(solution.log_likelihood)},
            {"parameters", solution.parameters},
            {"aic", number_or_null(c.aic)},
            {"aic3", number_or_null(c.aic3)},
            {"aic4", number_or_null(c.aic4)},
            {"bic", number_or_null(c.bic)},
            {"caic", number_or_null(c.caic)},
            {"hq", number_or_null(c.hq)},
            {"mdl5", number_or_null(c.mdl5)},
            {"entropy", number_or_null(c.entropy)}};
}

Json solution_to_json(const PlsResult& result, const SegmentSolution& solution, SegmentationMethod method) {
    Json out = {{"k", solution.k}, {"ok", solution.ok()}, {"error", solution.ok() ? Json(nullptr) : Json(solution.error)}};
    out["criteria"] = criteria_to_json(solution, method);
    out["entropy"] = method == SegmentationMethod::fimix && solution.ok() ? number_or_null(solution.criteria.entropy) : Json(nullptr);
    out["objective"] = method == SegmentationMethod::pos && solution.ok() ? number_or_null(solution.objective) : Json(nullptr);
    out["sizes"] = solution.sizes;
    Json segments = Json::array();
    for (std::size_t s = 0; s < solution.segments.size(); ++s)
        segments.push_back(segment_to_json(result, solution.segments[s], solution.sizes[s]));
    out["segments"] = std::move(segments);
    out["best_start"] = solution.best_start >= 0 ? Json(solution.best_start + 1) : Json(nullptr);
    out["iterations"] = solution.iterations;
    out["converged"] = solution.converged;
    out["failed_starts"] = solution.failed_starts;
    out["start_failures"] = solution.start_failures;
    return out;
}

}  // namespace

Json segmentation_to_json(const PlsResult& result, const SegmentationResult& segmentation) {
    const bool fimix_method = segmentation.method == SegmentationMethod::fimix;
    Json out = {{"method", segmentation_method_name(segmentation.method)},
                {"n", segmentation.rows.size()},
                {"rows_left_out", segmentation.data_rows - static_cast<Eigen::Index>(segmentation.rows.size())}};
    Json solutions = Json::array();
    for (const auto& solution : segmentation.solutions) solutions.push_back(solution_to_json(result, solution, segmentation.method));
    const int selected = selected_solution(segmentation);
    // The selected solution's fields at the top, the solutions of every K below them.
    if (selected >= 0) {
        const Json& chosen = solutions[static_cast<std::size_t>(selected)];
        for (const char* key : {"k", "criteria", "entropy", "objective", "sizes", "segments"}) out[key] = chosen[key];
    } else {
        for (const char* key : {"k", "criteria", "entropy", "objective"}) out[key] = nullptr;
        out["sizes"] = Json::array();
        out["segments"] = Json::array();
    }
    // How sure the hard assignment is: respondents by their largest posterior probability, in tenths.
    if (selected >= 0 && fimix_method) {
        const Eigen::MatrixXd& posterior = segmentation.solutions[static_cast<std::size_t>(selected)].posterior;
        std::vector<int> counts(10, 0);
        for (Eigen::Index i = 0; i < posterior.rows(); ++i)
            ++counts[static_cast<std::size_t>(std::clamp(static_cast<int>(posterior.row(i).maxCoeff() * 10), 0, 9))];
        out["posterior_histogram"] = {{"lower", {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}}, {"counts", counts}};
    } else {
        out["posterior_histogram"] = nullptr;
    }
    Json descriptions = Json::array();
    for (const SegmentDescription& d : segmentation.descriptions) {
        Json segments = Json::array();
        for (std::size_t s = 0; s < d.n.size(); ++s)
            segments.push_back({{"n", d.n[s]}, {"mean", number_or_null(d.mean[s])}, {"sd", number_or_null(d.sd[s])}});
        Json shares = Json::array();
        for (Eigen::Index level = 0; level < d.shares.rows(); ++level) {
            Json row = Json::array();
            for (Eigen::Index s = 0; s < d.shares.cols(); ++s) row.push_back(number_or_null(d.shares(level, s)));
            shares.push_back(std::move(row));
        }
        descriptions.push_back({{"column", d.column}, {"segments", std::move(segments)}, {"f", number_or_null(d.f)},
                                {"df_between", d.df_between}, {"df_within", d.df_within}, {"f_p", number_or_null(d.f_p)},
                                {"levels", d.levels}, {"shares", std::move(shares)}, {"chi2", number_or_null(d.chi2)},
                                {"chi2_df", d.chi2_df}, {"chi2_p", number_or_null(d.chi2_p)}});
    }
    out["descriptions"] = std::move(descriptions);
    out["selected_by"] = segmentation.solutions.size() > 1 ? Json("caic") : Json(nullptr);
    out["solutions"] = std::move(solutions);
    Json definitions = Json::object();
    if (fimix_method)
        for (const auto& [name, formula] : fimix_criteria_definitions()) definitions[name] = formula;
    definitions["paths"] = fimix_method
                               ? "FIMIX-PLS (Hahn et al. 2002): per segment, each endogenous construct's regression on its predictors "
                                 "(no intercept) on the full-sample standardized construct scores, weighted by the posterior probabilities"
                               : "PLS-POS (Becker et al. 2013): each segment's own PLS estimation (standardized paths)";
    definitions["r2"] = fimix_method ? "1 - residual variance / posterior-weighted variance of the construct's scores in the segment"
                                     : "the segment's PLS R²";
    definitions["sizes"] = "respondents per segment by hard assignment (the segment of largest posterior probability)";
    if (!fimix_method)
        definitions["objective"] = "the sum over segments of the R² of every endogenous construct, which PLS-POS maximizes";
    if (fimix_method)
        definitions["posterior_histogram"] = "respondents of the selected solution by their largest posterior probability, in bins "
                                             "[lower, lower + 0.1) (the last includes 1)";
    definitions["descriptions"] = "per described column and segment (hard assignment of the selected solution): n, mean, sd; "
                                  "one-way ANOVA F with its p; for columns of at most 10 distinct values each value's share per "
                                  "segment (shares[level][segment]) with Pearson's chi-square test of independence";
    definitions["selected"] = "with several K, the K of smallest CAIC; every K is in `solutions`";
    out["definitions"] = std::move(definitions);
    return out;
}

void write_segmentation_summary(std::ostream& out, const PlsResult& result, const SegmentationResult& segmentation) {
    const bool fimix_method = segmentation.method == SegmentationMethod::fimix;
    out << "\nHidden segments (" << (fimix_method ? "FIMIX-PLS" : "PLS-POS") << ", " << segmentation.rows.size() << " respondents)\n";
    std::vector<std::vector<std::string>> table;
    if (fimix_method)
        table.push_back({"K", "lnL", "N_k", "AIC", "AIC3", "AIC4", "BIC", "CAIC", "HQ", "MDL5", "EN", "sizes"});
    else
        table.push_back({"K", "summed R²", "sizes"});
    for (const auto& solution : segmentation.solutions) {
        std::string sizes;
        for (const int size : solution.sizes) sizes += (sizes.empty() ? "" : "/") + std::to_string(size);
        if (!solution.ok()) {
            table.push_back({std::to_string(solution.k), "-"});
            continue;
        }
        if (fimix_method) {
            const FimixCriteria& c = solution.criteria;
            table.push_back({std::to_string(solution.k), number(solution.log_likelihood, "{:.2f}"), std::to_string(solution.parameters),
                             number(c.aic, "{:.2f}"), number(c.aic3, "{:.2f}"), number(c.aic4, "{:.2f}"), number(c.bic, "{:.2f}"),
                             number(c.caic, "{:.2f}"), number(c.hq, "{:.2f}"), number(c.mdl5, "{:.2f}"), number(c.entropy), sizes});
        } else {
            table.push_back({std::to_string(solution.k), number(solution.objective, "{:.4f}"), sizes});
        }
    }
    std::vector<bool> right(table.front().size(), true);
    right.back() = false;
    write_aligned_rows(out, table, right);
    for (const auto& solution : segmentation.solutions)
        if (!solution.ok()) out << "  K = " << solution.k << ": " << solution.error << '\n';
    if (fimix_method)
        out << "  N_k = (K - 1) + K (paths + endogenous constructs); MDL5 = -2 lnL + 3 ln(n) N_k (Liang et al. 1992, P = 5); "
               "EN = normed entropy\n";
    const int selected = selected_solution(segmentation);
    if (selected < 0) return;
    const SegmentSolution& chosen = segmentation.solutions[static_cast<std::size_t>(selected)];
    out << "\nSegment paths (K = " << chosen.k << (segmentation.solutions.size() > 1 ? ", smallest CAIC" : "") << ")\n";
    std::vector<std::vector<std::string>> paths{{"path"}};
    for (std::size_t s = 0; s < chosen.segments.size(); ++s) paths.front().push_back("segment " + std::to_string(s + 1));
    for (const auto& path : result.paths) {
        std::vector<std::string> row{result.constructs[static_cast<std::size_t>(path.from)] + " -> " +
                                     result.constructs[static_cast<std::size_t>(path.to)]};
        for (const auto& segment : chosen.segments) row.push_back(number(segment.path_coefficients(path.from, path.to)));
        paths.push_back(std::move(row));
    }
    for (std::size_t j = 0; j < result.constructs.size(); ++j) {
        if (!result.is_endogenous(static_cast<int>(j))) continue;
        std::vector<std::string> row{"R² " + result.constructs[j]};
        for (const auto& segment : chosen.segments) row.push_back(number(segment.r2[static_cast<Eigen::Index>(j)]));
        paths.push_back(std::move(row));
    }
    std::vector<std::string> sizes{"size (share)"};
    for (std::size_t s = 0; s < chosen.segments.size(); ++s)
        sizes.push_back(std::to_string(chosen.sizes[s]) + " (" + number(chosen.segments[s].share, "{:.2f}") + ")");
    paths.push_back(std::move(sizes));
    std::vector<bool> right_paths(paths.front().size(), true);
    right_paths.front() = false;
    write_aligned_rows(out, paths, right_paths);
    if (segmentation.descriptions.empty()) return;
    out << "\nSegments described (means; F test of equal means; chi-square test of equal shares for columns of at most 10 values)\n";
    std::vector<std::vector<std::string>> described{{"column"}};
    for (std::size_t s = 0; s < chosen.segments.size(); ++s) described.front().push_back("mean " + std::to_string(s + 1));
    described.front().insert(described.front().end(), {"F", "p", "chi2", "p"});
    for (const SegmentDescription& d : segmentation.descriptions) {
        std::vector<std::string> row{d.column};
        for (const double mean : d.mean) row.push_back(number(mean));
        row.insert(row.end(), {number(d.f, "{:.2f}"), number(d.f_p, "{:.4f}"), number(d.chi2, "{:.2f}"), number(d.chi2_p, "{:.4f}")});
        described.push_back(std::move(row));
    }
    std::vector<bool> right_described(described.front().size(), true);
    right_described.front() = false;
    write_aligned_rows(out, described, right_described);
}

void write_segment_assignments(std::ostream& out, const SegmentationResult& segmentation) {
    const int selected = selected_solution(segmentation);
    const SegmentSolution* chosen = selected >= 0 ? &segmentation.solutions[static_cast<std::size_t>(selected)] : nullptr;
    const bool with_posterior = segmentation.method == SegmentationMethod::fimix && chosen;
    out << "row,segment";
    if (with_posterior)
        for (int k = 1; k <= chosen->k; ++k) out << ",p" << k;
    out << '\n';
    std::size_t next = 0;  // position in segmentation.rows, which are in data order
    for (Eigen::Index row = 0; row < segmentation.data_rows; ++row) {
        out << row + 1 << ',';
        const bool segmented = chosen && next < segmentation.rows.size() && segmentation.rows[next] == row;
        if (segmented) out << chosen->assignment[next] + 1;
        if (with_posterior)
            for (int k = 0; k < chosen->k; ++k) out << ',' << (segmented ? csv_number(chosen->posterior(static_cast<Eigen::Index>(next), k)) : "");
        out << '\n';
        if (segmented) ++next;
    }
}

}  // namespace csipls

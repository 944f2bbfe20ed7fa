#include <cmath>
#include <limits>
#include <fmt/format.h>

#include "csipls/core/detail/thresholds.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/version.hpp"
#include "utf8.hpp"

namespace csipls {
namespace {

bool is_wide(char32_t c) {
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

std::string pad(const std::string& text, std::size_t width) { return pad_to_width(text, width); }

std::size_t widest(const std::vector<std::string>& names, std::size_t at_least) {
    std::size_t width = at_least;
    for (const auto& name : names) width = std::max(width, display_width(name));
    return width;
}

}  // namespace

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        const utf8::CodePoint point = utf8::decode(text.substr(i), utf8::Decoding::lenient);
        width += is_wide(point.code) ? 2 : 1;
        i += point.length;
    }
    return width;
}

std::string pad_to_width(const std::string& text, std::size_t width, bool right) {
    const std::size_t used = display_width(text);
    const std::string fill(width > used ? width - used : 0, ' ');
    return right ? fill + text : text + fill;
}

void write_aligned_rows(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right_aligned) {
    std::vector<std::size_t> width;
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (width.size() <= c) width.push_back(0);
            width[c] = std::max(width[c], display_width(row[c]));
        }
    for (const auto& row : rows) {
        std::string text = "  ";
        for (std::size_t c = 0; c < row.size(); ++c) text += pad_to_width(row[c], width[c], c < right_aligned.size() && right_aligned[c]) + "  ";
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << '\n';
    }
}

void write_summary(std::ostream& out, const PlsResult& result, const RunProvenance& provenance,
                   const Assessment* assessment, const BootstrapResult* bootstrap, const CsiIndex* indices,
                   const FitTestResult* fit_test, const BlindfoldingResult* q2) {
    const std::size_t name_width = widest(result.constructs, 9) + 2;
    const std::size_t indicator_width = widest(result.indicators, 9) + 2;
    out << fmt::format("{} {}: PLS path model estimate\n", engine_name, engine_version);
    out << fmt::format("model  {} ({} constructs, {} indicators, {} paths)\n", provenance.model_path,
                       result.constructs.size(), result.indicators.size(), result.paths.size());
    out << fmt::format("data   {} ({} respondents)\n", provenance.data.path, result.n_obs);
    if (provenance.missing.missing_cells() > 0) {
        const MissingReport& missing = provenance.missing;
        out << fmt::format("missing {} values; {} of {} respondents complete; treatment {}: {} respondents used", missing.missing_cells(),
                           missing.complete_respondents, missing.respondents, to_string(missing.treatment),
                           missing.respondents_used);
        if (missing.treatment == MissingTreatment::pairwise)
            out << fmt::format(" (the least supported correlation rests on {})", missing.fewest_pairs);
        if (missing.treatment == MissingTreatment::em) out << fmt::format(" (EM converged in {} iterations)", missing.em_iterations);
        out << "\n       per indicator:";
        for (std::size_t k = 0; k < missing.indicators.size(); ++k)
            if (missing.missing_per_indicator[k] > 0)
                out << fmt::format(" {} {}", missing.indicators[k], missing.missing_per_indicator[k]);
        out << '\n';
    }
    out << fmt::format("scheme {}, tolerance {:g}, {}", to_string(result.options.scheme), result.options.tolerance,
                       result.consistent ? "consistent PLS (PLSc), " : "");
    if (result.converged)
        out << fmt::format("converged in {} iterations\n", result.iterations);
    else
        out << fmt::format("\n*** NOT CONVERGED after {} iterations (last max |change in weights| = {:.3g}); "
                           "the estimates below are not a PLS solution ***\n",
                           result.iterations, result.last_weight_change);

    out << "\nPath coefficients\n";
    out << fmt::format("  {}{}{:>10}\n", pad("from", name_width), pad("to", name_width), "estimate");
    for (const auto& link : result.paths)
        out << fmt::format("  {}{}{:>10.4f}\n", pad(result.constructs[link.from], name_width),
                           pad(result.constructs[link.to], name_width), result.path_coefficients(link.from, link.to));

    out << "\nExplained variance\n";
    out << fmt::format("  {}{:>10}{:>10}\n", pad("construct", name_width), "R2", "adj. R2");
    for (std::size_t j = 0; j < result.constructs.size(); ++j) {
        const auto index = static_cast<Eigen::Index>(j);
        if (result.is_endogenous(static_cast<int>(j)))
            out << fmt::format("  {}{:>10.4f}{:>10.4f}\n", pad(result.constructs[j], name_width), result.r2[index],
                               result.r2_adj[index]);
    }

    out << "\nOuter weights and loadings\n";
    out << fmt::format("  {}{}{:>10}{:>10}\n", pad("construct", name_width), pad("indicator", indicator_width), "weight",
                       "loading");
    for (std::size_t k = 0; k < result.indicators.size(); ++k) {
        const auto index = static_cast<Eigen::Index>(k);
        const bool first_of_block = k == 0 || result.block_of_indicator[k] != result.block_of_indicator[k - 1];
        out << fmt::format("  {}{}{:>10.4f}{:>10.4f}\n",
                           pad(first_of_block ? result.constructs[result.block_of_indicator[k]] : "", name_width),
                           pad(result.indicators[k], indicator_width), result.outer_weights[index], result.loadings[index]);
    }
    if (assessment) {
        const auto& reliability = assessment->reliability;
        out << fmt::format("\nReliability and convergent validity (alpha, rho_A, rho_C >= {} and AVE >= {} are the usual bars)\n",
                           thresholds::reliability, thresholds::ave);
        out << fmt::format("  {}{:>10}{:>10}{:>10}{:>10}\n", pad("construct", name_width), "alpha", "rho_A", "rho_C", "AVE");
        for (std::size_t j = 0; j < result.constructs.size(); ++j) {
            const auto i = static_cast<Eigen::Index>(j);
            auto cell = [](double value) { return std::isnan(value) ? fmt::format("{:>10}", "-") : fmt::format("{:>10.4f}", value); };
            out << "  " << pad(result.constructs[j], name_width) << cell(reliability.cronbach_alpha[i])
                << cell(reliability.rho_a[i]) << cell(reliability.rho_c[i]) << cell(reliability.ave[i]) << '\n';
        }
        auto value_text = [](double value) { return std::isnan(value) ? std::string("-") : fmt::format("{:.4f}", value); };
        out << fmt::format("\nDiscriminant validity: HTMT (signed / absolute / HTMT2; below {:.2f} or {:.2f} is the usual bar)\n",
                           thresholds::htmt_distinct, thresholds::htmt_similar);
        const std::string above_similar = fmt::format("  > {:.2f}", thresholds::htmt_similar);
        const std::string above_distinct = fmt::format("  > {:.2f}", thresholds::htmt_distinct);
        for (std::size_t i = 0; i < assessment->htmt.size(); ++i) {
            const auto& pair = assessment->htmt[i];
            const std::string label = result.constructs[pair.a] + " / " + result.constructs[pair.b];
            out << fmt::format("  {}{:>10}{:>10}{:>10}{}\n", pad(label, 2 * name_width), value_text(pair.value),
                               value_text(assessment->htmt_absolute[i].value), value_text(assessment->htmt2[i].value),
                               pair.value > thresholds::htmt_similar    ? above_similar
                               : pair.value > thresholds::htmt_distinct ? above_distinct
                                                                        : std::string());
        }
        out << fmt::format("\nStructural collinearity and effect sizes (VIF above {} is a problem; f2 {}/{}/{} small/medium/large)\n",
                           thresholds::vif_critical, thresholds::f2_small, thresholds::f2_medium, thresholds::f2_large);
        out << fmt::format("  {}{}{:>10}{:>10}\n", pad("from", name_width), pad("to", name_width), "VIF", "f2");
        for (const auto& effect : assessment->f2) {
            double vif = std::numeric_limits<double>::quiet_NaN();
            for (const auto& entry : assessment->vif_structural)
                if (entry.dependent == effect.to && entry.predictor == effect.from) vif = entry.value;
            out << fmt::format("  {}{}{:>10}{:>10}\n", pad(result.constructs[effect.from], name_width),
                               pad(result.constructs[effect.to], name_width), value_text(vif), value_text(effect.value));
        }
        const auto& fit = assessment->fit;
        out << fmt::format("\nModel fit         SRMR     d_ULS       d_G\n  estimated {:>10.4f}{:>10.4f}{:>10.4f}\n"
                           "  saturated {:>10.4f}{:>10.4f}{:>10.4f}\n  GoF {:.4f}\n",
                           fit.estimated_model.srmr, fit.estimated_model.d_uls, fit.estimated_model.d_g,
                           fit.saturated_model.srmr, fit.saturated_model.d_uls, fit.saturated_model.d_g, assessment->gof);
        if (assessment->admissibility.admissible) {
            out << "  admissible: yes\n";
        } else {
            out << "\n*** INADMISSIBLE RESULT ***\n";
            for (const auto& problem : assessment->admissibility.problems) out << "  - " << problem << '\n';
        }
    }
    if (q2) {
        out << fmt::format("\nPredictive relevance: Q2 by blindfolding (omission distance {}; above 0 is relevant)\n",
                           q2->omission_distance);
        for (std::size_t j = 0; j < result.constructs.size(); ++j)
            if (result.is_endogenous(static_cast<int>(j)))
                out << fmt::format("  {}{:>10.4f}\n", pad(result.constructs[j], name_width), q2->q2[static_cast<Eigen::Index>(j)]);
        out << "  (PLSpredict per indicator: in the JSON result, --out)\n";
    }
    if (fit_test) {
        out << fmt::format("\nBootstrap test of exact fit: {} resamples ({} left out), seed {}\n", fit_test->options.resamples,
                           fit_test->failures.size(), fit_test->options.seed);
        out << fmt::format("  {:<8}{:>10}{:>10}{:>10}{:>8}  {}\n", "measure", "observed", "HI95", "HI99", "p", "verdict");
        const std::pair<const char*, const FitStatisticTest*> measures[] = {
            {"SRMR", &fit_test->srmr}, {"d_ULS", &fit_test->d_uls}, {"d_G", &fit_test->d_g}};
        for (const auto& [name, test] : measures)
            out << fmt::format("  {:<8}{:>10.4f}{:>10.4f}{:>10.4f}{:>8.3f}  {}\n", name, test->observed, test->quantile_95,
                               test->quantile_99, test->p_value,
                               test->exceeds_99 ? "misfit at 1 %" : test->exceeds_95 ? "misfit at 5 %" : "fits");
    }
    if (indices) {
        out << "\nCustomer satisfaction indices (0-100, ACSI method)\n";
        for (std::size_t j = 0; j < result.constructs.size(); ++j) {
            const double index = indices->index[static_cast<Eigen::Index>(j)];
            if (!std::isfinite(index)) {
                out << "  " << pad(result.constructs[j], name_width) << "       -  (no index: an interaction term)\n";
                continue;
            }
            out << fmt::format("  {}{:>8.2f}{}\n", pad(result.constructs[j], name_width), index,
                               indices->negative_weight[j] ? "  ! a negative weight: this index is not meaningful" : "");
        }
    }
    if (!bootstrap) return;

    const auto& options = bootstrap->options;
    out << fmt::format("\nBootstrap: {} resamples ({} failed), seed {}, {} {:g}% intervals, sign change {}\n",
                       options.resamples, bootstrap->failures.size(), options.seed, to_string(options.ci),
                       100 * options.ci_level, to_string(options.sign_change));
    std::vector<std::string> labels;
    for (const auto& parameter : bootstrap->parameters) labels.push_back(parameter_label(result, parameter));
    const std::size_t label_width = widest(labels, 9) + 2;
    out << fmt::format("  {}{:>10}{:>10}{:>9}{:>9}{:>9}{:>9}  {:>10}{:>10}\n", pad("parameter", label_width), "estimate",
                       "boot mean", "bias", "se", "t", "p", "ci lower", "ci upper");
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto& s = bootstrap->summaries[i];
        const char* stars = !(s.p < 0.05) ? "" : s.p < 0.001 ? "***" : s.p < 0.01 ? "**" : "*";
        out << fmt::format("  {}{:>10.4f}{:>10.4f}{:>9.4f}{:>9.4f}{:>9.2f}{:>9.4f}  {:>10.4f}{:>10.4f} {}\n",
                           pad(labels[i], label_width), s.estimate, s.boot_mean, s.bias, s.se, s.t, s.p, s.ci_lower,
                           s.ci_upper, stars);
    }
    out << "  significance: *** p < 0.001, ** p < 0.01, * p < 0.05 (two-sided t test)\n";
}

}  // namespace csipls

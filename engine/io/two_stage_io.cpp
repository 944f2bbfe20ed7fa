// Writers of a two-stage study's own parts: the stages, the interaction terms' scale and simple
// slopes, the higher-order constructs (JSON and summary).
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <string>
#include <vector>

#include "csipls/io/result_writers.hpp"

namespace csipls {

namespace {

Json per_block(const PlsResult& result, const Eigen::VectorXd& values) {
    Json out = Json::object();
    for (std::size_t k = 0; k < result.indicators.size(); ++k)
        out[result.constructs[static_cast<std::size_t>(result.block_of_indicator[k])]][result.indicators[k]] =
            number_or_null(values[static_cast<Eigen::Index>(k)]);
    return out;
}

Json stage_to_json(const PlsResult& result) {
    Json paths = Json::array();
    for (const auto& link : result.paths)
        paths.push_back({{"from", result.constructs[static_cast<std::size_t>(link.from)]},
                         {"to", result.constructs[static_cast<std::size_t>(link.to)]},
                         {"estimate", number_or_null(result.path_coefficients(link.from, link.to))}});
    Json r2 = Json::object();
    for (std::size_t j = 0; j < result.constructs.size(); ++j)
        if (result.is_endogenous(static_cast<int>(j))) r2[result.constructs[j]] = number_or_null(result.r2[static_cast<Eigen::Index>(j)]);
    return {{"constructs", result.constructs}, {"converged", result.converged}, {"iterations", result.iterations},
            {"paths", std::move(paths)},       {"outer_weights", per_block(result, result.outer_weights)},
            {"loadings", per_block(result, result.loadings)}, {"r2", std::move(r2)}};
}

Json slope_to_json(const SimpleSlope& slope) {
    const ParameterSummary* s = slope.bootstrap ? &*slope.bootstrap : nullptr;
    return {{"interaction", slope.interaction}, {"focal", slope.focal}, {"moderator", slope.moderator},
            {"dependent", slope.dependent},     {"moderator_level", slope.moderator_level},
            {"slope", number_or_null(slope.slope)},
            {"boot_mean", s ? number_or_null(s->boot_mean) : Json(nullptr)},
            {"se", s ? number_or_null(s->se) : Json(nullptr)},
            {"t", s ? number_or_null(s->t) : Json(nullptr)},
            {"p", s ? number_or_null(s->p) : Json(nullptr)},
            {"ci_lower", s ? number_or_null(s->ci_lower) : Json(nullptr)},
            {"ci_upper", s ? number_or_null(s->ci_upper) : Json(nullptr)}};
}

}  // namespace

void add_two_stage_to_json(Json& json, const PlsResult& result, const TwoStageResult& stages) {
    Json section = {{"stages", stages.two_stages ? 2 : 1},
                    {"interaction_method", to_string(stages.options.interaction)},
                    {"higher_order_approach", to_string(stages.options.higher_order)}};
    Json interactions = Json::array();
    Json higher_order = Json::array();
    const auto estimation_mode = [&](int construct) {
        return stages.original.constructs[static_cast<std::size_t>(construct)].mode == MeasurementMode::reflective ? "A" : "B";
    };
    for (const auto& h : higher_order_constructs(stages.original)) {
        const Construct& construct = stages.original.constructs[static_cast<std::size_t>(h.construct)];
        Json lower_order_modes = Json::array();
        for (const int lower : h.lower_order) lower_order_modes.push_back(estimation_mode(lower));
        higher_order.push_back({{"construct", construct.name},
                                {"lower_order", construct.indicators},
                                {"mode", estimation_mode(h.construct)},
                                {"lower_order_modes", std::move(lower_order_modes)}});
    }
    if (stages.staged) {
        const StagedModel& staged = *stages.staged;
        for (std::size_t t = 0; t < staged.interactions.size(); ++t) {
            const auto& term = staged.interactions[t];
            const int j = staged.interaction_constructs[t];
            const double a = stages.interaction_scale.size() > static_cast<Eigen::Index>(t) ? stages.interaction_scale[static_cast<Eigen::Index>(t)]
                                                                                            : std::nan("");
            Json standardized = Json::array();
            for (const auto& link : result.paths)
                if (link.from == j)
                    standardized.push_back({{"to", result.constructs[static_cast<std::size_t>(link.to)]},
                                            {"estimate", number_or_null(result.path_coefficients(link.from, link.to) * a)}});
            Json indicators = Json::array();
            for (std::size_t k = 0; k < result.indicators.size(); ++k)
                if (result.block_of_indicator[k] == j) indicators.push_back(result.indicators[k]);
            interactions.push_back({{"name", term.name},
                                    {"focal", term.first},
                                    {"moderator", term.second},
                                    {"indicators", std::move(indicators)},
                                    {"scale_factor", number_or_null(a)},
                                    {"paths_standardized", std::move(standardized)}});
        }
        section["stage1"] = stage_to_json(stages.stage1);
    }
    section["interactions"] = std::move(interactions);
    section["higher_order"] = std::move(higher_order);
    section["missing"] = stages.missing_note.empty() ? Json(nullptr) : Json(stages.missing_note);
    section["definitions"] = {
        {"two_stage",
         "stage 1 estimates the model without the interaction paths and with each higher-order construct replaced by its "
         "lower-order constructs (paths into it go to each of them, paths out of it leave from each); stage 2 estimates the "
         "model as written, with the computed indicators below; the bootstrap re-runs both stages on every resample"},
        {"interaction_indicators",
         "two-stage: the product of the two stage-1 scores (standardized, not centred); product-indicator: every product of a "
         "standardized indicator of one construct with one of the other; orthogonal: each such product's residual from a "
         "least-squares regression with intercept on all indicators of both constructs (seminr's definitions)"},
        {"scale_factor",
         "seminr (Henseler & Chin 2010): the interaction score is the standardized score times a = sum sd(x_i)|l_i| / sum |l_i| "
         "over its indicators x_i as computed and their loadings l_i; its paths are divided by a and its loadings multiplied, so "
         "an interaction path is the coefficient of the product itself; paths_standardized = path * a"},
        {"simple_slopes",
         "the focal construct's path to the dependent at the moderator's -1 SD, mean and +1 SD: path(focal) + level * "
         "path(interaction); with a bootstrap, each draw's slope from the same draw's paths"},
        {"higher_order",
         "two-stage (disjoint, seminr's higher_composite): the higher-order construct is measured by its lower-order constructs' "
         "stage-1 scores (its outer_weights and loadings rows name them); repeated: one stage, measured by copies of their items "
         "(named HOC_2nd_item), with paths from them (<~) or to them (=~)"},
        {"indices",
         "interaction terms have no CSI index and take no part in IPMA; a higher-order construct's index weights its lower-order "
         "constructs' 0-100 index scores, which is its index through both stages"}};
    json["two_stage"] = std::move(section);
    Json slopes = Json::array();
    for (const auto& slope : stages.simple_slopes) slopes.push_back(slope_to_json(slope));
    json["simple_slopes"] = std::move(slopes);
}

void write_two_stage_summary(std::ostream& out, const PlsResult& result, const TwoStageResult& stages) {
    if (!stages.two_stages) {
        out << "\nHigher-order constructs: repeated indicators (one stage; copies of the lower-order items named HOC_2nd_item)\n";
        return;
    }
    const StagedModel& staged = *stages.staged;
    std::vector<std::string> methods;
    if (!staged.interactions.empty()) methods.push_back("interaction terms by " + to_string(stages.options.interaction));
    if (!staged.higher_order.empty()) methods.push_back("higher-order constructs by " + to_string(stages.options.higher_order));
    out << "\nTwo stages: " << fmt::format("{}", fmt::join(methods, ", ")) << "; stage 1 "
        << (stages.stage1.converged ? "converged" : "did NOT converge") << " in " << stages.stage1.iterations << " iterations\n";
    if (!stages.missing_note.empty()) out << "  " << stages.missing_note << "\n";
    for (std::size_t t = 0; t < staged.interactions.size(); ++t) {
        const auto& term = staged.interactions[t];
        const int j = staged.interaction_constructs[t];
        const double a = stages.interaction_scale[static_cast<Eigen::Index>(t)];
        for (const auto& link : result.paths)
            if (link.from == j)
                out << fmt::format("  {} -> {}: {:.4f} (standardized {:.4f}; scale factor a = {:.4f})\n", term.name,
                                   result.constructs[static_cast<std::size_t>(link.to)], result.path_coefficients(j, link.to),
                                   result.path_coefficients(j, link.to) * a, a);
    }
    if (!stages.simple_slopes.empty()) {
        out << "\nSimple slopes (focal path at the moderator's -1 SD, mean, +1 SD)\n";
        std::vector<std::vector<std::string>> rows{{"interaction", "dependent", "level", "slope", "se", "interval"}};
        for (const auto& slope : stages.simple_slopes) {
            const ParameterSummary* s = slope.bootstrap ? &*slope.bootstrap : nullptr;
            rows.push_back({slope.interaction, slope.dependent, fmt::format("{:+.0f} SD", slope.moderator_level),
                            fmt::format("{:.4f}", slope.slope), s ? fmt::format("{:.4f}", s->se) : "",
                            s ? fmt::format("[{:.4f}, {:.4f}]", s->ci_lower, s->ci_upper) : ""});
        }
        write_aligned_rows(out, rows, {false, false, true, true, true, false});
    }
    if (!staged.higher_order.empty()) {
        out << "\nLower-order constructs (stage 1): outer weights and loadings\n";
        const PlsResult& stage1 = stages.stage1;
        for (const auto& h : staged.higher_order)
            for (const int lower : h.lower_order)
                for (std::size_t k = 0; k < stage1.indicators.size(); ++k)
                    if (stage1.block_of_indicator[k] == lower)
                        out << fmt::format("  {} -> {}  weight {:.4f}  loading {:.4f}\n", stage1.constructs[static_cast<std::size_t>(lower)],
                                           stage1.indicators[k], stage1.outer_weights[static_cast<Eigen::Index>(k)],
                                           stage1.loadings[static_cast<Eigen::Index>(k)]);
    }
}

}  // namespace csipls

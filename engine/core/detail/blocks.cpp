#include "blocks.hpp"

#include <limits>
#include <string>

#include "csipls/core/error.hpp"

namespace csipls::detail {

BlockLayout block_layout(const Model& model) {
    BlockLayout layout;
    Eigen::Index position = 0;
    for (std::size_t j = 0; j < model.constructs.size(); ++j) {
        const auto& construct = model.constructs[j];
        const auto size = static_cast<Eigen::Index>(construct.indicators.size());
        layout.blocks.push_back({position, size, construct.mode});
        layout.block_of_indicator.insert(layout.block_of_indicator.end(), construct.indicators.size(), static_cast<int>(j));
        position += size;
    }
    layout.indicator_count = position;
    layout.predecessors.assign(model.constructs.size(), {});
    for (const auto& path : model.paths) {
        const int from = model.construct_index(path.from);
        const int to = model.construct_index(path.to);
        if (from < 0 || to < 0) throw EstimationError("the model names an undefined construct in a path; validate it first");
        layout.predecessors[static_cast<std::size_t>(to)].push_back(from);
    }
    return layout;
}

BlockLayout checked_layout(const Model& model, const PlsResult& result, const IndicatorMoments& moments,
                           const char* purpose, bool with_cross_loadings) {
    const auto not_this_model = [&] {
        return EstimationError(std::string("the estimation result does not belong to the model being ") + purpose);
    };
    const auto indicators = model.all_indicators();
    if (result.constructs.size() != model.constructs.size() || result.indicators != indicators)
        throw not_this_model();
    if (moments.names != indicators)
        throw EstimationError("the indicator moments are not in the model's indicator order");
    const auto p = static_cast<Eigen::Index>(indicators.size());
    const auto j = static_cast<Eigen::Index>(model.constructs.size());
    if (moments.correlation.rows() != p || moments.correlation.cols() != p || result.loadings.size() != p ||
        result.outer_weights.size() != p || result.block_of_indicator.size() != indicators.size() ||
        (with_cross_loadings && (result.cross_loadings.rows() != p || result.cross_loadings.cols() != j)) ||
        result.construct_correlations.rows() != j || result.construct_correlations.cols() != j ||
        result.path_coefficients.rows() != j || result.path_coefficients.cols() != j || result.r2.size() != j ||
        (with_cross_loadings && result.r2_adj.size() != j))
        throw EstimationError("the estimation result or the moments have the wrong size for the model");
    for (std::size_t c = 0; c < model.constructs.size(); ++c)
        if (result.constructs[c] != model.constructs[c].name) throw not_this_model();
    return block_layout(model);
}

double block_rho_a(const Eigen::Ref<const Eigen::VectorXd>& w, const Eigen::Ref<const Eigen::MatrixXd>& sjj) {
    if (w.size() == 1) return 1.0;
    const double ww = w.squaredNorm();
    const double off_diagonal_s = w.dot(sjj * w) - w.cwiseAbs2().dot(sjj.diagonal());
    const double off_diagonal_ww = ww * ww - w.array().pow(4).sum();
    return off_diagonal_ww != 0.0 ? ww * ww * off_diagonal_s / off_diagonal_ww : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace csipls::detail

#include "blocks.hpp"

#include <limits>

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

double block_rho_a(const Eigen::Ref<const Eigen::VectorXd>& w, const Eigen::Ref<const Eigen::MatrixXd>& sjj) {
    if (w.size() == 1) return 1.0;
    const double ww = w.squaredNorm();
    const double off_diagonal_s = w.dot(sjj * w) - w.cwiseAbs2().dot(sjj.diagonal());
    const double off_diagonal_ww = ww * ww - w.array().pow(4).sum();
    return off_diagonal_ww != 0.0 ? ww * ww * off_diagonal_s / off_diagonal_ww : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace csipls::detail

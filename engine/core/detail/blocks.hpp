#pragma once
// The block layout of a model, the one copy: which indicators belong to which construct (a block is
// contiguous in Model::all_indicators() order), and each construct's predictors; with ρ_A of a block.
#include <Eigen/Core>
#include <vector>

#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"

namespace csipls::detail {

struct Block {
    Eigen::Index start = 0;  // first indicator position
    Eigen::Index size = 0;
    MeasurementMode mode = MeasurementMode::reflective;
};

struct BlockLayout {
    std::vector<Block> blocks;                   // per construct, in model order
    std::vector<int> block_of_indicator;         // per indicator, its construct
    std::vector<std::vector<int>> predecessors;  // per construct, its predictors in model (path) order
    Eigen::Index indicator_count = 0;
};

// The layout of `model`. Throws EstimationError when a path names an undefined construct (a model
// that was not validated).
BlockLayout block_layout(const Model& model);

// The layout of `model` after checking that the estimate `result` and its `moments` belong to it
// (names, order and sizes; with `with_cross_loadings` also the cross-loadings and adjusted R²).
// Throws EstimationError "the estimation result does not belong to the model being <purpose>", or
// naming the moments' order or the wrong size.
BlockLayout checked_layout(const Model& model, const PlsResult& result, const IndicatorMoments& moments,
                           const char* purpose, bool with_cross_loadings);

// ρ_A of one block (Dijkstra & Henseler 2015, MISQ, eq. 3), w its outer weights scaled to unit
// composite variance as the estimator leaves them and sjj its indicator correlations; 1 for a single
// indicator, NaN when undefined. In PLSc terms ρ_A = (w'w)² c², c² the squared PLSc correction factor
// of the same paper, c² = w'(S − diag S)w / w'(ww' − diag ww')w = Σ_{a≠b} w_a w_b s_ab / Σ_{a≠b}
// (w_a w_b)²: the least-squares fit of the block's off-diagonal correlations by c² ww' (cSEM's
// calculateCorrectionFactors, .PLS_approach_cf = "dist_squared_euclid"); w'(ww' − diag(ww'))w =
// (w'w)² − Σw⁴. The assessment's reliability and PLSc both use it, so they give the same bits.
double block_rho_a(const Eigen::Ref<const Eigen::VectorXd>& w, const Eigen::Ref<const Eigen::MatrixXd>& sjj);

}  // namespace csipls::detail

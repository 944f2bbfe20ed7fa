#pragma once
// Consistent PLS (PLSc; Dijkstra & Henseler 2015, "Consistent partial least squares path modeling",
// MIS Quarterly 39(2), 297–316): corrects a PLS estimate for the measurement error of the reflective
// (common-factor, `=~`, mode A) blocks, so that loadings, construct correlations and paths are
// consistent estimates of the population values of a common-factor model. Plain PLS treats each
// composite as if it were the construct and so attenuates the correlations among reflective
// constructs (by the composites' reliabilities) and overstates their loadings.
//
// Pure numerics on a finished PLS estimate and the indicator correlations: no iteration of its own,
// so the cost is that of a few small regressions. The conventions are cSEM's (Rademaker & Schuberth,
// foreman() with .disattenuate = TRUE and the default .PLS_approach_cf = "dist_squared_euclid").
#include <Eigen/Core>

#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"

namespace csipls {

// Dijkstra–Henseler ρ_A per construct (Dijkstra & Henseler 2015, MISQ), the same definition
// (and the same floating-point expression) as Assessment::reliability.rho_a:
//   ρ_A = (w'w)² · w'(S − diag S)w / w'(ww' − diag(ww'))w,
// w the block's outer weights scaled to unit composite variance, S the block's indicator
// correlations. 1 for a single-indicator block. Mode-B blocks get the same formula applied to their
// weights (as Assessment does); make_consistent() does not use it for them. NaN when the denominator
// vanishes (a block with a single non-zero weight). Not clamped: it may be ≤ 0 or > 1.
// Throws EstimationError when the result or the moments do not belong to the model.
Eigen::VectorXd dijkstra_henseler_rho_a(const Model& model, const PlsResult& pls, const IndicatorMoments& moments);

// The PLSc estimate from a PLS estimate `pls` of `model` on `moments` (indicators in
// Model::all_indicators() order, as estimate() requires). Per construct j, with w_j its outer
// weights (unit composite variance) and Q_j the correlation between the composite and the construct:
//   reflective block of two or more indicators:  Q_j = √|ρ_A,j|,  loadings λ_j = Q_j · w_j / (w_j'w_j)
//     (= c_j · w_j, c_j the PLSc correction factor);
//   reflective single-indicator block and formative (mode B) block:  Q_j = 1, loadings unchanged
//     (a single indicator's loading is its weight ±1; a composite's loadings stay composite loadings);
//   construct correlations R_c(i, j) = R(i, j) / (Q_i Q_j) off the diagonal, 1 on it, R the composite
//     correlations of `pls` (so R_c(i, j) = R(i, j)/√(ρ_A,i ρ_A,j) when both are reflective);
//   path coefficients by OLS of each dependent on its predictors in R_c; R² = Σ β·r and the adjusted
//     R² = 1 − (1 − R²)(n − 1)/(n − k − 1) as estimate() does; total effects B + B² + … and
//     indirect = total − direct.
// Unchanged from `pls`: outer weights (so construct_scores() still gives the composite scores),
// convergence information, options, names and structure, and cross_loadings — these stay the PLS
// indicator–composite correlations (cSEM reports no disattenuated cross-loadings by default), so
// for a reflective block their own-construct column holds the PLS composite loadings, not the
// corrected `loadings`.
//
// Inadmissible values are produced, not refused: a ρ_A above 1, a negative ρ_A (cSEM's convention
// takes the correction factor as √|c²|, so Q_j = √|ρ_A,j| stays real), corrected correlations above 1
// in absolute value, an R² above 1. Judging them is the admissibility verdict's job (assess()).
// Throws EstimationError when the result or the moments do not belong to the model, when a corrected
// construct correlation is not finite (a ρ_A of exactly 0 or undefined), or when the corrected
// correlations among the predictors of a construct are singular.
PlsResult make_consistent(const Model& model, const PlsResult& pls, const IndicatorMoments& moments);

}  // namespace csipls

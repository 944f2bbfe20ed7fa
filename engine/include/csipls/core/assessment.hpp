#pragma once
// Model assessment of an estimated PLS path model: reliability, discriminant validity, collinearity,
// effect sizes, fit, information criteria and an admissibility verdict. Everything is computed from
// the indicators' correlation matrix and the estimates (no respondent-level data), in the
// conventions of cSEM (Rademaker & Schuberth), so that the numbers match cSEM 0.6 where it reports
// them. Degenerate quantities come out as NaN; assess() throws only for inputs that do not belong
// together (a result of another model, moments of other indicators).
//
// Indices: constructs index PlsResult::constructs (= the model's construct order), indicators index
// PlsResult::indicators (= Model::all_indicators()). Every list is in model order.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"

namespace csipls {

// Per construct, indicators standardized (correlation versions, as cSEM computes them).
// A single-item block has cronbach_alpha NaN and rho_a = rho_c = ave = 1.
// Mode-B (formative) blocks get the same formulas, applied to their loadings and weights, as cSEM
// does when asked to (`.only_common_factors = FALSE`); they measure nothing meaningful for a composite.
struct Reliability {
    // Standardized Cronbach's α (tau-equivalent reliability): k r̄ / (1 + (k − 1) r̄), r̄ the mean
    // within-block indicator correlation.
    Eigen::VectorXd cronbach_alpha;
    // Dijkstra–Henseler ρ_A: (w'w)² · w'(S − diag S)w / w'(ww' − diag(ww'))w, w the outer weights
    // scaled to unit composite variance, S the block's indicator correlations.
    Eigen::VectorXd rho_a;
    // Jöreskog's ρ_C (congeneric reliability of the unit-weighted sum): (Σλ)² / ((Σλ)² + Σ(1 − λ²)).
    Eigen::VectorXd rho_c;
    // Average variance extracted: mean λ² of the block.
    Eigen::VectorXd ave;
};

// One value per unordered pair of constructs, a > b (construct indices), listed for a = 1, 2, …
// and, within a, b = 0, …, a − 1 (the lower triangle row by row, as cSEM and the reference list it).
struct ConstructPairValue {
    int a = 0;
    int b = 0;
    double value = 0.0;
};

// VIF of `predictor` in the structural equation of `dependent`: 1/(1 − R²) of that predictor
// regressed on the other predictors of the same equation (1 for an equation with one predictor).
struct StructuralVif {
    int dependent = 0;
    int predictor = 0;
    double value = 0.0;
};

// VIF of an indicator of a mode-B block: 1/(1 − R²) of it regressed on the block's other indicators.
struct IndicatorVif {
    int construct = 0;
    int indicator = 0;
    double value = 0.0;
};

// Cohen's f² of one structural path: (R²_incl − R²_excl)/(1 − R²_incl), R²_excl the R² of the
// dependent's equation without this predictor (OLS on the same construct correlations).
struct PathEffectSize {
    int from = 0;
    int to = 0;
    double value = 0.0;
};

// Discrepancy between the observed indicator correlation matrix S and a model-implied one Σ.
struct FitMeasures {
    double srmr = 0.0;   // √(mean of (S − Σ)² over the lower triangle including the diagonal)
    double d_uls = 0.0;  // ½ Σ over all elements of (S − Σ)²
    double d_g = 0.0;    // ½ Σ (ln eig(S⁻¹Σ))², natural logarithm
};

struct ModelFit {
    FitMeasures estimated_model;  // construct correlations implied by the structural model
    FitMeasures saturated_model;  // observed construct correlations
};

// Per endogenous construct (cSEM's calculateModelSelectionCriteria(.by_equation = TRUE), after
// Sharma et al. 2019, table B1): with n respondents, k = predictors + 1 and SSE = (1 − R²)(n − 1),
//   AIC = n (ln(SSE/n) + 2k/n),   BIC = n (ln(SSE/n) + k ln(n)/n).
struct InformationCriteria {
    int construct = 0;
    double aic = 0.0;
    double bic = 0.0;
};

// An estimate is inadmissible when it cannot be a valid solution (the checks of cSEM's verify()):
// not converged, a standardized loading above 1 in absolute value, a construct correlation matrix
// that is not positive semi-definite, a reliability (ρ_A or ρ_C) above 1, or a model-implied
// indicator correlation matrix (estimated model) that is not positive semi-definite.
struct Admissibility {
    bool admissible = true;
    std::vector<std::string> problems;  // one complete sentence per problem found, empty when admissible
};

struct Assessment {
    Reliability reliability;
    // Constructs × constructs: construct correlations off the diagonal, √AVE on it (Fornell–Larcker:
    // discriminant validity wants √AVE of each construct above its correlations with the others).
    Eigen::MatrixXd fornell_larcker;
    // Heterotrait–monotrait ratios (Henseler, Ringle & Sarstedt 2015): mean heterotrait correlation
    // over √(product of the two mean monotrait correlations); the monotrait mean of a single-item
    // block is 1 (cSEM's convention).
    std::vector<ConstructPairValue> htmt;           // signed indicator correlations
    std::vector<ConstructPairValue> htmt_absolute;  // absolute indicator correlations (as seminr)
    // HTMT2 (Roemer, Schuberth & Henseler 2021): the same ratio of geometric means. NaN where a
    // correlation involved is negative (the geometric mean is then undefined).
    std::vector<ConstructPairValue> htmt2;
    std::vector<StructuralVif> vif_structural;  // per dependent (model order), per predictor (model order)
    std::vector<IndicatorVif> vif_formative;    // mode-B blocks only, in indicator order
    std::vector<PathEffectSize> f2;             // per structural path, in model order
    ModelFit fit;
    // Tenenhaus et al. (2005) GoF: √(mean λ² over the indicators of multi-indicator mode-A blocks ×
    // mean R² of the endogenous constructs).
    double gof = 0.0;
    std::vector<InformationCriteria> information_criteria;  // endogenous constructs, model order
    Admissibility admissibility;
};

// Which construct correlation matrix a model-implied indicator correlation matrix is built from.
enum class ImpliedModel {
    estimated,  // R = (I − B)⁻¹ Ψ (I − B)⁻ᵀ from the path coefficients B (see below)
    saturated,  // R = the observed construct correlations
};

// The model-implied indicator correlation matrix (cSEM's fit()): 1 on the diagonal; λ_i λ_j within a
// mode-A block; the observed correlations within a mode-B block (a composite's indicators covary
// freely); λ_i λ_j R_kl across blocks k ≠ l, λ the PLS loadings. For the estimated model
// R = (I − B)⁻¹ Ψ (I − B)⁻ᵀ, Ψ holding the observed correlations among the exogenous constructs and
// 1 − R² for each endogenous construct (structural errors uncorrelated with each other and with the
// exogenous constructs); R is used only off the block diagonal, so it is not rescaled.
Eigen::MatrixXd implied_indicator_correlation(const Model& model, const PlsResult& result,
                                              const IndicatorMoments& moments, ImpliedModel which);

// SRMR, d_ULS and d_G between two correlation matrices of the same size. d_G is NaN when
// `observed` is not positive definite or S⁻¹Σ has a non-positive eigenvalue.
FitMeasures fit_measures(const Eigen::MatrixXd& observed, const Eigen::MatrixXd& implied);

// Every measure above for an estimate of `model` from `moments` (indicators in
// Model::all_indicators() order, as estimate() requires). Throws EstimationError when the result or
// the moments do not match the model.
// `with_saturated_fit` false leaves fit.saturated_model NaN and saves its eigen decomposition (a
// third of the assessment's time with 24 indicators): for the many assessments of resamples and
// Monte Carlo replications, which use only the estimated model's fit and the admissibility.
Assessment assess(const Model& model, const PlsResult& result, const IndicatorMoments& moments,
                  bool with_saturated_fit = true);

}  // namespace csipls

#pragma once
// Predictive assessment of a PLS path model: Stone–Geisser Q² by blindfolding and PLSpredict.
//
// Q² by blindfolding (Stone 1974; Geisser 1974; Wold 1982; Chin 1998, "The partial least squares
// approach to structural equation modeling"; Hair et al., A Primer on PLS-SEM, ch. 6), the
// cross-validated redundancy version that SmartPLS and semPLS (qSquared, dlines = FALSE) report:
//   * For each endogenous construct c with the n × m indicator block X_c, the block's data points
//     are counted column by column (down the first indicator, then down the second, ...): the point
//     (row i, indicator l) has position t = l·n + i (0-based). Round g = 0 … D−1 omits the points with
//     t mod D = g. This is semPLS's `seq(j, nobs, by = d)` on the block matrix (R's column-major
//     order); when D does not divide n the omitted points form the familiar diagonals. When D divides
//     n every round would omit whole rows of the block, which the literature warns against (Hair et
//     al.: "the number of observations divided by D must not be an integer"), so it is refused.
//     Unlike semPLS (which runs rounds 1 … D−1 only) all D rounds are run, so every point is
//     omitted exactly once.
//   * Omitted points are replaced by the mean of the column's remaining values, the model is
//     re-estimated (estimate() on compute_moments() of the modified data, the original options), and
//     each omitted value is predicted by redundancy: ẑ = λ_l · Σ_p β_pc · ξ_p, with ξ_p the
//     re-estimated scores of c's predictors, β the re-estimated path coefficients and λ_l the
//     re-estimated loading, all on the standardized scale of the modified data.
//   * SSE_c = Σ (z − ẑ)², SSO_c = Σ z², z = (x − m)/s with m, s the mean and sd of the modified
//     column (m is the mean of the column's remaining values, which semPLS's SSO uses). Summed over
//     all rounds and the block's indicators: Q²_c = 1 − SSE_c / SSO_c.
//   * Every endogenous construct gets a Q², formative ones too (their loadings are the indicators'
//     correlations with the composite); semPLS restricts Q² to reflective endogenous constructs.
//
// PLSpredict (Shmueli, Ray, Velasquez Estrada & Chatla 2016, J. Bus. Res. 69; Shmueli et al. 2019,
// Eur. J. Mark. 53; seminr's predict_pls with predict_EA):
//   * k-fold cross-validation repeated r times; folds from prediction_folds() (Boost mt19937_64).
//   * In each fold the model is estimated on the training rows. "Exogenous" constructs are those
//     without predictors in the structural model. Hold-out rows are standardized with the training
//     means and sds; exogenous construct scores are the training weights times these; endogenous
//     scores are predicted through the structural model (the earliest-antecedents prediction, i.e.
//     total effects of the exogenous constructs, equal to propagating predicted scores step by step);
//     an endogenous indicator is predicted as loading × predicted score, back on the original scale
//     with the training mean and sd.
//   * Benchmark LM: OLS (with intercept) of each endogenous indicator on all indicators of the
//     exogenous constructs, fitted on the training rows.
//   * Per repetition and indicator over all n out-of-sample predictions: RMSE, MAE and
//     Q²_predict = 1 − SSE / SSE of the training-mean prediction. The reported figures are the
//     averages of these over the repetitions.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/options.hpp"

namespace csipls {

struct BlindfoldingOptions {
    int omission_distance = 7;  // D; 5–12 is the usual range (Hair et al.), 7 the SmartPLS default

    void validate() const;  // throws UsageError; D against the sample size is checked with the data
};

struct BlindfoldingResult {
    int omission_distance = 0;
    // Per construct (model order); NaN for exogenous constructs.
    Eigen::VectorXd q2;
    Eigen::VectorXd sse;
    Eigen::VectorXd sso;
};

// Q² by blindfolding. `data` columns must be in Model::all_indicators() order. Throws ModelError for
// D < 2, D ≥ n, or D dividing n, and whatever estimate() throws on a modified data set.
BlindfoldingResult blindfolding(const Model& model, const Dataset& data, const EstimationOptions& options,
                                const BlindfoldingOptions& blindfolding_options = {});

struct PlsPredictOptions {
    int folds = 10;        // k
    int repetitions = 10;  // r
    std::uint64_t seed = 1;

    void validate() const;  // throws UsageError; folds against the sample size are checked with the data
};

struct PlsPredictResult {
    int folds = 0;
    int repetitions = 0;
    std::uint64_t seed = 0;
    // Indices (Model::all_indicators() order) of the predicted indicators: those of endogenous
    // constructs.
    std::vector<int> predicted_indicators;
    // Per indicator (all_indicators() order), averaged over repetitions; NaN for indicators that are
    // not predicted (exogenous blocks).
    Eigen::VectorXd pls_rmse;
    Eigen::VectorXd pls_mae;
    Eigen::VectorXd pls_q2_predict;
    Eigen::VectorXd lm_rmse;
    Eigen::VectorXd lm_mae;
    Eigen::VectorXd lm_q2_predict;
};

// Fold of every row for each repetition: result[rep][row] ∈ [0, folds). Per repetition a Fisher–Yates
// shuffle of 0 … n−1 (boost::random::mt19937_64 seeded with `seed` once, consumed across the
// repetitions in order, boost::random::uniform_int_distribution), then the row at shuffled position
// p goes to fold p mod folds: fold sizes differ by at most one. Throws ModelError for folds < 2,
// folds > n, repetitions < 1.
std::vector<std::vector<int>> prediction_folds(Eigen::Index n, int folds, int repetitions, std::uint64_t seed);

struct StagedItems;
// PLSpredict. `data` columns must be in Model::all_indicators() order. Throws ModelError for
// impossible settings (k < 2, k > n, r < 1, training folds smaller than the model needs) and
// EstimationError when the LM benchmark is rank deficient.
// With `stages` (a staged model), `model` is stage 2 and `data` holds the items: each fold estimates
// stage 1 on its training rows, and the hold-out rows become stage-2 rows through that stage 1 (the
// training rows' moments, weights and orthogonalizing regressions), so they take part in no estimate
// (Danks & Ray 2023; seminr's predict_pls for moderated models). A higher-order construct's
// predicted indicators are its lower-order constructs' scores.
PlsPredictResult pls_predict(const Model& model, const Dataset& data, const EstimationOptions& options,
                             const PlsPredictOptions& predict_options = {}, const StagedItems* stages = nullptr);

}  // namespace csipls

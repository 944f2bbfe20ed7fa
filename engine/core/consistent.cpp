#include "csipls/core/consistent.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "csipls/core/error.hpp"
#include "detail/blocks.hpp"

namespace csipls {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// Smallest Cholesky pivot (or, for an indefinite matrix, smallest |eigenvalue|) of a predictor
// correlation matrix below which it counts as singular: the estimator's threshold.
constexpr double singular_pivot = 1e-12;

using detail::Block;

// The blocks of `model`, after checking that `pls` and `moments` belong to it.
std::vector<Block> blocks_of(const Model& model, const PlsResult& pls, const IndicatorMoments& moments) {
    return detail::checked_layout(model, pls, moments, "made consistent", true).blocks;
}

Eigen::VectorXd rho_a_of(const std::vector<Block>& blocks, const PlsResult& pls, const Eigen::MatrixXd& corr) {
    Eigen::VectorXd rho(static_cast<Eigen::Index>(blocks.size()));
    for (std::size_t c = 0; c < blocks.size(); ++c) {
        const Block& b = blocks[c];
        rho[static_cast<Eigen::Index>(c)] =
            detail::block_rho_a(pls.outer_weights.segment(b.start, b.size), corr.block(b.start, b.start, b.size, b.size));
    }
    return rho;
}

// OLS coefficients of `dependent` on `predictors` from the corrected construct correlations
// (cSEM's estimatePathOLS: solve(P_xx) P_xy). A positive definite predictor matrix is solved by
// Cholesky, as the estimator does. Corrected correlations need not form a positive definite matrix;
// an indefinite but non-singular one still has a unique OLS solution, which is returned (the result
// is then inadmissible, not undefined). A singular one throws.
Eigen::VectorXd regress(const Eigen::MatrixXd& corr, int dependent, const std::vector<int>& predictors,
                        const std::string& dependent_name) {
    const auto k = static_cast<Eigen::Index>(predictors.size());
    Eigen::MatrixXd among(k, k);
    Eigen::VectorXd target(k);
    for (Eigen::Index a = 0; a < k; ++a) {
        target[a] = corr(predictors[a], dependent);
        for (Eigen::Index b = 0; b < k; ++b) among(a, b) = corr(predictors[a], predictors[b]);
    }
    const Eigen::LLT<Eigen::MatrixXd> factor(among);
    if (factor.info() == Eigen::Success) {
        if (factor.matrixLLT().diagonal().array().square().minCoeff() >= singular_pivot) return factor.solve(target);
    } else {
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(among, Eigen::EigenvaluesOnly);
        if (eigen.info() == Eigen::Success && eigen.eigenvalues().cwiseAbs().minCoeff() >= singular_pivot)
            return among.partialPivLu().solve(target);
    }
    throw EstimationError("the consistent (PLSc) construct correlations among the predictors of construct '" +
                          dependent_name + "' are singular; its path coefficients are not determined");
}

}  // namespace

Eigen::VectorXd dijkstra_henseler_rho_a(const Model& model, const PlsResult& pls, const IndicatorMoments& moments) {
    return rho_a_of(blocks_of(model, pls, moments), pls, moments.correlation);
}

PlsResult make_consistent(const Model& model, const PlsResult& pls, const IndicatorMoments& moments) {
    const std::vector<Block> blocks = blocks_of(model, pls, moments);
    const Eigen::VectorXd rho = rho_a_of(blocks, pls, moments.correlation);
    const auto j = static_cast<Eigen::Index>(blocks.size());

    PlsResult out = pls;  // weights, cross-loadings, names, structure and convergence stay
    out.consistent = true;

    // Q_j: the correlation between composite j and construct j. Dijkstra & Henseler 2015 (MISQ) and
    // cSEM's calculateReliabilities(.disattenuate = TRUE, PLS-PM): λ_j = c_j w_j with
    // c_j = √|c_j²| (cSEM takes the absolute value before the root) and Q_j = w_j'λ_j = c_j (w_j'w_j),
    // so Q_j² = ρ_A,j, i.e. Q_j = √|ρ_A,j| and λ_j = Q_j w_j/(w_j'w_j). Composites (mode B) and single
    // indicators have Q = 1 (cSEM's correction factor 1 for them; a composite is its own construct) and
    // keep their loadings.
    Eigen::VectorXd q = Eigen::VectorXd::Ones(j);
    for (Eigen::Index c = 0; c < j; ++c) {
        const Block& b = blocks[static_cast<std::size_t>(c)];
        if (b.mode != MeasurementMode::reflective || b.size < 2) continue;
        q[c] = std::sqrt(std::abs(rho[c]));
        const auto w = pls.outer_weights.segment(b.start, b.size);
        out.loadings.segment(b.start, b.size) = q[c] * w / w.squaredNorm();
    }

    // Construct correlations disattenuated for the composites' unreliability (Dijkstra & Henseler
    // 2015, MISQ: corr(η_i, η_j) = corr(composite_i, composite_j)/(Q_i Q_j); cSEM's
    // calculateConstructVCV: C_ij/(Q_i Q_j) with the diagonal set to 1).
    for (Eigen::Index a = 0; a < j; ++a)
        for (Eigen::Index b = 0; b < j; ++b)
            out.construct_correlations(a, b) =
                a == b ? 1.0 : pls.construct_correlations(a, b) / (q[a] * q[b]);

    // Paths by OLS on the corrected correlations (Dijkstra & Henseler 2015, MISQ, for a recursive
    // model; cSEM's estimatePathOLS with .approach_paths = "OLS"), R² and adjusted R² as estimate()
    // computes them. Predictors sorted as the estimator sorts them, so the arithmetic matches
    // estimate() when no block is corrected.
    std::vector<std::vector<int>> predictors(static_cast<std::size_t>(j));
    for (const auto& path : model.paths) {
        const int from = model.construct_index(path.from);
        const int to = model.construct_index(path.to);
        if (from < 0 || to < 0)
            throw EstimationError("the model names an undefined construct in a path; validate it first");
        predictors[static_cast<std::size_t>(to)].push_back(from);
    }
    out.path_coefficients.setZero(j, j);
    out.r2.setConstant(j, nan);
    out.r2_adj.setConstant(j, nan);
    const auto n = static_cast<double>(pls.n_obs);
    for (Eigen::Index dependent = 0; dependent < j; ++dependent) {
        auto& list = predictors[static_cast<std::size_t>(dependent)];
        if (list.empty()) continue;
        std::sort(list.begin(), list.end());
        const std::string& name = pls.constructs[static_cast<std::size_t>(dependent)];
        for (int x : list)
            if (!std::isfinite(out.construct_correlations(x, dependent)) ||
                std::any_of(list.begin(), list.end(),
                            [&](int y) { return !std::isfinite(out.construct_correlations(x, y)); }))
                throw EstimationError("the consistent (PLSc) construct correlations in the equation of construct '" +
                                      name + "' are not finite: a reflective block has a reliability rho_A of 0 "
                                      "or an undefined one");
        const Eigen::VectorXd beta = regress(out.construct_correlations, static_cast<int>(dependent), list, name);
        double r2 = 0.0;
        for (std::size_t a = 0; a < list.size(); ++a) {
            const double coefficient = beta[static_cast<Eigen::Index>(a)];
            out.path_coefficients(list[a], dependent) = coefficient;
            r2 += coefficient * out.construct_correlations(list[a], dependent);
        }
        const auto k = static_cast<double>(list.size());
        out.r2[dependent] = r2;
        out.r2_adj[dependent] = 1.0 - (1.0 - r2) * (n - 1.0) / (n - k - 1.0);
    }

    // Total effects of a recursive model, B + B² + … + B^(J−1) (B nilpotent), as estimate() sums them.
    out.total_effects = out.path_coefficients;
    Eigen::MatrixXd power = out.path_coefficients;
    for (Eigen::Index length = 2; length < j; ++length) {
        power = (power * out.path_coefficients).eval();
        out.total_effects += power;
    }
    out.indirect_effects = out.total_effects - out.path_coefficients;
    return out;
}

}  // namespace csipls

#include "csipls/core/assessment.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>

#include "csipls/core/error.hpp"
#include "detail/blocks.hpp"

namespace csipls {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// A loading or reliability counts as above 1 only beyond rounding (a single item's loading is 1).
constexpr double above_one_tolerance = 1e-10;
// Smallest eigenvalue a correlation matrix may have and still count as positive semi-definite
// (matrixcalc::is.positive.semi.definite, which cSEM's verify() uses, has the same default).
constexpr double psd_tolerance = 1e-8;
// Smallest Cholesky pivot of a predictor correlation matrix below which it counts as singular
// (the estimator's threshold for its regressions).
constexpr double singular_pivot = 1e-12;

using detail::Block;

struct Structure {
    std::vector<Block> blocks;
    std::vector<std::vector<int>> predictors;  // per construct, in model (path) order
};

Structure describe(const Model& model, const PlsResult& result, const IndicatorMoments& moments) {
    detail::BlockLayout layout = detail::checked_layout(model, result, moments, "assessed", false);
    return {std::move(layout.blocks), std::move(layout.predecessors)};
}

// R² of regressing variable y on the variables xs, all standardized, from their correlations:
// r'R⁻¹r with R the correlations among xs and r their correlations with y. 0 without regressors,
// NaN when R is (numerically) singular.
double r_squared(const Eigen::MatrixXd& corr, int y, const std::vector<int>& xs) {
    const auto k = static_cast<Eigen::Index>(xs.size());
    if (k == 0) return 0.0;
    Eigen::MatrixXd among(k, k);
    Eigen::VectorXd with_y(k);
    for (Eigen::Index a = 0; a < k; ++a) {
        with_y[a] = corr(xs[a], y);
        for (Eigen::Index b = 0; b < k; ++b) among(a, b) = corr(xs[a], xs[b]);
    }
    const Eigen::LLT<Eigen::MatrixXd> factor(among);
    if (factor.info() != Eigen::Success || factor.matrixLLT().diagonal().array().square().minCoeff() < singular_pivot)
        return nan;
    return with_y.dot(factor.solve(with_y));
}

// Diagonal of the inverse of a correlation matrix: the VIFs 1/(1 − R²_i) of its variables. NaN when
// the matrix is (numerically) singular.
Eigen::VectorXd variance_inflation(const Eigen::MatrixXd& corr) {
    const Eigen::Index k = corr.rows();
    if (k == 0) return {};
    const Eigen::LLT<Eigen::MatrixXd> factor(corr);
    if (factor.info() != Eigen::Success || factor.matrixLLT().diagonal().array().square().minCoeff() < singular_pivot)
        return Eigen::VectorXd::Constant(k, nan);
    return factor.solve(Eigen::MatrixXd::Identity(k, k)).diagonal();
}

Eigen::MatrixXd submatrix(const Eigen::MatrixXd& m, const std::vector<int>& index) {
    const auto k = static_cast<Eigen::Index>(index.size());
    Eigen::MatrixXd out(k, k);
    for (Eigen::Index a = 0; a < k; ++a)
        for (Eigen::Index b = 0; b < k; ++b) out(a, b) = m(index[a], index[b]);
    return out;
}

Reliability reliability_of(const Structure& s, const PlsResult& result, const Eigen::MatrixXd& corr) {
    const auto j = static_cast<Eigen::Index>(s.blocks.size());
    Reliability r;
    r.cronbach_alpha.resize(j);
    r.rho_a.resize(j);
    r.rho_c.resize(j);
    r.ave.resize(j);
    for (Eigen::Index c = 0; c < j; ++c) {
        const Block& block = s.blocks[c];
        const Eigen::Index k = block.size;
        if (k == 1) {
            r.cronbach_alpha[c] = nan;
            r.rho_a[c] = r.rho_c[c] = r.ave[c] = 1.0;
            continue;
        }
        const Eigen::MatrixXd sjj = corr.block(block.start, block.start, k, k);
        const auto kd = static_cast<double>(k);

        // α: unit weights scaled to unit variance, (Σw)² r̄ (cSEM's calculateRhoT) = k r̄/(1 + (k − 1) r̄).
        const double mean_r = (sjj.sum() - sjj.trace()) / (kd * (kd - 1.0));
        const double alpha_denominator = 1.0 + (kd - 1.0) * mean_r;
        r.cronbach_alpha[c] = alpha_denominator != 0.0 ? kd * mean_r / alpha_denominator : nan;

        // ρ_A (Dijkstra & Henseler 2015, eq. 3), of the weights copied to an aligned vector as before.
        const Eigen::VectorXd w = result.outer_weights.segment(block.start, k);
        r.rho_a[c] = detail::block_rho_a(w, sjj);

        // ρ_C (Jöreskog 1971): cSEM's calculateRhoC scales unit weights with the model-implied
        // (common factor) block correlations λλ' + diag(1 − λ²), which gives this closed form.
        const Eigen::VectorXd lambda = result.loadings.segment(block.start, k);
        const double sum_lambda = lambda.sum();
        const double error_variance = (1.0 - lambda.array().square()).sum();
        const double rho_c_denominator = sum_lambda * sum_lambda + error_variance;
        r.rho_c[c] = rho_c_denominator != 0.0 ? sum_lambda * sum_lambda / rho_c_denominator : nan;

        // AVE: Σλ²/(Σλ² + Σ(1 − λ²)) = mean λ² for standardized indicators.
        r.ave[c] = lambda.squaredNorm() / kd;
    }
    return r;
}

// How HTMT averages correlations: arithmetic mean of the signed or absolute values (Henseler et al.
// 2015; seminr), or geometric mean (HTMT2, Roemer et al. 2021).
enum class Average { arithmetic_signed, arithmetic_absolute, geometric };

double average(const Eigen::Ref<const Eigen::ArrayXd>& values, Average how) {
    if (values.size() == 0) return nan;
    switch (how) {
        case Average::arithmetic_signed:
            return values.mean();
        case Average::arithmetic_absolute:
            return values.abs().mean();
        case Average::geometric:
            // Undefined for a negative correlation (R's prod(x)^(1/n), as cSEM computes it, gives NaN
            // for a negative product); a zero correlation makes it 0.
            if ((values < 0.0).any() || values.isNaN().any()) return nan;
            if ((values == 0.0).any()) return 0.0;
            return std::exp(values.log().mean());
    }
    return nan;
}

// Average of the within-block (monotrait–heteromethod) correlations below the diagonal; 1 for a
// single item (cSEM's convention).
double monotrait(const Eigen::MatrixXd& corr, const Block& block, Average how) {
    if (block.size == 1) return 1.0;
    Eigen::ArrayXd values(block.size * (block.size - 1) / 2);
    Eigen::Index n = 0;
    for (Eigen::Index a = 1; a < block.size; ++a)
        for (Eigen::Index b = 0; b < a; ++b) values[n++] = corr(block.start + a, block.start + b);
    return average(values, how);
}

std::vector<ConstructPairValue> htmt_of(const Structure& s, const Eigen::MatrixXd& corr, Average how) {
    const auto j = static_cast<int>(s.blocks.size());
    std::vector<double> mono(s.blocks.size());
    for (int c = 0; c < j; ++c) mono[c] = monotrait(corr, s.blocks[c], how);
    std::vector<ConstructPairValue> out;
    for (int a = 1; a < j; ++a)
        for (int b = 0; b < a; ++b) {
            const Block& ba = s.blocks[a];
            const Block& bb = s.blocks[b];
            const Eigen::MatrixXd hetero = corr.block(ba.start, bb.start, ba.size, bb.size);
            const double product = mono[a] * mono[b];
            const double value = product > 0.0 ? average(hetero.reshaped().array(), how) / std::sqrt(product) : nan;
            out.push_back({a, b, value});
        }
    return out;
}

// Smallest eigenvalue of a symmetric matrix; NaN when it holds non-finite values.
double smallest_eigenvalue(const Eigen::MatrixXd& m) {
    if (m.size() == 0) return nan;
    if (!m.allFinite()) return nan;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m, Eigen::EigenvaluesOnly);
    if (solver.info() != Eigen::Success) return nan;
    return solver.eigenvalues().minCoeff();
}

Eigen::MatrixXd implied_from(const Structure& s, const PlsResult& result, const Eigen::MatrixXd& observed,
                             ImpliedModel which) {
    const Eigen::Index j = result.construct_correlations.rows();
    const Eigen::Index p = observed.rows();

    Eigen::MatrixXd constructs;
    if (which == ImpliedModel::saturated) {
        constructs = result.construct_correlations;
    } else {
        // η = Bη + ζ with B(to, from) the direct effects: Cov(η) = (I − B)⁻¹ Ψ (I − B)⁻ᵀ.
        const Eigen::MatrixXd b = result.path_coefficients.transpose();
        Eigen::MatrixXd psi = Eigen::MatrixXd::Zero(j, j);
        std::vector<int> exogenous;
        for (Eigen::Index c = 0; c < j; ++c)
            if (s.predictors[c].empty()) exogenous.push_back(static_cast<int>(c));
            else psi(c, c) = 1.0 - result.r2[c];
        for (int x : exogenous)
            for (int y : exogenous) psi(x, y) = result.construct_correlations(x, y);
        // I − B is invertible for a recursive model (a permuted unit triangular matrix).
        const Eigen::MatrixXd total = (Eigen::MatrixXd::Identity(j, j) - b).partialPivLu().inverse();
        constructs = total * psi * total.transpose();
    }

    Eigen::MatrixXd implied(p, p);
    for (Eigen::Index a = 0; a < p; ++a) {
        const int ca = result.block_of_indicator[a];
        for (Eigen::Index c = 0; c < p; ++c) {
            const int cc = result.block_of_indicator[c];
            if (a == c)
                implied(a, c) = 1.0;
            else if (ca != cc)
                implied(a, c) = result.loadings[a] * result.loadings[c] * constructs(ca, cc);
            else if (s.blocks[ca].mode == MeasurementMode::formative)
                implied(a, c) = observed(a, c);
            else
                implied(a, c) = result.loadings[a] * result.loadings[c];
        }
    }
    return implied;
}

}  // namespace

Eigen::MatrixXd implied_indicator_correlation(const Model& model, const PlsResult& result,
                                              const IndicatorMoments& moments, ImpliedModel which) {
    return implied_from(describe(model, result, moments), result, moments.correlation, which);
}

FitMeasures fit_measures(const Eigen::MatrixXd& observed, const Eigen::MatrixXd& implied) {
    if (observed.rows() != implied.rows() || observed.cols() != implied.cols() || observed.rows() != observed.cols())
        throw EstimationError("fit measures need two square matrices of the same size");
    FitMeasures fit;
    const Eigen::Index p = observed.rows();
    const Eigen::MatrixXd residual = observed - implied;
    double lower = 0.0;
    for (Eigen::Index a = 0; a < p; ++a)
        for (Eigen::Index b = 0; b <= a; ++b) lower += residual(a, b) * residual(a, b);
    const auto elements = static_cast<double>(p) * static_cast<double>(p + 1) / 2.0;
    fit.srmr = p > 0 ? std::sqrt(lower / elements) : nan;
    fit.d_uls = 0.5 * residual.squaredNorm();

    // Eigenvalues of S⁻¹Σ: the generalized symmetric problem Σx = λSx (S positive definite).
    fit.d_g = nan;
    if (p > 0 && observed.allFinite() && implied.allFinite()) {
        const Eigen::LLT<Eigen::MatrixXd> factor(observed);
        if (factor.info() == Eigen::Success) {
            const Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> solver(implied, observed,
                                                                                   Eigen::EigenvaluesOnly);
            if (solver.info() == Eigen::Success && solver.eigenvalues().minCoeff() > 0.0)
                fit.d_g = 0.5 * solver.eigenvalues().array().log().square().sum();
        }
    }
    return fit;
}

Assessment assess(const Model& model, const PlsResult& result, const IndicatorMoments& moments, bool with_saturated_fit) {
    const Structure s = describe(model, result, moments);
    const Eigen::MatrixXd& corr = moments.correlation;
    const Eigen::MatrixXd& constructs = result.construct_correlations;
    const auto j = static_cast<int>(s.blocks.size());
    Assessment out;

    out.reliability = reliability_of(s, result, corr);

    out.fornell_larcker = constructs;
    for (int c = 0; c < j; ++c) out.fornell_larcker(c, c) = std::sqrt(out.reliability.ave[c]);

    out.htmt = htmt_of(s, corr, Average::arithmetic_signed);
    out.htmt_absolute = htmt_of(s, corr, Average::arithmetic_absolute);
    out.htmt2 = htmt_of(s, corr, Average::geometric);

    for (int dependent = 0; dependent < j; ++dependent) {
        const auto& predictors = s.predictors[dependent];
        if (predictors.empty()) continue;
        const Eigen::VectorXd vif = variance_inflation(submatrix(constructs, predictors));
        for (std::size_t a = 0; a < predictors.size(); ++a)
            out.vif_structural.push_back({dependent, predictors[a], vif[static_cast<Eigen::Index>(a)]});
    }
    for (int c = 0; c < j; ++c) {
        const Block& block = s.blocks[c];
        if (block.mode != MeasurementMode::formative) continue;
        const Eigen::VectorXd vif = variance_inflation(corr.block(block.start, block.start, block.size, block.size));
        for (Eigen::Index a = 0; a < block.size; ++a)
            out.vif_formative.push_back({c, static_cast<int>(block.start + a), vif[a]});
    }

    for (const auto& path : model.paths) {
        const int from = model.construct_index(path.from);
        const int to = model.construct_index(path.to);
        std::vector<int> others;
        for (int x : s.predictors[to])
            if (x != from) others.push_back(x);
        const double included = result.r2[to];
        const double excluded = r_squared(constructs, to, others);
        const double unexplained = 1.0 - included;
        out.f2.push_back({from, to, unexplained != 0.0 ? (included - excluded) / unexplained : nan});
    }

    const Eigen::MatrixXd implied_estimated = implied_from(s, result, corr, ImpliedModel::estimated);
    out.fit.estimated_model = fit_measures(corr, implied_estimated);
    if (with_saturated_fit)
        out.fit.saturated_model = fit_measures(corr, implied_from(s, result, corr, ImpliedModel::saturated));
    else
        out.fit.saturated_model = {nan, nan, nan};

    {
        double squared_loadings = 0.0, r2_sum = 0.0;
        int loading_count = 0, r2_count = 0;
        for (int c = 0; c < j; ++c) {
            const Block& block = s.blocks[c];
            if (block.size > 1 && block.mode == MeasurementMode::reflective) {
                squared_loadings += result.loadings.segment(block.start, block.size).squaredNorm();
                loading_count += static_cast<int>(block.size);
            }
            if (!s.predictors[c].empty()) {
                r2_sum += result.r2[c];
                ++r2_count;
            }
        }
        out.gof = loading_count > 0 && r2_count > 0
                      ? std::sqrt(squared_loadings / loading_count * (r2_sum / r2_count))
                      : nan;
    }

    // cSEM's calculateModelSelectionCriteria(.by_equation = TRUE) (Sharma et al. 2019, table B1):
    // SSE = (1 − R²)(n − 1), k = predictors + 1 (the intercept, always 0 for standardized scores),
    // AIC = n (ln(SSE/n) + 2k/n), BIC = n (ln(SSE/n) + k ln(n)/n).
    const auto n = static_cast<double>(result.n_obs);
    for (int c = 0; c < j; ++c) {
        if (s.predictors[c].empty()) continue;
        const double sse = (1.0 - result.r2[c]) * (n - 1.0);
        const double k = static_cast<double>(s.predictors[c].size()) + 1.0;
        const double log_mse = n > 0.0 && sse > 0.0 ? std::log(sse / n) : nan;
        out.information_criteria.push_back({c, n * (log_mse + 2.0 * k / n), n * (log_mse + k * std::log(n) / n)});
    }

    Admissibility& verdict = out.admissibility;
    if (!result.converged)
        verdict.problems.push_back("the PLS algorithm did not converge in " + std::to_string(result.iterations) +
                                   " iterations (last change of the weights " +
                                   number_text(result.last_weight_change) + ")");
    for (Eigen::Index i = 0; i < result.loadings.size(); ++i) {
        const double loading = result.loadings[i];
        if (!std::isfinite(loading))
            verdict.problems.push_back("the loading of indicator '" + result.indicators[i] +
                                       "' is not a finite number");
        else if (std::abs(loading) > 1.0 + above_one_tolerance)
            verdict.problems.push_back("the standardized loading of indicator '" + result.indicators[i] + "' on '" +
                                       result.constructs[result.block_of_indicator[i]] + "' is " +
                                       number_text(loading) + ", above 1 in absolute value");
    }
    const double construct_eigenvalue = smallest_eigenvalue(constructs);
    if (!(construct_eigenvalue >= -psd_tolerance))
        verdict.problems.push_back(
            std::isnan(construct_eigenvalue)
                ? std::string("the construct correlation matrix holds non-finite values")
                : "the construct correlation matrix is not positive semi-definite (smallest eigenvalue " +
                      number_text(construct_eigenvalue) + ")");
    for (int c = 0; c < j; ++c) {
        if (s.blocks[c].mode != MeasurementMode::reflective) continue;  // not a reliability for a composite
        for (const auto& [name, value] :
             {std::pair{"rho_A", out.reliability.rho_a[c]}, std::pair{"rho_C", out.reliability.rho_c[c]}})
            if (value > 1.0 + above_one_tolerance)
                verdict.problems.push_back("the reliability " + std::string(name) + " of construct '" +
                                           result.constructs[c] + "' is " + number_text(value) + ", above 1");
        // A non-positive ρ_A has no square root: PLSc's correction (which uses √|ρ_A|) is then meaningless.
        if (out.reliability.rho_a[c] <= 0.0)
            verdict.problems.push_back("the reliability rho_A of construct '" + result.constructs[c] + "' is " +
                                       number_text(out.reliability.rho_a[c]) + ", not positive");
    }
    const double implied_eigenvalue = smallest_eigenvalue(implied_estimated);
    if (!(implied_eigenvalue >= -psd_tolerance))
        verdict.problems.push_back(
            std::isnan(implied_eigenvalue)
                ? std::string("the model-implied indicator correlation matrix holds non-finite values")
                : "the model-implied indicator correlation matrix of the estimated model is not positive "
                  "semi-definite (smallest eigenvalue " + number_text(implied_eigenvalue) + ")");
    verdict.admissible = verdict.problems.empty();
    return out;
}

}  // namespace csipls

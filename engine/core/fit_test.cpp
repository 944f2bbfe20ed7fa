#include "csipls/core/fit_test.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>

#include "csipls/core/assessment.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/core/error.hpp"
#include "pls_estimator.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"

namespace csipls {

void FitTestOptions::validate() const {
    if (resamples < 0 || resamples > 10'000'000)
        throw UsageError("FitTestOptions.resamples must be between 0 and 10000000, got " +
                         std::to_string(resamples));
    if (threads < 0 || threads > 4096) throw UsageError("FitTestOptions.threads must be between 0 (all cores) and 4096");
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// Smallest eigenvalue a correlation matrix (trace = number of indicators) must exceed to be
// transformed: below it the inverse square root is noise or the transformed data are collinear.
constexpr double positive_definite_tolerance = 1e-10;
// How far the correlations of the data may be from the moments passed with it (rounding only).
constexpr double moments_tolerance = 1e-8;
constexpr int statistic_count = 3;  // srmr, d_uls, d_g: the columns of FitTestResult::draws

// A symmetric matrix to the power ±½ by its eigen decomposition (the principal square root, which
// is what cSEM's expm::sqrtm gives for a positive definite matrix). Throws EstimationError, naming
// `what`, when the matrix is not positive definite.
Eigen::MatrixXd symmetric_power_half(const Eigen::MatrixXd& m, bool inverse, const std::string& what) {
    if (!m.allFinite()) throw EstimationError("the " + what + " holds non-finite values");
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m);
    if (solver.info() != Eigen::Success) throw EstimationError("the eigen decomposition of the " + what + " failed");
    const double smallest = solver.eigenvalues().minCoeff();
    if (!(smallest > positive_definite_tolerance))
        throw EstimationError("the bootstrap test of exact fit needs a positive definite " + what +
                              "; its smallest eigenvalue is " + number_text(smallest));
    Eigen::VectorXd scale = solver.eigenvalues().cwiseSqrt();
    if (inverse) scale = scale.cwiseInverse();
    return solver.eigenvectors() * scale.asDiagonal() * solver.eigenvectors().transpose();
}

// Per-thread buffers, allocated before the parallel loop.
struct Workspace {
    Workspace(const detail::PlsEstimator& prototype, const std::vector<std::string>& names, Eigen::Index n,
              Eigen::Index p)
        : estimator(prototype), counts(n), resample(p) {
        moments.n_obs = n;
        moments.names = names;
        moments.means = Eigen::VectorXd::Zero(p);  // not used by assess(); sized for consistency
        moments.sds = Eigen::VectorXd::Ones(p);
        moments.correlation.resize(p, p);
    }
    detail::PlsEstimator estimator;
    PlsResult result;
    IndicatorMoments moments;  // the resample's correlations, in the form assess() takes
    Eigen::VectorXd counts;    // how often each respondent is in the resample
    detail::ResampleMoments resample;
};

struct ReplicateRunner {
    const Model& model;
    const RowMatrix& transformed;
    Eigen::RowVectorXd full_means;
    const std::vector<std::string>& indicators;
    bool consistent;  // re-estimate with PLSc, as the original estimate was

    // Estimates one weighted resample of the transformed data and writes its SRMR, d_ULS and d_G to
    // `out`; returns an empty string or why the replicate is left out. What it throws (a singular
    // matrix in PLSc, memory) fails this replicate alone, with the exception's reason (run_replicates).
    std::string run(Workspace& w, double* out) const {
        const Eigen::Index constant = w.resample.compute(
            Eigen::Map<const RowMatrix>(transformed.data(), transformed.rows(), transformed.cols()), full_means, w.counts);
        w.moments.correlation = w.resample.correlation;
        if (constant >= 0) return "indicator '" + indicators[constant] + "' is constant in this resample";
        w.estimator.run(w.moments.correlation, static_cast<Eigen::Index>(std::llround(w.counts.sum())), w.result);
        if (!w.result.converged)
            return "did not converge in " + std::to_string(w.result.iterations) + " iterations";
        if (consistent) w.result = make_consistent(model, w.result, w.moments);  // allocates
        // assess() allocates (its implied_indicator_correlation, the fit measures' eigen solvers
        // and the other measures): the price of judging each replicate's admissibility exactly as
        // the original estimate's, which cSEM's default .handle_inadmissibles = "drop" needs.
        const Assessment assessment = assess(model, w.result, w.moments);
        if (!assessment.admissibility.admissible)
            return "inadmissible: " + assessment.admissibility.problems.front();
        const FitMeasures& fit = assessment.fit.estimated_model;
        out[0] = fit.srmr;
        out[1] = fit.d_uls;
        out[2] = fit.d_g;
        for (int s = 0; s < statistic_count; ++s)
            if (!std::isfinite(out[s])) return "non-finite fit measure";
        return {};
    }
};

// Fills quantiles, decisions and the p-value of one statistic from its draws.
void summarize(const Eigen::Ref<const Eigen::VectorXd>& draws, FitStatisticTest& test) {
    // cSEM stops with fewer than 3 admissible replicates; here the numbers are left undefined.
    if (draws.size() < 3) {
        test.quantile_95 = test.quantile_99 = test.p_value = nan;
        test.exceeds_95 = test.exceeds_99 = false;
        return;
    }
    std::vector<double> sorted(draws.begin(), draws.end());  // reordered by the quantiles
    test.quantile_95 = detail::quantile_type7(sorted, 0.95);
    test.quantile_99 = detail::quantile_type7(sorted, 0.99);
    // !(observed < q) would reject on a NaN observed value; ask for a number first.
    const bool defined = std::isfinite(test.observed);
    test.exceeds_95 = defined && test.observed >= test.quantile_95;
    test.exceeds_99 = defined && test.observed >= test.quantile_99;
    if (!defined) {
        test.p_value = nan;
        return;
    }
    const auto at_least = std::count_if(sorted.begin(), sorted.end(), [&](double v) { return v >= test.observed; });
    test.p_value = static_cast<double>(at_least) / static_cast<double>(sorted.size());
}

}  // namespace

FitTestResult bootstrap_fit_test(const Model& model, const Dataset& data, const PlsResult& original,
                                 const IndicatorMoments& moments, const FitTestOptions& options,
                                 BootstrapMonitor* monitor) {
    options.validate();
    if (data.columns != original.indicators || moments.names != original.indicators)
        throw EstimationError("the data columns and the moments must be in the model's indicator order");
    const Eigen::Index n = data.rows;
    const Eigen::Index p = data.cols();
    if (moments.n_obs != n) throw EstimationError("the indicator moments were not computed from this data");
    if (n < 2) throw EstimationError("the bootstrap test of exact fit needs at least two respondents");

    // The observed statistics (also checks that result, moments and model belong together).
    const Eigen::MatrixXd implied = implied_indicator_correlation(model, original, moments, ImpliedModel::estimated);
    const FitMeasures observed = fit_measures(moments.correlation, implied);
    FitTestResult result;
    result.options = options;
    result.srmr.observed = observed.srmr;
    result.d_uls.observed = observed.d_uls;
    result.d_g.observed = observed.d_g;

    // Bollen–Stine transformation: Z standardized with the sample sds (divisor n − 1, as R's
    // scale() in cSEM), S = Z'Z/(n − 1) its correlations, X* = Z S^{-1/2} Σ̂^{1/2}. Then
    // X*'X*/(n − 1) = Σ̂^{1/2} S^{-1/2} S S^{-1/2} Σ̂^{1/2} = Σ̂ exactly, up to rounding.
    const auto x = data.matrix();
    RowMatrix z = (x.rowwise() - moments.means.transpose()).array().rowwise() / moments.sds.transpose().array();
    const Eigen::MatrixXd s = (z.transpose() * z) / static_cast<double>(n - 1);
    if (!s.allFinite() || (s - moments.correlation).cwiseAbs().maxCoeff() > moments_tolerance)
        throw EstimationError("the indicator moments were not computed from this data");
    const Eigen::MatrixXd rotation = symmetric_power_half(s, true, "indicator correlation matrix") *
                                     symmetric_power_half(implied, false, "model-implied indicator correlation matrix");
    const RowMatrix transformed = z * rotation;
    z.resize(0, 0);

    const int resamples = options.resamples;
    if (resamples == 0) {
        for (FitStatisticTest* test : {&result.srmr, &result.d_uls, &result.d_g})
            summarize(Eigen::VectorXd(), *test);
        result.draws.resize(0, statistic_count);
        return result;
    }

    const detail::PlsEstimator prototype(model, original.options);
    const int threads = detail::thread_count(options.threads);
    std::vector<Workspace> workspaces;
    workspaces.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        workspaces.emplace_back(prototype, original.indicators, n, p);
        prototype.describe(workspaces.back().result);
    }
    const ReplicateRunner runner{model, transformed, transformed.colwise().mean(), original.indicators,
                                 original.consistent};

    Eigen::MatrixXd all_draws(statistic_count, resamples);  // column per replicate
    std::vector<std::string> failure_reason =
        detail::run_replicates({resamples, threads, 8, monitor}, [&](int thread, long r) {
            Workspace& w = workspaces[static_cast<std::size_t>(thread)];
            // A stream of its own, apart from the parameter bootstrap's with the same seed.
            detail::draw_resample_counts(options.seed ^ fit_test_stream, static_cast<int>(r), w.counts);
            return runner.run(w, all_draws.col(r).data());
        });

    detail::collect_replicates(failure_reason, all_draws, result);

    summarize(result.draws.col(0), result.srmr);
    summarize(result.draws.col(1), result.d_uls);
    summarize(result.draws.col(2), result.d_g);
    return result;
}

}  // namespace csipls

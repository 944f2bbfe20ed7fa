#include "csipls/core/moments.hpp"

#include <algorithm>
#include <cmath>

#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"
#include "missing_kernel.hpp"

namespace csipls {

IndicatorMoments compute_moments(const Dataset& data) { return compute_moments(data, MissingOptions{}, nullptr); }

IndicatorMoments compute_moments(const Dataset& data, const MissingOptions& missing, MissingReport* report) {
    const Eigen::Index n = data.rows;
    const Eigen::Index p = data.cols();
    if (n < 2)
        throw ModelError("the data have " + std::to_string(n) + " respondent(s); at least 2 are needed");
    const auto x = data.matrix();

    const bool weighted = data.case_weights.size() > 0;
    if (weighted && data.case_weights.size() != n)
        throw ModelError("the data have " + std::to_string(n) + " rows but " + std::to_string(data.case_weights.size()) +
                         " case weights");
    // Frequency weights: a weight of 2 counts a respondent twice, so the sample size is Σw
    // (rounded for the degrees of freedom) and the divisor of the covariances is Σw − 1.
    const double total = weighted ? data.case_weights.sum() : static_cast<double>(n);

    IndicatorMoments moments;
    moments.n_obs = weighted ? static_cast<Eigen::Index>(std::llround(total)) : n;
    moments.names = data.columns;
    moments.means = weighted ? Eigen::VectorXd(x.transpose() * data.case_weights / total)
                             : Eigen::VectorXd(x.colwise().sum().transpose() / static_cast<double>(n));
    // A missing cell (NaN) makes its column's mean NaN: complete data pay nothing to find out.
    if (!moments.means.allFinite()) return detail::moments_with_missing(data, missing, report);
    if (report) {
        *report = MissingReport{};
        report->treatment = missing.treatment;
        report->respondents = report->complete_respondents = report->respondents_used = n;
        report->indicators = data.columns;
        report->missing_per_indicator.assign(data.columns.size(), 0);
    }

    // Centred cross-products, a block of rows at a time: one pass, a fixed buffer, and the rank
    // update keeps the work at half of a full X'X.
    constexpr Eigen::Index block_rows = 2048;
    RowMatrix centred(std::min(block_rows, n), p);
    Eigen::MatrixXd cross = Eigen::MatrixXd::Zero(p, p);
    const Eigen::RowVectorXd mean_row = moments.means.transpose();
    for (Eigen::Index start = 0; start < n; start += block_rows) {
        const Eigen::Index len = std::min(block_rows, n - start);
        centred.topRows(len) = x.middleRows(start, len).rowwise() - mean_row;
        if (weighted) centred.topRows(len).array().colwise() *= data.case_weights.segment(start, len).array().sqrt();
        cross.selfadjointView<Eigen::Lower>().rankUpdate(centred.topRows(len).transpose());
    }
    cross.triangularView<Eigen::StrictlyUpper>() = cross.transpose();
    const Eigen::MatrixXd covariance = cross / (total - 1.0);

    moments.sds = covariance.diagonal().cwiseSqrt();
    for (Eigen::Index j = 0; j < p; ++j) {
        // Relative to the mean's size, so that a column of large constant values is caught too.
        const double scale = std::max(1.0, std::abs(moments.means[j]));
        if (!(moments.sds[j] > 1e-12 * scale))
            throw ModelError("indicator '" + data.columns[j] + "' is constant (every respondent answered " +
                             number_text(moments.means[j]) + "); it has no correlation with anything");
    }
    const Eigen::VectorXd inverse_sd = moments.sds.cwiseInverse();
    moments.correlation = inverse_sd.asDiagonal() * covariance * inverse_sd.asDiagonal();
    // Exactly symmetric, so that results do not depend on which triangle a kernel reads.
    moments.correlation.triangularView<Eigen::StrictlyUpper>() = moments.correlation.transpose();
    moments.correlation.diagonal().setOnes();
    return moments;
}

}  // namespace csipls

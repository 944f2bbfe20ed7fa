#include "csipls/core/missing.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "csipls/core/enum_names.hpp"
#include "csipls/core/error.hpp"
#include "detail/rows.hpp"
#include "missing_kernel.hpp"

namespace csipls {

namespace {
constexpr EnumNames<MissingTreatment, 4> treatment_names = {{MissingTreatment::listwise, "listwise"},
                                                            {MissingTreatment::mean, "mean"},
                                                            {MissingTreatment::pairwise, "pairwise"},
                                                            {MissingTreatment::em, "em"}};

std::string count_text(double count) { return number_text(std::round(count * 1e6) / 1e6); }
}  // namespace

std::string to_string(MissingTreatment treatment) { return enum_name(treatment_names, treatment); }
std::optional<MissingTreatment> missing_treatment_from_string(std::string_view text) {
    return enum_from_name(treatment_names, text);
}

void MissingOptions::validate() const {
    if (!(std::isfinite(em_tolerance) && em_tolerance > 0.0 && em_tolerance < 1.0))
        throw UsageError("MissingOptions.em_tolerance must be between 0 and 1 (exclusive), got " + number_text(em_tolerance));
    if (em_max_iterations < 1 || em_max_iterations > 1'000'000)
        throw UsageError("MissingOptions.em_max_iterations must be between 1 and 1000000, got " + std::to_string(em_max_iterations));
}

Eigen::Index MissingReport::missing_cells() const {
    Eigen::Index total = 0;
    for (auto count : missing_per_indicator) total += count;
    return total;
}

namespace detail {

MissingLayout::MissingLayout(const Dataset& data)
    : rows(data.rows), cols(data.cols()), complete(static_cast<std::size_t>(data.rows), 1),
      pattern_of_row(static_cast<std::size_t>(data.rows), -1), missing_per_column(static_cast<std::size_t>(data.cols()), 0),
      centre(Eigen::RowVectorXd::Zero(data.cols())) {
    const auto x = data.matrix();
    Eigen::RowVectorXd answered = Eigen::RowVectorXd::Zero(cols);
    std::unordered_map<std::string, int> pattern_index;
    std::string key(static_cast<std::size_t>(cols), '1');
    for (Eigen::Index i = 0; i < rows; ++i) {
        const double* row = x.data() + i * cols;
        bool full = true;
        Eigen::Index present = 0;
        for (Eigen::Index a = 0; a < cols; ++a) {
            const bool here = !std::isnan(row[a]);
            key[static_cast<std::size_t>(a)] = here ? '1' : '0';
            if (here) {
                centre[a] += row[a];
                answered[a] += 1;
                ++present;
            } else {
                ++missing_per_column[static_cast<std::size_t>(a)];
                full = false;
            }
        }
        if (full) {
            ++complete_rows;
            continue;
        }
        complete[static_cast<std::size_t>(i)] = 0;
        if (present == 0) {
            pattern_of_row[static_cast<std::size_t>(i)] = -2;
            ++empty_rows;
            continue;
        }
        const auto [it, added] = pattern_index.emplace(key, static_cast<int>(observed.size()));
        if (added) {
            observed.emplace_back();
            missing.emplace_back();
            for (int a = 0; a < static_cast<int>(cols); ++a)
                (key[static_cast<std::size_t>(a)] == '1' ? observed.back() : missing.back()).push_back(a);
        }
        pattern_of_row[static_cast<std::size_t>(i)] = it->second;
    }
    for (Eigen::Index a = 0; a < cols; ++a) centre[a] = answered[a] > 0 ? centre[a] / answered[a] : 0.0;
}

MissingMoments::MissingMoments(const MissingLayout& layout, const std::vector<std::string>& names)
    : layout_(layout), names_(names) {
    const Eigen::Index p = layout.cols;
    const auto patterns = static_cast<Eigen::Index>(layout.observed.size());
    means.resize(p);
    sds.resize(p);
    covariance.resize(p, p);
    correlation.resize(p, p);
    complete_sums_.resize(p);
    complete_cross_.resize(p, p);
    pair_total_.resize(p, p);
    pair_sums_.resize(p, p);
    pair_squares_.resize(p, p);
    incomplete_cross_.resize(p, p);
    pattern_total_.resize(patterns);
    pattern_sums_.resize(p, patterns);
    pattern_cross_.assign(static_cast<std::size_t>(patterns), Eigen::MatrixXd(p, p));
    offset_.resize(p);
    deviation_.resize(p);
}

void MissingMoments::accumulate(Eigen::Map<const RowMatrix> x, const Eigen::VectorXd& counts, bool listwise_only,
                                bool by_pattern) {
    const Eigen::Index n = x.rows();
    const Eigen::Index p = x.cols();
    complete_total_ = all_total_ = 0;
    complete_sums_.setZero();
    complete_cross_.setZero();
    pair_total_.setZero();
    pair_sums_.setZero();
    pair_squares_.setZero();
    incomplete_cross_.setZero();
    pattern_total_.setZero();
    pattern_sums_.setZero();
    for (auto& cross : pattern_cross_) cross.setZero();
    double* d = deviation_.data();
    const double* centre = layout_.centre.data();
    for (Eigen::Index i = 0; i < n; ++i) {
        const double count = counts[i];
        if (count == 0.0) continue;
        const double* row = x.data() + i * p;
        const int pattern = layout_.pattern_of_row[static_cast<std::size_t>(i)];
        if (pattern == -2) continue;  // nothing answered
        all_total_ += count;
        if (pattern == -1) {
            complete_total_ += count;
            for (Eigen::Index a = 0; a < p; ++a) d[a] = row[a] - centre[a];
            double* cross = complete_cross_.data();
            for (Eigen::Index b = 0; b < p; ++b) {
                const double weighted = count * d[b];
                complete_sums_[b] += weighted;
                double* column = cross + b * p;
                for (Eigen::Index a = b; a < p; ++a) column[a] += weighted * d[a];
            }
            continue;
        }
        if (listwise_only) continue;
        const auto& answered = layout_.observed[static_cast<std::size_t>(pattern)];
        for (int a : answered) d[a] = row[a] - centre[a];
        if (by_pattern) {
            pattern_total_[pattern] += count;
            double* sums = pattern_sums_.col(pattern).data();
            double* cross = pattern_cross_[static_cast<std::size_t>(pattern)].data();
            for (int b : answered) {
                const double weighted = count * d[b];
                sums[b] += weighted;
                for (int a : answered) cross[a + b * p] += weighted * d[a];
            }
            continue;
        }
        for (int b : answered) {
            const double weighted = count * d[b];
            for (int a : answered) {
                pair_total_(a, b) += count;
                pair_sums_(a, b) += count * d[a];
                pair_squares_(a, b) += count * d[a] * d[a];
                incomplete_cross_(a, b) += weighted * d[a];
            }
        }
    }
    complete_cross_.triangularView<Eigen::StrictlyUpper>() = complete_cross_.transpose();
}

void MissingMoments::finish() {
    const Eigen::Index p = covariance.rows();
    means = layout_.centre.transpose() + offset_;
    sds = covariance.diagonal().cwiseSqrt();
    for (Eigen::Index j = 0; j < p; ++j) {
        const double scale = std::max(1.0, std::abs(means[j]));
        if (!(sds[j] > 1e-12 * scale))
            throw ModelError("indicator '" + names_[static_cast<std::size_t>(j)] + "' is constant (every answer is " +
                             number_text(means[j]) + "); it has no correlation with anything");
    }
    for (Eigen::Index b = 0; b < p; ++b) {
        correlation(b, b) = 1.0;
        for (Eigen::Index a = b + 1; a < p; ++a)
            correlation(a, b) = correlation(b, a) = covariance(a, b) / (sds[a] * sds[b]);
    }
}

void MissingMoments::listwise() {
    const double total = complete_total_;
    if (!(total >= 2.0))
        throw ModelError("only " + count_text(total) +
                         " respondent(s) answered every indicator: too few for listwise deletion (try the mean, pairwise "
                         "or em treatment of missing values)");
    offset_ = complete_sums_ / total;
    covariance = (complete_cross_ - total * offset_ * offset_.transpose()) / (total - 1.0);
    n_used = total;
    finish();
}

void MissingMoments::mean_replacement() {
    const Eigen::Index p = covariance.rows();
    const double total = all_total_;
    for (Eigen::Index a = 0; a < p; ++a) {
        const double answered = complete_total_ + pair_total_(a, a);
        if (!(answered > 0))
            throw ModelError("indicator '" + names_[static_cast<std::size_t>(a)] + "' has no answers in this sample");
        offset_[a] = (complete_sums_[a] + pair_sums_(a, a)) / answered;
    }
    if (!(total >= 2.0)) throw ModelError("fewer than 2 respondents answered anything");
    // Σ over respondents answering both of c(d_a − m_a)(d_b − m_b); a replaced value sits at its
    // mean and adds nothing.
    for (Eigen::Index b = 0; b < p; ++b)
        for (Eigen::Index a = b; a < p; ++a) {
            const double both = complete_total_ + pair_total_(a, b);
            const double sum_a = complete_sums_[a] + pair_sums_(a, b);
            const double sum_b = complete_sums_[b] + pair_sums_(b, a);
            const double cross = complete_cross_(a, b) + incomplete_cross_(a, b);
            covariance(a, b) = covariance(b, a) =
                (cross - offset_[b] * sum_a - offset_[a] * sum_b + offset_[a] * offset_[b] * both) / (total - 1.0);
        }
    n_used = total;
    finish();
}

void MissingMoments::pairwise() {
    const Eigen::Index p = covariance.rows();
    double fewest = std::numeric_limits<double>::infinity();
    // Means and sds from every answer of the indicator (available cases); each correlation from
    // the respondents answering both, with that pair's own means and sds.
    for (Eigen::Index a = 0; a < p; ++a) {
        const double answered = complete_total_ + pair_total_(a, a);
        if (!(answered >= 2.0))
            throw ModelError("indicator '" + names_[static_cast<std::size_t>(a)] + "' has " + count_text(answered) +
                             " answer(s) in this sample; at least 2 are needed");
        const double sum = complete_sums_[a] + pair_sums_(a, a);
        offset_[a] = sum / answered;
        const double squares = complete_cross_(a, a) + pair_squares_(a, a);
        covariance(a, a) = (squares - sum * sum / answered) / (answered - 1.0);
        if (p == 1) fewest = answered;
    }
    sds = covariance.diagonal().cwiseSqrt();
    means = layout_.centre.transpose() + offset_;
    for (Eigen::Index a = 0; a < p; ++a)
        if (!(sds[a] > 1e-12 * std::max(1.0, std::abs(means[a]))))
            throw ModelError("indicator '" + names_[static_cast<std::size_t>(a)] + "' is constant (every answer is " +
                             number_text(means[a]) + "); it has no correlation with anything");
    for (Eigen::Index b = 0; b < p; ++b) {
        correlation(b, b) = 1.0;
        for (Eigen::Index a = b + 1; a < p; ++a) {
            const double both = complete_total_ + pair_total_(a, b);
            fewest = std::min(fewest, both);
            if (!(both >= 3.0))
                throw ModelError("indicators '" + names_[static_cast<std::size_t>(a)] + "' and '" +
                                 names_[static_cast<std::size_t>(b)] + "' are answered together by " + count_text(both) +
                                 " respondent(s); a pairwise correlation needs at least 3");
            const double sum_a = complete_sums_[a] + pair_sums_(a, b);
            const double sum_b = complete_sums_[b] + pair_sums_(b, a);
            const double squares_a = complete_cross_(a, a) + pair_squares_(a, b);
            const double squares_b = complete_cross_(b, b) + pair_squares_(b, a);
            const double cross = complete_cross_(a, b) + incomplete_cross_(a, b);
            const double co = cross - sum_a * sum_b / both;
            const double var_a = squares_a - sum_a * sum_a / both;
            const double var_b = squares_b - sum_b * sum_b / both;
            if (!(var_a > 0 && var_b > 0))
                throw ModelError("indicators '" + names_[static_cast<std::size_t>(a)] + "' and '" +
                                 names_[static_cast<std::size_t>(b)] +
                                 "' have no correlation: one is constant among the respondents answering both");
            const double r = co / std::sqrt(var_a * var_b);
            correlation(a, b) = correlation(b, a) = r;
            covariance(a, b) = covariance(b, a) = r * sds[a] * sds[b];
        }
    }
    // Correlations from different respondents need not be a correlation matrix of any data; PLS
    // needs one (mode-B regressions, path regressions), so refuse rather than estimate nonsense.
    const Eigen::LLT<Eigen::MatrixXd> cholesky(correlation);
    if (cholesky.info() != Eigen::Success || !(cholesky.matrixLLT().diagonal().minCoeff() > 1e-8)) {
        const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(correlation, Eigen::EigenvaluesOnly).eigenvalues()[0];
        throw ModelError("the pairwise-complete correlation matrix is not positive definite (smallest eigenvalue " +
                         number_text(smallest) +
                         "): the missing answers leave the correlations inconsistent; use the em or listwise treatment");
    }
    n_used = fewest;
}

void MissingMoments::em(const MissingOptions& options, const MissingMoments* start) {
    const Eigen::Index p = covariance.rows();
    const double total = all_total_;
    if (!(total >= 2.0)) throw ModelError("fewer than 2 respondents answered anything");
    Eigen::VectorXd mu(p);
    Eigen::MatrixXd sigma(p, p);
    if (start) {
        mu = start->means - layout_.centre.transpose();
        sigma = start->covariance;
    } else {
        // Mean replacement needs the pair statistics, which the EM pass does not gather: start
        // from the complete-case and pattern sums instead (observed means, variances, no covariance).
        Eigen::VectorXd answered = Eigen::VectorXd::Constant(p, complete_total_);
        Eigen::VectorXd sums = complete_sums_;
        Eigen::VectorXd squares = complete_cross_.diagonal();
        for (Eigen::Index pattern = 0; pattern < pattern_total_.size(); ++pattern)
            for (int a : layout_.observed[static_cast<std::size_t>(pattern)]) {
                answered[a] += pattern_total_[pattern];
                sums[a] += pattern_sums_(a, pattern);
                squares[a] += pattern_cross_[static_cast<std::size_t>(pattern)](a, a);
            }
        sigma.setZero();
        for (Eigen::Index a = 0; a < p; ++a) {
            if (!(answered[a] >= 2.0))
                throw ModelError("indicator '" + names_[static_cast<std::size_t>(a)] + "' has " + count_text(answered[a]) +
                                 " answer(s) in this sample; at least 2 are needed");
            mu[a] = sums[a] / answered[a];
            sigma(a, a) = std::max(squares[a] / answered[a] - mu[a] * mu[a], 1e-12);
        }
    }
    for (Eigen::Index pattern = 0; pattern < pattern_total_.size(); ++pattern) {
        auto& cross = pattern_cross_[static_cast<std::size_t>(pattern)];
        cross.triangularView<Eigen::StrictlyUpper>() = cross.transpose();
    }

    Eigen::VectorXd first(p);
    Eigen::MatrixXd second(p, p);
    Eigen::LLT<Eigen::MatrixXd> cholesky(p);
    double change = 0;
    em_iterations = 0;
    while (em_iterations < options.em_max_iterations) {
        // E-step on sufficient statistics: per pattern, with B = Σ_mo Σ_oo⁻¹ and a = μ_m − B μ_o,
        // E[x_m | x_o] = a + B x_o, so the pattern's sums of E[x] and E[xx'] follow from its sums of
        // x_o and x_o x_o' (Little & Rubin 2002, sec. 11.2) without visiting its rows again.
        first = complete_sums_;
        second = complete_cross_;
        for (Eigen::Index pattern = 0; pattern < pattern_total_.size(); ++pattern) {
            const double count = pattern_total_[pattern];
            if (count == 0.0) continue;
            const auto& o = layout_.observed[static_cast<std::size_t>(pattern)];
            const auto& m = layout_.missing[static_cast<std::size_t>(pattern)];
            const Eigen::VectorXd sum_o = pattern_sums_.col(pattern)(o);
            const Eigen::MatrixXd cross_oo = pattern_cross_[static_cast<std::size_t>(pattern)](o, o);
            cholesky.compute(sigma(o, o));
            if (cholesky.info() != Eigen::Success)
                throw EstimationError("EM: the estimated covariance of the answered indicators became singular");
            const Eigen::MatrixXd coefficients = cholesky.solve(sigma(o, m)).transpose();  // B, m × o
            const Eigen::VectorXd intercept = mu(m) - coefficients * mu(o);
            const Eigen::MatrixXd residual = sigma(m, m) - coefficients * sigma(o, m);
            const Eigen::VectorXd predicted_sum = coefficients * sum_o;
            first(o) += sum_o;
            first(m) += count * intercept + predicted_sum;
            const Eigen::MatrixXd cross_mo = intercept * sum_o.transpose() + coefficients * cross_oo;
            second(o, o) += cross_oo;
            second(m, o) += cross_mo;
            second(o, m) += cross_mo.transpose();
            second(m, m) += count * (intercept * intercept.transpose() + residual) + intercept * predicted_sum.transpose() +
                            predicted_sum * intercept.transpose() + coefficients * cross_oo * coefficients.transpose();
        }
        const Eigen::VectorXd mu_next = first / total;
        const Eigen::MatrixXd sigma_next = second / total - mu_next * mu_next.transpose();
        const Eigen::VectorXd scale = sigma_next.diagonal().cwiseMax(1e-300).cwiseSqrt();
        const Eigen::VectorXd inverse_scale = scale.cwiseInverse();
        change = std::max(((mu_next - mu).cwiseAbs().cwiseProduct(inverse_scale)).maxCoeff(),
                          (inverse_scale.asDiagonal() * (sigma_next - sigma).cwiseAbs() * inverse_scale.asDiagonal()).maxCoeff());
        mu = mu_next;
        sigma = sigma_next;
        ++em_iterations;
        if (!std::isfinite(change)) throw EstimationError("EM: the estimates are not finite");
        if (change < options.em_tolerance) break;
    }
    if (!(change < options.em_tolerance))
        throw EstimationError("EM did not converge in " + std::to_string(options.em_max_iterations) +
                              " iterations (last change " + number_text(change) + ")");
    offset_ = mu;
    // EM gives the maximum likelihood covariance (divisor n); the rest of csipls uses n − 1.
    covariance = sigma * (total / (total - 1.0));
    n_used = total;
    finish();
}

void MissingMoments::compute(Eigen::Map<const RowMatrix> x, const Eigen::VectorXd& counts, const MissingOptions& options,
                             const MissingMoments* em_start) {
    em_iterations = 0;
    accumulate(x, counts, options.treatment == MissingTreatment::listwise, options.treatment == MissingTreatment::em);
    switch (options.treatment) {
        case MissingTreatment::listwise: listwise(); break;
        case MissingTreatment::mean: mean_replacement(); break;
        case MissingTreatment::pairwise: pairwise(); break;
        case MissingTreatment::em: em(options, em_start); break;
    }
}

// The report's counts, which need no moments.
MissingReport layout_report(const MissingLayout& layout, const Dataset& data, MissingTreatment treatment) {
    MissingReport report;
    report.treatment = treatment;
    report.respondents = layout.rows;
    report.complete_respondents = layout.complete_rows;
    report.respondents_used = treatment == MissingTreatment::listwise ? layout.complete_rows : layout.rows - layout.empty_rows;
    report.indicators = data.columns;
    report.missing_per_indicator = layout.missing_per_column;
    return report;
}

// The missing-data branch of compute_moments (moments.cpp sends data with a missing cell here).
IndicatorMoments moments_with_missing(const Dataset& data, const MissingOptions& options, MissingReport* report) {
    options.validate();
    const MissingLayout layout(data);
    for (Eigen::Index a = 0; a < layout.cols; ++a) {
        const Eigen::Index answers = layout.rows - layout.missing_per_column[static_cast<std::size_t>(a)];
        if (answers < 2)
            throw ModelError("indicator '" + data.columns[static_cast<std::size_t>(a)] + "' has " + std::to_string(answers) +
                             " answer(s) (" + std::to_string(layout.rows - answers) + " of " + std::to_string(layout.rows) +
                             " missing); at least 2 are needed");
    }
    MissingMoments treated(layout, data.columns);
    const Eigen::VectorXd counts =
        data.case_weights.size() > 0 ? Eigen::VectorXd(data.case_weights) : Eigen::VectorXd::Ones(data.rows);
    treated.compute(data.matrix(), counts, options);
    IndicatorMoments moments;
    moments.n_obs = static_cast<Eigen::Index>(std::llround(treated.n_used));
    moments.names = data.columns;
    moments.means = treated.means;
    moments.sds = treated.sds;
    moments.correlation = treated.correlation;
    if (report) {
        *report = layout_report(layout, data, options.treatment);
        report->fewest_pairs = options.treatment == MissingTreatment::pairwise ? moments.n_obs : 0;
        report->em_iterations = treated.em_iterations;
    }
    return moments;
}

}  // namespace detail

MissingReport missing_report(const Dataset& data, MissingTreatment treatment) {
    return detail::layout_report(detail::MissingLayout(data), data, treatment);
}

bool has_missing_values(const Dataset& data) {
    const auto x = data.matrix();
    return x.hasNaN();
}

Dataset complete_cases(const Dataset& data) {
    const auto x = data.matrix();
    std::vector<Eigen::Index> kept;
    for (Eigen::Index i = 0; i < data.rows; ++i)
        if (!x.row(i).hasNaN()) kept.push_back(i);
    return detail::select_rows(data, kept, detail::CaseWeights::keep);
}

Dataset fill_missing_for_scores(const Dataset& data, const IndicatorMoments& moments, const MissingOptions& options) {
    Dataset out = data;
    if (!has_missing_values(data)) return out;
    const detail::MissingLayout layout(data);
    auto x = out.matrix();
    const Eigen::Index p = data.cols();
    if (options.treatment != MissingTreatment::em) {
        for (Eigen::Index i = 0; i < data.rows; ++i) {
            if (layout.complete[static_cast<std::size_t>(i)]) continue;
            for (Eigen::Index a = 0; a < p; ++a)
                if (options.treatment == MissingTreatment::listwise)
                    x(i, a) = std::numeric_limits<double>::quiet_NaN();
                else if (std::isnan(x(i, a)))
                    x(i, a) = moments.means[a];
        }
        return out;
    }
    // EM: the regression of each pattern's missing answers on its observed ones, computed once per pattern.
    const Eigen::MatrixXd sigma = moments.sds.asDiagonal() * moments.correlation * moments.sds.asDiagonal();
    std::vector<Eigen::MatrixXd> coefficients(layout.observed.size());
    for (std::size_t pattern = 0; pattern < layout.observed.size(); ++pattern) {
        const auto& o = layout.observed[pattern];
        const auto& m = layout.missing[pattern];
        coefficients[pattern] = Eigen::LLT<Eigen::MatrixXd>(sigma(o, o)).solve(sigma(o, m)).transpose();
    }
    for (Eigen::Index i = 0; i < data.rows; ++i) {
        const int pattern = layout.pattern_of_row[static_cast<std::size_t>(i)];
        if (pattern == -1) continue;
        if (pattern == -2) {
            x.row(i) = moments.means.transpose();
            continue;
        }
        const auto& o = layout.observed[static_cast<std::size_t>(pattern)];
        const auto& m = layout.missing[static_cast<std::size_t>(pattern)];
        const Eigen::VectorXd observed_offset = x.row(i)(o).transpose() - moments.means(o);
        const Eigen::VectorXd predicted = moments.means(m) + coefficients[static_cast<std::size_t>(pattern)] * observed_offset;
        for (std::size_t k = 0; k < m.size(); ++k) x(i, m[k]) = predicted[static_cast<Eigen::Index>(k)];
    }
    return out;
}

}  // namespace csipls

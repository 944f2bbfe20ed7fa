// Missing values: every treatment checked against numbers computed here by plain arithmetic or by
// an independent (row-by-row) EM, and against the closed-form maximum likelihood estimate of
// bivariate normal data with one variable missing (Anderson 1957).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "csipls/core/bootstrap.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"
#include "test_helpers.hpp"

using namespace csipls;
using testing::HasSubstr;
using testing_support::dataset_from;

namespace {

constexpr double NA = std::numeric_limits<double>::quiet_NaN();

// Pearson correlation and sample sd (divisor n − 1) of plain vectors.
double mean_of(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double ma = mean_of(a), mb = mean_of(b);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}
double sample_sd(const std::vector<double>& a) {
    const double m = mean_of(a);
    double s = 0;
    for (double x : a) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(a.size() - 1));
}

// Six respondents, three indicators, four of the rows incomplete.
const std::vector<std::vector<double>> small_columns = {
    {1, 2, NA, 4, 5, 3},
    {2, NA, 3, 5, 4, 1},
    {3, 1, 2, NA, 6, 2},
};

Dataset small_data() {
    Eigen::MatrixXd values(6, 3);
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 6; ++i) values(i, j) = small_columns[j][i];
    return dataset_from({"x", "y", "z"}, values);
}

IndicatorMoments treated(const Dataset& data, MissingTreatment treatment, MissingReport* report = nullptr) {
    MissingOptions options;
    options.treatment = treatment;
    return compute_moments(data, options, report);
}

}  // namespace

TEST(MissingValues, TreatmentNamesRoundTrip) {
    for (auto t : {MissingTreatment::listwise, MissingTreatment::mean, MissingTreatment::pairwise, MissingTreatment::em})
        EXPECT_EQ(missing_treatment_from_string(to_string(t)), t);
    EXPECT_FALSE(missing_treatment_from_string("multiple"));
}

TEST(MissingValues, ListwiseUsesOnlyCompleteRows) {
    // Rows 0, 4 and 5 are complete.
    const std::vector<double> x = {1, 5, 3}, y = {2, 4, 1}, z = {3, 6, 2};
    MissingReport report;
    const IndicatorMoments m = treated(small_data(), MissingTreatment::listwise, &report);
    EXPECT_EQ(m.n_obs, 3);
    EXPECT_NEAR(m.correlation(0, 1), pearson(x, y), 1e-14);
    EXPECT_NEAR(m.correlation(0, 2), pearson(x, z), 1e-14);
    EXPECT_NEAR(m.correlation(1, 2), pearson(y, z), 1e-14);
    EXPECT_NEAR(m.means[0], 3.0, 1e-14);
    EXPECT_NEAR(m.sds[2], sample_sd(z), 1e-14);
    EXPECT_EQ(report.respondents, 6);
    EXPECT_EQ(report.complete_respondents, 3);
    EXPECT_EQ(report.respondents_used, 3);
    EXPECT_EQ(report.missing_per_indicator, (std::vector<Eigen::Index>{1, 1, 1}));
    // The one-argument form deletes listwise too.
    EXPECT_NEAR(compute_moments(small_data()).correlation(0, 1), pearson(x, y), 1e-14);
}

TEST(MissingValues, MeanReplacementFillsTheObservedMean) {
    // Observed means: x (1+2+4+5+3)/5 = 3, y (2+3+5+4+1)/5 = 3, z (3+1+2+6+2)/5 = 2.8.
    const std::vector<double> x = {1, 2, 3, 4, 5, 3}, y = {2, 3, 3, 5, 4, 1}, z = {3, 1, 2, 2.8, 6, 2};
    MissingReport report;
    const IndicatorMoments m = treated(small_data(), MissingTreatment::mean, &report);
    EXPECT_EQ(m.n_obs, 6);
    EXPECT_NEAR(m.correlation(0, 1), pearson(x, y), 1e-14);
    EXPECT_NEAR(m.correlation(0, 2), pearson(x, z), 1e-14);
    EXPECT_NEAR(m.correlation(1, 2), pearson(y, z), 1e-14);
    EXPECT_NEAR(m.means[2], 2.8, 1e-14);
    EXPECT_NEAR(m.sds[0], sample_sd(x), 1e-14);
    EXPECT_NEAR(m.sds[2], sample_sd(z), 1e-14);
    EXPECT_EQ(report.respondents_used, 6);
}

TEST(MissingValues, PairwiseCorrelatesTheRespondentsAnsweringBoth) {
    // x,y: rows 0,3,4,5; x,z: rows 0,1,4,5; y,z: rows 0,2,4,5.
    const double rxy = pearson({1, 4, 5, 3}, {2, 5, 4, 1});
    const double rxz = pearson({1, 2, 5, 3}, {3, 1, 6, 2});
    const double ryz = pearson({2, 3, 4, 1}, {3, 2, 6, 2});
    MissingReport report;
    const IndicatorMoments m = treated(small_data(), MissingTreatment::pairwise, &report);
    EXPECT_NEAR(m.correlation(0, 1), rxy, 1e-14);
    EXPECT_NEAR(m.correlation(1, 0), rxy, 1e-14);
    EXPECT_NEAR(m.correlation(0, 2), rxz, 1e-14);
    EXPECT_NEAR(m.correlation(1, 2), ryz, 1e-14);
    // Means and sds from every answer of the indicator.
    EXPECT_NEAR(m.means[1], 3.0, 1e-14);
    EXPECT_NEAR(m.sds[1], sample_sd({2, 3, 5, 4, 1}), 1e-14);
    EXPECT_EQ(m.n_obs, 4);  // the fewest respondents behind a correlation
    EXPECT_EQ(report.fewest_pairs, 4);
}

TEST(MissingValues, PairwiseRefusesCorrelationsThatAreNotPositiveDefinite) {
    // a and b agree, b and c agree, a and c disagree: no data set has these correlations.
    Eigen::MatrixXd v(9, 3);
    v << 1, 1, NA, 2, 2, NA, 3, 3, NA,  //
        NA, 1, 1, NA, 2, 2, NA, 3, 3,   //
        1, NA, 3, 2, NA, 2, 3, NA, 1;
    try {
        treated(dataset_from({"a", "b", "c"}, v), MissingTreatment::pairwise);
        FAIL() << "no error";
    } catch (const ModelError& error) {
        EXPECT_THAT(error.what(), HasSubstr("pairwise-complete correlation matrix is not positive definite"));
        EXPECT_THAT(error.what(), HasSubstr("smallest eigenvalue -"));
    }
    // Listwise has no complete row at all.
    try {
        treated(dataset_from({"a", "b", "c"}, v), MissingTreatment::listwise);
        FAIL() << "no error";
    } catch (const ModelError& error) {
        EXPECT_THAT(error.what(), HasSubstr("only 0 respondent(s) answered every indicator"));
    }
}

TEST(MissingValues, IndicatorWithTooFewAnswersIsNamed) {
    Eigen::MatrixXd v(4, 2);
    v << 1, NA, 2, NA, 3, 5, 4, NA;
    for (auto t : {MissingTreatment::listwise, MissingTreatment::mean, MissingTreatment::pairwise, MissingTreatment::em}) {
        try {
            treated(dataset_from({"a", "lonely"}, v), t);
            FAIL() << to_string(t);
        } catch (const ModelError& error) {
            EXPECT_THAT(error.what(), HasSubstr("indicator 'lonely' has 1 answer(s) (3 of 4 missing)")) << to_string(t);
        }
    }
}

// Bivariate normal, y missing for some respondents: the maximum likelihood estimate has a closed
// form (Anderson 1957; Little & Rubin 2002, sec. 7.2), which EM must reach.
TEST(MissingValues, EmReachesTheClosedFormEstimateOfMonotoneBivariateData) {
    const std::vector<double> x = {1.2, 2.9, 3.1, 4.8, 5.0, 6.3, 2.2, 4.1, 5.5, 3.3};
    const std::vector<double> y = {2.0, 3.1, 2.2, 5.9, 4.4, 6.8, NA, NA, NA, NA};
    const std::size_t n = x.size(), nc = 6;
    Eigen::MatrixXd v(static_cast<Eigen::Index>(n), 2);
    for (std::size_t i = 0; i < n; ++i) v(static_cast<Eigen::Index>(i), 0) = x[i], v(static_cast<Eigen::Index>(i), 1) = y[i];
    // Closed form: x's moments from everyone, y's from the regression of y on x in the complete cases.
    double mx = 0, mxc = 0, myc = 0;
    for (std::size_t i = 0; i < n; ++i) mx += x[i] / n;
    for (std::size_t i = 0; i < nc; ++i) mxc += x[i] / nc, myc += y[i] / nc;
    double sxx_all = 0, sxxc = 0, sxyc = 0, syyc = 0;
    for (std::size_t i = 0; i < n; ++i) sxx_all += (x[i] - mx) * (x[i] - mx) / n;
    for (std::size_t i = 0; i < nc; ++i) {
        sxxc += (x[i] - mxc) * (x[i] - mxc) / nc;
        sxyc += (x[i] - mxc) * (y[i] - myc) / nc;
        syyc += (y[i] - myc) * (y[i] - myc) / nc;
    }
    const double beta = sxyc / sxxc;
    const double residual = syyc - beta * beta * sxxc;
    const double mu_y = myc + beta * (mx - mxc);
    const double syy = residual + beta * beta * sxx_all;
    const double sxy = beta * sxx_all;

    MissingOptions options;
    options.treatment = MissingTreatment::em;
    MissingReport report;
    const IndicatorMoments m = compute_moments(dataset_from({"x", "y"}, v), options, &report);
    EXPECT_NEAR(m.means[0], mx, 1e-12);
    EXPECT_NEAR(m.means[1], mu_y, 1e-8);
    EXPECT_NEAR(m.correlation(0, 1), sxy / std::sqrt(sxx_all * syy), 1e-8);
    // sds on the n − 1 divisor used everywhere else.
    EXPECT_NEAR(m.sds[1], std::sqrt(syy * n / (n - 1.0)), 1e-8);
    EXPECT_EQ(m.n_obs, 10);
    EXPECT_GT(report.em_iterations, 1);
}

// A plain EM, row by row, on three indicators with every kind of pattern (one, two missing, none).
TEST(MissingValues, EmMatchesARowByRowEm) {
    Eigen::MatrixXd v(12, 3);
    v << 1, 2, 3,  //
        2, 1, 2,   //
        3, 4, 4,   //
        4, 3, 6,   //
        5, 6, 5,   //
        6, 5, 7,   //
        2, NA, 1,  //
        NA, 4, 5,  //
        5, NA, NA, //
        NA, 2, NA, //
        3, 3, NA,  //
        7, 6, 8;
    const Eigen::Index n = v.rows(), p = v.cols();
    Eigen::VectorXd mu = Eigen::VectorXd::Zero(p);
    Eigen::MatrixXd sigma = Eigen::MatrixXd::Identity(p, p);
    for (int iteration = 0; iteration < 3000; ++iteration) {
        Eigen::VectorXd first = Eigen::VectorXd::Zero(p);
        Eigen::MatrixXd second = Eigen::MatrixXd::Zero(p, p);
        for (Eigen::Index i = 0; i < n; ++i) {
            std::vector<int> o, m;
            for (int a = 0; a < p; ++a) (std::isnan(v(i, a)) ? m : o).push_back(a);
            Eigen::VectorXd expected(p);
            Eigen::MatrixXd extra = Eigen::MatrixXd::Zero(p, p);
            for (int a : o) expected[a] = v(i, a);
            if (!m.empty()) {
                const Eigen::MatrixXd b = sigma(m, o) * sigma(o, o).inverse();
                Eigen::VectorXd xo(o.size());
                for (std::size_t k = 0; k < o.size(); ++k) xo[static_cast<Eigen::Index>(k)] = v(i, o[k]);
                const Eigen::VectorXd xm = mu(m) + b * (xo - mu(o));
                for (std::size_t k = 0; k < m.size(); ++k) expected[m[k]] = xm[static_cast<Eigen::Index>(k)];
                const Eigen::MatrixXd conditional = sigma(m, m) - b * sigma(o, m);
                for (std::size_t r = 0; r < m.size(); ++r)
                    for (std::size_t c = 0; c < m.size(); ++c)
                        extra(m[r], m[c]) = conditional(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
            }
            first += expected;
            second += expected * expected.transpose() + extra;
        }
        mu = first / static_cast<double>(n);
        sigma = second / static_cast<double>(n) - mu * mu.transpose();
    }
    MissingOptions options;
    options.treatment = MissingTreatment::em;
    const IndicatorMoments m = compute_moments(dataset_from({"a", "b", "c"}, v), options);
    for (Eigen::Index a = 0; a < p; ++a) {
        EXPECT_NEAR(m.means[a], mu[a], 1e-8);
        EXPECT_NEAR(m.sds[a], std::sqrt(sigma(a, a) * n / (n - 1.0)), 1e-8);
        for (Eigen::Index b = 0; b < p; ++b)
            EXPECT_NEAR(m.correlation(a, b), sigma(a, b) / std::sqrt(sigma(a, a) * sigma(b, b)), 1e-8);
    }
}

// Frequency weights: a weight of 2 is the respondent twice, for every treatment.
TEST(MissingValues, CaseWeightOfTwoEqualsADuplicatedRespondent) {
    Dataset weighted = small_data();
    weighted.case_weights = Eigen::VectorXd::Ones(6);
    weighted.case_weights[1] = 2;  // incomplete row
    weighted.case_weights[4] = 2;  // complete row
    Eigen::MatrixXd duplicated(8, 3);
    duplicated.topRows(6) = small_data().matrix();
    duplicated.row(6) = small_data().matrix().row(1);
    duplicated.row(7) = small_data().matrix().row(4);
    const Dataset copy = dataset_from({"x", "y", "z"}, duplicated);
    for (auto t : {MissingTreatment::listwise, MissingTreatment::mean, MissingTreatment::pairwise, MissingTreatment::em}) {
        const IndicatorMoments a = treated(weighted, t), b = treated(copy, t);
        EXPECT_EQ(a.n_obs, b.n_obs) << to_string(t);
        EXPECT_LT((a.correlation - b.correlation).cwiseAbs().maxCoeff(), 1e-9) << to_string(t);
        EXPECT_LT((a.means - b.means).cwiseAbs().maxCoeff(), 1e-9) << to_string(t);
        EXPECT_LT((a.sds - b.sds).cwiseAbs().maxCoeff(), 1e-9) << to_string(t);
    }
}

TEST(MissingValues, RowsWithNothingAnsweredAreLeftOut) {
    Eigen::MatrixXd v(7, 3);
    v.topRows(6) = small_data().matrix();
    v.row(6).setConstant(NA);
    for (auto t : {MissingTreatment::mean, MissingTreatment::em}) {
        MissingReport report;
        const IndicatorMoments a = treated(dataset_from({"x", "y", "z"}, v), t, &report);
        const IndicatorMoments b = treated(small_data(), t);
        EXPECT_EQ(a.n_obs, 6);
        EXPECT_EQ(report.respondents, 7);
        EXPECT_EQ(report.respondents_used, 6);
        EXPECT_LT((a.correlation - b.correlation).cwiseAbs().maxCoeff(), 1e-12);
    }
}

TEST(MissingValues, ScoresFillMissingCellsByTheTreatment) {
    const Dataset data = small_data();
    const IndicatorMoments mean = treated(data, MissingTreatment::mean);
    const Dataset filled = fill_missing_for_scores(data, mean, {MissingTreatment::mean});
    EXPECT_EQ(filled.matrix()(2, 0), 3.0);
    EXPECT_EQ(filled.matrix()(3, 2), mean.means[2]);
    EXPECT_EQ(filled.matrix()(0, 0), 1.0);
    const Dataset listwise = fill_missing_for_scores(data, treated(data, MissingTreatment::listwise), {});
    EXPECT_TRUE(std::isnan(listwise.matrix()(1, 0)));  // the whole row: the respondent was not used
    EXPECT_EQ(listwise.matrix()(0, 0), 1.0);
    // EM: the regression of the missing answer on the observed ones under the estimated model.
    MissingOptions em{MissingTreatment::em};
    const IndicatorMoments m = compute_moments(data, em);
    const Eigen::MatrixXd sigma = m.sds.asDiagonal() * m.correlation * m.sds.asDiagonal();
    const Dataset imputed = fill_missing_for_scores(data, m, em);
    // Row 2 misses x only: x̂ = μx + Σx,(y,z) Σ(y,z)⁻¹ ((y,z) − μ(y,z)).
    const Eigen::Vector2d observed(3 - m.means[1], 2 - m.means[2]);
    const double expected = m.means[0] + (sigma.block(0, 1, 1, 2) * sigma.block(1, 1, 2, 2).inverse() * observed)(0);
    EXPECT_NEAR(imputed.matrix()(2, 0), expected, 1e-12);
}

TEST(MissingValues, CompleteCasesKeepWeightsWithTheirRows) {
    Dataset data = small_data();
    data.case_weights = (Eigen::VectorXd(6) << 1, 2, 3, 4, 5, 6).finished();
    const Dataset complete = complete_cases(data);
    ASSERT_EQ(complete.rows, 3);
    EXPECT_EQ(complete.case_weights, (Eigen::VectorXd(3) << 1, 5, 6).finished());
    EXPECT_EQ(complete.matrix()(1, 2), 6.0);
    EXPECT_FALSE(has_missing_values(complete));
    EXPECT_TRUE(has_missing_values(data));
}

// ---------------------------------------------------------------------------------------------
// The bootstrap with missing values: deterministic for any thread count, every treatment.

namespace {

// The CCSI example with about 3 % of its cells blanked (a fixed pattern).
Dataset ccsi_with_missing() {
    Dataset data = testing_support::ccsi_example().data;
    auto x = data.matrix();
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (Eigen::Index j = 0; j < x.cols(); ++j)
            if ((i * 31 + j * 17) % 37 == 0) x(i, j) = NA;
    return data;
}

}  // namespace

TEST(MissingBootstrap, SameDrawsForAnyThreadCountWithEveryTreatment) {
    const auto& example = testing_support::ccsi_example();
    const Dataset data = ccsi_with_missing();
    ASSERT_TRUE(has_missing_values(data));
    for (auto t : {MissingTreatment::listwise, MissingTreatment::mean, MissingTreatment::pairwise, MissingTreatment::em}) {
        MissingOptions missing{t};
        const IndicatorMoments moments = compute_moments(data, missing);
        const PlsResult original = estimate(example.model, moments, EstimationOptions{});
        BootstrapOptions options;
        options.resamples = 40;
        options.missing = missing;
        options.index_scales.assign(original.indicators.size(), AnswerScale{1, 10});
        options.threads = 1;
        const BootstrapResult one = bootstrap(example.model, data, original, options);
        options.threads = 2;
        const BootstrapResult two = bootstrap(example.model, data, original, options);
        EXPECT_EQ(one.succeeded, 40) << to_string(t) << (one.failures.empty() ? "" : one.failures.front().reason);
        EXPECT_EQ(one.draws, two.draws) << to_string(t);
        EXPECT_GT(one.summaries.front().se, 0.0);
    }
}

// Complete data take the complete-data kernel whatever the treatment: the same draws.
TEST(MissingBootstrap, TreatmentChangesNothingWithoutMissingValues) {
    const auto& example = testing_support::ccsi_example();
    BootstrapOptions options;
    options.resamples = 20;
    options.threads = 2;
    const BootstrapResult plain = bootstrap(example.model, example.data, example.original, options);
    options.missing.treatment = MissingTreatment::em;
    const BootstrapResult same = bootstrap(example.model, example.data, example.original, options);
    EXPECT_EQ(plain.draws, same.draws);
}

// ---------------------------------------------------------------------------------------------
// seminr's corporate reputation data (−99 = missing), simple model of the PLS-SEM primer.

namespace {

const std::string corp_rep_model =
    "COMP =~ comp_1 + comp_2 + comp_3\n"
    "LIKE =~ like_1 + like_2 + like_3\n"
    "CUSA =~ cusa\n"
    "CUSL =~ cusl_1 + cusl_2 + cusl_3\n"
    "CUSA ~ COMP + LIKE\n"
    "CUSL ~ COMP + LIKE + CUSA\n";

std::string corp_rep_path() { return std::string(CSIPLS_SHARED_DIR) + "/data/corp_rep_data.csv"; }

// The file's rows as text fields (the test's own split: no quotes in this file).
std::vector<std::vector<std::string>> corp_rep_rows() {
    std::ifstream in(corp_rep_path());
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::stringstream split(line);
        std::string field;
        while (std::getline(split, field, ',')) fields.push_back(field);
        rows.push_back(fields);
    }
    return rows;
}

// The indicators as a data set after the test's own treatment of −99: listwise drops the row, mean
// replacement writes the column's mean of the other answers.
Dataset corp_rep_treated_by_hand(const std::vector<std::string>& indicators, bool listwise) {
    const auto rows = corp_rep_rows();
    std::vector<int> field;
    for (const auto& name : indicators)
        field.push_back(static_cast<int>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin()));
    std::vector<double> sum(indicators.size(), 0), count(indicators.size(), 0);
    for (std::size_t r = 1; r < rows.size(); ++r)
        for (std::size_t k = 0; k < indicators.size(); ++k)
            if (rows[r][field[k]] != "-99") sum[k] += std::stod(rows[r][field[k]]), count[k] += 1;
    std::vector<std::vector<double>> kept;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        std::vector<double> values;
        bool complete = true;
        for (std::size_t k = 0; k < indicators.size(); ++k) {
            const bool missing = rows[r][field[k]] == "-99";
            complete = complete && !missing;
            values.push_back(missing ? sum[k] / count[k] : std::stod(rows[r][field[k]]));
        }
        if (complete || !listwise) kept.push_back(values);
    }
    Eigen::MatrixXd matrix(static_cast<Eigen::Index>(kept.size()), static_cast<Eigen::Index>(indicators.size()));
    for (std::size_t r = 0; r < kept.size(); ++r)
        for (std::size_t k = 0; k < indicators.size(); ++k)
            matrix(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k)) = kept[r][k];
    return dataset_from(indicators, matrix);
}

}  // namespace

TEST(MissingCorpRep, EstimatesWithEveryTreatment) {
    if (!std::filesystem::exists(corp_rep_path()))
        GTEST_SKIP() << "../shared/data/corp_rep_data.csv is not there (CSIPLS_SHARED_DIR=" << CSIPLS_SHARED_DIR << ")";
    const Model model = parse_model(corp_rep_model, "corp_rep.model");
    CsvOptions csv;
    csv.missing_codes = {-99};
    const Dataset data = read_csv(corp_rep_path(), model.all_indicators(), csv);
    ASSERT_EQ(data.rows, 344);
    EstimationOptions options;
    options.tolerance = 1e-10;

    for (auto t : {MissingTreatment::listwise, MissingTreatment::mean, MissingTreatment::pairwise, MissingTreatment::em}) {
        MissingReport report;
        const IndicatorMoments moments = compute_moments(data, {t}, &report);
        const PlsResult result = estimate(model, moments, options);
        EXPECT_TRUE(result.converged) << to_string(t);
        // Counted from the file by this test's own split: 11 cells, in 8 respondents.
        EXPECT_EQ(report.missing_cells(), 11) << to_string(t);
        EXPECT_EQ(report.complete_respondents, 336) << to_string(t);
        EXPECT_EQ(report.missing_per_indicator[static_cast<std::size_t>(data.column_index("cusl_2"))], 4);
        EXPECT_EQ(report.respondents_used, t == MissingTreatment::listwise ? 336 : 344) << to_string(t);
        // CSI-like paths: satisfaction drives loyalty strongly in every treatment.
        const int cusa = 2, cusl = 3;
        EXPECT_GT(result.path_coefficients(cusa, cusl), 0.4) << to_string(t);
        EXPECT_LT(result.path_coefficients(cusa, cusl), 0.6) << to_string(t);
    }

    // Listwise and mean replacement equal the complete-data estimate on data treated by hand.
    for (bool listwise : {true, false}) {
        const Dataset by_hand = corp_rep_treated_by_hand(model.all_indicators(), listwise);
        const PlsResult expected = estimate(model, compute_moments(by_hand), options);
        const PlsResult actual =
            estimate(model, compute_moments(data, {listwise ? MissingTreatment::listwise : MissingTreatment::mean}), options);
        EXPECT_EQ(actual.n_obs, expected.n_obs);
        EXPECT_LT((actual.path_coefficients - expected.path_coefficients).cwiseAbs().maxCoeff(), 1e-12);
        EXPECT_LT((actual.outer_weights - expected.outer_weights).cwiseAbs().maxCoeff(), 1e-12);
    }
}

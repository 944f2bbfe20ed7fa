#include "csipls/core/assessment.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/io/model_file.hpp"
#include "test_helpers.hpp"

#ifndef CSIPLS_SHARED_DIR
#error "CSIPLS_SHARED_DIR must name the shared data folder"
#endif

using namespace csipls;
using namespace csipls::testing_support;
using testing::HasSubstr;

namespace {

EstimationOptions tight() {
    EstimationOptions options;
    options.tolerance = 1e-13;
    return options;
}

struct Estimated {
    Model model;
    IndicatorMoments moments;
    PlsResult result;
};

Estimated estimate_on(Model model, const Eigen::MatrixXd& correlation, Eigen::Index n = 100) {
    Estimated e{std::move(model), {}, {}};
    e.moments = moments_for(e.model, correlation, n);
    e.result = estimate(e.model, e.moments, tight());
    return e;
}

// Two blocks of two indicators, A → B, within-block correlations ra and rb and every cross-block
// correlation c: by symmetry both weights of a block are equal.
Eigen::MatrixXd symmetric_two_blocks(double ra, double rb, double c) {
    Eigen::MatrixXd s(4, 4);
    s << 1.0, ra, c, c,  //
        ra, 1.0, c, c,   //
        c, c, 1.0, rb,   //
        c, c, rb, 1.0;
    return s;
}

Model two_blocks_of_two(MeasurementMode mode = MeasurementMode::reflective) {
    Model model;
    model.constructs = {block("A", {"a1", "a2"}, mode), block("B", {"b1", "b2"})};
    model.paths = {path("A", "B")};
    return model;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Hand-computed cases.

// A 2-indicator block with correlation r and equal weights w (w'Sw = 1 gives w² = 1/(2(1 + r))):
// α = 2r/(1 + r); ρ_A = (2w²)² · 2w²r / (2w⁴) = 4w²r = 2r/(1 + r); λ = w(1 + r) = √((1 + r)/2), so
// ρ_C = 4λ²/(4λ² + 2 − 2λ²) = 2(1 + r)/(3 + r) and AVE = (1 + r)/2.
TEST(AssessmentReliability, TwoIndicatorBlockMatchesClosedForms) {
    const double ra = 0.6, rb = 0.3;
    const Estimated e = estimate_on(two_blocks_of_two(), symmetric_two_blocks(ra, rb, 0.25));
    ASSERT_TRUE(e.result.converged);
    const Assessment a = assess(e.model, e.result, e.moments);
    for (const auto& [c, r] : {std::pair{0, ra}, std::pair{1, rb}}) {
        EXPECT_NEAR(a.reliability.cronbach_alpha[c], 2 * r / (1 + r), 1e-12) << c;
        EXPECT_NEAR(a.reliability.rho_a[c], 2 * r / (1 + r), 1e-10) << c;
        EXPECT_NEAR(a.reliability.rho_c[c], 2 * (1 + r) / (3 + r), 1e-10) << c;
        EXPECT_NEAR(a.reliability.ave[c], (1 + r) / 2, 1e-10) << c;
    }
    // Fornell–Larcker: √AVE on the diagonal, construct correlations off it.
    EXPECT_NEAR(a.fornell_larcker(0, 0), std::sqrt((1 + ra) / 2), 1e-10);
    EXPECT_NEAR(a.fornell_larcker(1, 1), std::sqrt((1 + rb) / 2), 1e-10);
    EXPECT_DOUBLE_EQ(a.fornell_larcker(1, 0), e.result.construct_correlations(1, 0));
    EXPECT_TRUE(a.admissibility.admissible);
}

TEST(AssessmentReliability, SingleItemBlockHasNoAlphaAndUnitReliabilities) {
    Model model;
    model.constructs = {block("A", {"a1", "a2"}), block("B", {"b1"})};
    model.paths = {path("A", "B")};
    Eigen::MatrixXd s(3, 3);
    s << 1.0, 0.5, 0.3,  //
        0.5, 1.0, 0.4,   //
        0.3, 0.4, 1.0;
    const Estimated e = estimate_on(model, s);
    const Assessment a = assess(e.model, e.result, e.moments);
    EXPECT_TRUE(std::isnan(a.reliability.cronbach_alpha[1]));
    EXPECT_EQ(a.reliability.rho_a[1], 1.0);
    EXPECT_EQ(a.reliability.rho_c[1], 1.0);
    EXPECT_EQ(a.reliability.ave[1], 1.0);
    EXPECT_NEAR(a.reliability.cronbach_alpha[0], 2 * 0.5 / 1.5, 1e-12);
    // HTMT with a single item: its monotrait mean is 1, so HTMT = mean(0.3, 0.4)/√0.5.
    ASSERT_EQ(a.htmt.size(), 1u);
    EXPECT_EQ(a.htmt[0].a, 1);
    EXPECT_EQ(a.htmt[0].b, 0);
    EXPECT_NEAR(a.htmt[0].value, 0.35 / std::sqrt(0.5), 1e-12);
    EXPECT_NEAR(a.htmt2[0].value, std::sqrt(0.3 * 0.4) / std::sqrt(0.5), 1e-12);
    EXPECT_TRUE(a.admissibility.admissible) << testing::PrintToString(a.admissibility.problems);
}

// A → B with one indicator each and correlation r: R² = r², R²_excl = 0, so f² = r²/(1 − r²); the
// model reproduces S exactly, so every fit measure is 0. AIC/BIC per Sharma et al. (2019):
// SSE = (1 − r²)(n − 1), k = 2.
TEST(AssessmentEffects, SingleIndicatorChainEffectSizeAndInformationCriteria) {
    const double r = 0.45;
    const Eigen::Index n = 120;
    Model model;
    model.constructs = {block("A", {"a"}), block("B", {"b"})};
    model.paths = {path("A", "B")};
    Eigen::MatrixXd s(2, 2);
    s << 1.0, r, r, 1.0;
    const Estimated e = estimate_on(model, s, n);
    const Assessment a = assess(e.model, e.result, e.moments);
    ASSERT_EQ(a.f2.size(), 1u);
    EXPECT_EQ(a.f2[0].from, 0);
    EXPECT_EQ(a.f2[0].to, 1);
    EXPECT_NEAR(a.f2[0].value, r * r / (1 - r * r), 1e-12);
    ASSERT_EQ(a.vif_structural.size(), 1u);
    EXPECT_NEAR(a.vif_structural[0].value, 1.0, 1e-12);
    EXPECT_NEAR(a.fit.estimated_model.srmr, 0.0, 1e-12);
    EXPECT_NEAR(a.fit.estimated_model.d_uls, 0.0, 1e-12);
    EXPECT_NEAR(a.fit.estimated_model.d_g, 0.0, 1e-12);
    EXPECT_NEAR(a.fit.saturated_model.srmr, 0.0, 1e-12);

    ASSERT_EQ(a.information_criteria.size(), 1u);
    EXPECT_EQ(a.information_criteria[0].construct, 1);
    const double nd = static_cast<double>(n), sse = (1 - r * r) * (nd - 1), k = 2;
    EXPECT_NEAR(a.information_criteria[0].aic, nd * std::log(sse / nd) + 2 * k, 1e-9);
    EXPECT_NEAR(a.information_criteria[0].bic, nd * std::log(sse / nd) + k * std::log(nd), 1e-9);
    // By hand for r = 0.45, n = 120: SSE = 0.7975 · 119 = 94.9025, ln(94.9025/120) = −0.2346416940,
    // AIC = 120 · (−0.2346416940) + 4 = −24.1570033, BIC = −28.1570033 + 2 ln 120 = −18.5820198.
    EXPECT_NEAR(a.information_criteria[0].aic, -24.1570033, 1e-6);
    EXPECT_NEAR(a.information_criteria[0].bic, -18.5820198, 1e-6);
}

// A, B → C with single indicators, corr(A, B) = r: both VIFs are 1/(1 − r²). With correlations
// ra, rb of A, B with C: R² = (ra² + rb² − 2 ra rb r)/(1 − r²), and without A the R² is rb².
TEST(AssessmentEffects, TwoPredictorsVifAndEffectSizes) {
    const double r = 0.5, ra = 0.4, rb = 0.35;
    Model model;
    model.constructs = {block("A", {"a"}), block("B", {"b"}), block("C", {"c"})};
    model.paths = {path("A", "C"), path("B", "C")};
    Eigen::MatrixXd s(3, 3);
    s << 1.0, r, ra,  //
        r, 1.0, rb,   //
        ra, rb, 1.0;
    const Estimated e = estimate_on(model, s);
    const Assessment a = assess(e.model, e.result, e.moments);
    ASSERT_EQ(a.vif_structural.size(), 2u);
    for (const auto& vif : a.vif_structural) {
        EXPECT_EQ(vif.dependent, 2);
        EXPECT_NEAR(vif.value, 1 / (1 - r * r), 1e-12);
    }
    EXPECT_EQ(a.vif_structural[0].predictor, 0);
    EXPECT_EQ(a.vif_structural[1].predictor, 1);
    const double r2 = (ra * ra + rb * rb - 2 * ra * rb * r) / (1 - r * r);
    ASSERT_EQ(a.f2.size(), 2u);
    EXPECT_NEAR(a.f2[0].value, (r2 - rb * rb) / (1 - r2), 1e-12);
    EXPECT_NEAR(a.f2[1].value, (r2 - ra * ra) / (1 - r2), 1e-12);
    // The saturated model with single items reproduces S.
    EXPECT_NEAR(a.fit.saturated_model.srmr, 0.0, 1e-12);
    // Exogenous A and B keep their observed correlation, and C is regressed on both: exact fit too.
    EXPECT_NEAR(a.fit.estimated_model.srmr, 0.0, 1e-12);
}

// A → B → C with single items: the model implies r_AC = r_AB r_BC, so the only residual is
// e = r_AC − r_AB r_BC (twice in the full matrix, once in the lower triangle of 6 elements).
TEST(AssessmentFit, ChainResidualGivesHandComputedSrmrAndDuls) {
    const double rab = 0.5, rbc = 0.4, rac = 0.5;
    Model model;
    model.constructs = {block("A", {"a"}), block("B", {"b"}), block("C", {"c"})};
    model.paths = {path("A", "B"), path("B", "C")};
    Eigen::MatrixXd s(3, 3);
    s << 1.0, rab, rac,  //
        rab, 1.0, rbc,   //
        rac, rbc, 1.0;
    const Estimated e = estimate_on(model, s);
    const Assessment a = assess(e.model, e.result, e.moments);
    const double residual = rac - rab * rbc;
    EXPECT_NEAR(a.fit.estimated_model.srmr, std::sqrt(residual * residual / 6), 1e-12);
    EXPECT_NEAR(a.fit.estimated_model.d_uls, residual * residual, 1e-12);
    Eigen::MatrixXd implied = s;
    implied(0, 2) = implied(2, 0) = rab * rbc;
    const Eigen::MatrixXd ours = implied_indicator_correlation(e.model, e.result, e.moments, ImpliedModel::estimated);
    EXPECT_TRUE(ours.isApprox(implied, 1e-12)) << ours;
    // d_G from the eigenvalues of S⁻¹Σ computed another way.
    const Eigen::EigenSolver<Eigen::MatrixXd> eig(s.inverse() * implied);
    double dg = 0;
    for (Eigen::Index i = 0; i < 3; ++i) dg += 0.5 * std::pow(std::log(eig.eigenvalues()[i].real()), 2);
    EXPECT_NEAR(a.fit.estimated_model.d_g, dg, 1e-12);
    EXPECT_NEAR(a.fit.saturated_model.d_uls, 0.0, 1e-12);
}

// HTMT of two 2-indicator blocks: mean heterotrait correlation / √(ra rb); HTMT2 uses geometric
// means; a negative heterotrait correlation makes HTMT2 undefined and separates the signed HTMT
// from the absolute one.
TEST(AssessmentValidity, HtmtVariantsByHand) {
    Eigen::MatrixXd s(4, 4);
    s << 1.0, 0.6, 0.3, 0.2,  //
        0.6, 1.0, 0.25, 0.35,  //
        0.3, 0.25, 1.0, 0.4,   //
        0.2, 0.35, 0.4, 1.0;
    Estimated e = estimate_on(two_blocks_of_two(), s);
    Assessment a = assess(e.model, e.result, e.moments);
    ASSERT_EQ(a.htmt.size(), 1u);
    EXPECT_NEAR(a.htmt[0].value, (0.3 + 0.2 + 0.25 + 0.35) / 4 / std::sqrt(0.6 * 0.4), 1e-12);
    EXPECT_NEAR(a.htmt_absolute[0].value, a.htmt[0].value, 1e-15);
    EXPECT_NEAR(a.htmt2[0].value, std::pow(0.3 * 0.2 * 0.25 * 0.35, 0.25) / std::sqrt(0.6 * 0.4), 1e-12);

    s(0, 3) = s(3, 0) = -0.1;
    e = estimate_on(two_blocks_of_two(), s);
    a = assess(e.model, e.result, e.moments);
    EXPECT_NEAR(a.htmt[0].value, (0.3 - 0.1 + 0.25 + 0.35) / 4 / std::sqrt(0.24), 1e-12);
    EXPECT_NEAR(a.htmt_absolute[0].value, (0.3 + 0.1 + 0.25 + 0.35) / 4 / std::sqrt(0.24), 1e-12);
    EXPECT_TRUE(std::isnan(a.htmt2[0].value));
}

// Indicator VIFs of a mode-B block of two indicators with correlation r: 1/(1 − r²) each; none for
// mode-A blocks.
TEST(AssessmentCollinearity, FormativeBlockIndicatorVif) {
    const double r = 0.7;
    const Estimated e = estimate_on(two_blocks_of_two(MeasurementMode::formative), symmetric_two_blocks(r, 0.4, 0.3));
    const Assessment a = assess(e.model, e.result, e.moments);
    ASSERT_EQ(a.vif_formative.size(), 2u);
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(a.vif_formative[i].construct, 0);
        EXPECT_EQ(a.vif_formative[i].indicator, i);
        EXPECT_NEAR(a.vif_formative[i].value, 1 / (1 - r * r), 1e-12);
    }
}

TEST(AssessmentAdmissibility, FlagsLoadingAboveOneAndNonConvergence) {
    const Estimated e = estimate_on(two_blocks_of_two(), symmetric_two_blocks(0.6, 0.3, 0.25));
    ASSERT_TRUE(assess(e.model, e.result, e.moments).admissibility.admissible);

    PlsResult bad = e.result;
    bad.loadings[0] = 1.2;
    bad.converged = false;
    const Admissibility verdict = assess(e.model, bad, e.moments).admissibility;
    EXPECT_FALSE(verdict.admissible);
    EXPECT_THAT(verdict.problems, testing::Contains(HasSubstr("did not converge")));
    EXPECT_THAT(verdict.problems, testing::Contains(AllOf(HasSubstr("'a1'"), HasSubstr("1.2"), HasSubstr("above 1"))));
}

TEST(AssessmentAdmissibility, FlagsNonPositiveSemiDefiniteConstructCorrelations) {
    Model model;
    model.constructs = {block("A", {"a"}), block("B", {"b"}), block("C", {"c"})};
    model.paths = {path("A", "C"), path("B", "C")};
    Eigen::MatrixXd s(3, 3);
    s << 1.0, 0.2, 0.3,  //
        0.2, 1.0, 0.3,   //
        0.3, 0.3, 1.0;
    const Estimated e = estimate_on(model, s);
    PlsResult bad = e.result;
    // Correlations 0.9, 0.9, −0.9 cannot hold together.
    bad.construct_correlations << 1.0, 0.9, 0.9,  //
        0.9, 1.0, -0.9,                           //
        0.9, -0.9, 1.0;
    const Assessment a = assess(e.model, bad, e.moments);  // must not throw
    EXPECT_FALSE(a.admissibility.admissible);
    EXPECT_THAT(a.admissibility.problems,
                testing::Contains(HasSubstr("construct correlation matrix is not positive semi-definite")));
}

TEST(AssessmentAdmissibility, RefusesResultOfAnotherModel) {
    const Estimated e = estimate_on(two_blocks_of_two(), symmetric_two_blocks(0.6, 0.3, 0.25));
    Model other = e.model;
    other.constructs[0].indicators = {"a1", "a2", "a3"};
    EXPECT_THROW(assess(other, e.result, e.moments), EstimationError);
}

// ---------------------------------------------------------------------------------------------
// The ECSI model on mobi against cSEM 0.6.1 (../shared/reference/ecsi_mobi_path.json).

namespace {

class MaxDifference {
public:
    void add(const std::string& measure, double ours, double reference) {
        double& worst = worst_[measure];
        worst = std::max(worst, std::abs(ours - reference));
    }
    void print() const {
        for (const auto& [measure, worst] : worst_)
            std::cout << "  max |ours - cSEM| " << measure << ": " << worst << "\n";
    }

private:
    std::map<std::string, double> worst_;
};

int index_of(const std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

}  // namespace

TEST(AssessmentReference, EcsiMobiMatchesCsem) {
    namespace fs = std::filesystem;
    const fs::path shared(CSIPLS_SHARED_DIR);
    const fs::path reference_file = shared / "reference" / "ecsi_mobi_path.json";
    if (!fs::exists(reference_file) || !fs::exists(shared / "data" / "mobi.csv"))
        GTEST_SKIP() << "the shared folder " << CSIPLS_SHARED_DIR
                     << " with data/mobi.csv and reference/ecsi_mobi_path.json is absent";
    std::ifstream in(reference_file);
    const nlohmann::json ref = nlohmann::json::parse(in);

    const Model model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model");
    const Dataset data = read_csv((shared / "data" / "mobi.csv").string(), model.all_indicators());
    const IndicatorMoments moments = compute_moments(data);
    EstimationOptions options;
    options.tolerance = 1e-10;
    const PlsResult result = estimate(model, moments, options);
    ASSERT_TRUE(result.converged);
    const Assessment a = assess(model, result, moments);
    constexpr double tolerance = 1e-6;
    MaxDifference diff;

    const auto& names = result.constructs;
    auto per_construct = [&](const char* key, const Eigen::VectorXd& ours) {
        const auto& expected = ref.at(key);
        ASSERT_EQ(expected.size(), names.size()) << key;
        for (const auto& [name, value] : expected.items()) {
            const int c = index_of(names, name);
            ASSERT_GE(c, 0) << key << ": " << name;
            if (value.is_null()) {
                EXPECT_TRUE(std::isnan(ours[c])) << key << ": " << name;
                continue;
            }
            EXPECT_NEAR(ours[c], value.get<double>(), tolerance) << key << ": " << name;
            diff.add(key, ours[c], value.get<double>());
        }
    };
    per_construct("cronbach_alpha", a.reliability.cronbach_alpha);
    per_construct("rho_c", a.reliability.rho_c);
    per_construct("rho_a", a.reliability.rho_a);
    per_construct("ave", a.reliability.ave);

    auto pairs = [&](const char* key, const std::vector<ConstructPairValue>& ours) {
        const auto& expected = ref.at(key).at("pairs");
        ASSERT_EQ(expected.size(), ours.size()) << key;
        for (std::size_t i = 0; i < ours.size(); ++i) {
            const auto& pair = expected[i];
            EXPECT_EQ(names[ours[i].a], pair.at("a").get<std::string>()) << key << " #" << i;
            EXPECT_EQ(names[ours[i].b], pair.at("b").get<std::string>()) << key << " #" << i;
            const std::string label = std::string(key) + " " + names[ours[i].a] + "-" + names[ours[i].b];
            if (pair.at("value").is_null()) {
                EXPECT_TRUE(std::isnan(ours[i].value)) << label;
                continue;
            }
            EXPECT_NEAR(ours[i].value, pair.at("value").get<double>(), tolerance) << label;
            diff.add(key, ours[i].value, pair.at("value").get<double>());
        }
    };
    pairs("htmt_signed", a.htmt);
    pairs("htmt_absolute", a.htmt_absolute);
    pairs("htmt2", a.htmt2);

    for (const auto& [which, ours] : {std::pair{"estimated_model", a.fit.estimated_model},
                                      std::pair{"saturated_model", a.fit.saturated_model}}) {
        const auto& expected = ref.at("fit").at(which);
        const std::string w = which;
        EXPECT_NEAR(ours.srmr, expected.at("srmr").get<double>(), tolerance) << w;
        EXPECT_NEAR(ours.d_uls, expected.at("d_uls").get<double>(), tolerance) << w;
        EXPECT_NEAR(ours.d_g, expected.at("d_g").get<double>(), tolerance) << w;
        diff.add("fit " + w + " srmr", ours.srmr, expected.at("srmr").get<double>());
        diff.add("fit " + w + " d_uls", ours.d_uls, expected.at("d_uls").get<double>());
        diff.add("fit " + w + " d_g", ours.d_g, expected.at("d_g").get<double>());
    }

    EXPECT_NEAR(a.gof, ref.at("gof").get<double>(), tolerance);
    diff.add("gof", a.gof, ref.at("gof").get<double>());

    ASSERT_EQ(ref.at("f2").size(), a.f2.size());
    for (const auto& expected : ref.at("f2")) {
        const int from = index_of(names, expected.at("from").get<std::string>());
        const int to = index_of(names, expected.at("to").get<std::string>());
        const auto match = std::find_if(a.f2.begin(), a.f2.end(),
                                        [&](const PathEffectSize& e) { return e.from == from && e.to == to; });
        ASSERT_NE(match, a.f2.end()) << expected.dump();
        EXPECT_NEAR(match->value, expected.at("f2").get<double>(), tolerance) << expected.dump();
        diff.add("f2", match->value, expected.at("f2").get<double>());
    }

    int compared = 0;
    for (const auto& equation : ref.at("vif_structural")) {
        const int dependent = index_of(names, equation.at("dependent").get<std::string>());
        for (const auto& [predictor_name, value] : equation.at("vif").items()) {
            const int predictor = index_of(names, predictor_name);
            const auto match =
                std::find_if(a.vif_structural.begin(), a.vif_structural.end(), [&](const StructuralVif& v) {
                    return v.dependent == dependent && v.predictor == predictor;
                });
            ASSERT_NE(match, a.vif_structural.end()) << equation.at("dependent") << " ~ " << predictor_name;
            EXPECT_NEAR(match->value, value.get<double>(), tolerance)
                << equation.at("dependent") << " ~ " << predictor_name;
            diff.add("vif_structural", match->value, value.get<double>());
            ++compared;
        }
    }
    EXPECT_EQ(compared, 9);
    // Equations with one predictor (not in the reference) have VIF 1.
    for (const auto& v : a.vif_structural)
        if (std::count_if(a.vif_structural.begin(), a.vif_structural.end(),
                          [&](const StructuralVif& w) { return w.dependent == v.dependent; }) == 1)
            EXPECT_DOUBLE_EQ(v.value, 1.0);

    EXPECT_TRUE(a.admissibility.admissible) << testing::PrintToString(a.admissibility.problems);
    EXPECT_TRUE(a.vif_formative.empty());
    EXPECT_EQ(a.information_criteria.size(), 6u);
    std::cout << "ECSI on mobi against cSEM 0.6.1:\n";
    diff.print();
}

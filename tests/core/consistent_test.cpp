#include "csipls/core/consistent.hpp"

#include <Eigen/Core>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "csipls/core/assessment.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
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
    options.max_iterations = 1000;
    return options;
}

Model ccsi_population() { return read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model"); }

// Constructs with two indicators each ("<name>1", "<name>2"), joined by `paths`.
Model two_indicator_blocks(const std::vector<std::string>& names,
                           const std::vector<std::pair<std::string, std::string>>& paths) {
    Model model;
    for (const auto& name : names) model.constructs.push_back(block(name, {name + "1", name + "2"}));
    for (const auto& [from, to] : paths) model.paths.push_back(path(from, to));
    return model;
}

// The implied correlations of a common-factor model whose constructs all have two indicators with
// loadings `lambda[c]`, and construct correlations `phi`.
Eigen::MatrixXd two_indicator_correlations(const Eigen::VectorXd& lambda, const Eigen::MatrixXd& phi) {
    const Eigen::Index p = 2 * lambda.size();
    Eigen::MatrixXd sigma(p, p);
    for (Eigen::Index a = 0; a < p; ++a)
        for (Eigen::Index b = 0; b < p; ++b)
            sigma(a, b) = a == b ? 1.0 : lambda[a / 2] * lambda[b / 2] * phi(a / 2, b / 2);
    return sigma;
}

double max_path_error(const Model& model, const Eigen::MatrixXd& estimated, const Eigen::MatrixXd& population) {
    double worst = 0.0;
    for (const auto& link : model.paths) {
        const int from = model.construct_index(link.from);
        const int to = model.construct_index(link.to);
        worst = std::max(worst, std::abs(estimated(from, to) - population(from, to)));
    }
    return worst;
}

}  // namespace

// Two constructs of two parallel indicators (loading λ) correlated φ. By symmetry the mode-A weights
// are equal, w = 1/√(2 + 2λ²), so every PLS and PLSc quantity has a closed form:
//   PLS loading √((1 + λ²)/2), ρ_A = 2λ²/(1 + λ²) (Spearman–Brown for two items of reliability λ²),
//   PLS construct correlation ρ_A·φ; PLSc loading λ, construct correlation and path φ, R² φ².
TEST(Consistent, TwoParallelBlocksRecoverLoadingAndCorrelationExactly) {
    const Model model = two_indicator_blocks({"A", "B"}, {{"A", "B"}});
    for (const auto& [lambda, phi] : {std::pair{0.7, 0.5}, std::pair{0.9, -0.3}, std::pair{0.55, 0.8}}) {
        SCOPED_TRACE("lambda " + std::to_string(lambda) + ", phi " + std::to_string(phi));
        Eigen::Matrix2d construct_phi;
        construct_phi << 1.0, phi, phi, 1.0;
        const IndicatorMoments moments =
            moments_for(model, two_indicator_correlations(Eigen::Vector2d(lambda, lambda), construct_phi), 100);
        const PlsResult pls = estimate(model, moments, tight());
        ASSERT_TRUE(pls.converged);
        const double rho = 2.0 * lambda * lambda / (1.0 + lambda * lambda);
        EXPECT_NEAR(pls.loadings[0], std::sqrt((1.0 + lambda * lambda) / 2.0), 1e-12);
        EXPECT_NEAR(pls.construct_correlations(0, 1), rho * phi, 1e-12);

        const Eigen::VectorXd rho_a = dijkstra_henseler_rho_a(model, pls, moments);
        EXPECT_NEAR(rho_a[0], rho, 1e-12);
        EXPECT_NEAR(rho_a[1], rho, 1e-12);

        const PlsResult c = make_consistent(model, pls, moments);
        for (Eigen::Index k = 0; k < 4; ++k) EXPECT_NEAR(c.loadings[k], lambda, 1e-12);
        EXPECT_NEAR(c.construct_correlations(0, 1), phi, 1e-12);
        EXPECT_NEAR(c.construct_correlations(1, 0), phi, 1e-12);
        EXPECT_EQ(c.construct_correlations(0, 0), 1.0);
        EXPECT_NEAR(c.path_coefficients(0, 1), phi, 1e-12);
        EXPECT_EQ(c.path_coefficients(1, 0), 0.0);
        EXPECT_NEAR(c.r2[1], phi * phi, 1e-12);
        EXPECT_NEAR(c.r2_adj[1], 1.0 - (1.0 - phi * phi) * 99.0 / 98.0, 1e-12);
        EXPECT_TRUE(std::isnan(c.r2[0]));
        EXPECT_NEAR(c.total_effects(0, 1), phi, 1e-12);
        EXPECT_EQ(c.indirect_effects(0, 1), 0.0);
        // Unchanged: weights, cross-loadings (the PLS composite values), convergence.
        EXPECT_EQ(c.outer_weights, pls.outer_weights);
        EXPECT_EQ(c.cross_loadings, pls.cross_loadings);
        EXPECT_EQ(c.converged, pls.converged);
        EXPECT_EQ(c.iterations, pls.iterations);
    }
}

// On the population correlation matrix itself PLSc is exact: mode-A weights are then proportional
// to the loadings, the correction factor recovers the loadings, and the disattenuated correlations
// are the construct correlations (the consistency property, Dijkstra & Henseler 2015). Plain PLS
// is not: its paths are attenuated and its loadings inflated.
TEST(Consistent, PopulationCorrelationsGivePopulationValues) {
    const Model model = ccsi_population();
    const PopulationModel population = population_model(model, SimulationOptions{});
    const IndicatorMoments moments = moments_for(model, population.indicator_correlations, 100'000'000);
    const PlsResult pls = estimate(model, moments, tight());
    ASSERT_TRUE(pls.converged);
    const PlsResult c = make_consistent(model, pls, moments);

    EXPECT_LT((c.path_coefficients - population.path_coefficients).cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_LT((c.loadings - population.loadings).cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_LT((c.construct_correlations - population.construct_correlations).cwiseAbs().maxCoeff(), 1e-6);
    // Population R² = β'Φβ of each equation (the model file's comment rounds them: 0.25, …, 0.4406).
    for (Eigen::Index to = 0; to < population.path_coefficients.cols(); ++to) {
        const Eigen::VectorXd beta = population.path_coefficients.col(to);
        if (beta.cwiseAbs().sum() == 0.0) continue;
        EXPECT_NEAR(c.r2[to], beta.dot(population.construct_correlations * beta), 1e-6) << pls.constructs[to];
    }
    EXPECT_NEAR(c.r2[model.construct_index("预期质量")], 0.25, 1e-6);
    // Total effects follow from the paths: (I − B)⁻¹ − I.
    const Eigen::Index j = c.path_coefficients.rows();
    const Eigen::MatrixXd total =
        (Eigen::MatrixXd::Identity(j, j) - population.path_coefficients).inverse() - Eigen::MatrixXd::Identity(j, j);
    EXPECT_LT((c.total_effects - total).cwiseAbs().maxCoeff(), 1e-6);

    const int image = model.construct_index("品牌形象");
    const int expected = model.construct_index("预期质量");
    EXPECT_LT(pls.path_coefficients(image, expected), 0.47);
    EXPECT_GT((pls.loadings - population.loadings).minCoeff(), 0.0);  // every PLS loading overstated
}

// PLSc is consistent, plain PLS is not: on continuous data drawn from the population model, the
// PLSc paths approach the population paths at the 1/√n rate while the PLS paths stay attenuated.
// The bound 6/√n on the largest of the eleven path errors: by Monte Carlo (1000, 500 and 200
// replications at n = 200, 2000, 20000) the sampling sd of a PLSc path here is 0.93/√n to 1.36/√n
// and its bias below 0.007, so 6/√n is over four sd of the noisiest path; the eleven-path maximum
// never reached it in those 1700 draws (largest 0.38 at n = 200, 0.031 at n = 20000). The PLS bias
// (up to −0.089, on 预期质量 ~ 品牌形象) does not shrink with n. The seeds are fixed, so the test is
// deterministic.
TEST(Consistent, SimulatedPathsApproachPopulationAsSampleGrows) {
    const Model model = ccsi_population();
    SimulationOptions options;
    options.discrete = false;
    const PopulationModel population = population_model(model, options);
    const int image = model.construct_index("品牌形象");
    const int expected = model.construct_index("预期质量");

    std::cout << "PLS and PLSc on data drawn from data/ccsi_population.model (max |path error| over 11 paths):\n";
    for (const auto& [n, seed] : {std::pair<Eigen::Index, std::uint64_t>{200, 20260201},
                                  std::pair<Eigen::Index, std::uint64_t>{2000, 20260202},
                                  std::pair<Eigen::Index, std::uint64_t>{20000, 20260203}}) {
        SCOPED_TRACE("n = " + std::to_string(n));
        options.n = n;
        options.seed = seed;
        const Dataset data = simulate(model, options);
        const IndicatorMoments moments = compute_moments(data);
        const PlsResult pls = estimate(model, moments, tight());
        ASSERT_TRUE(pls.converged);
        const PlsResult c = make_consistent(model, pls, moments);

        const double pls_error = max_path_error(model, pls.path_coefficients, population.path_coefficients);
        const double plsc_error = max_path_error(model, c.path_coefficients, population.path_coefficients);
        std::cout << "  n = " << n << ": PLS " << pls_error << ", PLSc " << plsc_error << "; 预期质量 ~ 品牌形象 "
                  << "(population 0.5): PLS " << pls.path_coefficients(image, expected) << ", PLSc "
                  << c.path_coefficients(image, expected) << "\n";

        EXPECT_LT(plsc_error, 6.0 / std::sqrt(static_cast<double>(n)));
        if (n == 20000) {
            EXPECT_LT(plsc_error, 0.05);
            EXPECT_LT(pls.path_coefficients(image, expected), 0.47);
            EXPECT_NEAR(c.path_coefficients(image, expected), 0.5, 0.03);
            // The PLS bias does not shrink with n: at n = 20000 it is beyond the PLSc error bound.
            EXPECT_GT(pls_error, 6.0 / std::sqrt(static_cast<double>(n)));
            EXPECT_LT((c.loadings - population.loadings).cwiseAbs().maxCoeff(), 0.03);
        }
    }
}

// The ρ_A used for the correction is Assessment's ρ_A, for mode-A, mode-B and single-item blocks.
TEST(Consistent, RhoAIsAssessmentsRhoA) {
    Model model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    for (int variant = 0; variant < 2; ++variant) {
        SCOPED_TRACE(variant == 0 ? "the CCSI model" : "with a formative and a single-item block");
        if (variant == 1) {
            model.constructs[static_cast<std::size_t>(model.construct_index("感知价值"))].mode =
                MeasurementMode::formative;
            auto& loyalty = model.constructs[static_cast<std::size_t>(model.construct_index("顾客忠诚"))];
            loyalty.indicators = {"LOY2"};
            loyalty.population_loadings = {std::nullopt};
        }
        const Dataset data =
            read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", model.all_indicators());
        const IndicatorMoments moments = compute_moments(data);
        const PlsResult pls = estimate(model, moments, tight());
        ASSERT_TRUE(pls.converged);
        const Eigen::VectorXd ours = dijkstra_henseler_rho_a(model, pls, moments);
        const Eigen::VectorXd theirs = assess(model, pls, moments).reliability.rho_a;
        ASSERT_EQ(ours.size(), theirs.size());
        for (Eigen::Index c = 0; c < ours.size(); ++c) EXPECT_DOUBLE_EQ(ours[c], theirs[c]) << pls.constructs[c];

        const PlsResult c = make_consistent(model, pls, moments);
        Eigen::Index first = 0;  // first indicator of the block
        for (std::size_t b = 0; b < model.constructs.size(); ++b) {
            const auto& construct = model.constructs[b];
            const auto size = static_cast<Eigen::Index>(construct.indicators.size());
            const double ww = pls.outer_weights.segment(first, size).squaredNorm();
            for (Eigen::Index k = first; k < first + size; ++k) {
                if (construct.mode == MeasurementMode::formative || size == 1)
                    EXPECT_EQ(c.loadings[k], pls.loadings[k]) << pls.indicators[k];
                else  // λ = √ρ_A · w/(w'w)
                    EXPECT_NEAR(c.loadings[k],
                                std::sqrt(ours[static_cast<Eigen::Index>(b)]) * pls.outer_weights[k] / ww, 1e-14)
                        << pls.indicators[k];
            }
            first += size;
        }
        // Composite correlations divided by √(q_i q_j), q = ρ_A for reflective multi-item blocks, else 1.
        const auto j = static_cast<Eigen::Index>(model.constructs.size());
        for (Eigen::Index a = 0; a < j; ++a)
            for (Eigen::Index b = 0; b < j; ++b) {
                if (a == b) continue;
                const auto q = [&](Eigen::Index x) {
                    const auto& construct = model.constructs[static_cast<std::size_t>(x)];
                    return construct.mode == MeasurementMode::reflective && construct.indicators.size() > 1 ? ours[x]
                                                                                                             : 1.0;
                };
                EXPECT_NEAR(c.construct_correlations(a, b), pls.construct_correlations(a, b) / std::sqrt(q(a) * q(b)),
                            1e-14);
            }
    }
}

// ρ_A on mobi (ECSI) against cSEM, when the shared folder is there.
TEST(Consistent, RhoAOnMobiMatchesCsem) {
    namespace fs = std::filesystem;
    const fs::path shared(CSIPLS_SHARED_DIR);
    const fs::path reference_file = shared / "reference" / "ecsi_mobi_path.json";
    if (!fs::exists(reference_file) || !fs::exists(shared / "data" / "mobi.csv"))
        GTEST_SKIP() << "the shared folder " << CSIPLS_SHARED_DIR
                     << " with data/mobi.csv and reference/ecsi_mobi_path.json is absent";
    std::ifstream in(reference_file);
    const nlohmann::json ref = nlohmann::json::parse(in);
    Model model;
    for (const auto& [name, items] : ref.at("model").at("blocks").items()) {
        std::vector<std::string> indicators;
        if (items.is_string())
            indicators.push_back(items.get<std::string>());
        else
            for (const auto& item : items) indicators.push_back(item.get<std::string>());
        model.constructs.push_back(block(name, indicators));
    }
    for (const auto& link : ref.at("model").at("paths"))
        model.paths.push_back(path(link.at("from").get<std::string>(), link.at("to").get<std::string>()));
    const Dataset data = read_csv((shared / "data" / "mobi.csv").string(), model.all_indicators());
    const IndicatorMoments moments = compute_moments(data);
    EstimationOptions options;
    options.tolerance = 1e-10;
    const PlsResult pls = estimate(model, moments, options);
    ASSERT_TRUE(pls.converged);
    const Eigen::VectorXd ours = dijkstra_henseler_rho_a(model, pls, moments);
    const Eigen::VectorXd theirs = assess(model, pls, moments).reliability.rho_a;
    for (std::size_t c = 0; c < model.constructs.size(); ++c) {
        const auto index = static_cast<Eigen::Index>(c);
        EXPECT_DOUBLE_EQ(ours[index], theirs[index]) << model.constructs[c].name;
        EXPECT_NEAR(ours[index], ref.at("rho_a").at(model.constructs[c].name).get<double>(), 1e-6)
            << model.constructs[c].name;
    }
    const PlsResult c = make_consistent(model, pls, moments);
    EXPECT_TRUE(c.path_coefficients.allFinite());
}

// A block whose indicators correlate negatively has a negative ρ_A: the result is inadmissible but
// produced (cSEM's √|c²|), not refused.
TEST(Consistent, NegativeRhoAGivesValuesNotAnError) {
    const Model model = two_indicator_blocks({"A", "B"}, {{"A", "B"}});
    Eigen::Matrix4d sigma;
    sigma << 1.0, -0.1, 0.3, 0.3,  //
        -0.1, 1.0, 0.3, 0.3,       //
        0.3, 0.3, 1.0, 0.6,        //
        0.3, 0.3, 0.6, 1.0;
    const IndicatorMoments moments = moments_for(model, sigma, 100);
    const PlsResult pls = estimate(model, moments, tight());
    const Eigen::VectorXd rho_a = dijkstra_henseler_rho_a(model, pls, moments);
    ASSERT_LT(rho_a[0], 0.0);
    PlsResult c;
    ASSERT_NO_THROW(c = make_consistent(model, pls, moments));
    EXPECT_TRUE(c.loadings.allFinite());
    EXPECT_TRUE(c.path_coefficients.allFinite());
    EXPECT_NEAR(c.construct_correlations(0, 1),
                pls.construct_correlations(0, 1) / std::sqrt(std::abs(rho_a[0]) * rho_a[1]), 1e-14);
    EXPECT_GT(std::abs(c.construct_correlations(0, 1)), 1.0);  // inadmissible, left to assess()
}

// Two predictors of the same construct measured by parallel items with construct correlation 1:
// plain PLS sees composites correlated ρ_A < 1, PLSc sees the constructs correlated 1, a singular
// regression.
TEST(Consistent, SingularCorrectedPredictorsThrow) {
    const Model model = two_indicator_blocks({"A", "B", "C"}, {{"A", "C"}, {"B", "C"}});
    Eigen::Matrix3d phi;
    phi << 1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0;
    const IndicatorMoments moments =
        moments_for(model, two_indicator_correlations(Eigen::Vector3d(0.8, 0.8, 0.7), phi), 100);
    const PlsResult pls = estimate(model, moments, tight());
    EXPECT_TRUE(pls.path_coefficients.allFinite());
    try {
        make_consistent(model, pls, moments);
        ADD_FAILURE() << "no EstimationError";
    } catch (const EstimationError& error) {
        EXPECT_THAT(error.what(), HasSubstr("predictors of construct 'C' are singular"));
    }
}

// A reflective block whose indicators are uncorrelated has ρ_A = 0: no finite correction exists.
TEST(Consistent, ZeroRhoAThrows) {
    const Model model = two_indicator_blocks({"A", "B"}, {{"A", "B"}});
    Eigen::Matrix4d sigma;
    sigma << 1.0, 0.0, 0.3, 0.3,  //
        0.0, 1.0, 0.3, 0.3,       //
        0.3, 0.3, 1.0, 0.6,       //
        0.3, 0.3, 0.6, 1.0;
    const IndicatorMoments moments = moments_for(model, sigma, 100);
    const PlsResult pls = estimate(model, moments, tight());
    EXPECT_EQ(dijkstra_henseler_rho_a(model, pls, moments)[0], 0.0);
    try {
        make_consistent(model, pls, moments);
        ADD_FAILURE() << "no EstimationError";
    } catch (const EstimationError& error) {
        EXPECT_THAT(error.what(), HasSubstr("not finite"));
    }
}

TEST(Consistent, RefusesResultOfAnotherModel) {
    const Model model = two_indicator_blocks({"A", "B"}, {{"A", "B"}});
    Eigen::Matrix2d phi;
    phi << 1.0, 0.4, 0.4, 1.0;
    const IndicatorMoments moments =
        moments_for(model, two_indicator_correlations(Eigen::Vector2d(0.8, 0.7), phi), 100);
    const PlsResult pls = estimate(model, moments, tight());
    Model other = model;
    other.constructs[1].name = "C";
    other.paths[0].to = "C";
    EXPECT_THROW(make_consistent(other, pls, moments), EstimationError);
    IndicatorMoments shuffled = moments;
    std::swap(shuffled.names[0], shuffled.names[1]);
    EXPECT_THROW(make_consistent(model, pls, shuffled), EstimationError);
}

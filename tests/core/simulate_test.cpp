#include <Eigen/Cholesky>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/core/simulate.hpp"

using namespace csipls;

namespace {

Model population_file() { return read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model"); }

}  // namespace

TEST(Simulate, ImpliedCorrelationsFollowTheModel) {
    const Model model = population_file();
    SimulationOptions options;
    const PopulationModel population = population_model(model, options);
    // 预期质量 ~ 0.5*品牌形象 with standardized constructs: their correlation is 0.5.
    const int image = model.construct_index("品牌形象");
    const int expected = model.construct_index("预期质量");
    const int quality = model.construct_index("感知质量");
    EXPECT_NEAR(population.construct_correlations(image, expected), 0.5, 1e-15);
    // 感知质量 ~ 0.3*品牌形象 + 0.4*预期质量: cor(PQ, BI) = 0.3 + 0.4·0.5
    EXPECT_NEAR(population.construct_correlations(quality, image), 0.3 + 0.4 * 0.5, 1e-15);
    // cor(BI1, BI2) = 0.80 · 0.85; cor(BI1, EQ1) = 0.80 · 0.70 · 0.5
    EXPECT_NEAR(population.indicator_correlations(0, 1), 0.80 * 0.85, 1e-15);
    EXPECT_NEAR(population.indicator_correlations(0, 3), 0.80 * 0.70 * 0.5, 1e-15);
    EXPECT_TRUE(population.indicator_correlations.llt().info() == Eigen::Success);
}

TEST(Simulate, SameSeedSameDataOtherSeedOtherData) {
    const Model model = population_file();
    SimulationOptions options;
    options.n = 200;
    options.seed = 11;
    const Dataset first = simulate(model, options);
    const Dataset again = simulate(model, options);
    EXPECT_EQ(first.values, again.values);
    options.seed = 12;
    EXPECT_NE(simulate(model, options).values, first.values);
    for (double value : first.values) {
        EXPECT_EQ(value, std::round(value));
        EXPECT_GE(value, 1.0);
        EXPECT_LE(value, 10.0);
    }
}

// PLS is consistent for its population counterpart: the estimate on the population correlation
// matrix. The error of sample estimates shrinks like 1/√n toward it.
TEST(Simulate, EstimatesApproachPopulationValuesAsNGrows) {
    const Model model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model");
    SimulationOptions options;
    options.discrete = false;
    const PopulationModel population = population_model(model, options);
    IndicatorMoments population_moments;
    population_moments.n_obs = 1'000'000;
    population_moments.names = model.all_indicators();
    population_moments.correlation = population.indicator_correlations;
    EstimationOptions estimation;
    estimation.tolerance = 1e-10;
    const PlsResult target = estimate(model, population_moments, estimation);

    double previous_error = 1.0;
    for (Eigen::Index n : {500, 8000, 128000}) {
        options.n = n;
        options.seed = 2026;
        const PlsResult sample = estimate(model, compute_moments(simulate(model, options)), estimation);
        const double error = (sample.path_coefficients - target.path_coefficients).cwiseAbs().maxCoeff();
        // Sixteen times the respondents: the error should shrink about four-fold; 5/√n bounds it.
        EXPECT_LT(error, 5.0 / std::sqrt(static_cast<double>(n))) << "n = " << n;
        EXPECT_LT(error, previous_error) << "n = " << n;
        previous_error = error;
    }
    // PLS paths of a common-factor population are attenuated (composites carry measurement error):
    // the population PLS path 品牌形象 → 预期质量 lies below the true 0.5.
    const int image = model.construct_index("品牌形象");
    const int expected = model.construct_index("预期质量");
    EXPECT_LT(target.path_coefficients(image, expected), 0.5);
    EXPECT_GT(target.path_coefficients(image, expected), 0.35);
}

TEST(Simulate, RefusesImpossiblePopulation) {
    Model model = population_file();
    model.paths[0].population_value = 1.5;  // explains more than all of the variance
    EXPECT_THROW(population_model(model, SimulationOptions{}), ModelError);
    model = population_file();
    model.constructs[0].population_loadings[0] = 1.2;
    EXPECT_THROW(population_model(model, SimulationOptions{}), ModelError);
    model = population_file();
    model.constructs[0].mode = MeasurementMode::formative;
    EXPECT_THROW(population_model(model, SimulationOptions{}), ModelError);
}

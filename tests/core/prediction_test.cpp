#include "csipls/core/prediction.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "csipls/core/error.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/core/simulate.hpp"

using namespace csipls;

namespace {

Model two_block_model() {
    Model model;
    Construct x;
    x.name = "X";
    x.indicators = {"x1", "x2"};
    x.population_loadings.assign(2, std::nullopt);
    Construct y;
    y.name = "Y";
    y.indicators = {"y1", "y2"};
    y.population_loadings.assign(2, std::nullopt);
    model.constructs = {x, y};
    model.paths.push_back({"X", "Y", std::nullopt, 0});
    return model;
}

Dataset make_dataset(const std::vector<std::string>& columns, const std::vector<std::vector<double>>& rows) {
    Dataset data;
    data.columns = columns;
    data.rows = static_cast<Eigen::Index>(rows.size());
    for (const auto& row : rows) data.values.insert(data.values.end(), row.begin(), row.end());
    return data;
}

// Standardize columns (sd with divisor n − 1).
Eigen::MatrixXd standardize(const Eigen::MatrixXd& x, Eigen::VectorXd& means, Eigen::VectorXd& sds) {
    const auto n = static_cast<double>(x.rows());
    means = x.colwise().mean().transpose();
    Eigen::MatrixXd z = x.rowwise() - means.transpose();
    sds = (z.colwise().squaredNorm().array() / (n - 1.0)).sqrt().transpose();
    for (Eigen::Index j = 0; j < z.cols(); ++j) z.col(j) /= sds[j];
    return z;
}

Eigen::VectorXd unit_variance(const Eigen::VectorXd& v) {
    const double sd = std::sqrt(v.squaredNorm() / static_cast<double>(v.size() - 1));
    return v / sd;
}

double correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const Eigen::VectorXd ca = a.array() - a.mean();
    const Eigen::VectorXd cb = b.array() - b.mean();
    return ca.dot(cb) / std::sqrt(ca.squaredNorm() * cb.squaredNorm());
}

const Model& ccsi_model() {
    static const Model model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_population.model");
    return model;
}

const Dataset& ccsi_data() {
    static const Dataset data = [] {
        SimulationOptions options;
        options.n = 2000;
        options.seed = 20261123;
        options.discrete = false;
        return simulate(ccsi_model(), options);
    }();
    return data;
}

Model without_path(const Model& model, const std::string& from, const std::string& to) {
    Model out = model;
    out.paths.erase(std::remove_if(out.paths.begin(), out.paths.end(),
                                   [&](const StructuralPath& p) { return p.from == from && p.to == to; }),
                    out.paths.end());
    return out;
}

}  // namespace

// Blindfolding with D = 3 on ten hand-made rows, recomputed here with a raw-data two-block PLS.
TEST(PredictionBlindfolding, MatchesStepByStepComputation) {
    const Model model = two_block_model();
    const Dataset data = make_dataset({"x1", "x2", "y1", "y2"}, {{1, 2, 2, 1},
                                                                 {2, 2, 3, 2},
                                                                 {3, 4, 3, 4},
                                                                 {4, 3, 5, 4},
                                                                 {5, 5, 4, 6},
                                                                 {2, 3, 2, 3},
                                                                 {4, 5, 5, 5},
                                                                 {1, 1, 2, 2},
                                                                 {5, 4, 6, 5},
                                                                 {3, 3, 4, 3}});
    EstimationOptions options;
    options.tolerance = 1e-13;
    options.max_iterations = 1000;
    const BlindfoldingResult result = blindfolding(model, data, options, {3});

    const int d = 3;
    const Eigen::Index n = data.rows;
    const Eigen::MatrixXd original = data.matrix();
    double sse = 0.0, sso = 0.0;
    for (int round = 0; round < d; ++round) {
        Eigen::MatrixXd x = original;
        std::vector<std::pair<Eigen::Index, Eigen::Index>> left_out;
        for (Eigen::Index l = 0; l < 2; ++l) {
            // Block Y is columns 2 and 3; count down y1 then down y2.
            double sum = 0.0;
            int kept = 0;
            for (Eigen::Index i = 0; i < n; ++i) {
                if ((l * n + i) % d == round) left_out.emplace_back(i, 2 + l);
                else {
                    sum += original(i, 2 + l);
                    ++kept;
                }
            }
            for (Eigen::Index i = 0; i < n; ++i)
                if ((l * n + i) % d == round) x(i, 2 + l) = sum / kept;
        }
        Eigen::VectorXd means, sds;
        const Eigen::MatrixXd z = standardize(x, means, sds);
        const Eigen::MatrixXd zx = z.leftCols(2), zy = z.rightCols(2);
        Eigen::VectorXd wx = Eigen::VectorXd::Ones(2), wy = Eigen::VectorXd::Ones(2);
        Eigen::VectorXd sx = unit_variance(zx * wx), sy = unit_variance(zy * wy);
        for (int iteration = 0; iteration < 1000; ++iteration) {
            const double r = correlation(sx, sy);
            // Path scheme with one path: each proxy is the other composite times their correlation;
            // mode A: weights are the covariances of the indicators with the proxy.
            const Eigen::VectorXd new_sx = unit_variance(zx * (zx.transpose() * (r * sy)));
            const Eigen::VectorXd new_sy = unit_variance(zy * (zy.transpose() * (r * sx)));
            const double change = std::max((new_sx - sx).cwiseAbs().maxCoeff(), (new_sy - sy).cwiseAbs().maxCoeff());
            sx = new_sx;
            sy = new_sy;
            if (change < 1e-14) break;
        }
        const double beta = correlation(sx, sy);
        for (const auto& [i, col] : left_out) {
            const double loading = correlation(z.col(col), sy);
            const double observed = (original(i, col) - means[col]) / sds[col];
            const double predicted = loading * beta * sx[i];
            sse += (observed - predicted) * (observed - predicted);
            sso += observed * observed;
        }
    }
    EXPECT_TRUE(std::isnan(result.q2[0]));
    EXPECT_NEAR(result.sse[1], sse, 1e-9);
    EXPECT_NEAR(result.sso[1], sso, 1e-9);
    EXPECT_NEAR(result.q2[1], 1.0 - sse / sso, 1e-10);
}

TEST(PredictionBlindfolding, RefusesImpossibleOmissionDistances) {
    const Dataset& data = ccsi_data();  // n = 2000
    const EstimationOptions options;
    EXPECT_THROW(blindfolding(ccsi_model(), data, options, {1}), ModelError);
    EXPECT_THROW(blindfolding(ccsi_model(), data, options, {8}), ModelError);  // 2000 / 8 = 250
    EXPECT_THROW(blindfolding(ccsi_model(), data, options, {2000}), ModelError);
    try {
        blindfolding(ccsi_model(), data, options, {10});
        FAIL() << "expected ModelError";
    } catch (const ModelError& error) {
        EXPECT_NE(std::string(error.what()).find("divides"), std::string::npos) << error.what();
    }
}

TEST(PredictionBlindfolding, PositiveForTrueModelAndLowerWhenStrongPathDropped) {
    const EstimationOptions options;
    const BlindfoldingResult full = blindfolding(ccsi_model(), ccsi_data(), options);
    const Model& model = ccsi_model();
    for (std::size_t c = 0; c < model.constructs.size(); ++c) {
        if (std::isnan(full.q2[static_cast<Eigen::Index>(c)])) continue;
        EXPECT_GT(full.q2[static_cast<Eigen::Index>(c)], 0.05) << model.constructs[c].name;
        std::printf("[ Q2 ] %s %.4f\n", model.constructs[c].name.c_str(), full.q2[static_cast<Eigen::Index>(c)]);
    }
    const Model reduced = without_path(model, "顾客满意", "顾客忠诚");
    const BlindfoldingResult worse = blindfolding(reduced, ccsi_data(), options);
    const int loyalty = model.construct_index("顾客忠诚");
    std::printf("[ Q2 ] 顾客忠诚 without 顾客满意 -> 顾客忠诚: %.4f\n", worse.q2[loyalty]);
    EXPECT_LT(worse.q2[loyalty], full.q2[loyalty] - 0.05);
}

TEST(PredictionFolds, DeterministicBalancedAndCovering) {
    const Eigen::Index n = 103;
    const auto a = prediction_folds(n, 10, 5, 42);
    const auto b = prediction_folds(n, 10, 5, 42);
    const auto c = prediction_folds(n, 10, 5, 43);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    ASSERT_EQ(a.size(), 5u);
    EXPECT_NE(a[0], a[1]);  // repetitions are reshuffled
    for (const auto& fold_of_row : a) {
        ASSERT_EQ(fold_of_row.size(), static_cast<std::size_t>(n));  // each row in exactly one fold
        std::vector<int> sizes(10, 0);
        for (const int f : fold_of_row) {
            ASSERT_GE(f, 0);
            ASSERT_LT(f, 10);
            ++sizes[static_cast<std::size_t>(f)];
        }
        for (const int size : sizes) {
            EXPECT_GE(size, 10);
            EXPECT_LE(size, 11);
        }
    }
    EXPECT_THROW(prediction_folds(n, 1, 5, 42), ModelError);
    EXPECT_THROW(prediction_folds(n, 104, 5, 42), ModelError);
    EXPECT_THROW(prediction_folds(n, 10, 0, 42), ModelError);
}

TEST(PredictionPlsPredict, CloseToLinearModelForTrueModel) {
    const EstimationOptions options;
    const PlsPredictResult result = pls_predict(ccsi_model(), ccsi_data(), options);
    const auto indicators = ccsi_model().all_indicators();
    ASSERT_EQ(result.predicted_indicators.size(), indicators.size() - 3);  // all but the BI block
    EXPECT_TRUE(std::isnan(result.pls_rmse[0]));
    for (const int k : result.predicted_indicators) {
        std::printf("[ PLSpredict ] %-5s RMSE pls %.4f lm %.4f  MAE pls %.4f lm %.4f  Q2pred pls %.4f lm %.4f\n",
                    indicators[static_cast<std::size_t>(k)].c_str(), result.pls_rmse[k], result.lm_rmse[k],
                    result.pls_mae[k], result.lm_mae[k], result.pls_q2_predict[k], result.lm_q2_predict[k]);
        EXPECT_NEAR(result.pls_rmse[k] / result.lm_rmse[k], 1.0, 0.05) << indicators[static_cast<std::size_t>(k)];
        EXPECT_GT(result.pls_q2_predict[k], 0.0) << indicators[static_cast<std::size_t>(k)];
        EXPECT_GT(result.pls_mae[k], 0.0);
        EXPECT_LT(result.pls_mae[k], result.pls_rmse[k]);
    }
    // Same seed, same figures.
    const PlsPredictResult again = pls_predict(ccsi_model(), ccsi_data(), options);
    for (const int k : result.predicted_indicators) EXPECT_EQ(result.pls_rmse[k], again.pls_rmse[k]);
}

TEST(PredictionPlsPredict, RefusesImpossibleFolds) {
    const Model model = two_block_model();
    const Dataset data = make_dataset({"x1", "x2", "y1", "y2"},
                                      {{1, 2, 2, 1}, {2, 2, 3, 2}, {3, 4, 3, 4}, {4, 3, 5, 4}, {5, 5, 4, 6}});
    const EstimationOptions options;
    EXPECT_THROW(pls_predict(model, data, options, {1, 1, 1}), ModelError);
    EXPECT_THROW(pls_predict(model, data, options, {6, 1, 1}), ModelError);
}

#include "csipls/core/prediction.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "csipls/core/error.hpp"
#include "csipls/io/model_file.hpp"
#include "test_helpers.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/core/two_stage.hpp"

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

// PLSpredict of a moderated model, each fold recomputed here step by step: stage 1 on the training
// rows, the product of the training-standardized hold-out scores, stage 2's training moments and
// estimate, the earliest-antecedents prediction.
TEST(PredictionPlsPredict, TwoStageFoldsReRunStageOneOnTheTrainingRows) {
    const Model model = parse_model("X =~ x1 + x2 + x3\nM =~ m1 + m2\nY =~ y1 + y2 + y3\nY ~ X + M + X:M\n", "moderated.model");
    SimulationOptions simulation;
    simulation.n = 240;
    simulation.seed = 17;
    const Dataset simulated =
        simulate(parse_model("X =~ x1 + x2 + x3\nM =~ m1 + m2\nY =~ y1 + y2 + y3\nY ~ 0.3*X + 0.2*M + 0.25*X:M\n", "population.model"),
                 simulation);
    const StagedModel staged = stage_model(model, StagingOptions{});
    std::vector<int> item_columns;
    for (const auto& item : staged.items) item_columns.push_back(simulated.column_index(item));
    const Eigen::MatrixXd items = simulated.matrix()(Eigen::all, item_columns);
    const Dataset data = testing_support::dataset_from(staged.items, items);
    const EstimationOptions estimation;
    const PlsPredictOptions predict{3, 1, 4};
    StagedItems stages;
    stages.staged = &staged;
    const PlsPredictResult result = pls_predict(staged.stage2, data, estimation, predict, &stages);

    const Eigen::Index n = items.rows();
    const auto columns2 = staged.stage2.all_indicators();
    const auto p2 = static_cast<Eigen::Index>(columns2.size());
    const int x = staged.stage1.construct_index("X"), m = staged.stage1.construct_index("M");
    const int y = staged.stage2.construct_index("Y");
    Eigen::MatrixXd predicted(n, p2), actual(n, p2);
    const std::vector<int> fold_of_row = prediction_folds(n, 3, 1, 4).front();
    for (int fold = 0; fold < 3; ++fold) {
        std::vector<Eigen::Index> training, holdout;
        for (Eigen::Index i = 0; i < n; ++i) (fold_of_row[static_cast<std::size_t>(i)] == fold ? holdout : training).push_back(i);
        Eigen::VectorXd means, sds;
        const Eigen::MatrixXd z = standardize(items(training, Eigen::all), means, sds);
        const PlsResult first = estimate(staged.stage1, compute_moments(testing_support::dataset_from(staged.items, items(training, Eigen::all))),
                                         estimation);
        auto score = [&](const Eigen::MatrixXd& standardized, int construct) {
            Eigen::VectorXd s = Eigen::VectorXd::Zero(standardized.rows());
            for (Eigen::Index k = 0; k < standardized.cols(); ++k)
                if (first.block_of_indicator[static_cast<std::size_t>(k)] == construct) s += first.outer_weights[k] * standardized.col(k);
            return s;
        };
        // Stage 2's columns: the items as they are, and the product of the two scores.
        auto stage_two = [&](const Eigen::MatrixXd& raw, const Eigen::MatrixXd& standardized) {
            Eigen::MatrixXd out(raw.rows(), p2);
            for (Eigen::Index j = 0; j < p2; ++j) {
                const auto item = std::find(staged.items.begin(), staged.items.end(), columns2[static_cast<std::size_t>(j)]);
                out.col(j) = item != staged.items.end() ? Eigen::VectorXd(raw.col(item - staged.items.begin()))
                                                        : Eigen::VectorXd(score(standardized, x).cwiseProduct(score(standardized, m)));
            }
            return out;
        };
        const Eigen::MatrixXd train2 = stage_two(items(training, Eigen::all), z);
        const Eigen::MatrixXd held_raw = items(holdout, Eigen::all);
        const Eigen::MatrixXd held_z = (held_raw.rowwise() - means.transpose()).array().rowwise() / sds.transpose().array();
        const Eigen::MatrixXd held2 = stage_two(held_raw, held_z);
        Eigen::VectorXd means2, sds2;
        standardize(train2, means2, sds2);
        const PlsResult second = estimate(staged.stage2, compute_moments(testing_support::dataset_from(columns2, train2)), estimation);
        for (std::size_t h = 0; h < holdout.size(); ++h) {
            const auto row = static_cast<Eigen::Index>(h);
            Eigen::VectorXd scores = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(staged.stage2.constructs.size()));
            for (Eigen::Index j = 0; j < p2; ++j) {
                const int construct = second.block_of_indicator[static_cast<std::size_t>(j)];
                if (construct != y) scores[construct] += second.outer_weights[j] * (held2(row, j) - means2[j]) / sds2[j];
            }
            const double y_score = scores.dot(second.total_effects.col(y));
            for (Eigen::Index j = 0; j < p2; ++j) {
                predicted(holdout[h], j) = second.loadings[j] * y_score * sds2[j] + means2[j];
                actual(holdout[h], j) = held2(row, j);
            }
        }
    }
    int checked = 0;
    for (Eigen::Index j = 0; j < p2; ++j) {
        if (staged.stage2.constructs[static_cast<std::size_t>(y)].indicators.end() ==
            std::find(staged.stage2.constructs[static_cast<std::size_t>(y)].indicators.begin(),
                      staged.stage2.constructs[static_cast<std::size_t>(y)].indicators.end(), columns2[static_cast<std::size_t>(j)]))
            continue;
        const double rmse = std::sqrt((actual.col(j) - predicted.col(j)).squaredNorm() / static_cast<double>(n));
        EXPECT_NEAR(result.pls_rmse[j], rmse, 1e-10) << columns2[static_cast<std::size_t>(j)];
        ++checked;
    }
    EXPECT_EQ(checked, 3);
    // Stage 2 on the full sample's stage-1 product (a leak of the hold-out rows into stage 1) differs.
    const IndicatorMoments all_items = compute_moments(data);
    const Dataset leaked = stage_two_data(staged, data, all_items, estimate(staged.stage1, all_items, estimation), {});
    const PlsPredictResult leaky = pls_predict(staged.stage2, leaked, estimation, predict);
    const auto y1 = std::find(columns2.begin(), columns2.end(), "y1") - columns2.begin();
    EXPECT_GT(std::abs(leaky.pls_rmse[y1] - result.pls_rmse[y1]), 1e-9);
}


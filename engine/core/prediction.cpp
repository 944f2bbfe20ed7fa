#include "csipls/core/prediction.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "csipls/core/error.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/two_stage.hpp"
#include "detail/blocks.hpp"
#include "detail/resampling.hpp"
#include "detail/rows.hpp"

namespace csipls {

void BlindfoldingOptions::validate() const {
    if (omission_distance < 2)
        throw UsageError("BlindfoldingOptions.omission_distance must be at least 2, got " + std::to_string(omission_distance));
}

void PlsPredictOptions::validate() const {
    if (folds < 2) throw UsageError("PlsPredictOptions.folds must be at least 2, got " + std::to_string(folds));
    if (repetitions < 1 || repetitions > 100'000)
        throw UsageError("PlsPredictOptions.repetitions must be between 1 and 100000, got " + std::to_string(repetitions));
}
namespace {

void check_data(const Model& model, const Dataset& data) {
    validate_model(model);
    require_one_stage(model, "blindfolding and PLSpredict");
    if (data.columns != model.all_indicators())
        throw EstimationError("the data columns are not in the model's indicator order");
}

// A fold's training data and hold-out rows in the model's indicator columns. With two stages,
// stage 1 is estimated on the training rows alone and turns both into stage-2 data.
void fold_data(const Dataset& data, const std::vector<Eigen::Index>& training, const std::vector<Eigen::Index>& holdout,
               const EstimationOptions& options, const StagedItems* stages, Dataset& train, Eigen::MatrixXd& held) {
    Dataset train_items = detail::select_rows(data, training, detail::CaseWeights::drop);
    const Dataset held_items = detail::select_rows(data, holdout, detail::CaseWeights::drop);
    if (!stages || !stages->staged) {
        train = std::move(train_items);
        held = held_items.matrix();
        return;
    }
    // Lower-order scores standardized, not as index scores: each fold's 0–100 map would differ.
    const StagedModel& staged = *stages->staged;
    Orthogonalizing fit;
    StageOne first = run_stage_one(staged, train_items, options, {}, &fit);
    if (!first.estimate.converged)
        throw EstimationError("PLSpredict: stage 1 did not converge on a training set in " + std::to_string(first.estimate.iterations) +
                              " iterations");
    train = std::move(first.stage2_data);
    held = stage_two_data(staged, held_items, first.moments, first.estimate, {}, nullptr, &fit).matrix();
}

}  // namespace

BlindfoldingResult blindfolding(const Model& model, const Dataset& data, const EstimationOptions& options,
                                const BlindfoldingOptions& blindfolding_options) {
    check_data(model, data);
    const int d = blindfolding_options.omission_distance;
    const Eigen::Index n = data.rows;
    if (d < 2)
        throw ModelError("blindfolding: the omission distance must be at least 2 (got " + std::to_string(d) + ")");
    if (d >= n)
        throw ModelError("blindfolding: the omission distance (" + std::to_string(d) +
                         ") must be smaller than the number of respondents (" + std::to_string(n) + ")");
    if (n % d == 0)
        throw ModelError("blindfolding: the omission distance " + std::to_string(d) + " divides the number of "
                         "respondents (" + std::to_string(n) + "), so every round would omit whole rows of a "
                         "block; choose a distance that does not divide n (Hair et al.: n / D must not be an "
                         "integer)");

    const detail::BlockLayout layout = detail::block_layout(model);
    const auto constructs = static_cast<Eigen::Index>(model.constructs.size());
    BlindfoldingResult result;
    result.omission_distance = d;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    result.q2.setConstant(constructs, nan);
    result.sse.setConstant(constructs, nan);
    result.sso.setConstant(constructs, nan);

    const auto original = data.matrix();
    for (Eigen::Index c = 0; c < constructs; ++c) {
        if (layout.predecessors[static_cast<std::size_t>(c)].empty()) continue;
        const Eigen::Index start = layout.blocks[static_cast<std::size_t>(c)].start;
        const Eigen::Index m = layout.blocks[static_cast<std::size_t>(c)].size;
        double sse = 0.0;
        double sso = 0.0;
        for (int round = 0; round < d; ++round) {
            Dataset modified = data;
            auto x = modified.matrix();
            // omitted(i, l): position t = l·n + i of the block, counted column by column.
            auto omitted = [&](Eigen::Index i, Eigen::Index l) { return (l * n + i) % d == round; };
            for (Eigen::Index l = 0; l < m; ++l) {
                double sum = 0.0;
                Eigen::Index kept = 0;
                for (Eigen::Index i = 0; i < n; ++i)
                    if (!omitted(i, l)) {
                        sum += original(i, start + l);
                        ++kept;
                    }
                const double mean = sum / static_cast<double>(kept);
                for (Eigen::Index i = 0; i < n; ++i)
                    if (omitted(i, l)) x(i, start + l) = mean;
            }
            const IndicatorMoments moments = compute_moments(modified);
            const PlsResult fit = estimate(model, moments, options);
            const Eigen::MatrixXd scores = construct_scores(fit, moments, modified);
            const Eigen::VectorXd inner = scores * fit.path_coefficients.col(c);  // predicted score of c
            for (Eigen::Index l = 0; l < m; ++l) {
                const Eigen::Index k = start + l;
                for (Eigen::Index i = 0; i < n; ++i) {
                    if (!omitted(i, l)) continue;
                    const double z = (original(i, k) - moments.means[k]) / moments.sds[k];
                    const double predicted = fit.loadings[k] * inner[i];
                    sse += (z - predicted) * (z - predicted);
                    sso += z * z;
                }
            }
        }
        result.sse[c] = sse;
        result.sso[c] = sso;
        result.q2[c] = 1.0 - sse / sso;
    }
    return result;
}

std::vector<std::vector<int>> prediction_folds(Eigen::Index n, int folds, int repetitions, std::uint64_t seed) {
    if (folds < 2)
        throw ModelError("PLSpredict: the number of folds must be at least 2 (got " + std::to_string(folds) + ")");
    if (folds > n)
        throw ModelError("PLSpredict: the number of folds (" + std::to_string(folds) +
                         ") exceeds the number of respondents (" + std::to_string(n) + ")");
    if (repetitions < 1)
        throw ModelError("PLSpredict: the number of repetitions must be at least 1 (got " +
                         std::to_string(repetitions) + ")");
    boost::random::mt19937_64 engine(seed);
    std::vector<std::vector<int>> result(static_cast<std::size_t>(repetitions));
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    for (auto& fold_of_row : result) {
        for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
        detail::shuffle(order, engine);
        fold_of_row.assign(static_cast<std::size_t>(n), 0);
        for (Eigen::Index p = 0; p < n; ++p)
            fold_of_row[static_cast<std::size_t>(order[static_cast<std::size_t>(p)])] = static_cast<int>(p % folds);
    }
    return result;
}

PlsPredictResult pls_predict(const Model& model, const Dataset& data, const EstimationOptions& options,
                             const PlsPredictOptions& predict_options, const StagedItems* stages) {
    const bool staged = stages && stages->staged;
    if (staged) {
        validate_model(model);
        if (model.all_indicators() != stages->staged->stage2.all_indicators()) throw EstimationError("the model is not the staged model's stage 2");
        if (data.columns != stages->staged->items) throw EstimationError("the data columns are not stage 1's items");
    } else {
        check_data(model, data);
    }
    const Eigen::Index n = data.rows;
    const int k = predict_options.folds;
    const auto folds = prediction_folds(n, k, predict_options.repetitions, predict_options.seed);
    // The smallest training set: n minus the largest fold, ceil(n / k).
    const Eigen::Index smallest_training = n - (n + k - 1) / k;
    const Eigen::Index needed = staged ? std::max(minimum_respondents(model), minimum_respondents(stages->staged->stage1)) : minimum_respondents(model);
    if (smallest_training < needed)
        throw ModelError("PLSpredict: with " + std::to_string(k) + " folds of " + std::to_string(n) +
                         " respondents the training sets have " + std::to_string(smallest_training) +
                         " respondents and the model needs at least " + std::to_string(needed));

    const detail::BlockLayout layout = detail::block_layout(model);
    const auto p = layout.indicator_count;
    std::vector<int> exogenous_indicators;
    std::vector<int> endogenous_indicators;
    std::vector<int> construct_of_indicator;
    for (std::size_t c = 0; c < model.constructs.size(); ++c)
        for (Eigen::Index l = 0; l < layout.blocks[c].size; ++l) {
            const auto index = static_cast<int>(layout.blocks[c].start + l);
            construct_of_indicator.push_back(static_cast<int>(c));
            (layout.predecessors[c].empty() ? exogenous_indicators : endogenous_indicators).push_back(index);
        }
    const auto q = static_cast<Eigen::Index>(exogenous_indicators.size());
    const auto e = static_cast<Eigen::Index>(endogenous_indicators.size());

    PlsPredictResult result;
    result.folds = k;
    result.repetitions = predict_options.repetitions;
    result.seed = predict_options.seed;
    result.predicted_indicators = endogenous_indicators;
    Eigen::VectorXd pls_rmse = Eigen::VectorXd::Zero(e), pls_mae = pls_rmse, pls_q2 = pls_rmse;
    Eigen::VectorXd lm_rmse = pls_rmse, lm_mae = pls_rmse, lm_q2 = pls_rmse;

    // The observed values: with two stages a computed indicator's (a lower-order score) depends on
    // the fold's stage 1, so they are taken per fold.
    Eigen::MatrixXd actual(n, e);
    for (const auto& fold_of_row : folds) {
        Eigen::MatrixXd pls_prediction(n, e), lm_prediction(n, e), mean_prediction(n, e);
        for (int fold = 0; fold < k; ++fold) {
            std::vector<Eigen::Index> training, holdout;
            for (Eigen::Index i = 0; i < n; ++i)
                (fold_of_row[static_cast<std::size_t>(i)] == fold ? holdout : training).push_back(i);
            Dataset train;
            Eigen::MatrixXd held;  // the hold-out rows, in `holdout` order
            fold_data(data, training, holdout, options, stages, train, held);
            const IndicatorMoments moments = compute_moments(train);
            const PlsResult fit = estimate(model, moments, options);

            // LM benchmark on centred training data.
            const auto tx = train.matrix();
            Eigen::MatrixXd xc(train.rows, q), yc(train.rows, e);
            for (Eigen::Index j = 0; j < q; ++j) {
                const int col = exogenous_indicators[static_cast<std::size_t>(j)];
                xc.col(j) = tx.col(col).array() - moments.means[col];
            }
            for (Eigen::Index j = 0; j < e; ++j) {
                const int col = endogenous_indicators[static_cast<std::size_t>(j)];
                yc.col(j) = tx.col(col).array() - moments.means[col];
            }
            const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(xc);
            if (qr.rank() < q)
                throw EstimationError("PLSpredict: the linear-model benchmark is rank deficient: the indicators "
                                      "of the exogenous constructs are linearly dependent in a training set");
            const Eigen::MatrixXd coefficients = qr.solve(yc);

            for (std::size_t h = 0; h < holdout.size(); ++h) {
                const Eigen::Index i = holdout[h];
                const auto x = held.row(static_cast<Eigen::Index>(h));
                // Exogenous scores from the standardized hold-out row, then the structural model.
                Eigen::VectorXd exogenous_scores = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(model.constructs.size()));
                Eigen::RowVectorXd xrow(q);
                for (Eigen::Index j = 0; j < q; ++j) {
                    const int col = exogenous_indicators[static_cast<std::size_t>(j)];
                    const double z = (x[col] - moments.means[col]) / moments.sds[col];
                    exogenous_scores[construct_of_indicator[static_cast<std::size_t>(col)]] += fit.outer_weights[col] * z;
                    xrow[j] = x[col] - moments.means[col];
                }
                const Eigen::RowVectorXd lm_row = xrow * coefficients;
                for (Eigen::Index j = 0; j < e; ++j) {
                    const int col = endogenous_indicators[static_cast<std::size_t>(j)];
                    const int c = construct_of_indicator[static_cast<std::size_t>(col)];
                    actual(i, j) = x[col];
                    const double score = exogenous_scores.dot(fit.total_effects.col(c));
                    pls_prediction(i, j) = fit.loadings[col] * score * moments.sds[col] + moments.means[col];
                    lm_prediction(i, j) = moments.means[col] + lm_row[j];
                    mean_prediction(i, j) = moments.means[col];
                }
            }
        }
        const Eigen::ArrayXXd pls_error = (actual - pls_prediction).array();
        const Eigen::ArrayXXd lm_error = (actual - lm_prediction).array();
        const Eigen::ArrayXd naive_sse = (actual - mean_prediction).array().square().colwise().sum().transpose();
        const auto nd = static_cast<double>(n);
        const Eigen::ArrayXd pls_sse = pls_error.square().colwise().sum().transpose();
        const Eigen::ArrayXd lm_sse = lm_error.square().colwise().sum().transpose();
        pls_rmse.array() += (pls_sse / nd).sqrt();
        lm_rmse.array() += (lm_sse / nd).sqrt();
        pls_mae.array() += pls_error.abs().colwise().sum().transpose() / nd;
        lm_mae.array() += lm_error.abs().colwise().sum().transpose() / nd;
        pls_q2.array() += 1.0 - pls_sse / naive_sse;
        lm_q2.array() += 1.0 - lm_sse / naive_sse;
    }

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double reps = static_cast<double>(predict_options.repetitions);
    for (auto* v : {&result.pls_rmse, &result.pls_mae, &result.pls_q2_predict, &result.lm_rmse, &result.lm_mae,
                    &result.lm_q2_predict})
        v->setConstant(p, nan);
    for (Eigen::Index j = 0; j < e; ++j) {
        const int col = endogenous_indicators[static_cast<std::size_t>(j)];
        result.pls_rmse[col] = pls_rmse[j] / reps;
        result.pls_mae[col] = pls_mae[j] / reps;
        result.pls_q2_predict[col] = pls_q2[j] / reps;
        result.lm_rmse[col] = lm_rmse[j] / reps;
        result.lm_mae[col] = lm_mae[j] / reps;
        result.lm_q2_predict[col] = lm_q2[j] / reps;
    }
    return result;
}

}  // namespace csipls

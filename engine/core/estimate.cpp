#include "csipls/core/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>


#include "csipls/core/error.hpp"
#include "pls_estimator.hpp"

namespace csipls {
namespace detail {

PlsEstimator::PlsEstimator(const Model& model, const EstimationOptions& options) : options_(options) {
    options_.validate();
    validate_model(model);
    require_one_stage(model, "the PLS estimator");

    construct_count_ = static_cast<Eigen::Index>(model.constructs.size());
    BlockLayout layout = block_layout(model);
    blocks_ = std::move(layout.blocks);
    block_of_indicator_ = std::move(layout.block_of_indicator);
    predecessors_ = std::move(layout.predecessors);
    indicator_count_ = layout.indicator_count;
    for (const auto& construct : model.constructs) {
        construct_names_.push_back(construct.name);
        indicator_names_.insert(indicator_names_.end(), construct.indicators.begin(), construct.indicators.end());
    }

    adjacency_ = Eigen::MatrixXd::Zero(construct_count_, construct_count_);
    for (const auto& path : model.paths) {
        const int from = model.construct_index(path.from);
        const int to = model.construct_index(path.to);
        adjacency_(from, to) = adjacency_(to, from) = 1.0;
    }
    for (auto& list : predecessors_) std::sort(list.begin(), list.end());
    for (const auto& path : model.paths)
        paths_.push_back({model.construct_index(path.from), model.construct_index(path.to)});
    // Routes of length ≥ 2: A² + A³ + …, finite because the model is acyclic.
    Eigen::MatrixXi direct = Eigen::MatrixXi::Zero(construct_count_, construct_count_);
    for (const auto& link : paths_) direct(link.from, link.to) = 1;
    indirect_routes_ = Eigen::MatrixXi::Zero(construct_count_, construct_count_);
    Eigen::MatrixXi power = direct;
    for (Eigen::Index length = 2; length <= construct_count_; ++length) {
        power = power * direct;
        indirect_routes_ += power;
    }

    weights_ = Eigen::MatrixXd::Zero(indicator_count_, construct_count_);
    new_weights_ = weights_;
    indicator_construct_cov_.resize(indicator_count_, construct_count_);
    construct_corr_.resize(construct_count_, construct_count_);
    inner_weights_.resize(construct_count_, construct_count_);
    proxy_cov_.resize(indicator_count_, construct_count_);
    effect_power_.resize(construct_count_, construct_count_);
    effect_scratch_.resize(construct_count_, construct_count_);
    Eigen::Index largest_block = 0;
    for (const Block& block : blocks_) largest_block = std::max(largest_block, block.size);
    block_product_.resize(largest_block);
    // Factor identities rather than use LLT(size): that constructor leaves the status member
    // uninitialized, and copying such an object (as the bootstrap's workspaces do) reads it.
    block_factors_.reserve(blocks_.size());
    for (const Block& block : blocks_)
        block_factors_.emplace_back(Eigen::MatrixXd::Identity(block.mode == MeasurementMode::formative ? block.size : 0,
                                                              block.mode == MeasurementMode::formative ? block.size : 0));
    for (const auto& list : predecessors_) {
        const auto k = static_cast<Eigen::Index>(list.size());
        predictor_corr_.emplace_back(k, k);
        predictor_target_.emplace_back(k);
        predictor_coefficients_.emplace_back(k);
        predictor_factors_.emplace_back(Eigen::MatrixXd::Identity(k, k));
    }
}

void PlsEstimator::describe(PlsResult& out) const {
    out.options = options_;
    out.constructs = construct_names_;
    out.indicators = indicator_names_;
    out.block_of_indicator = block_of_indicator_;
    out.modes.clear();
    for (const auto& block : blocks_) out.modes.push_back(block.mode);
    out.paths = paths_;
    out.indirect_routes = indirect_routes_;
    prepare_result(out);  // sized here, so that even a result's first run() allocates nothing
}

// Same-size resizes keep their storage, so a reused result costs no allocation.
void PlsEstimator::prepare_result(PlsResult& out) const {
    out.outer_weights.resize(indicator_count_);
    out.loadings.resize(indicator_count_);
    out.cross_loadings.resize(indicator_count_, construct_count_);
    out.construct_correlations.resize(construct_count_, construct_count_);
    out.path_coefficients.setZero(construct_count_, construct_count_);
    out.total_effects.resize(construct_count_, construct_count_);
    out.indirect_effects.resize(construct_count_, construct_count_);
    out.r2.setConstant(construct_count_, std::numeric_limits<double>::quiet_NaN());
    out.r2_adj.setConstant(construct_count_, std::numeric_limits<double>::quiet_NaN());
}

// The smallest pivot of a Cholesky factor of a correlation matrix is the smallest share of a
// variable's variance not explained by the variables before it: near zero means collinear. Unlike
// rcond() it needs no workspace.
double PlsEstimator::smallest_pivot(const Eigen::LLT<Eigen::MatrixXd>& factor) {
    return factor.matrixLLT().diagonal().array().square().minCoeff();
}

void PlsEstimator::factor_formative_blocks(const Eigen::MatrixXd& correlation) {
    for (std::size_t j = 0; j < blocks_.size(); ++j) {
        const Block& block = blocks_[j];
        if (block.mode != MeasurementMode::formative) continue;
        auto& factor = block_factors_[j];
        factor.compute(correlation.block(block.start, block.start, block.size, block.size));
        // rcond of a correlation block: near 0 means an indicator is (almost) a linear combination
        // of the others, and mode-B weights are then arbitrary.
        if (factor.info() != Eigen::Success || smallest_pivot(factor) < 1e-10)
            throw ModelError("formative block '" + construct_names_[j] +
                             "' is singular: its indicators are linearly dependent, so mode-B weights "
                             "are not determined");
    }
}

void PlsEstimator::normalize_weights(const Eigen::MatrixXd& correlation, Eigen::MatrixXd& weights) {
    for (std::size_t j = 0; j < blocks_.size(); ++j) {
        const Block& block = blocks_[j];
        auto w = weights.col(static_cast<Eigen::Index>(j)).segment(block.start, block.size);
        auto product = block_product_.head(block.size);
        product.noalias() = correlation.block(block.start, block.start, block.size, block.size) * w;
        const double variance = w.dot(product);
        if (!(variance > 0.0) || !std::isfinite(variance))
            throw EstimationError("the composite of construct '" + construct_names_[j] +
                                  "' has zero variance: its inner proxy is uncorrelated with its indicators");
        w /= std::sqrt(variance);
    }
}

void PlsEstimator::regress(int dependent, const Eigen::MatrixXd& construct_corr,
                           Eigen::Ref<Eigen::VectorXd> coefficients) {
    const auto& predictors = predecessors_[dependent];
    auto& corr = predictor_corr_[dependent];
    auto& target = predictor_target_[dependent];
    for (std::size_t a = 0; a < predictors.size(); ++a) {
        target[static_cast<Eigen::Index>(a)] = construct_corr(predictors[a], dependent);
        for (std::size_t b = 0; b < predictors.size(); ++b)
            corr(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = construct_corr(predictors[a], predictors[b]);
    }
    auto& factor = predictor_factors_[dependent];
    factor.compute(corr);
    if (factor.info() != Eigen::Success || smallest_pivot(factor) < 1e-12)
        throw EstimationError("the predictors of construct '" + construct_names_[dependent] +
                              "' are perfectly collinear; its path coefficients are not determined");
    coefficients = factor.solve(target);
}

void PlsEstimator::compute_inner_weights() {
    inner_weights_.setZero();
    switch (options_.scheme) {
        case InnerScheme::centroid:
            inner_weights_ = adjacency_.cwiseProduct(construct_corr_.unaryExpr([](double r) {
                return r > 0.0 ? 1.0 : (r < 0.0 ? -1.0 : 0.0);
            }));
            break;
        case InnerScheme::factorial:
            inner_weights_ = adjacency_.cwiseProduct(construct_corr_);
            break;
        case InnerScheme::path:
            // Lohmöller's path weighting: a construct's proxy takes its successors with their
            // correlations and its predecessors with their multiple-regression coefficients.
            for (Eigen::Index j = 0; j < construct_count_; ++j) {
                const auto& predictors = predecessors_[j];
                for (Eigen::Index i = 0; i < construct_count_; ++i)
                    if (adjacency_(i, j) != 0.0) inner_weights_(i, j) = construct_corr_(i, j);
                if (predictors.empty()) continue;
                auto& coefficients = predictor_coefficients_[j];
                regress(static_cast<int>(j), construct_corr_, coefficients);
                for (std::size_t a = 0; a < predictors.size(); ++a)
                    inner_weights_(predictors[a], j) = coefficients[static_cast<Eigen::Index>(a)];
            }
            break;
    }
}

void PlsEstimator::run(const Eigen::MatrixXd& correlation, Eigen::Index n_obs, PlsResult& out) {
    if (correlation.rows() != indicator_count_ || correlation.cols() != indicator_count_)
        throw EstimationError("correlation matrix has the wrong size for the model");
    prepare_result(out);
    out.n_obs = n_obs;
    factor_formative_blocks(correlation);

    weights_.setZero();
    for (const Block& block : blocks_) {
        const auto j = static_cast<Eigen::Index>(&block - blocks_.data());
        weights_.col(j).segment(block.start, block.size).setOnes();
    }
    normalize_weights(correlation, weights_);

    out.converged = false;
    out.iterations = 0;
    out.last_weight_change = std::numeric_limits<double>::infinity();
    while (out.iterations < options_.max_iterations) {
        indicator_construct_cov_.noalias() = correlation * weights_;
        construct_corr_.noalias() = weights_.transpose() * indicator_construct_cov_;
        compute_inner_weights();
        proxy_cov_.noalias() = indicator_construct_cov_ * inner_weights_;

        new_weights_.setZero();
        for (std::size_t j = 0; j < blocks_.size(); ++j) {
            const Block& block = blocks_[j];
            const auto col = static_cast<Eigen::Index>(j);
            auto target = proxy_cov_.col(col).segment(block.start, block.size);
            if (block.mode == MeasurementMode::reflective)
                new_weights_.col(col).segment(block.start, block.size) = target;
            else
                new_weights_.col(col).segment(block.start, block.size) = block_factors_[j].solve(target);
        }
        normalize_weights(correlation, new_weights_);
        ++out.iterations;
        out.last_weight_change = (new_weights_ - weights_).cwiseAbs().maxCoeff();
        weights_.swap(new_weights_);
        if (!std::isfinite(out.last_weight_change))
            throw EstimationError("outer weights became non-finite in iteration " + std::to_string(out.iterations));
        if (out.last_weight_change < options_.tolerance) {
            out.converged = true;
            break;
        }
    }

    finish(correlation, n_obs, out);
}

void PlsEstimator::evaluate(const Eigen::MatrixXd& correlation, Eigen::Index n_obs, const Eigen::VectorXd& weights,
                            PlsResult& out) {
    if (correlation.rows() != indicator_count_ || correlation.cols() != indicator_count_ || weights.size() != indicator_count_)
        throw EstimationError("correlation matrix or weights have the wrong size for the model");
    prepare_result(out);
    out.n_obs = n_obs;
    weights_.setZero();
    for (Eigen::Index k = 0; k < indicator_count_; ++k) weights_(k, block_of_indicator_[k]) = weights[k];
    normalize_weights(correlation, weights_);
    out.converged = true;  // nothing to iterate: the weights are given
    out.iterations = 0;
    out.last_weight_change = 0.0;
    finish(correlation, n_obs, out);
}

void PlsEstimator::finish(const Eigen::MatrixXd& correlation, Eigen::Index n_obs, PlsResult& out) {
    out.cross_loadings.noalias() = correlation * weights_;
    out.construct_correlations.noalias() = weights_.transpose() * out.cross_loadings;
    for (Eigen::Index k = 0; k < indicator_count_; ++k) {
        out.outer_weights[k] = weights_(k, block_of_indicator_[k]);
        out.loadings[k] = out.cross_loadings(k, block_of_indicator_[k]);
    }

    for (Eigen::Index j = 0; j < construct_count_; ++j) {
        const auto& predictors = predecessors_[j];
        if (predictors.empty()) continue;
        auto& coefficients = predictor_coefficients_[j];
        regress(static_cast<int>(j), out.construct_correlations, coefficients);
        double r2 = 0.0;
        for (std::size_t a = 0; a < predictors.size(); ++a) {
            const double beta = coefficients[static_cast<Eigen::Index>(a)];
            out.path_coefficients(predictors[a], j) = beta;
            r2 += beta * out.construct_correlations(predictors[a], j);
        }
        const auto k = static_cast<double>(predictors.size());
        const auto n = static_cast<double>(n_obs);
        out.r2[j] = r2;
        out.r2_adj[j] = 1.0 - (1.0 - r2) * (n - 1.0) / (n - k - 1.0);
    }

    // Total effects of a recursive model: B + B² + … + B^(J−1) = (I − B)⁻¹ − I, summed in
    // preallocated buffers (B is nilpotent, so the series is finite).
    out.total_effects = out.path_coefficients;
    effect_power_ = out.path_coefficients;
    for (Eigen::Index length = 2; length < construct_count_; ++length) {
        effect_scratch_.noalias() = effect_power_ * out.path_coefficients;
        effect_power_.swap(effect_scratch_);
        out.total_effects += effect_power_;
    }
    out.indirect_effects = out.total_effects - out.path_coefficients;
}

}  // namespace detail

Eigen::Index minimum_respondents(const Model& model) {
    Eigen::Index needed = 3;
    for (const auto& construct : model.constructs) {
        Eigen::Index predictors = 0;
        for (const auto& path : model.paths)
            if (path.to == construct.name) ++predictors;
        needed = std::max(needed, predictors + 2);
        if (construct.mode == MeasurementMode::formative)
            needed = std::max(needed, static_cast<Eigen::Index>(construct.indicators.size()) + 1);
    }
    return needed;
}

PlsResult estimate(const Model& model, const IndicatorMoments& moments, const EstimationOptions& options) {
    detail::PlsEstimator estimator(model, options);
    const auto indicators = model.all_indicators();
    if (moments.names != indicators)
        throw EstimationError("the indicator moments are not in the model's indicator order");
    const Eigen::Index needed = minimum_respondents(model);
    if (moments.n_obs < needed)
        throw ModelError("too few respondents: the data have " + std::to_string(moments.n_obs) +
                         " and the model needs at least " + std::to_string(needed) +
                         " (more predictors or formative indicators than respondents allow)");
    PlsResult result;
    estimator.describe(result);
    estimator.run(moments.correlation, moments.n_obs, result);
    return result;
}

PlsResult estimate_with_weights(const Model& model, const IndicatorMoments& moments, const EstimationOptions& options,
                                const Eigen::VectorXd& weights) {
    detail::PlsEstimator estimator(model, options);
    if (moments.names != model.all_indicators())
        throw EstimationError("the indicator moments are not in the model's indicator order");
    const Eigen::Index needed = minimum_respondents(model);
    if (moments.n_obs < needed)
        throw ModelError("too few respondents: the data have " + std::to_string(moments.n_obs) +
                         " and the model needs at least " + std::to_string(needed));
    PlsResult result;
    estimator.describe(result);
    estimator.evaluate(moments.correlation, moments.n_obs, weights, result);
    return result;
}

Eigen::MatrixXd construct_scores(const PlsResult& result, const IndicatorMoments& moments, const Dataset& data) {
    if (data.columns != result.indicators)
        throw EstimationError("the data columns are not in the model's indicator order");
    const auto p = static_cast<Eigen::Index>(result.indicators.size());
    const auto constructs = static_cast<Eigen::Index>(result.constructs.size());
    // Fold the standardization into the weights so one product over the raw data gives the scores.
    Eigen::MatrixXd raw_weights = Eigen::MatrixXd::Zero(p, constructs);
    for (Eigen::Index k = 0; k < p; ++k)
        raw_weights(k, result.block_of_indicator[k]) = result.outer_weights[k] / moments.sds[k];
    const Eigen::RowVectorXd offset = moments.means.transpose() * raw_weights;
    Eigen::MatrixXd scores = data.matrix() * raw_weights;
    scores.rowwise() -= offset;
    return scores;
}

}  // namespace csipls

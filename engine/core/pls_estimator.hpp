#pragma once
// The PLS iteration with its structure precomputed and its buffers kept between calls, so that the
// bootstrap can re-estimate many correlation matrices without re-validating the model or allocating.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <vector>

#include "csipls/core/estimate.hpp"
#include "detail/blocks.hpp"

namespace csipls::detail {

class PlsEstimator {
public:
    // Validates the model (throws ModelError) and the options (throws UsageError).
    PlsEstimator(const Model& model, const EstimationOptions& options);

    // Fills the descriptive parts of a result (names, structure, options); run() fills the numbers.
    void describe(PlsResult& out) const;

    // Estimates from the correlation matrix of the indicators (Model::all_indicators() order) of n
    // respondents, writing the numbers into `out`. Once `out` has the right shapes, a call
    // allocates nothing: the bootstrap relies on that.
    void run(const Eigen::MatrixXd& correlation, Eigen::Index n_obs, PlsResult& out);

    // The same with the outer weights given (per indicator, for standardized indicators; rescaled
    // here to unit construct variance) instead of iterated: the outer and inner model of fixed weights.
    void evaluate(const Eigen::MatrixXd& correlation, Eigen::Index n_obs, const Eigen::VectorXd& weights, PlsResult& out);

    Eigen::Index indicator_count() const { return indicator_count_; }
    Eigen::Index construct_count() const { return construct_count_; }

private:
    using Block = detail::Block;

    void prepare_result(PlsResult& out) const;
    void finish(const Eigen::MatrixXd& correlation, Eigen::Index n_obs, PlsResult& out);
    void factor_formative_blocks(const Eigen::MatrixXd& correlation);
    void normalize_weights(const Eigen::MatrixXd& correlation, Eigen::MatrixXd& weights);
    static double smallest_pivot(const Eigen::LLT<Eigen::MatrixXd>& factor);
    void compute_inner_weights();
    void regress(int dependent, const Eigen::MatrixXd& construct_corr, Eigen::Ref<Eigen::VectorXd> coefficients);

    EstimationOptions options_;
    std::vector<std::string> construct_names_;
    std::vector<std::string> indicator_names_;
    std::vector<int> block_of_indicator_;
    Eigen::Index indicator_count_ = 0;
    Eigen::Index construct_count_ = 0;
    std::vector<Block> blocks_;
    std::vector<std::vector<int>> predecessors_;  // per construct, in model order
    Eigen::MatrixXd adjacency_;                   // symmetric 0/1: constructs joined by a path
    std::vector<PlsResult::Link> paths_;
    Eigen::MatrixXi indirect_routes_;

    // Workspaces, sized once.
    Eigen::MatrixXd weights_;       // indicators × constructs, block-diagonal
    Eigen::MatrixXd new_weights_;
    Eigen::MatrixXd indicator_construct_cov_;  // S·W
    Eigen::MatrixXd construct_corr_;           // W'·S·W
    Eigen::MatrixXd inner_weights_;            // (neighbour, construct)
    Eigen::MatrixXd proxy_cov_;                // S·W·E: covariance of indicators with inner proxies
    Eigen::VectorXd block_product_;            // S_jj·w_j
    Eigen::MatrixXd effect_power_, effect_scratch_;
    std::vector<Eigen::LLT<Eigen::MatrixXd>> block_factors_;      // per formative block
    std::vector<Eigen::MatrixXd> predictor_corr_;                 // per construct, k × k
    std::vector<Eigen::VectorXd> predictor_target_;               // per construct, k
    std::vector<Eigen::VectorXd> predictor_coefficients_;         // per construct, k
    std::vector<Eigen::LLT<Eigen::MatrixXd>> predictor_factors_;  // per construct
};

}  // namespace csipls::detail

#pragma once
// PLS path modelling (Wold 1982; Lohmöller 1989) on the indicators' correlation matrix.
#include <Eigen/Core>
#include <cmath>
#include <string>
#include <vector>

#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/options.hpp"

namespace csipls {

// Results of one estimation. Matrices are indexed by the model's construct order and by indicator
// position (the model's blocks concatenated, see Model::all_indicators()).
struct PlsResult {
    EstimationOptions options;
    Eigen::Index n_obs = 0;
    bool converged = false;
    int iterations = 0;
    double last_weight_change = 0.0;  // max |Δw| of the last iteration, to show how far from converged
    bool consistent = false;          // loadings, construct correlations and paths corrected by PLSc

    std::vector<std::string> constructs;
    std::vector<std::string> indicators;
    std::vector<int> block_of_indicator;  // construct index of each indicator
    std::vector<MeasurementMode> modes;   // per construct: how its block is measured
    struct Link {
        int from;
        int to;
    };
    std::vector<Link> paths;  // the structural paths, in model order
    // (from, to): number of routes of two or more paths; an indirect (and so a total) effect exists
    // where it is positive, whatever its estimate.
    Eigen::MatrixXi indirect_routes;

    Eigen::VectorXd outer_weights;           // per indicator, for standardized indicators
    Eigen::VectorXd loadings;                // per indicator: correlation with its own construct
    Eigen::MatrixXd cross_loadings;          // indicators × constructs
    Eigen::MatrixXd construct_correlations;  // constructs × constructs
    // (from, to): the direct effect of construct `from` on construct `to`; 0 where there is no path.
    Eigen::MatrixXd path_coefficients;
    Eigen::MatrixXd total_effects;     // (from, to)
    Eigen::MatrixXd indirect_effects;  // total − direct
    // Per construct; NaN for exogenous constructs.
    Eigen::VectorXd r2;
    Eigen::VectorXd r2_adj;

    bool is_endogenous(int construct) const { return !std::isnan(r2[construct]); }
};

// Smallest number of respondents the model can be estimated with: every regression needs n > k + 1
// for an adjusted R², and a formative block of m indicators needs n > m for a non-singular block.
Eigen::Index minimum_respondents(const Model& model);

// Estimates `model` from the moments of its indicators, which must be in Model::all_indicators()
// order. Throws ModelError for a model that cannot be estimated (validated here too) and
// EstimationError for a numerical failure. Non-convergence is not an error: see PlsResult::converged.
PlsResult estimate(const Model& model, const IndicatorMoments& moments, const EstimationOptions& options);

// The outer and inner model of given outer weights (per indicator, for standardized indicators, in
// Model::all_indicators() order), with no iteration: e.g. a group's paths under pooled weights.
PlsResult estimate_with_weights(const Model& model, const IndicatorMoments& moments, const EstimationOptions& options,
                                const Eigen::VectorXd& weights);

// Construct scores (respondents × constructs, unit sample variance): the standardized indicators
// times the outer weights. `data` columns must be in Model::all_indicators() order.
Eigen::MatrixXd construct_scores(const PlsResult& result, const IndicatorMoments& moments, const Dataset& data);

}  // namespace csipls

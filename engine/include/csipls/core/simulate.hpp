#pragma once
// Survey-like data from a population model with known paths and loadings: a common-factor model
// (each indicator = loading × construct + error, unit variances) whose constructs follow the
// structural model, optionally cut onto an integer answer scale.
#include <Eigen/Core>
#include <cstdint>
#include <vector>
#include <optional>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/model.hpp"

namespace csipls {

struct SimulationOptions {
    Eigen::Index n = 250;
    std::uint64_t seed = 1;
    // Integer answer scale; none gives continuous standard-normal indicators.
    bool discrete = true;
    int scale_min = 1;
    int scale_max = 10;
    // Where the latent answer centre sits on the scale (0 = min, 1 = max); CSI answers lean high.
    double centre = 0.7;
    double default_loading = 0.8;  // for indicators without a population loading in the model
    double default_path = 0.3;     // for paths without a population value
    // Groups (companies): n respondents each, labelled C001, C002, …; each group's answer centre is
    // `centre` shifted by a uniform draw in ±group_spread, so their indices differ. 0: one sample.
    int groups = 0;
    double group_spread = 0.1;

    void validate() const;
};

struct PopulationModel {
    Eigen::MatrixXd construct_correlations;  // implied by the structural model
    Eigen::VectorXd loadings;                // per indicator, Model::all_indicators() order
    Eigen::MatrixXd path_coefficients;       // (from, to)
    Eigen::MatrixXd indicator_correlations;  // implied Σ of the standardized indicators
    // Interaction terms (`Y ~ 0.2*A:B`): `value` times the product of two exogenous constructs
    // enters `to`'s equation.
    struct Interaction {
        int first, second, to;
        double value;
    };
    std::vector<Interaction> interactions;
    Eigen::VectorXd disturbance_variances;  // per construct: what makes its variance one (1 when exogenous)
};

// The population implied by the model's values (defaults filled in). Throws ModelError when the
// values are impossible (a loading outside [−1, 1], paths that explain more than all variance).
PopulationModel population_model(const Model& model, const SimulationOptions& options);

// Draws options.n respondents. Columns in Model::all_indicators() order.
Dataset simulate(const Model& model, const SimulationOptions& options);

// A mixture of populations (hidden segments): `populations` share their indicators and differ in
// their values; population k gives round(shares[k] · options.n) respondents (the last one the
// rest), drawn as simulate draws them with its own seed, appended in population order and labelled
// S1, S2, … in group_of_row. Throws UsageError when the shares are not positive or do not sum to 1,
// or the populations' indicators differ.
Dataset simulate_mixture(const std::vector<Model>& populations, const std::vector<double>& shares, const SimulationOptions& options);

}  // namespace csipls

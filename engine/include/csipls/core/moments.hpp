#pragma once
// Everything the estimator needs from the data, gathered in one pass: after this the cost of
// estimation does not depend on the number of respondents.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "csipls/core/dataset.hpp"

namespace csipls {

struct IndicatorMoments {
    Eigen::Index n_obs = 0;
    std::vector<std::string> names;  // indicator names, in the dataset's column order
    Eigen::VectorXd means;
    Eigen::VectorXd sds;          // sample sd, divisor n − 1 (the convention of cSEM, seminr, SmartPLS)
    Eigen::MatrixXd correlation;  // Pearson correlations of the indicators
};

// Means, sds and correlations of every column of `data`. Throws ModelError for a constant column
// (it has no correlation) and for fewer than two rows. Missing values (NaN) are deleted listwise;
// compute_moments(data, MissingOptions, MissingReport*) in missing.hpp offers the other treatments.
IndicatorMoments compute_moments(const Dataset& data);

}  // namespace csipls

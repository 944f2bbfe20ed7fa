#pragma once
// Missing answers: how the indicator moments are estimated when some cells are missing (NaN in
// Dataset::values), and what was missing. The treatments work on sufficient statistics gathered in
// one pass over the data, so after that pass their cost does not depend on the number of respondents
// (EM iterates over missing-data patterns, not rows).
#include <Eigen/Core>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/moments.hpp"

namespace csipls {

// listwise: only respondents who answered every indicator (complete cases).
// mean: a missing answer is replaced by the mean of the indicator's observed answers (seminr's
//   mean_replacement); every respondent is used, and the replaced values lower the variances.
// pairwise: each correlation from the respondents who answered both indicators (R's
//   use = "pairwise.complete.obs"); the matrix must be positive definite.
// em: maximum likelihood means and covariances under a multivariate normal model, by the EM
//   algorithm (Dempster, Laird & Rubin 1977; Little & Rubin 2002, ch. 11).
enum class MissingTreatment { listwise, mean, pairwise, em };

std::string to_string(MissingTreatment treatment);
std::optional<MissingTreatment> missing_treatment_from_string(std::string_view text);

struct MissingOptions {
    MissingTreatment treatment = MissingTreatment::listwise;
    // EM: converged when no mean moves by more than this many sds and no covariance by more than
    // this times the product of the two sds between iterations.
    double em_tolerance = 1e-10;
    int em_max_iterations = 5000;

    void validate() const;  // throws UsageError
};

// What was missing and what the treatment used; counts are respondents (rows), not case weights.
struct MissingReport {
    MissingTreatment treatment = MissingTreatment::listwise;
    Eigen::Index respondents = 0;           // rows in the data
    Eigen::Index complete_respondents = 0;  // rows with every indicator answered
    Eigen::Index respondents_used = 0;      // rows that enter the estimate (listwise: the complete ones)
    std::vector<std::string> indicators;
    std::vector<Eigen::Index> missing_per_indicator;  // parallel to `indicators`
    Eigen::Index fewest_pairs = 0;  // pairwise: respondents behind the least supported correlation
    int em_iterations = 0;          // em: iterations to convergence

    Eigen::Index missing_cells() const;
};

// Means, sds and correlations with missing values treated as `options` says. Complete data take
// the ordinary path (the treatment changes nothing). IndicatorMoments::n_obs is the (weighted)
// number of respondents used: listwise the complete cases, mean and em all respondents, pairwise the
// fewest respondents behind any correlation. Case weights work with every treatment (weighted
// sufficient statistics). Throws ModelError naming the indicator when an indicator has fewer than
// two answers or is constant, when fewer than two respondents are complete (listwise), when two
// indicators share fewer than three respondents or the correlations are not positive definite
// (pairwise), and EstimationError when EM does not converge.
IndicatorMoments compute_moments(const Dataset& data, const MissingOptions& options, MissingReport* report = nullptr);

// What is missing in `data` and how many respondents `treatment` would use (no moments computed:
// fewest_pairs and em_iterations stay 0).
MissingReport missing_report(const Dataset& data, MissingTreatment treatment);

// Whether any value in `data` is missing.
bool has_missing_values(const Dataset& data);

// The rows of `data` with every value present (case weights and groups kept with their rows).
Dataset complete_cases(const Dataset& data);

// Construct scores need a value in every cell. The treatment's own estimate fills each missing
// cell: mean and pairwise the indicator's mean, em the conditional expectation of the missing
// answers given the respondent's observed ones under the estimated normal model. Listwise fills
// nothing: rows with a missing value are left NaN (the respondent was not used). `moments` are the
// treated moments of `data`.
Dataset fill_missing_for_scores(const Dataset& data, const IndicatorMoments& moments, const MissingOptions& options);

}  // namespace csipls

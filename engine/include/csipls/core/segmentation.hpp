#pragma once
// Hidden segments (unobserved heterogeneity) in the structural model: FIMIX-PLS (Hahn, Johnson,
// Herrmann & Huber 2002), a finite mixture of the structural regressions on the full-sample
// construct scores estimated by EM, with the segment retention criteria of Sarstedt, Becker, Ringle
// & Schwaiger (2011); and PLS-POS (Becker, Rai, Ringle & Völckner 2013), the prediction-oriented
// segmentation that moves respondents between segments while the summed R² grows.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"

namespace csipls {

struct FimixOptions {
    int k_min = 1;  // numbers of segments tried: k_min … k_max
    int k_max = 1;
    int starts = 10;  // EM runs from random posterior matrices per K; the best log-likelihood wins
    // EM stops when the log-likelihood grows by less than this (absolute, SmartPLS's 1e-10 default
    // as "stop criterion 10") or after max_iterations.
    double tolerance = 1e-10;
    int max_iterations = 5000;
    std::uint64_t seed = 1;
    int threads = 0;  // starts run in parallel; 0: every core OpenMP offers; never changes a result

    void validate() const;
};

// The information criteria of one K. n respondents, N_k free parameters, lnL the log-likelihood.
struct FimixCriteria {
    double aic = 0;   // −2 lnL + 2 N_k
    double aic3 = 0;  // −2 lnL + 3 N_k
    double aic4 = 0;  // −2 lnL + 4 N_k
    double bic = 0;   // −2 lnL + ln(n) N_k
    double caic = 0;  // −2 lnL + (ln(n) + 1) N_k
    double hq = 0;    // −2 lnL + 2 ln(ln(n)) N_k
    // Liang, Jaszczak & Coleman's (1992) MDL_P with P = 5: −2 lnL + (5 + 1)/2 · ln(n) N_k. Some
    // implementations use −2 lnL + 5 ln(n) N_k instead.
    double mdl5 = 0;
    // Normed entropy 1 − Σ_i Σ_k −p_ik ln p_ik / (n ln K); NaN for K = 1.
    double entropy = 0;
};

// The formula of each criterion, by its JSON name, for the output.
std::vector<std::pair<std::string, std::string>> fimix_criteria_definitions();

// One segment's structural model.
struct SegmentModel {
    double share = 0;                   // mixing proportion ρ_k (FIMIX) or share of respondents (POS)
    Eigen::MatrixXd path_coefficients;  // (from, to), 0 where there is no path
    Eigen::VectorXd residual_variance;  // per construct; NaN for exogenous ones
    Eigen::VectorXd r2;                 // per construct; NaN for exogenous ones
};

struct SegmentSolution {
    int k = 0;
    std::string error;  // why this K has no solution (too few respondents, every start failed)
    double log_likelihood = 0;  // FIMIX
    int parameters = 0;         // N_k (FIMIX)
    FimixCriteria criteria;     // FIMIX
    double objective = 0;       // POS: the summed R² of the segments' endogenous constructs
    int best_start = -1;
    int iterations = 0;         // of the best start
    bool converged = false;     // the best start met the tolerance (FIMIX) or found no improving move (POS)
    int failed_starts = 0;
    std::vector<std::string> start_failures;  // "start 3: …", in start order
    std::vector<SegmentModel> segments;
    std::vector<int> sizes;           // respondents per segment by hard assignment
    Eigen::MatrixXd posterior;        // respondents × K (FIMIX; POS: 0/1)
    std::vector<int> assignment;      // per respondent, its segment 0 … K−1

    bool ok() const { return error.empty(); }
};

// N_k = (K − 1) + K·(R + P): the mixing proportions, and per segment R path coefficients and P
// residual variances (one per endogenous construct). No intercepts: the scores are standardized on
// the full sample, as in Hahn et al. (2002).
int fimix_parameter_count(int k, int path_count, int endogenous_count);

// The criteria of a solution with log-likelihood `log_likelihood`, `parameters` free parameters
// and `posterior` (n × K).
FimixCriteria fimix_criteria(double log_likelihood, int parameters, const Eigen::MatrixXd& posterior);

// The mixture's log-likelihood Σ_i ln Σ_k ρ_k Π_j N(y_ij | x_ij'β_jk, σ²_jk) of `scores`
// (respondents × constructs, model order) under the given segments; fills `posterior` (n × K).
double fimix_log_likelihood(const Model& model, const Eigen::MatrixXd& scores, const std::vector<SegmentModel>& segments,
                            Eigen::MatrixXd& posterior);

// FIMIX-PLS on the construct scores (respondents × constructs in model order, no missing values)
// for K = k_min … k_max. Throws ModelError for a model without an endogenous construct and
// UsageError for invalid options; a K that cannot be estimated (too few respondents, every start
// degenerate) is reported in its SegmentSolution::error while the other K are still estimated.
std::vector<SegmentSolution> fimix(const Model& model, const Eigen::MatrixXd& scores, const FimixOptions& options);

struct PosOptions {
    int k = 2;
    int starts = 10;
    // A segment may not shrink below this many respondents; 0: the model's minimum
    // (minimum_respondents) or 5 % of the respondents, whichever is larger.
    Eigen::Index min_segment_size = 0;
    int max_iterations = 1000;  // accepted moves per start
    std::uint64_t seed = 1;
    int threads = 0;
    // A start partition (e.g. FIMIX's hard assignment, per respondent 0 … k−1), used as start 0.
    std::vector<int> start_partition;

    void validate() const;
};

struct StagedItems;
// PLS-POS for options.k segments of the respondents of `data` (indicators in Model::all_indicators()
// order, no missing values), each segment estimated by PLS with `estimation`. Starts are random
// partitions (seeded per start); the best objective wins, ties by start index. With `stages` (a
// staged model), `model` is stage 2 and `data` holds the items: every segment estimate re-runs
// stage 1 on the segment's items (a segment is a two-stage study of its rows), and a respondent's
// distance to a segment is taken on the stage-2 values that segment's stage 1 gives it.
SegmentSolution pls_pos(const Model& model, const Dataset& data, const EstimationOptions& estimation, const PosOptions& options,
                        const StagedItems* stages = nullptr);

// An observed variable (age, region code) compared between segments: per segment n, mean and sd
// with a one-way ANOVA F test of equal means; for a variable of at most 10 distinct values also
// each value's share per segment with Pearson's χ² test of independence.
struct SegmentDescription {
    std::string column;
    std::vector<Eigen::Index> n;  // per segment, respondents with a value
    std::vector<double> mean, sd;
    double f = 0, f_p = 0;  // NaN when undefined (fewer than two segments with values, no variance)
    int df_between = 0, df_within = 0;
    std::vector<double> levels;   // distinct values, ascending; empty when more than 10
    Eigen::MatrixXd shares;       // levels × segments: share of each value within each segment
    double chi2 = 0, chi2_p = 0;  // NaN without levels
    int chi2_df = 0;
};

// Describes `values` (one per respondent, NaN: missing) by the hard `assignment` (0 … k − 1).
SegmentDescription describe_segments(const std::string& column, const Eigen::VectorXd& values, const std::vector<int>& assignment, int k);

enum class SegmentationMethod { none, fimix, pos };
const char* segmentation_method_name(SegmentationMethod method);

// A segmentation of a study's respondents: one solution per K tried (one for PLS-POS).
struct SegmentationResult {
    SegmentationMethod method = SegmentationMethod::none;
    std::vector<SegmentSolution> solutions;
    // The data row of each segmented respondent (the rows of SegmentSolution::posterior); rows left
    // out (missing answers under listwise deletion) have no segment.
    std::vector<Eigen::Index> rows;
    Eigen::Index data_rows = 0;
    std::vector<SegmentDescription> descriptions;  // the observed columns asked for, by the selected solution
};

// The solution reported as the segmentation (its assignments written, its segments shown): the
// only one, or among several K the one of smallest CAIC (ties: the smaller K), CAIC being the
// conservative one of the two criteria Sarstedt et al. (2011) recommend reading together (AIC3 and
// CAIC). −1 when no K has a solution.
int selected_solution(const SegmentationResult& segmentation);

// Hubert & Arabie's (1985) adjusted Rand index of two partitions of the same respondents.
double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace csipls

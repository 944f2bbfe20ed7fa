#pragma once
// The missing-data kernel shared by compute_moments and the bootstrap: sufficient statistics of
// (weighted) rows with missing cells, and the treatments computed from them.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/missing.hpp"

namespace csipls::detail {

// Where the data are missing, found in one pass and then shared read-only by every thread.
struct MissingLayout {
    explicit MissingLayout(const Dataset& data);

    Eigen::Index rows = 0, cols = 0;
    std::vector<char> complete;                // per row: every value present
    // Per row: its missing-data pattern, −1 when complete, −2 when nothing is answered (such a row
    // carries no information about any indicator and is left out by every treatment).
    std::vector<int> pattern_of_row;
    std::vector<std::vector<int>> observed;    // per pattern: the indicators answered
    std::vector<std::vector<int>> missing;     // per pattern: the indicators not answered
    std::vector<Eigen::Index> missing_per_column;
    Eigen::Index complete_rows = 0;
    Eigen::Index empty_rows = 0;  // rows with nothing answered
    Eigen::RowVectorXd centre;  // unweighted observed means: sums are accumulated around them
    bool any_missing() const { return complete_rows < rows; }
};

// Per-thread buffers and the treated moments of one weighted sample (the data, or a resample given
// by row counts). Sized once; compute() does not resize them.
class MissingMoments {
public:
    MissingMoments(const MissingLayout& layout, const std::vector<std::string>& names);

    // Moments of the rows of `x` weighted by `counts`, missing cells treated as `options` says.
    // `em_start`: EM starts from these moments when given (a resample starts from the full-data
    // estimate), else from mean replacement. Throws ModelError or EstimationError saying why.
    void compute(Eigen::Map<const RowMatrix> x, const Eigen::VectorXd& counts, const MissingOptions& options,
                 const MissingMoments* em_start = nullptr);

    Eigen::VectorXd means, sds;   // absolute means; sds with divisor n − 1
    Eigen::MatrixXd covariance;   // divisor n − 1
    Eigen::MatrixXd correlation;
    double n_used = 0;            // Σ counts behind the estimate (pairwise: the fewest pairs)
    int em_iterations = 0;

private:
    void accumulate(Eigen::Map<const RowMatrix> x, const Eigen::VectorXd& counts, bool listwise, bool em);
    void listwise();
    void mean_replacement();
    void pairwise();
    void em(const MissingOptions& options, const MissingMoments* start);
    void finish();  // means, sds and correlation from offset_ and covariance; refuses a constant column

    const MissingLayout& layout_;
    const std::vector<std::string>& names_;
    // Around layout_.centre, d = x − centre with d = 0 in missing cells, c the row count:
    double complete_total_ = 0, all_total_ = 0;  // Σc over complete rows, over all rows
    Eigen::VectorXd complete_sums_;              // Σc d over complete rows
    Eigen::MatrixXd complete_cross_;             // Σc dd' over complete rows (lower triangle, then full)
    Eigen::MatrixXd pair_total_;                 // (a, b): Σc over incomplete rows answering a and b
    Eigen::MatrixXd pair_sums_;                  // (a, b): Σc d_a over incomplete rows answering a and b
    Eigen::MatrixXd pair_squares_;               // (a, b): Σc d_a² over incomplete rows answering a and b
    Eigen::MatrixXd incomplete_cross_;           // Σc dd' over incomplete rows
    // EM: per pattern Σc, Σc d and Σc dd' (zero where missing).
    Eigen::VectorXd pattern_total_;
    Eigen::MatrixXd pattern_sums_;            // p × patterns
    std::vector<Eigen::MatrixXd> pattern_cross_;
    Eigen::VectorXd offset_;                  // means − centre, in the centred units of the sums
    Eigen::VectorXd deviation_;               // one row's d
};

// compute_moments for data with a missing cell.
IndicatorMoments moments_with_missing(const Dataset& data, const MissingOptions& options, MissingReport* report);

}  // namespace csipls::detail

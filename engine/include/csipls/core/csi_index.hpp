#pragma once
// Customer satisfaction indices on 0–100 (the ACSI method; Fornell et al. 1996): each construct's
// unstandardized outer weights (standardized weight / indicator sd), rescaled to sum 1 in the block,
// weight the indicator means mapped from the answer scale onto 0–100.
#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"

namespace csipls {

struct AnswerScale {
    double min = 1.0;
    double max = 10.0;
};

struct CsiIndex {
    Eigen::VectorXd index;             // per construct, 0–100
    Eigen::VectorXd rescaled_weights;  // per indicator: unstandardized, summing to 1 in each block
    // Per construct: a negative unstandardized weight makes the index a difference, not a weighted
    // mean of answers, so it can leave 0–100 and means nothing (flagged, not hidden).
    std::vector<bool> negative_weight;
};

// Per indicator (Model::all_indicators() order), its answer scale from the model's `scale`
// statements, or none. A name may be an indicator or a construct (its whole block). Throws
// ModelError naming the file and line of a name that is neither.
std::vector<std::optional<AnswerScale>> model_answer_scales(const Model& model);

// Per indicator, whether a `reverse` statement names it. Throws ModelError for a name that is not an
// indicator of the model.
std::vector<bool> reversed_indicators(const Model& model);

// Recodes the reversed columns of `data` (model indicator order) as MIN + MAX − answer; missing
// answers (NaN) stay missing.
void reverse_code(Dataset& data, const std::vector<bool>& reversed, const std::vector<AnswerScale>& scales);

// `scales` has one entry per indicator (Model::all_indicators() order). Throws UsageError for a
// scale with max <= min.
CsiIndex csi_indices(const PlsResult& result, const Eigen::VectorXd& means, const Eigen::VectorXd& sds,
                     const std::vector<AnswerScale>& scales);

// The same, writing only the indices into `index` (no allocation): used per bootstrap replicate.
void csi_index_values(const PlsResult& result, const Eigen::VectorXd& means, const Eigen::VectorXd& sds,
                      const std::vector<AnswerScale>& scales, Eigen::Ref<Eigen::VectorXd> index);

}  // namespace csipls

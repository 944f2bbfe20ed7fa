#include "csipls/core/csi_index.hpp"

#include <algorithm>

#include "csipls/core/error.hpp"

namespace csipls {

void csi_index_values(const PlsResult& result, const Eigen::VectorXd& means, const Eigen::VectorXd& sds,
                      const std::vector<AnswerScale>& scales, Eigen::Ref<Eigen::VectorXd> index) {
    // index_j = Σ u_k·score_k / Σ u_k over block j, with u_k = w_k / sd_k and score_k the mean
    // mapped onto 0–100. Blocks are contiguous in indicator order, so one pass does it.
    const auto indicators = result.outer_weights.size();
    double weighted = 0.0, weights = 0.0;
    for (Eigen::Index k = 0; k < indicators; ++k) {
        const AnswerScale& scale = scales[static_cast<std::size_t>(k)];
        const double unstandardized = result.outer_weights[k] / sds[k];
        weighted += unstandardized * (means[k] - scale.min) / (scale.max - scale.min) * 100.0;
        weights += unstandardized;
        if (k + 1 == indicators || result.block_of_indicator[k + 1] != result.block_of_indicator[k]) {
            index[result.block_of_indicator[k]] = weighted / weights;
            weighted = weights = 0.0;
        }
    }
}

CsiIndex csi_indices(const PlsResult& result, const Eigen::VectorXd& means, const Eigen::VectorXd& sds,
                     const std::vector<AnswerScale>& scales) {
    if (scales.size() != result.indicators.size())
        throw UsageError("the index needs one answer scale per indicator");
    for (std::size_t k = 0; k < scales.size(); ++k)
        if (!(scales[k].max > scales[k].min))
            throw UsageError("the answer scale of '" + result.indicators[k] + "' needs MIN < MAX, got " +
                             number_text(scales[k].min) + ":" + number_text(scales[k].max));
    const auto constructs = static_cast<Eigen::Index>(result.constructs.size());
    CsiIndex out;
    out.index.resize(constructs);
    csi_index_values(result, means, sds, scales, out.index);
    out.rescaled_weights = result.outer_weights.cwiseQuotient(sds);
    Eigen::VectorXd block_sums = Eigen::VectorXd::Zero(constructs);
    for (Eigen::Index k = 0; k < out.rescaled_weights.size(); ++k) block_sums[result.block_of_indicator[k]] += out.rescaled_weights[k];
    out.negative_weight.assign(static_cast<std::size_t>(constructs), false);
    for (Eigen::Index k = 0; k < out.rescaled_weights.size(); ++k) {
        const int j = result.block_of_indicator[k];
        out.rescaled_weights[k] /= block_sums[j];
        if (out.rescaled_weights[k] < 0) out.negative_weight[static_cast<std::size_t>(j)] = true;
    }
    return out;
}

std::vector<std::optional<AnswerScale>> model_answer_scales(const Model& model) {
    const auto indicators = model.all_indicators();
    std::vector<std::optional<AnswerScale>> scales(indicators.size());
    for (const ScaleStatement& statement : model.scales) {
        const AnswerScale scale{statement.min, statement.max};
        if (statement.names.empty()) {
            std::fill(scales.begin(), scales.end(), scale);
            continue;
        }
        for (const std::string& name : statement.names) {
            const int construct = model.construct_index(name);
            bool found = false;
            std::size_t k = 0;
            for (std::size_t j = 0; j < model.constructs.size(); ++j)
                for (const auto& indicator : model.constructs[j].indicators) {
                    if (static_cast<int>(j) == construct || indicator == name) {
                        scales[k] = scale;
                        found = true;
                    }
                    ++k;
                }
            if (!found)
                throw ModelError(model.source + ":" + std::to_string(statement.line) + ": 'scale' names '" + name +
                                 "', which is neither a construct nor an indicator of the model");
        }
    }
    return scales;
}

std::vector<bool> reversed_indicators(const Model& model) {
    const auto indicators = model.all_indicators();
    std::vector<bool> reversed(indicators.size(), false);
    for (const ReverseStatement& statement : model.reversed)
        for (const std::string& item : statement.items) {
            const auto at = std::find(indicators.begin(), indicators.end(), item);
            if (at == indicators.end())
                throw ModelError(model.source + ":" + std::to_string(statement.line) + ": 'reverse' names '" + item +
                                 "', which is not an indicator of the model");
            reversed[static_cast<std::size_t>(at - indicators.begin())] = true;
        }
    return reversed;
}

void reverse_code(Dataset& data, const std::vector<bool>& reversed, const std::vector<AnswerScale>& scales) {
    auto x = data.matrix();
    for (Eigen::Index k = 0; k < x.cols(); ++k)
        if (reversed[static_cast<std::size_t>(k)]) {
            const double flip = scales[static_cast<std::size_t>(k)].min + scales[static_cast<std::size_t>(k)].max;
            x.col(k) = (flip - x.col(k).array()).matrix();
        }
}

}  // namespace csipls

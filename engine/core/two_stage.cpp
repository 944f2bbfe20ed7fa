#include "csipls/core/two_stage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "csipls/core/enum_names.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"
#include "detail/blocks.hpp"

namespace csipls {
namespace {

constexpr EnumNames<InteractionMethod, 3> interaction_names = {{InteractionMethod::two_stage, "two-stage"},
                                                               {InteractionMethod::product_indicator, "product-indicator"},
                                                               {InteractionMethod::orthogonal, "orthogonal"}};
constexpr EnumNames<HigherOrderApproach, 3> higher_order_names = {{HigherOrderApproach::two_stage, "two-stage"},
                                                                  {HigherOrderApproach::embedded, "embedded"},
                                                                  {HigherOrderApproach::repeated, "repeated"}};

// Stage-1 indicator positions of each stage-1 construct's block.
std::vector<std::vector<int>> block_positions(const Model& model) {
    std::vector<std::vector<int>> out;
    int position = 0;
    for (const auto& construct : model.constructs) {
        out.emplace_back();
        for (std::size_t k = 0; k < construct.indicators.size(); ++k) out.back().push_back(position++);
    }
    return out;
}

// The affine map from a lower-order construct's standardized score to its 0–100 index score:
// index score = offset + scale · score, from the construct's unstandardized weights (weight / sd).
// False when the map is not increasing (a negative unstandardized weight sum), which would turn
// the score's correlations around: the standardized score is used then.
bool index_score_map(const std::vector<int>& block, const Eigen::VectorXd& weights, const Eigen::VectorXd& means,
                     const Eigen::VectorXd& inverse_sds, const std::vector<AnswerScale>& scales, double& offset, double& scale) {
    double centre = 0, low = 0, range = 0;
    for (const int k : block) {
        const double unstandardized = weights[k] * inverse_sds[k];
        centre += unstandardized * means[k];
        low += unstandardized * scales[static_cast<std::size_t>(k)].min;
        range += unstandardized * (scales[static_cast<std::size_t>(k)].max - scales[static_cast<std::size_t>(k)].min);
    }
    if (!(range > 0)) return false;
    offset = 100.0 * (centre - low) / range;
    scale = 100.0 / range;
    return true;
}

}  // namespace

std::string to_string(InteractionMethod method) { return enum_name(interaction_names, method); }
std::optional<InteractionMethod> interaction_method_from_string(std::string_view text) {
    return enum_from_name(interaction_names, text);
}
std::string to_string(HigherOrderApproach approach) { return enum_name(higher_order_names, approach); }
std::optional<HigherOrderApproach> higher_order_approach_from_string(std::string_view text) {
    return enum_from_name(higher_order_names, text);
}

bool StagedModel::is_interaction(int stage2_construct) const {
    return std::find(interaction_constructs.begin(), interaction_constructs.end(), stage2_construct) != interaction_constructs.end();
}

bool StagedModel::is_interaction_index(const BootstrapParameter& parameter) const {
    return parameter.kind == BootstrapParameter::Kind::csi_index && is_interaction(parameter.to);
}

StagedModel stage_model(const Model& model, const StagingOptions& options) {
    validate_model(model);
    StagedModel staged;
    staged.options = options;
    staged.interactions = interaction_terms(model);
    const auto higher = higher_order_constructs(model);
    if (staged.interactions.empty() && higher.empty())
        throw ModelError(model.location(0) + ": the model has no interaction terms or higher-order constructs to estimate in two stages");

    if (!higher.empty() && options.higher_order == HigherOrderApproach::repeated)
        throw ModelError(model.location(0) + ": the repeated-indicators approach is one stage, and interaction terms need two: use "
                                           "`staging.higher_order` two-stage or embedded");
    std::map<std::string, std::vector<std::string>> replaced;  // higher-order construct → its lower-order constructs
    for (const auto& h : higher) replaced[model.constructs[static_cast<std::size_t>(h.construct)].name] = model.constructs[static_cast<std::size_t>(h.construct)].indicators;
    Model& stage1 = staged.stage1;
    if (!higher.empty() && options.higher_order == HigherOrderApproach::embedded) {
        // Stage 1 is the repeated-indicators model (without interaction paths); the data columns of
        // the copies are the items they copy.
        Model without_interactions = model;
        std::erase_if(without_interactions.paths, [&](const auto& path) { return model.construct_index(path.from) < 0; });
        stage1 = repeated_indicators_model(without_interactions, staged.item_columns);
    } else {
        // Stage 1: no interaction paths; a higher-order construct's paths go to and leave from each
        // of its lower-order constructs.
        stage1.source = model.source;
        stage1.source_xxh64 = model.source_xxh64;
        for (const auto& construct : model.constructs)
            if (!replaced.count(construct.name)) stage1.constructs.push_back(construct);
        auto stage1_ends = [&](const std::string& name) { return replaced.count(name) ? replaced[name] : std::vector<std::string>{name}; };
        std::set<std::pair<std::string, std::string>> stage1_paths;
        for (const auto& path : model.paths) {
            if (model.construct_index(path.from) < 0) continue;  // an interaction term
            for (const auto& from : stage1_ends(path.from))
                for (const auto& to : stage1_ends(path.to))
                    if (stage1_paths.emplace(from, to).second) stage1.paths.push_back({from, to, std::nullopt, path.line});
        }
        staged.item_columns = stage1.all_indicators();
    }
    staged.items = stage1.all_indicators();
    const auto stage1_blocks = block_positions(stage1);

    // Stage 2: the user's model, lower-order constructs replaced by their scores, interaction terms
    // added as constructs measured by computed products.
    Model& stage2 = staged.stage2;
    stage2.source = model.source;
    stage2.source_xxh64 = model.source_xxh64;
    // The diagram's columns, for the result: they may name lower-order constructs, which the
    // diagram draws from stage 1.
    stage2.layout = model.layout;
    std::set<std::string> lower_order;
    for (const auto& [name, lowers] : replaced) lower_order.insert(lowers.begin(), lowers.end());
    for (const auto& construct : model.constructs) {
        if (lower_order.count(construct.name)) continue;
        stage2.constructs.push_back(construct);
        if (!replaced.count(construct.name)) continue;
        StagedModel::HigherOrder entry{static_cast<int>(stage2.constructs.size()) - 1, {}};
        for (const auto& lower : construct.indicators) {
            const int position = stage1.construct_index(lower);
            entry.lower_order.push_back(position);
            staged.computed.push_back({ComputedIndicator::Kind::construct_score, lower, position, -1, -1});
        }
        staged.higher_order.push_back(std::move(entry));
    }
    for (const auto& term : staged.interactions) {
        const int first = stage1.construct_index(term.first), second = stage1.construct_index(term.second);
        Construct construct{term.name, MeasurementMode::reflective, {}, {}, term.line};
        if (options.interaction == InteractionMethod::two_stage) {
            construct.indicators.push_back(term.first + "*" + term.second);
            staged.computed.push_back({ComputedIndicator::Kind::score_product, construct.indicators.back(), first, second, -1});
        } else {
            for (const int part : {first, second})
                if (stage1.constructs[static_cast<std::size_t>(part)].mode == MeasurementMode::formative)
                    throw ModelError(model.location(term.line) + ": interaction term '" + term.name + "' has the formative construct '" +
                                     stage1.constructs[static_cast<std::size_t>(part)].name + "': products of its indicators measure "
                                     "nothing; use `staging.interaction` two-stage, the method for formative constructs");
            int set = -1;
            if (options.interaction == InteractionMethod::orthogonal) {
                set = static_cast<int>(staged.regression_sets.size());
                std::vector<int> regressors = stage1_blocks[static_cast<std::size_t>(first)];
                const auto& more = stage1_blocks[static_cast<std::size_t>(second)];
                regressors.insert(regressors.end(), more.begin(), more.end());
                staged.regression_sets.push_back(std::move(regressors));
            }
            for (const int a : stage1_blocks[static_cast<std::size_t>(first)])
                for (const int b : stage1_blocks[static_cast<std::size_t>(second)]) {
                    construct.indicators.push_back(staged.items[static_cast<std::size_t>(a)] + "*" + staged.items[static_cast<std::size_t>(b)]);
                    staged.computed.push_back({ComputedIndicator::Kind::item_product, construct.indicators.back(), a, b, set});
                }
        }
        stage2.constructs.push_back(std::move(construct));
        staged.interaction_constructs.push_back(static_cast<int>(stage2.constructs.size()) - 1);
    }
    stage2.paths = model.paths;

    std::map<std::string, int> item_position;
    for (std::size_t k = 0; k < staged.items.size(); ++k) item_position[staged.items[k]] = static_cast<int>(k);
    std::map<std::string, int> computed_position;
    for (std::size_t k = 0; k < staged.computed.size(); ++k) computed_position[staged.computed[k].name] = static_cast<int>(k);
    for (const auto& name : stage2.all_indicators()) {
        if (const auto item = item_position.find(name); item != item_position.end() && !computed_position.count(name))
            staged.stage2_source.push_back(item->second);
        else
            staged.stage2_source.push_back(-1 - computed_position.at(name));
    }
    // Both stages are plain models now; a problem left is a bug here, not the user's.
    validate_model(stage1);
    validate_model(stage2);
    return staged;
}

std::vector<AnswerScale> stage_two_scales(const StagedModel& staged, const std::vector<AnswerScale>& item_scales) {
    std::vector<AnswerScale> scales;
    for (const int source : staged.stage2_source) {
        if (source >= 0) {
            scales.push_back(item_scales[static_cast<std::size_t>(source)]);
            continue;
        }
        const bool score = staged.computed[static_cast<std::size_t>(-1 - source)].kind == ComputedIndicator::Kind::construct_score;
        scales.push_back(score ? AnswerScale{0, 100} : AnswerScale{0, 1});
    }
    return scales;
}

Dataset stage_two_data(const StagedModel& staged, const Dataset& items, const IndicatorMoments& item_moments,
                       const PlsResult& stage1, const std::vector<AnswerScale>& item_scales, Orthogonalizing* fit,
                       const Orthogonalizing* fitted) {
    if (items.columns != staged.items) throw EstimationError("the data columns are not in the order of the stage-1 items");
    const Eigen::Index n = items.rows;
    const auto columns = staged.stage2.all_indicators();
    const auto p2 = static_cast<Eigen::Index>(columns.size());
    const auto c = static_cast<Eigen::Index>(staged.computed.size());
    const auto blocks = block_positions(staged.stage1);
    const Eigen::VectorXd inverse_sds = item_moments.sds.cwiseInverse();

    // Standardized items, then the computed columns from them.
    Eigen::MatrixXd z = (items.matrix().rowwise() - item_moments.means.transpose()).array().rowwise() * inverse_sds.transpose().array();
    Eigen::MatrixXd computed(n, c);
    const bool weighted = items.case_weights.size() == n && n > 0;
    if (fitted && fitted->coefficients.size() != static_cast<std::size_t>(c))
        throw EstimationError("the fitted orthogonalizing regressions are not this model's");
    if (fit) {
        fit->product_means.assign(static_cast<std::size_t>(c), 0.0);
        fit->coefficients.assign(static_cast<std::size_t>(c), Eigen::VectorXd());
    }
    for (Eigen::Index k = 0; k < c; ++k) {
        const auto& column = staged.computed[static_cast<std::size_t>(k)];
        auto score = [&](int construct) {
            Eigen::VectorXd s = Eigen::VectorXd::Zero(n);
            for (const int item : blocks[static_cast<std::size_t>(construct)]) s += stage1.outer_weights[item] * z.col(item);
            return s;
        };
        switch (column.kind) {
            case ComputedIndicator::Kind::construct_score: {
                computed.col(k) = score(column.first);
                double offset = 0, scale = 1;
                if (!item_scales.empty() && index_score_map(blocks[static_cast<std::size_t>(column.first)], stage1.outer_weights,
                                                            item_moments.means, inverse_sds, item_scales, offset, scale))
                    computed.col(k) = (offset + scale * computed.col(k).array()).matrix();
                break;
            }
            case ComputedIndicator::Kind::score_product:
                computed.col(k) = score(column.first).cwiseProduct(score(column.second));
                break;
            case ComputedIndicator::Kind::item_product:
                computed.col(k) = z.col(column.first).cwiseProduct(z.col(column.second));
                break;
        }
        if (column.regression_set >= 0) {
            // The residual of an ordinary least-squares regression with intercept (z is centred).
            const auto& set = staged.regression_sets[static_cast<std::size_t>(column.regression_set)];
            Eigen::MatrixXd regressors(n, static_cast<Eigen::Index>(set.size()));
            for (std::size_t j = 0; j < set.size(); ++j) regressors.col(static_cast<Eigen::Index>(j)) = z.col(set[j]);
            // Weighted with case weights, as the moments and the bootstrap's kernel are.
            const auto position = static_cast<std::size_t>(k);
            const double mean = fitted ? fitted->product_means[position]
                                       : (weighted ? items.case_weights.dot(computed.col(k)) / items.case_weights.sum() : computed.col(k).mean());
            const Eigen::VectorXd centred = computed.col(k).array() - mean;
            Eigen::VectorXd beta;
            if (fitted) {
                beta = fitted->coefficients[position];
                if (beta.size() != regressors.cols()) throw EstimationError("the fitted orthogonalizing regressions are not this model's");
            } else if (weighted) {
                const Eigen::MatrixXd weighted_regressors = items.case_weights.asDiagonal() * regressors;
                beta = (weighted_regressors.transpose() * regressors).ldlt().solve(weighted_regressors.transpose() * centred);
            } else {
                beta = (regressors.transpose() * regressors).ldlt().solve(regressors.transpose() * centred);
            }
            computed.col(k) = centred - regressors * beta;
            if (fit) {
                fit->product_means[position] = mean;
                fit->coefficients[position] = beta;
            }
        }
    }

    Dataset out = items.with_columns(columns);
    auto x = out.matrix();
    const auto raw = items.matrix();
    for (Eigen::Index j = 0; j < p2; ++j) {
        const int source = staged.stage2_source[static_cast<std::size_t>(j)];
        if (source >= 0)
            x.col(j) = raw.col(source);
        else
            x.col(j) = computed.col(-1 - source);
    }
    return out;
}

StageOne run_stage_one(const StagedModel& staged, const Dataset& items, const EstimationOptions& options,
                       const std::vector<AnswerScale>& item_scales, Orthogonalizing* fit) {
    if (has_missing_values(items)) throw EstimationError("stage 1 needs complete items, and some answers are missing");
    StageOne out;
    out.moments = compute_moments(items);
    out.estimate = estimate(staged.stage1, out.moments, options);
    out.stage2_data = stage_two_data(staged, items, out.moments, out.estimate, item_scales, fit);
    return out;
}

void clear_interaction_indices(const StagedModel& staged, Eigen::VectorXd& index, std::vector<bool>& negative_weight) {
    for (const int j : staged.interaction_constructs) {
        index[j] = std::numeric_limits<double>::quiet_NaN();
        negative_weight[static_cast<std::size_t>(j)] = false;
    }
}

void rescale_interactions(const StagedModel& staged, const Eigen::Ref<const Eigen::VectorXd>& stage2_sds, PlsResult& result,
                          Eigen::VectorXd* factors) {
    const auto indicators = static_cast<Eigen::Index>(result.block_of_indicator.size());
    for (std::size_t t = 0; t < staged.interaction_constructs.size(); ++t) {
        const int j = staged.interaction_constructs[t];
        double weighted = 0, total = 0;
        for (Eigen::Index k = 0; k < indicators; ++k)
            if (result.block_of_indicator[static_cast<std::size_t>(k)] == j) {
                weighted += stage2_sds[k] * std::abs(result.loadings[k]);
                total += std::abs(result.loadings[k]);
            }
        const double a = weighted / total;
        if (factors) (*factors)[static_cast<Eigen::Index>(t)] = a;
        result.path_coefficients.row(j) /= a;
        result.total_effects.row(j) /= a;
        result.indirect_effects.row(j) /= a;
        result.cross_loadings.col(j) *= a;
        for (Eigen::Index k = 0; k < indicators; ++k)
            if (result.block_of_indicator[static_cast<std::size_t>(k)] == j) result.loadings[k] *= a;
    }
}

StageTwoMoments::StageTwoMoments(const StagedModel& staged) : blocks_(block_positions(staged.stage1)) {
    const auto p1 = static_cast<Eigen::Index>(staged.items.size());
    const auto p2 = static_cast<Eigen::Index>(staged.stage2_source.size());
    const auto c = static_cast<Eigen::Index>(staged.computed.size());
    correlation2.resize(p2, p2);
    means2.resize(p2);
    sds2.resize(p2);
    z_.resize(p1);
    values_.resize(c);
    sums_.resize(c);
    affine_offset_.resize(c);
    affine_scale_.resize(c);
    cross_values_.resize(c, c);
    cross_items_.resize(c, p1);
    covariance_values_.resize(c, c);
    coefficients_ = Eigen::MatrixXd::Zero(c, p1);
    // Reserved: a reallocation would copy factorizations never computed (Eigen leaves their status unset).
    set_correlations_.reserve(staged.regression_sets.size());
    set_factors_.reserve(staged.regression_sets.size());
    for (const auto& set : staged.regression_sets) {
        const auto q = static_cast<Eigen::Index>(set.size());
        set_correlations_.emplace_back(q, q);
        set_factors_.emplace_back(q);
    }
    Eigen::Index largest = 0;
    for (const auto& set : staged.regression_sets) largest = std::max<Eigen::Index>(largest, static_cast<Eigen::Index>(set.size()));
    set_right_.resize(largest);
    set_solution_.resize(largest);
}

bool StageTwoMoments::compute(const StagedModel& staged, Eigen::Map<const RowMatrix> x, const Eigen::VectorXd& counts,
                              const Eigen::VectorXd& means, const Eigen::VectorXd& inverse_sds, const Eigen::MatrixXd& correlation,
                              const PlsResult& stage1, const std::vector<AnswerScale>& item_scales) {
    const Eigen::Index n = x.rows(), p1 = x.cols();
    const auto c = static_cast<Eigen::Index>(staged.computed.size());
    const Eigen::VectorXd& w = stage1.outer_weights;
    double total = 0;
    sums_.setZero();
    cross_values_.setZero();
    cross_items_.setZero();
    for (Eigen::Index i = 0; i < n; ++i) {
        const double count = counts[i];
        if (count == 0.0) continue;
        total += count;
        const double* row = x.data() + i * p1;
        for (Eigen::Index k = 0; k < p1; ++k) z_[k] = (row[k] - means[k]) * inverse_sds[k];
        for (Eigen::Index m = 0; m < c; ++m) {
            const auto& column = staged.computed[static_cast<std::size_t>(m)];
            auto score = [&](int construct) {
                double s = 0;
                for (const int k : blocks_[static_cast<std::size_t>(construct)]) s += w[k] * z_[k];
                return s;
            };
            switch (column.kind) {
                case ComputedIndicator::Kind::construct_score: values_[m] = score(column.first); break;
                case ComputedIndicator::Kind::score_product: values_[m] = score(column.first) * score(column.second); break;
                case ComputedIndicator::Kind::item_product: values_[m] = z_[column.first] * z_[column.second]; break;
            }
        }
        for (Eigen::Index a = 0; a < c; ++a) {
            const double weighted = count * values_[a];
            sums_[a] += weighted;
            for (Eigen::Index b = 0; b < c; ++b) cross_values_(a, b) += weighted * values_[b];
            for (Eigen::Index k = 0; k < p1; ++k) cross_items_(a, k) += weighted * z_[k];
        }
    }
    const double divisor = total - 1;
    // Covariances: computed × items (the items are centred, so Σ c·z = 0) and computed × computed.
    cross_items_ /= divisor;
    for (Eigen::Index a = 0; a < c; ++a)
        for (Eigen::Index b = 0; b < c; ++b) covariance_values_(a, b) = (cross_values_(a, b) - sums_[a] * sums_[b] / total) / divisor;

    // Orthogonalizing: residual e = v − β'z_Q, β = R_QQ⁻¹ cov(z_Q, v), so cov(e, z_k) = cov(v, z_k) − β'R_Qk
    // and cov(e_a, e_b) = cov(v_a, v_b) − β_a'cov(z, v_b) − β_b'cov(z, v_a) + β_a'R β_b, all from moments.
    coefficients_.setZero();
    for (std::size_t s = 0; s < staged.regression_sets.size(); ++s) {
        const auto& set = staged.regression_sets[s];
        const auto q = static_cast<Eigen::Index>(set.size());
        for (Eigen::Index u = 0; u < q; ++u)
            for (Eigen::Index v = 0; v < q; ++v) set_correlations_[s](u, v) = correlation(set[static_cast<std::size_t>(u)], set[static_cast<std::size_t>(v)]);
        set_factors_[s].compute(set_correlations_[s]);
        for (Eigen::Index m = 0; m < c; ++m) {
            if (staged.computed[static_cast<std::size_t>(m)].regression_set != static_cast<int>(s)) continue;
            for (Eigen::Index u = 0; u < q; ++u) set_right_[u] = cross_items_(m, set[static_cast<std::size_t>(u)]);
            set_solution_.head(q) = set_factors_[s].solve(set_right_.head(q));
            for (Eigen::Index u = 0; u < q; ++u) coefficients_(m, set[static_cast<std::size_t>(u)]) = set_solution_[u];
        }
    }
    if (!staged.regression_sets.empty()) {
        // cov(e_a, e_b) with the full coefficient rows (zero outside each set): C − BΣ' − ΣB' + BRB'.
        for (Eigen::Index a = 0; a < c; ++a)
            for (Eigen::Index b = 0; b < c; ++b) {
                double value = covariance_values_(a, b);
                for (Eigen::Index k = 0; k < p1; ++k) {
                    value -= coefficients_(a, k) * cross_items_(b, k) + coefficients_(b, k) * cross_items_(a, k);
                    if (coefficients_(a, k) == 0.0) continue;
                    for (Eigen::Index l = 0; l < p1; ++l) value += coefficients_(a, k) * correlation(k, l) * coefficients_(b, l);
                }
                cross_values_(a, b) = value;  // reused as the residuals' covariance
            }
        covariance_values_ = cross_values_;
        for (Eigen::Index a = 0; a < c; ++a)
            for (Eigen::Index k = 0; k < p1; ++k) {
                double value = cross_items_(a, k);
                for (Eigen::Index l = 0; l < p1; ++l) value -= coefficients_(a, l) * correlation(l, k);
                cross_items_(a, k) = value;
            }
    }

    // Lower-order scores as 0–100 index scores: an affine map, which moves their means and sds only.
    for (Eigen::Index m = 0; m < c; ++m) {
        const auto& column = staged.computed[static_cast<std::size_t>(m)];
        const double mean = column.regression_set >= 0 ? 0.0 : sums_[m] / total;
        double offset = 0, scale = 1;
        if (column.kind == ComputedIndicator::Kind::construct_score && !item_scales.empty() &&
            index_score_map(blocks_[static_cast<std::size_t>(column.first)], w, means, inverse_sds, item_scales, offset, scale)) {
            affine_offset_[m] = offset + scale * mean;
            affine_scale_[m] = scale;
        } else {
            affine_offset_[m] = mean;
            affine_scale_[m] = 1.0;
        }
    }

    const auto p2 = static_cast<Eigen::Index>(staged.stage2_source.size());
    for (Eigen::Index a = 0; a < p2; ++a) {
        const int source_a = staged.stage2_source[static_cast<std::size_t>(a)];
        if (source_a >= 0) {
            means2[a] = means[source_a];
            sds2[a] = 1.0 / inverse_sds[source_a];
        } else {
            const Eigen::Index m = -1 - source_a;
            const double variance = covariance_values_(m, m);
            if (!(variance > 0)) return false;
            means2[a] = affine_offset_[m];
            sds2[a] = std::sqrt(variance) * affine_scale_[m];
        }
    }
    for (Eigen::Index a = 0; a < p2; ++a) {
        const int source_a = staged.stage2_source[static_cast<std::size_t>(a)];
        for (Eigen::Index b = 0; b <= a; ++b) {
            const int source_b = staged.stage2_source[static_cast<std::size_t>(b)];
            double value;
            if (source_a >= 0 && source_b >= 0)
                value = correlation(source_a, source_b);
            else if (source_a < 0 && source_b < 0)
                value = covariance_values_(-1 - source_a, -1 - source_b) /
                        std::sqrt(covariance_values_(-1 - source_a, -1 - source_a) * covariance_values_(-1 - source_b, -1 - source_b));
            else {
                const Eigen::Index m = source_a < 0 ? -1 - source_a : -1 - source_b;
                const int item = source_a < 0 ? source_b : source_a;
                value = cross_items_(m, item) / std::sqrt(covariance_values_(m, m));
            }
            correlation2(a, b) = correlation2(b, a) = value;
        }
    }
    return true;
}

std::vector<SimpleSlope> simple_slopes(const StagedModel& staged, const PlsResult& result, const BootstrapResult* bootstrap) {
    std::vector<SimpleSlope> out;
    auto position = [&](const std::string& name) {
        return static_cast<int>(std::find(result.constructs.begin(), result.constructs.end(), name) - result.constructs.begin());
    };
    auto parameter_column = [&](int from, int to) -> Eigen::Index {
        if (!bootstrap) return -1;
        for (std::size_t i = 0; i < bootstrap->parameters.size(); ++i) {
            const auto& parameter = bootstrap->parameters[i];
            if (parameter.kind == BootstrapParameter::Kind::path && parameter.from == from && parameter.to == to)
                return static_cast<Eigen::Index>(i);
        }
        return -1;
    };
    std::vector<double> draws, jackknife;
    for (std::size_t t = 0; t < staged.interactions.size(); ++t) {
        const auto& term = staged.interactions[t];
        const int interaction = staged.interaction_constructs[t], focal = position(term.first);
        for (const auto& link : result.paths) {
            if (link.from != interaction) continue;
            const Eigen::Index focal_column = parameter_column(focal, link.to), product_column = parameter_column(interaction, link.to);
            for (const double level : {-1.0, 0.0, 1.0}) {
                SimpleSlope slope{term.name, term.first, term.second, result.constructs[static_cast<std::size_t>(link.to)], level,
                                  result.path_coefficients(focal, link.to) + level * result.path_coefficients(interaction, link.to),
                                  std::nullopt};
                if (focal_column >= 0 && product_column >= 0) {
                    draws.clear();
                    for (Eigen::Index r = 0; r < bootstrap->draws.rows(); ++r) {
                        const double value = bootstrap->draws(r, focal_column) + level * bootstrap->draws(r, product_column);
                        if (std::isfinite(value)) draws.push_back(value);
                    }
                    jackknife.clear();
                    for (Eigen::Index g = 0; g < bootstrap->jackknife.cols(); ++g)
                        if (bootstrap->jackknife_ok[static_cast<std::size_t>(g)])
                            jackknife.push_back(bootstrap->jackknife(focal_column, g) + level * bootstrap->jackknife(product_column, g));
                    slope.bootstrap = summarize_draws(slope.slope, draws, jackknife, bootstrap->options, result.n_obs);
                }
                out.push_back(std::move(slope));
            }
        }
    }
    return out;
}

Model repeated_indicators_model(const Model& model, std::vector<std::string>& copied) {
    validate_model(model);
    if (!interaction_terms(model).empty())
        throw ModelError(model.location(0) + ": the repeated-indicators approach to higher-order constructs does not take interaction "
                                           "terms in the same model; use `staging.higher_order` two-stage");
    const auto higher = higher_order_constructs(model);
    Model out = model;
    out.paths.clear();
    for (const auto& h : higher) {
        Construct& construct = out.constructs[static_cast<std::size_t>(h.construct)];
        construct.indicators.clear();
        construct.population_loadings.clear();
        for (const int lower : h.lower_order) {
            for (const auto& item : model.constructs[static_cast<std::size_t>(lower)].indicators)
                construct.indicators.push_back(construct.name + "_2nd_" + item);
            const std::string& lower_name = model.constructs[static_cast<std::size_t>(lower)].name;
            if (construct.mode == MeasurementMode::formative)
                out.paths.push_back({lower_name, construct.name, std::nullopt, construct.line});
            else
                out.paths.push_back({construct.name, lower_name, std::nullopt, construct.line});
        }
    }
    out.paths.insert(out.paths.end(), model.paths.begin(), model.paths.end());
    copied.clear();
    for (std::size_t j = 0; j < out.constructs.size(); ++j) {
        const bool is_higher = std::any_of(higher.begin(), higher.end(), [&](const auto& h) { return h.construct == static_cast<int>(j); });
        for (std::size_t k = 0; k < out.constructs[j].indicators.size(); ++k) {
            if (!is_higher) {
                copied.push_back(out.constructs[j].indicators[k]);
                continue;
            }
            const std::string prefix = out.constructs[j].name + "_2nd_";
            copied.push_back(out.constructs[j].indicators[k].substr(prefix.size()));
        }
    }
    validate_model(out);
    return out;
}

}  // namespace csipls

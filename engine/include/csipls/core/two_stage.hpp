#pragma once
// Models PLS estimates in two stages: interaction terms (moderation) and higher-order constructs.
//
// Stage 1 is a plain model: without the interaction paths, and with each higher-order construct
// replaced by its lower-order constructs (the disjoint two-stage approach) or measured by repeated
// indicators (the embedded two-stage approach). Stage 2 is the user's
// model, where an interaction term is a construct measured by products computed from stage 1 and a
// higher-order construct is measured by its lower-order constructs' stage-1 scores. Definitions
// follow seminr (interaction_term, higher_composite), so results replicate. The repeated-indicators
// approach to higher-order constructs is one stage: repeated_indicators_model() rewrites the model.
#include "csipls/core/bootstrap.hpp"
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csipls/core/csi_index.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"

namespace csipls {

// How an interaction term is measured in stage 2:
//   two_stage          one indicator, the product of the two stage-1 construct scores (standardized,
//                      not centred); the only method that works with formative constructs
//   product_indicator  every product of a standardized indicator of one construct with one of the other
//   orthogonal         those products, each replaced by its residual from a regression (with
//                      intercept) on all indicators of both constructs (Little, Bovaird & Widaman 2006)
enum class InteractionMethod { two_stage, product_indicator, orthogonal };
// How a higher-order construct gets the stage-1 scores of its lower-order constructs:
//   two_stage  disjoint: stage 1 puts the lower-order constructs in its place, stage 2 measures it by
//              their scores (seminr's higher_composite; Becker et al. 2012, Sarstedt et al. 2019)
//   embedded   stage 1 is the repeated-indicators model, stage 2 measures it by the lower-order
//              constructs' scores from that (the embedded two-stage approach, Ringle et al. 2012)
//   repeated   one stage: it is measured by copies of all its lower-order constructs' items and joined
//              to them by paths, from them (<~) or to them (=~) (cSEM's approach "mixed")
enum class HigherOrderApproach { two_stage, embedded, repeated };

std::string to_string(InteractionMethod method);
std::optional<InteractionMethod> interaction_method_from_string(std::string_view text);
std::string to_string(HigherOrderApproach approach);
std::optional<HigherOrderApproach> higher_order_approach_from_string(std::string_view text);

struct StagingOptions {
    InteractionMethod interaction = InteractionMethod::two_stage;
    HigherOrderApproach higher_order = HigherOrderApproach::two_stage;
};

// A stage-2 indicator that stage 1 computes.
struct ComputedIndicator {
    enum class Kind {
        construct_score,  // a lower-order construct's stage-1 score: `first` is the stage-1 construct
        score_product,    // two-stage interaction: `first` and `second` are stage-1 constructs
        item_product,     // product indicator: `first` and `second` are stage-1 indicator positions
    };
    Kind kind;
    std::string name;
    int first = -1;
    int second = -1;
    // Orthogonalizing: the StagedModel::regression_sets entry the product is residualized on; else −1.
    int regression_set = -1;
};

struct StagedModel {
    StagingOptions options;
    Model stage1;  // plain
    Model stage2;  // plain: interaction terms and higher-order constructs measured by computed indicators
    std::vector<InteractionTerm> interactions;  // their names are stage-2 constructs
    std::vector<int> interaction_constructs;    // ... at these stage-2 construct positions
    // Per higher-order construct: its stage-2 position, and its lower-order constructs' stage-1 positions.
    struct HigherOrder {
        int construct;
        std::vector<int> lower_order;
    };
    std::vector<HigherOrder> higher_order;
    std::vector<ComputedIndicator> computed;
    // Per stage-2 indicator: the stage-1 indicator it is (>= 0), or −1 − k for computed indicator k.
    std::vector<int> stage2_source;
    // Orthogonalizing: sets of stage-1 indicator positions (all indicators of an interaction's two constructs).
    std::vector<std::vector<int>> regression_sets;
    std::vector<std::string> items;  // stage 1's indicators: stage1.all_indicators()
    // Per item, the data column it reads: itself, or for a repeated indicator (embedded approach,
    // `HOC_2nd_item`) the item it copies.
    std::vector<std::string> item_columns;

    bool is_interaction(int stage2_construct) const;
    // An interaction term's CSI index: none exists (its indicators are products, not answers).
    bool is_interaction_index(const BootstrapParameter& parameter) const;
};

// The two stages of `model` (which must pass validate_model and need two stages). Throws ModelError
// when the stages cannot be built (e.g. an interaction of a formative construct by product indicators).
StagedModel stage_model(const Model& model, const StagingOptions& options);

// Data that are a two-stage model's items, which the procedures that re-estimate on parts of the
// data (groups and their tests, PLSpredict's folds) turn into stage 2's data part by part, each
// part with its own stage 1.
struct StagedItems {
    const StagedModel* staged = nullptr;   // null: the model is estimated in one stage
    std::vector<AnswerScale> item_scales;  // per item (StagedModel::items order); empty without indices
};

// The orthogonalizing regressions stage_two_data fitted, per computed column with a regression set
// (empty for the others): the product's mean and its coefficients on the set's standardized items.
// New rows are orthogonalized with the fitted ones (PLSpredict's hold-out rows).
struct Orthogonalizing {
    std::vector<double> product_means;
    std::vector<Eigen::VectorXd> coefficients;
};

// Per stage-2 indicator, its answer scale: an item's own, and 0–100 for a lower-order construct's
// score, which stage_two_data expresses as that construct's index score so that the higher-order
// construct's CSI index is the index through both stages; products get none (0–1, never used:
// interaction terms have no index). `item_scales` is per item (StagedModel::items order).
std::vector<AnswerScale> stage_two_scales(const StagedModel& staged, const std::vector<AnswerScale>& item_scales);

// Stage 1 on complete data `items` (StagedModel::items order) with its estimate `stage1` and moments:
// the stage-2 data (stage2.all_indicators() order), the computed columns filled. Lower-order scores
// are standardized, or with `item_scales` (per item, may be empty) the 0–100 index score of the
// construct (an affine function of it, so every correlation is the same).
// With `fitted`, the rows are new ones for a stage 1 fitted on others (`item_moments` and `stage1`
// are those rows'): their products are orthogonalized by the fitted regressions; else, with `fit`,
// the regressions fitted on these rows are written there.
Dataset stage_two_data(const StagedModel& staged, const Dataset& items, const IndicatorMoments& item_moments,
                       const PlsResult& stage1, const std::vector<AnswerScale>& item_scales, Orthogonalizing* fit = nullptr,
                       const Orthogonalizing* fitted = nullptr);

// Stage 1 estimated on complete `items` (StagedModel::items order), and the stage-2 data it gives
// (stage_two_data, writing the orthogonalizing regressions to `fit` when given). The caller judges
// `estimate.converged`. Throws EstimationError when an item value is missing.
struct StageOne {
    IndicatorMoments moments;
    PlsResult estimate;
    Dataset stage2_data;
};
StageOne run_stage_one(const StagedModel& staged, const Dataset& items, const EstimationOptions& options,
                       const std::vector<AnswerScale>& item_scales, Orthogonalizing* fit = nullptr);

// Interaction terms have no CSI index (their indicators are products, not answers): NaN, and no
// negative-weight warning. `index` and `negative_weight` are per stage-2 construct.
void clear_interaction_indices(const StagedModel& staged, Eigen::VectorXd& index, std::vector<bool>& negative_weight);

// seminr's scale of an interaction score (Henseler & Chin 2010): after stage 2 the interaction
// construct's standardized score is multiplied by a = Σ sd(xᵢ)·|lᵢ| / Σ |lᵢ| over its indicators
// xᵢ (as computed, before standardization; `stage2_sds` per stage-2 indicator) with loadings lᵢ.
// Its paths (and effects) are divided by a, its loadings multiplied: the interaction path is then
// the coefficient of the product itself, which simple slopes need. Writes each interaction's a
// into `factors` when given (sized to the interactions). Allocates nothing.
void rescale_interactions(const StagedModel& staged, const Eigen::Ref<const Eigen::VectorXd>& stage2_sds, PlsResult& result,
                          Eigen::VectorXd* factors = nullptr);

// The moments of stage 2 from one weighted sample of the items: the bootstrap's replicate. Buffers
// are sized once; compute() allocates nothing.
class StageTwoMoments {
public:
    explicit StageTwoMoments(const StagedModel& staged);

    // x: items (StagedModel::items order), counts: each row's weight (0 = not drawn); `means`,
    // `inverse_sds`, `correlation`: the sample's item moments and `stage1` its estimate. Fills `correlation2`, `means2` and `sds2` (stage-2 order).
    // `item_scales` as in stage_two_data. Returns false when a computed column is constant.
    bool compute(const StagedModel& staged, Eigen::Map<const RowMatrix> x, const Eigen::VectorXd& counts,
                 const Eigen::VectorXd& means, const Eigen::VectorXd& inverse_sds, const Eigen::MatrixXd& correlation,
                 const PlsResult& stage1, const std::vector<AnswerScale>& item_scales);

    Eigen::MatrixXd correlation2;
    Eigen::VectorXd means2, sds2;

private:
    Eigen::VectorXd z_, values_, sums_, affine_offset_, affine_scale_;
    Eigen::MatrixXd cross_values_, cross_items_;  // Σ c·v·v', Σ c·v·z' (computed × items)
    Eigen::MatrixXd covariance_values_;            // computed × computed, after orthogonalizing
    Eigen::MatrixXd coefficients_;                 // computed × items: each residual's regression on its set
    std::vector<Eigen::MatrixXd> set_correlations_;
    std::vector<Eigen::LDLT<Eigen::MatrixXd>> set_factors_;
    Eigen::VectorXd set_right_, set_solution_;
    std::vector<std::vector<int>> blocks_;  // stage-1 indicator positions of each stage-1 construct
};

// Simple slopes of an interaction (Aiken & West 1991): the focal construct's path to the dependent
// at the moderator's −1 SD, mean and +1 SD, slope = b(focal) + level · b(interaction).
// With a bootstrap, each draw's slope from the same draw's two paths, summarized as every parameter.
struct SimpleSlope {
    std::string interaction, focal, moderator, dependent;
    double moderator_level = 0;  // in moderator SDs
    double slope = 0;
    std::optional<ParameterSummary> bootstrap;
};

std::vector<SimpleSlope> simple_slopes(const StagedModel& staged, const PlsResult& result, const BootstrapResult* bootstrap);

// A study of a model with interaction terms or higher-order constructs: the user's model and how it
// was estimated. The study's model, data, estimates and all the rest are then those of the model
// PLS ran: stage 2 (two stages), or the repeated-indicators model (one stage).
struct TwoStageResult {
    Model original;
    StagingOptions options;
    bool two_stages = true;           // false: the repeated-indicators approach, one stage
    std::optional<StagedModel> staged;  // with two stages
    Dataset items;                    // with two stages: stage 1's data (complete, items after reverse-coding)
    std::vector<AnswerScale> item_scales;
    IndicatorMoments stage1_moments;
    PlsResult stage1;
    Eigen::VectorXd interaction_scale;  // per interaction term: seminr's a (rescale_interactions)
    std::vector<SimpleSlope> simple_slopes;
    // How missing answers were handled before stage 1 (the stages need whole respondents), if any were.
    std::string missing_note;
    // When listwise deletion left respondents out before stage 1: per row of `items`, its row in the
    // study's input data (of `input_rows`), so that per-respondent outputs name the input's rows.
    std::vector<Eigen::Index> kept_rows;
    Eigen::Index input_rows = 0;
    // Under mean replacement: the items before it (each group replaces with its own means).
    Dataset unimputed_items;
    MissingReport items_missing;  // what was missing among the items, before the treatment
};

// The repeated-indicators model of `model` (validated, with higher-order constructs and no interaction
// terms): each higher-order construct measured by copies of its lower-order constructs' items, named
// `HOC_2nd_item` as cSEM names them, and joined to its lower-order constructs by paths (into it when
// formative, out of it when reflective). `copied` gets, per indicator of the new model, the item it
// copies (the indicator's own name for the others).
Model repeated_indicators_model(const Model& model, std::vector<std::string>& copied);

}  // namespace csipls

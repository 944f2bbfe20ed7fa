// run_study: one study from a model and its data to every result the options ask for.
#include "csipls/study/study.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <fmt/format.h>

#include "csipls/core/consistent.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"

namespace csipls {

namespace {

// The name the data go by in messages.
std::string data_name(const Dataset& data) { return data.source.path.empty() ? std::string("the data") : data.source.path; }

// The named columns of `data` as a data set of their own (weights, groups and source kept).
Dataset select_columns(const Dataset& data, const std::vector<std::string>& names) {
    std::vector<int> picked;
    for (const auto& name : names) {
        const int column = data.column_index(name);
        if (column < 0) throw InputError(data_name(data) + ": no column '" + name + "'");
        picked.push_back(column);
    }
    Dataset out = data.with_columns(names);
    if (!data.labels.empty())
        for (int column : picked) out.labels.push_back(data.labels[static_cast<std::size_t>(column)]);
    const std::size_t width = data.columns.size();
    for (Eigen::Index r = 0; r < data.rows; ++r)
        for (std::size_t k = 0; k < picked.size(); ++k)
            out.values[static_cast<std::size_t>(r) * names.size() + k] =
                data.values[static_cast<std::size_t>(r) * width + static_cast<std::size_t>(picked[k])];
    return out;
}

// The first column of `data` with an answer outside its scale, with its lowest and highest answer
// (missing answers, NaN, are outside no scale).
struct OutOfScale {
    std::size_t column;
    double low, high;
};
std::optional<OutOfScale> first_out_of_scale(const Dataset& data, const std::vector<AnswerScale>& scales) {
    const auto x = data.matrix();
    for (Eigen::Index k = 0; k < x.cols(); ++k) {
        const AnswerScale& scale = scales[static_cast<std::size_t>(k)];
        const double low = x.col(k).minCoeff<Eigen::PropagateNumbers>(), high = x.col(k).maxCoeff<Eigen::PropagateNumbers>();
        if (low < scale.min || high > scale.max) return OutOfScale{static_cast<std::size_t>(k), low, high};
    }
    return std::nullopt;
}

// An answer outside the scale means the scale is wrong, and every index with it.
void check_answers_within_scale(const Dataset& data, const std::vector<AnswerScale>& scales) {
    const auto out = first_out_of_scale(data, scales);
    if (!out) return;
    const AnswerScale& scale = scales[out->column];
    const double low = out->low, high = out->high;
    throw UsageError(data_name(data) + ": indicator '" + data.columns[out->column] + "' has answers from " + number_text(low) +
                     " to " + number_text(high) + ", outside its scale " + number_text(scale.min) + ":" + number_text(scale.max) +
                     // Survey files code "no answer" as -99, 99, 999: say how to declare such a code.
                     (low < scale.min && low < 0
                          ? " (if " + number_text(low) + " means no answer, add `data.missing_codes` " + number_text(low) + ")"
                      : high > scale.max && high >= 90
                          ? " (if " + number_text(high) + " means no answer, add `data.missing_codes` " + number_text(high) + ")"
                          : std::string()));
}

// Per indicator: options.answer_scale for all, else the model's scale statements; empty when neither gives one.
std::vector<AnswerScale> answer_scales(const Model& model, const StudyOptions& options, std::vector<std::string>& warnings) {
    const auto indicators = model.all_indicators();
    if (options.answer_scale) {
        if (!model.scales.empty())
            warnings.push_back("`answer_scale` " + number_text(options.answer_scale->min) + ":" + number_text(options.answer_scale->max) +
                               " replaces the scale statements of " + model.source);
        return std::vector<AnswerScale>(indicators.size(), *options.answer_scale);
    }
    const auto stated = model_answer_scales(model);
    std::vector<AnswerScale> scales;
    std::string unscaled;
    for (std::size_t k = 0; k < stated.size(); ++k) {
        if (stated[k])
            scales.push_back(*stated[k]);
        else
            unscaled += (unscaled.empty() ? "" : ", ") + indicators[k];
    }
    if (scales.empty()) return {};
    if (!unscaled.empty())
        throw UsageError(model.source + ": the scale statements give no answer scale to " + unscaled +
                         " (add 'scale MIN:MAX' for all, or name their constructs)");
    return scales;
}

PracticeIndices compute_practice_indices(const StudyOptions::Practice& practice, const Model& model, const Dataset& raw,
                                         const AnswerScale& scale, std::vector<std::string>& warnings) {
    PracticeIndices out;
    out.scale = scale;
    out.weights_file = practice.weights_index;
    // Items outside the model never enter its moments or its listwise deletion.
    if (practice.weights_index)
        for (const auto& leaf : practice.weights_index->leaves())
            if (raw.column_index(leaf) < 0) throw practice.missing_item(leaf, data_name(raw));
    const Dataset data = select_columns(raw, practice.columns(model));
    if (const auto outside = first_out_of_scale(data, std::vector<AnswerScale>(data.columns.size(), scale)))
        throw UsageError(data_name(data) + ": column '" + data.columns[outside->column] + "' has answers from " + number_text(outside->low) +
                         " to " + number_text(outside->high) + ", outside `answer_scale` " + number_text(scale.min) + ":" +
                         number_text(scale.max));
    const auto x = data.matrix();
    if (practice.item_scores) out.items = item_scores(model, data, scale);
    if (out.weights_file) out.hierarchical = hierarchical_index(out.weights_file->nodes, data, scale);
    for (const auto& [perceived, expected] : practice.gaps)
        out.gaps.push_back(expectation_gap(data, data.column_index(perceived), data.column_index(expected), scale));
    for (Eigen::Index k = 0; k < x.cols(); ++k)
        if (x.col(k).array().isNaN().all())
            warnings.push_back("column '" + data.columns[static_cast<std::size_t>(k)] +
                               "' has no answers: its practice indices are undefined");
    return out;
}

// Announces a long stage to the monitor for as long as it lives.
class Stage {
public:
    Stage(StudyMonitor* monitor, std::string_view name, long steps) : monitor_(monitor), name_(name) {
        if (!monitor_) return;
        monitor_->progress.completed.store(0);
        monitor_->stage_started(name_, steps);
    }
    ~Stage() {
        if (monitor_) monitor_->stage_finished(name_);
    }
    Stage(const Stage&) = delete;
    Stage& operator=(const Stage&) = delete;
    BootstrapMonitor* progress() const { return monitor_ ? &monitor_->progress : nullptr; }

private:
    StudyMonitor* monitor_;
    std::string_view name_;
};

std::string replicate_failures(std::size_t failed, int of, const ReplicateFailure& first, const char* what) {
    return fmt::format("{} of {} {} failed and were left out (first: replicate {}: {})", failed, of, what, first.replicate,
                       first.reason);
}

// The pairs of groups that the tests between groups take, checked before any estimation: `field`
// (the option asking for them) needs at least one pair, and no more than GroupOptions::tested_pair_limit.
std::vector<std::pair<int, int>> pairs_to_test(const Dataset& data, const std::vector<std::string>& names, const GroupOptions& group_options,
                                               const char* field, bool need_a_pair) {
    if (need_a_pair && names.size() < 2)
        throw UsageError(fmt::format("{} compares groups, but there is one group only ('{}') in {}", field,
                                     names.empty() ? "" : names[0], data_name(data)));
    const auto pairs = tested_group_pairs(names, group_options);
    if (need_a_pair && pairs.empty())
        throw UsageError(group_options.pairs == GroupOptions::Pairs::none
                             ? fmt::format("{}: `groups.pairs` is none, so no pair of groups is tested", field)
                             : fmt::format("{}: no pair of the {} groups to test (more than {} groups test only the pairs listed in "
                                           "`groups.pairs`, or all of them with `groups.pairs` all)",
                                           field, names.size(), GroupOptions::automatic_pair_limit));
    if (pairs.size() > static_cast<std::size_t>(GroupOptions::tested_pair_limit))
        throw UsageError(fmt::format("{}: {} groups give {} pairs; tests between groups take at most {} pairs (all pairs of 45 "
                                     "groups): list the pairs to test in `groups.pairs` A:B[,C:D...]",
                                     field, names.size(), pairs.size(), GroupOptions::tested_pair_limit));
    // Every (pair, permutation) keeps its differences until the p-values are counted.
    constexpr long pair_permutation_limit = 5'000'000;
    if (static_cast<long>(pairs.size()) * group_options.permutations > pair_permutation_limit)
        throw UsageError(fmt::format("{}: {} pairs × {} `groups.permutations` = {} pair permutations, more than the {} the "
                                     "permutation tests hold in memory: test fewer pairs or give fewer permutations",
                                     field, pairs.size(), group_options.permutations,
                                     static_cast<long>(pairs.size()) * group_options.permutations, pair_permutation_limit));
    return pairs;
}

// What the group analyses split: with two stages the items (before mean replacement, which each
// part does on its own), as every group re-runs stage 1 on its own rows; else the study's data.
const Dataset& group_input(const StudyResult& run) {
    if (!run.two_stage || !run.two_stage->staged) return run.data;
    return run.two_stage->unimputed_items.rows > 0 ? run.two_stage->unimputed_items : run.two_stage->items;
}

StagedItems staged_items(const StudyResult& run) {
    if (!run.two_stage || !run.two_stage->staged) return {};
    return {&*run.two_stage->staged, run.two_stage->item_scales};
}

// The group analyses' options: the study's, with its stages.
GroupOptions study_group_options(const StudyResult& run, const StudyOptions& options) {
    GroupOptions out = options.group_options();
    out.stages = staged_items(run);
    return out;
}

void run_micom(StudyResult& run, const Model& model, const std::vector<std::pair<int, int>>& pairs, const StudyOptions& options,
               StudyMonitor* monitor) {
    {
        const Stage stage(monitor, "MICOM", static_cast<long>(pairs.size()) * options.groups.permutations);
        MicomOptions micom_options = options.micom_options();
        micom_options.stages = staged_items(run);
        run.micom = micom(model, group_input(run), *run.groups, options.estimation, pairs, micom_options, stage.progress());
    }
    for (const MicomPair& pair : run.micom->pairs) {
        const std::string names = "'" + run.groups->groups[static_cast<std::size_t>(pair.a)].name + "' and '" +
                                  run.groups->groups[static_cast<std::size_t>(pair.b)].name + "'";
        if (!pair.ok())
            run.warnings.push_back("MICOM of groups " + names + " not tested: " + pair.error);
        else if (!pair.failures.empty())
            run.warnings.push_back(replicate_failures(pair.failures.size(), options.groups.permutations, pair.failures.front(),
                                                          ("MICOM permutations of groups " + names).c_str()));
    }
}

void run_multigroup_tests(StudyResult& run, const Model& model, const GroupOptions& group_options, const StudyOptions& options,
                          StudyMonitor* monitor) {
    const MgaOptions mga = options.mga_options();
    run.mga = multigroup_tests(*run.groups, mga);
    const bool interval_tests = std::any_of(mga.tests.begin(), mga.tests.end(),
                                            [](MgaTest t) { return t == MgaTest::ci_parametric || t == MgaTest::ci_overlap; });
    if (interval_tests && std::abs(options.bootstrap.ci_level - (1 - mga.alpha)) > 1e-12)
        run.warnings.push_back(fmt::format("`groups.mga` ci_parametric and ci_overlap decide with the groups' {:g} % bootstrap intervals "
                                           "(`bootstrap.ci_level`), not at `groups.alpha` {:g}",
                                           100 * options.bootstrap.ci_level, mga.alpha));
    if (mga.omnibus) {
        OverallDifference overall;
        {
            const Stage stage(monitor, "omnibus test", overall_model_difference_steps(mga));
            overall = overall_model_difference(model, group_input(run), run.estimates, run.moments, options.estimation, group_options,
                                               *run.groups, mga, stage.progress());
        }
        for (auto& row : overall.rows) run.mga->rows.push_back(std::move(row));
        for (auto& note : overall.notes) run.mga->notes.push_back(std::move(note));
        if (!overall.failures.empty())
            run.warnings.push_back(replicate_failures(overall.failures.size(), mga.permutations, overall.failures.front(),
                                                      "permutations of the overall model test"));
        adjust_p_values(run.mga->rows, mga.p_adjust, mga.alpha);
    }
    for (const auto& note : run.mga->notes) run.warnings.push_back("multi-group tests: " + note);
}

// A construct named in `mediation.routes`; −1 for any.
int route_end(const Model& model, const std::string& name) {
    if (name.empty()) return -1;
    const int position = model.construct_index(name);
    if (position < 0) throw UsageError("`mediation.routes`: '" + name + "' is not a construct of " + model.source);
    return position;
}

// `model` without its higher-order constructs: the model of the columns the data hold.
Model without_higher_order(const Model& model) {
    Model items = model;
    for (const auto& higher : higher_order_constructs(model))
        items.constructs[static_cast<std::size_t>(higher.construct)].indicators.clear();
    std::erase_if(items.constructs, [](const Construct& c) { return c.indicators.empty(); });
    return items;
}

// True when `model` is estimated in two stages (interaction terms, or higher-order constructs by the
// disjoint or embedded approach); the repeated-indicators approach is one stage and takes every option.
bool runs_two_stages(const Model& model, const StudyOptions& options) {
    return !interaction_terms(model).empty() ||
           (!higher_order_constructs(model).empty() && options.staging.higher_order != HigherOrderApproach::repeated);
}

void check_two_stage_options(const Model& model, const StudyOptions& options) {
    if (!runs_two_stages(model, options)) return;
    const bool interactions = !interaction_terms(model).empty();
    // FIMIX (on stage 2's scores), PLS-POS and PLSpredict (both stages per segment estimate and fold)
    // take two stages. The fit test of a higher-order model is stage 2's, as on a data set of scores;
    // a product of construct scores is no composite of the model the test's rotation makes hold.
    if (options.fit_test.resamples > 0 && interactions)
        throw UsageError("`fit_test.resamples` does not work with interaction terms: the Bollen-Stine rotation makes a composite "
                         "model hold, and a product of construct scores has no place in it");
    if (options.consistent && interactions)
        throw UsageError("`consistent` does not work with interaction terms: PLSc's correction of a product of constructs is not "
                         "defined by the two-stage methods (seminr, cSEM estimate them without it); estimate without `consistent`");
}

// Data for the two stages: whole respondents, as the stages compute scores row by row. Listwise
// deletion and mean replacement are applied once, before stage 1 (as seminr does); the other
// treatments need moments only and cannot give scores.
void whole_respondents_for_stages(StudyResult& run, const StudyOptions& options) {
    Dataset& data = run.data;
    auto x = data.matrix();
    const Eigen::Index missing = x.array().isNaN().count();
    const auto treatment = options.missing.treatment;
    run.two_stage->items_missing = missing_report(data, treatment);  // the result's report: the items, not stage 2's data
    if (missing == 0) return;
    if (treatment == MissingTreatment::listwise) {
        const Eigen::Index before = data.rows;
        auto& kept = run.two_stage->kept_rows;
        for (Eigen::Index i = 0; i < x.rows(); ++i)
            if (!x.row(i).hasNaN()) kept.push_back(i);
        run.two_stage->input_rows = before;
        data = rows_of_data(data, kept);
        run.two_stage->missing_note = fmt::format("{} of {} respondents with missing answers ({} cells) were left out before stage 1 "
                                                  "(listwise: the stages compute scores of whole respondents)",
                                                  before - data.rows, before, missing);
        return;
    }
    if (treatment != MissingTreatment::mean)
        throw UsageError("`missing.treatment` " + to_string(treatment) + " does not work with " +
                         std::string(interaction_terms(run.two_stage->original).empty() ? "higher-order constructs" : "interaction terms") +
                         ": the stages compute scores of whole respondents; use listwise or mean (" + std::to_string(missing) +
                         " missing answers in " + data_name(data) + ")");
    // The groups impute their own rows (a group is the study of its rows alone): they get the items
    // as they came.
    run.two_stage->unimputed_items = data;
    try {
        data = fill_missing_for_scores(data, compute_moments(data, options.missing), options.missing);
    } catch (const ModelError& error) {
        throw ModelError(data_name(data) + ": " + error.what());
    }
    run.two_stage->missing_note = fmt::format("{} missing answers were replaced by their indicator's mean before stage 1 (mean "
                                              "replacement, as seminr does)", missing);
}

// The data become the columns `columns` of the data (a column may be taken twice: repeated
// indicators copy their items), named `names`, with their answer scales.
void use_columns(StudyResult& run, const std::vector<std::string>& columns, const std::vector<std::string>& names) {
    if (!run.index_scales.empty()) {
        std::vector<AnswerScale> scales;
        for (const auto& column : columns) scales.push_back(run.index_scales[static_cast<std::size_t>(run.data.column_index(column))]);
        run.index_scales = std::move(scales);
    }
    run.data = select_columns(run.data, columns);
    run.data.columns = names;
}

// Turns run.model (interaction terms or higher-order constructs) and run.data (its items) into the
// model PLS runs and its data: stage 2 with stage 1 estimated, or the repeated-indicators model.
void prepare_two_stages(StudyResult& run, const StudyOptions& options) {
    auto& stages = run.two_stage.emplace();
    stages.original = run.model;
    stages.options = options.staging;
    if (!runs_two_stages(stages.original, options)) {
        // Repeated indicators: the higher-order construct's items are copies of its lower-order ones.
        stages.two_stages = false;
        std::vector<std::string> copied;
        run.model = repeated_indicators_model(stages.original, copied);
        use_columns(run, copied, run.model.all_indicators());
        return;
    }
    whole_respondents_for_stages(run, options);
    stages.staged = stage_model(stages.original, options.staging);
    if (stages.staged->item_columns != run.data.columns) {
        if (stages.unimputed_items.rows > 0) {
            stages.unimputed_items = select_columns(stages.unimputed_items, stages.staged->item_columns);
            stages.unimputed_items.columns = stages.staged->items;
        }
        use_columns(run, stages.staged->item_columns, stages.staged->items);
    }
    StageOne first;
    try {
        first = run_stage_one(*stages.staged, run.data, options.estimation, run.index_scales);
    } catch (const ModelError& error) {
        throw ModelError(data_name(run.data) + ": stage 1: " + error.what());
    }
    stages.stage1_moments = std::move(first.moments);
    stages.stage1 = std::move(first.estimate);
    if (!stages.stage1.converged)
        run.warnings.push_back(fmt::format("stage 1 did not converge in {} iterations: its scores, and stage 2, are not a PLS solution",
                                           stages.stage1.iterations));
    stages.items = std::move(run.data);
    stages.item_scales = run.index_scales;
    run.data = std::move(first.stage2_data);
    if (!run.index_scales.empty()) run.index_scales = stage_two_scales(*stages.staged, stages.item_scales);
    run.model = stages.staged->stage2;
    if (!stages.missing_note.empty()) run.warnings.push_back(stages.missing_note);
}

StudyResult estimate_study(StudyResult run, const StudyOptions& options, StudyMonitor* monitor, const Eigen::MatrixXd& described);

// The study's respondents in hidden segments: FIMIX on the construct scores of the respondents
// who have them (all but those listwise deletion left out), PLS-POS on the complete cases.
SegmentationResult segment_respondents(const Model& model, const StudyResult& run, const StudyOptions& options) {
    SegmentationResult out;
    out.method = options.segmentation.method;
    const Eigen::MatrixXd scores = run.scores();
    out.data_rows = scores.rows();
    const auto matrix = run.data.matrix();
    const bool pos = out.method == SegmentationMethod::pos;
    const StagedItems stages = staged_items(run);
    // With two stages the respondents with scores are those of the (complete) items.
    for (Eigen::Index i = 0; i < scores.rows(); ++i)
        if (pos && !stages.staged ? matrix.row(i).allFinite() : scores.row(i).allFinite()) out.rows.push_back(i);
    if (!pos) {
        out.solutions = fimix(model, scores(out.rows, Eigen::all), options.fimix_options());
        return out;
    }
    PosOptions pos_options = options.pos_options();
    if (options.segmentation.fimix_start) {
        FimixOptions start = options.fimix_options();
        start.k_max = start.k_min;
        const SegmentSolution fimix_solution = fimix(model, scores(out.rows, Eigen::all), start).front();
        if (fimix_solution.ok()) pos_options.start_partition = fimix_solution.assignment;
    }
    out.solutions.push_back(stages.staged ? pls_pos(model, run.two_stage->items, options.estimation, pos_options, &stages)
                                          : pls_pos(model, rows_of_data(run.data, out.rows), options.estimation, pos_options));
    return out;
}

}  // namespace

StudyResult run_study(const Model& input_model, Dataset input, const StudyOptions& options, StudyMonitor* monitor) {
    options.validate();
    validate_model(input_model);
    StudyResult run;
    run.options = options;
    auto& warnings = run.warnings;
    // The data hold items only: a higher-order construct's indicators are constructs, so scales,
    // reverse-coding and the practice indices look at the model without it.
    const Model model = without_higher_order(input_model);
    const bool staged = needs_two_stages(input_model);
    if (staged) check_two_stage_options(input_model, options);

    if (!options.data.group.empty() && input.group_of_row.empty())
        throw UsageError("`data.group` is '" + options.data.group + "' but " + data_name(input) + " have no group labels");
    if (!options.data.case_weights.empty() && input.case_weights.size() == 0)
        throw UsageError("`data.case_weights` is '" + options.data.case_weights + "' but " + data_name(input) +
                         " have no case weights");
    const bool weighted = input.case_weights.size() > 0;
    if (weighted && (options.prediction.enabled || options.fit_test.resamples > 0))
        throw UsageError("`data.case_weights` does not work with `prediction.enabled` or `fit_test.resamples` yet");

    // The practice indices read raw answers (before reverse-coding) of columns the model may lack.
    if (options.practice.wanted()) {
        run.practice = compute_practice_indices(options.practice, model, input, *options.answer_scale, warnings);
        if (!options.data.group.empty()) {
            const GroupRows by_group = group_rows(input);
            for (std::size_t g = 0; g < by_group.names.size(); ++g) {
                std::vector<std::string> group_warnings;
                run.practice_by_group.push_back({by_group.names[g], static_cast<Eigen::Index>(by_group.rows[g].size()),
                                                 compute_practice_indices(options.practice, model, rows_of_data(input, by_group.rows[g]),
                                                                          *options.answer_scale, group_warnings)});
                for (auto& warning : group_warnings) warnings.push_back("group '" + by_group.names[g] + "': " + warning);
            }
        }
    }
    // The columns that describe the segments, before the data keep only the model's indicators.
    Eigen::MatrixXd described(input.rows, static_cast<Eigen::Index>(options.segmentation.describe.size()));
    for (std::size_t c = 0; c < options.segmentation.describe.size(); ++c) {
        const int column = input.column_index(options.segmentation.describe[c]);
        if (column < 0)
            throw UsageError("`segmentation.describe`: " + data_name(input) + " have no column '" + options.segmentation.describe[c] + "'");
        described.col(static_cast<Eigen::Index>(c)) = input.matrix().col(column);
    }
    const auto indicators = model.all_indicators();
    run.data = input.columns == indicators ? std::move(input) : select_columns(input, indicators);

    run.index_scales = answer_scales(model, options, warnings);
    const std::vector<bool> reversed = reversed_indicators(model);
    if (!run.index_scales.empty()) check_answers_within_scale(run.data, run.index_scales);
    if (std::find(reversed.begin(), reversed.end(), true) != reversed.end()) {
        if (run.index_scales.empty())
            throw UsageError(model.source + ": reverse-coded items are recoded on their answer scale: add a 'scale MIN:MAX' "
                             "statement or give `answer_scale`");
        reverse_code(run.data, reversed, run.index_scales);
    }
    if (run.index_scales.empty() && (!options.ipma_target.empty() || options.aggregation || options.index_table))
        throw UsageError("`ipma_target`, `aggregation` and `index_table` work on indices: give the answer scale with `answer_scale` "
                         "MIN:MAX or a 'scale' statement in " + model.source);
    run.model = input_model;
    if (staged) prepare_two_stages(run, options);
    return estimate_study(std::move(run), options, monitor, described);
}

namespace {

// Everything after the data are ready: estimation and every procedure the options ask for, on
// run.model (stage 2 with two stages) and run.data; `described` holds the columns that describe
// segments, one row per data row.
StudyResult estimate_study(StudyResult run, const StudyOptions& options, StudyMonitor* monitor, const Eigen::MatrixXd& described) {
    const Model& model = run.model;
    auto& warnings = run.warnings;
    const Dataset& data = run.data;
    const bool weighted = data.case_weights.size() > 0;
    run.provenance.model_path = model.source;
    run.provenance.model_xxh64 = model.source_xxh64;
    run.provenance.data = data.source;
    run.provenance.csv = options.data.read_options();
    // Weights that came with in-memory data, unnamed, are still weights the result was made with.
    if (weighted && options.data.case_weights.empty()) run.provenance.csv.weight_column = "(case weights of the data)";
    try {
        run.moments = compute_moments(data, options.missing, &run.provenance.missing);
        // With two stages the data are complete by then: what was missing is the items' report.
        if (run.two_stage && run.two_stage->staged) run.provenance.missing = run.two_stage->items_missing;
        run.estimates = estimate(model, run.moments, options.estimation);
        if (options.consistent) run.estimates = make_consistent(model, run.estimates, run.moments);
    } catch (const ModelError& error) {
        // What the data make impossible (a constant indicator, too few rows): say which data.
        throw ModelError(data_name(data) + ": " + error.what());
    }
    const PlsResult& result = run.estimates;
    if (!result.converged) warnings.push_back(run.convergence_warning());
    if (!options.data.group.empty()) study_group_options(run, options).validate();  // what the groups refuse, before the long steps

    run.assessment = assess(model, result, run.moments);
    // seminr's interaction scale comes after the assessment, which judges standardized loadings.
    if (run.two_stage && run.two_stage->staged) {
        run.two_stage->interaction_scale.resize(static_cast<Eigen::Index>(run.two_stage->staged->interactions.size()));
        rescale_interactions(*run.two_stage->staged, run.moments.sds, run.estimates, &run.two_stage->interaction_scale);
    }
    // A non-converged run has its own warning; its other problems are in the result.
    if (result.converged)
        for (const auto& problem : run.assessment.admissibility.problems) warnings.push_back("inadmissible result: " + problem);
    if (options.segmentation.method != SegmentationMethod::none) {
        run.segmentation = segment_respondents(model, run, options);
        if (run.two_stage && run.two_stage->staged && options.segmentation.method == SegmentationMethod::fimix) {
            // FIMIX regresses standardized scores: an interaction's paths on seminr's scale, as the result's
            // (PLS-POS puts each segment on its own, as a study of its rows).
            const auto& interactions = run.two_stage->staged->interaction_constructs;
            for (auto& solution : run.segmentation->solutions)
                for (auto& segment : solution.segments)
                    for (std::size_t t = 0; t < interactions.size(); ++t)
                        segment.path_coefficients.row(interactions[t]) /= run.two_stage->interaction_scale[static_cast<Eigen::Index>(t)];
        }
        if (const int selected = selected_solution(*run.segmentation); selected >= 0) {
            const SegmentSolution& chosen = run.segmentation->solutions[static_cast<std::size_t>(selected)];
            for (std::size_t c = 0; c < options.segmentation.describe.size(); ++c)
                run.segmentation->descriptions.push_back(describe_segments(
                    options.segmentation.describe[c], described(run.segmentation->rows, static_cast<Eigen::Index>(c)), chosen.assignment, chosen.k));
        }
        for (const auto& solution : run.segmentation->solutions)
            if (!solution.ok()) warnings.push_back("segmentation: " + solution.error);
    }

    // Blindfolding, PLSpredict and the Bollen-Stine test work on whole respondents: with missing
    // values only the complete cases, which is listwise deletion, so the other treatments are refused.
    const bool whole_respondents_needed = options.prediction.enabled || options.fit_test.resamples > 0;
    const bool incomplete = run.provenance.missing.missing_cells() > 0;
    if (incomplete && whole_respondents_needed && options.missing.treatment != MissingTreatment::listwise)
        throw UsageError(std::string(options.prediction.enabled ? "`prediction.enabled`" : "`fit_test.resamples`") +
                         " needs whole respondents: with missing values (" +
                         std::to_string(run.provenance.missing.missing_cells()) + " in " + data_name(data) +
                         ") it works only with `missing.treatment` listwise");
    Dataset complete;
    IndicatorMoments complete_moments;
    if (incomplete && whole_respondents_needed) {
        complete = complete_cases(data);
        complete_moments = compute_moments(complete);
    }
    const Dataset& whole_respondents = incomplete ? complete : data;

    BootstrapOptions boot = options.bootstrap_options();
    if (!run.index_scales.empty()) {
        boot.index_scales = run.index_scales;
        run.indices = csi_indices(result, run.moments.means, run.moments.sds, run.index_scales);
        if (run.two_stage && run.two_stage->staged)
            clear_interaction_indices(*run.two_stage->staged, run.indices->index, run.indices->negative_weight);
        for (std::size_t j = 0; j < result.constructs.size(); ++j)
            if (run.indices->negative_weight[j])
                warnings.push_back("construct '" + result.constructs[j] +
                                   "' has a negative unstandardized weight: its CSI index is not a weighted mean of answers "
                                   "and is not meaningful");
    }

    if (!options.ipma_target.empty()) {
        const auto target = std::find(result.constructs.begin(), result.constructs.end(), options.ipma_target);
        if (target == result.constructs.end())
            throw UsageError("`ipma_target`: '" + options.ipma_target + "' is not a construct of " + model.source);
        run.ipma = importance_performance(result, *run.indices, run.moments, run.index_scales,
                                          static_cast<int>(target - result.constructs.begin()));
    }

    // The routes of the specific indirect effects, checked before the bootstrap: a name that is no
    // construct is an error; too many routes when none were asked for leave the list out.
    const int route_from = route_end(model, options.mediation.from), route_to = route_end(model, options.mediation.to);
    const long route_count = indirect_route_count(result, route_from, route_to);
    const bool routes_asked = route_from >= 0 || route_to >= 0;
    bool list_routes = true;
    if (route_count > static_cast<long>(max_indirect_routes)) {
        if (routes_asked)
            throw UsageError(fmt::format("`mediation.routes` gives {} indirect routes, more than {}: name one antecedent and one "
                                         "consequence", route_count, max_indirect_routes));
        warnings.push_back(fmt::format("the model has {} indirect routes, more than {}: the specific indirect effects are left out "
                                       "(name an antecedent and a consequence in `mediation.routes`)",
                                       route_count, max_indirect_routes));
        list_routes = false;
    } else if (routes_asked && route_count == 0) {
        warnings.push_back("`mediation.routes`: no route of two or more paths leads from " +
                           (route_from < 0 ? std::string("any construct") : "'" + result.constructs[static_cast<std::size_t>(route_from)] + "'") +
                           " to " + (route_to < 0 ? std::string("any construct") : "'" + result.constructs[static_cast<std::size_t>(route_to)] + "'"));
    }

    if (boot.resamples > 0) {
        {
            const long steps = boot.resamples + (boot.ci == ConfidenceInterval::bca ? static_cast<long>(jackknife_groups(data.rows)) : 0);
            const Stage stage(monitor, "bootstrap", steps);
            std::optional<TwoStageBootstrap> stages;
            if (run.two_stage && run.two_stage->staged)
                stages = TwoStageBootstrap{&*run.two_stage->staged, &run.two_stage->items, &run.two_stage->stage1,
                                           run.two_stage->item_scales};
            run.bootstrap = bootstrap(model, data, result, boot, stage.progress(), stages ? &*stages : nullptr);
        }
        const BootstrapResult& resampled = *run.bootstrap;
        if (!resampled.failures.empty())
            warnings.push_back(replicate_failures(resampled.failures.size(), boot.resamples, resampled.failures.front(),
                                                  "bootstrap resamples"));
        if (resampled.succeeded < 2)
            warnings.push_back("fewer than 2 bootstrap resamples succeeded: standard errors, p-values and intervals are undefined");
        if (resampled.jackknife_failed > 0)
            warnings.push_back(fmt::format("{} of {} jackknife estimations for the BCa acceleration failed and were left out",
                                           resampled.jackknife_failed, resampled.jackknife_groups));
    }

    if (run.two_stage && run.two_stage->staged)
        run.two_stage->simple_slopes = simple_slopes(*run.two_stage->staged, result, run.bootstrap ? &*run.bootstrap : nullptr);
    if (list_routes)
        run.mediation = specific_indirect_effects(result, run.bootstrap ? &*run.bootstrap : nullptr, route_from, route_to);
    if (list_routes && run.bootstrap && options.bootstrap.sign_change == SignChange::individual && !run.mediation.effects.empty())
        warnings.push_back("`bootstrap.sign_change` individual turns every draw to its estimate's sign, so no interval crosses 0: the "
                           "specific indirect effects get no mediation type");

    if (options.prediction.enabled) {
        try {
            run.q2 = blindfolding(model, whole_respondents, options.estimation, options.blindfolding_options());
            const StagedItems stages = staged_items(run);
            run.predicted = stages.staged ? pls_predict(model, run.two_stage->items, options.estimation, options.pls_predict_options(), &stages)
                                          : pls_predict(model, whole_respondents, options.estimation, options.pls_predict_options());
            if (stages.staged)
                warnings.push_back("Q² by blindfolding omits points of stage 2's data with the stage-1 scores held fixed "
                                   "(PLSpredict re-runs both stages in every fold)");
        } catch (const ModelError& error) {
            throw ModelError(data_name(data) + ": " + error.what());
        }
    }

    if (options.fit_test.resamples > 0) {
        const bool reflective = std::any_of(model.constructs.begin(), model.constructs.end(), [](const Construct& c) {
            return c.mode == MeasurementMode::reflective && c.indicators.size() > 1;
        });
        if (reflective && !options.consistent)
            warnings.push_back("the fit test without `consistent` tests the composite model: plain PLS loadings overstate "
                               "common-factor correlations, so reflective (=~) blocks are rejected whenever they hold "
                               "measurement error; add `consistent` to test a common-factor model");
        if (run.two_stage && run.two_stage->staged)
            warnings.push_back("the fit test is stage 2's: its resamples hold the stage-1 scores of the lower-order constructs fixed, as "
                               "a test on a second-stage data set of scores does");
        const FitTestOptions fit = options.fit_test_options();
        {
            const Stage stage(monitor, "fit test", fit.resamples);
            run.fit_test = bootstrap_fit_test(model, whole_respondents, result, incomplete ? complete_moments : run.moments, fit,
                                              stage.progress());
        }
        if (!run.fit_test->failures.empty())
            warnings.push_back(
                fmt::format("{} of {} fit-test resamples were left out (first: replicate {}: {})", run.fit_test->failures.size(),
                            fit.resamples, run.fit_test->failures.front().replicate, run.fit_test->failures.front().reason));
    }
    if (!options.data.group.empty()) {
        const GroupOptions group_options = study_group_options(run, options);
        std::vector<std::pair<int, int>> pairs;
        const auto& g = options.groups;
        const std::vector<std::string> names = group_rows(data).names;
        if (g.micom || !g.mga.empty())
            pairs = pairs_to_test(data, names, group_options, g.micom ? "`groups.micom`" : "`groups.mga`", true);
        else if (g.permutations > 0 && !g.omnibus)
            pairs = pairs_to_test(data, names, group_options, "`groups.permutations`", false);
        if (g.omnibus) {
            const std::size_t count = names.size();
            if (count < 2)
                throw UsageError("`groups.omnibus` compares groups, but there is one group only ('" +
                                 (count == 1 ? names[0] : std::string()) + "') in " + data_name(data));
            // Klesel's statistic sums a distance over every pair of groups, in every permutation.
            if (count * (count - 1) / 2 > static_cast<std::size_t>(GroupOptions::tested_pair_limit))
                throw UsageError(fmt::format("`groups.omnibus`: {} groups give {} pairs, and the overall model test sums a distance "
                                             "over every pair in every permutation; it takes at most {} pairs (45 groups)",
                                             count, count * (count - 1) / 2, GroupOptions::tested_pair_limit));
        }
        {
            const Stage stage(monitor, "groups", group_analysis_steps(data, boot, group_options));
            run.groups = estimate_groups(model, group_input(run), result, run.moments, options.estimation, run.index_scales, boot,
                                         group_options, stage.progress());
        }
        for (const auto& group : run.groups->groups)
            if (!group.ok())
                warnings.push_back(fmt::format("group '{}' ({} respondents) could not be estimated: {}", group.name, group.n_obs,
                                               group.error));
        if (run.groups->failed > 0)
            warnings.push_back(fmt::format("{} of {} groups could not be estimated; their rows say why", run.groups->failed,
                                           run.groups->groups.size()));
        if (list_routes)
            for (const auto& group : run.groups->groups)
                run.mediation_by_group.push_back(group.ok() ? specific_indirect_effects(group.result, group.bootstrap ? &*group.bootstrap : nullptr,
                                                                                        route_from, route_to)
                                                            : MediationResult{});
        if (g.micom) run_micom(run, model, pairs, options, monitor);
        if (!g.mga.empty() || g.omnibus) run_multigroup_tests(run, model, group_options, options, monitor);
    }
    if (run.indices) {
        run.index_table = make_index_table(result, *run.indices, run.bootstrap ? &*run.bootstrap : nullptr,
                                           run.groups ? &*run.groups : nullptr, options.bootstrap.ci_level);
        if (options.aggregation) {
            auto rows = aggregate_indices(*run.groups, *options.aggregation, result.constructs, options.bootstrap.ci_level);
            for (auto& row : rows) run.index_table->rows.push_back(std::move(row));
        }
    }
    return run;
}

}  // namespace

bool StudyResult::is_usable() const { return estimates.converged && assessment.admissibility.admissible; }

std::string StudyResult::convergence_warning() const {
    if (estimates.converged) return {};
    return fmt::format(
        "the PLS iteration did not converge within {} iteration{} (last max |change in weights| = {:.3g} > tolerance {:g}); "
        "the estimates are not a PLS solution. Try a larger `estimation.max_iterations` or another `estimation.scheme`.",
        estimates.iterations, estimates.iterations == 1 ? "" : "s", estimates.last_weight_change, estimates.options.tolerance);
}

double StudyResult::index_of(const std::string& construct) const {
    if (!indices) throw UsageError("the study has no CSI indices: give `answer_scale` or a 'scale' statement");
    const int position = model.construct_index(construct);
    if (position < 0) throw UsageError("'" + construct + "' is not a construct of " + model.source);
    return indices->index[position];
}

Eigen::MatrixXd StudyResult::scores() const {
    Eigen::MatrixXd scores = provenance.missing.missing_cells() == 0
                                 ? construct_scores(estimates, moments, data)
                                 : construct_scores(estimates, moments, fill_missing_for_scores(data, moments, {provenance.missing.treatment}));
    if (!two_stage || two_stage->kept_rows.empty()) return scores;
    // Respondents left out before stage 1 have no scores (NaN rows), so that rows stay the input's.
    Eigen::MatrixXd all = Eigen::MatrixXd::Constant(two_stage->input_rows, scores.cols(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < two_stage->kept_rows.size(); ++i) all.row(two_stage->kept_rows[i]) = scores.row(static_cast<Eigen::Index>(i));
    return all;
}

}  // namespace csipls

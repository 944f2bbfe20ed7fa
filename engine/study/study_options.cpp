#include "csipls/study/study_options.hpp"

#include <algorithm>
#include <cmath>

#include "csipls/core/error.hpp"

namespace csipls {

namespace {

constexpr int max_threads = 4096;

// Each check returns the problem, or an empty string; the first problem wins.
std::string first_problem(const StudyOptions& o) {
    const auto& d = o.data;
    if (d.delimiter == '"' || d.delimiter == '\n' || d.delimiter == '\r' || d.delimiter == '\0')
        return "`data.delimiter` cannot be a quote, a line break or NUL";
    if (d.decimal_comma && (d.delimiter == ',' || d.delimiter == '.'))
        return "with `data.decimal_comma` the `data.delimiter` cannot be ',' or '.' (European CSV uses ';')";
    for (double code : d.missing_codes)
        if (!std::isfinite(code)) return "`data.missing_codes` must be finite numbers";
    const auto& e = o.estimation;
    if (!(std::isfinite(e.tolerance) && e.tolerance > 0.0 && e.tolerance < 1.0))
        return "`estimation.tolerance` must be a number between 0 and 1 (exclusive), got " + number_text(e.tolerance);
    if (e.max_iterations < 1 || e.max_iterations > 1'000'000)
        return "`estimation.max_iterations` must be between 1 and 1000000, got " + std::to_string(e.max_iterations);
    const auto& m = o.missing;
    if (!(std::isfinite(m.em_tolerance) && m.em_tolerance > 0.0 && m.em_tolerance < 1.0))
        return "missing.em_tolerance must be between 0 and 1 (exclusive), got " + number_text(m.em_tolerance);
    if (m.em_max_iterations < 1 || m.em_max_iterations > 1'000'000)
        return "missing.em_max_iterations must be between 1 and 1000000, got " + std::to_string(m.em_max_iterations);
    if (o.answer_scale && !(std::isfinite(o.answer_scale->min) && std::isfinite(o.answer_scale->max) && o.answer_scale->max > o.answer_scale->min))
        return "`answer_scale` must have MIN < MAX, got " + number_text(o.answer_scale->min) + ":" + number_text(o.answer_scale->max);
    if (o.threads < 0 || o.threads > max_threads) return "`threads` must be between 0 (all cores) and 4096";
    const auto& b = o.bootstrap;
    if (b.resamples < 0 || b.resamples == 1 || b.resamples > 10'000'000)
        return "`bootstrap.resamples` must be 0 (none) or between 2 and 10000000, got " + std::to_string(b.resamples);
    if (!(b.ci_level > 0.0 && b.ci_level < 1.0))
        return "`bootstrap.ci_level` must be strictly between 0 and 1, got " + number_text(b.ci_level);
    if (o.fit_test.resamples < 0 || o.fit_test.resamples > 10'000'000)
        return "`fit_test.resamples` must be between 0 and 10000000, got " + std::to_string(o.fit_test.resamples);
    const auto& p = o.prediction;
    if (p.omission_distance < 2) return "`prediction.omission_distance` must be at least 2, got " + std::to_string(p.omission_distance);
    if (p.folds < 2) return "`prediction.folds` must be at least 2, got " + std::to_string(p.folds);
    if (p.repetitions < 1 || p.repetitions > 100'000)
        return "`prediction.repetitions` must be between 1 and 100000, got " + std::to_string(p.repetitions);
    const auto& g = o.groups;
    if (g.permutations < 0 || g.permutations == 1 || g.permutations > 1'000'000)
        return "`groups.permutations` must be 0 (none) or between 2 and 1000000, got " + std::to_string(g.permutations);
    if (g.pairs == GroupOptions::Pairs::listed && g.listed_pairs.empty())
        return "`groups.pairs` lists no pair of groups for difference tests";
    for (const auto& [a, b_name] : g.listed_pairs) {
        if (a.empty() || b_name.empty()) return "`groups.pairs` has a pair with an empty group label";
        if (a == b_name) return "`groups.pairs` compares group '" + a + "' with itself";
    }

    // Rules between fields.
    if (!d.case_weights.empty() && (p.enabled || o.fit_test.resamples > 0))
        return "`data.case_weights` does not work with `prediction.enabled` or `fit_test.resamples` yet";
    if (p.enabled && o.consistent) return "`prediction.enabled` uses plain PLS; run it without `consistent`";
    for (const auto& [perceived, expected] : o.practice.gaps)
        if (perceived.empty() || expected.empty()) return "`practice.gaps` has a pair with an empty column name";
    if (o.practice.wanted() && !o.answer_scale)
        return "`practice.item_scores`, `practice.weights_index` and `practice.gaps` map answers from the answer scale: "
               "give `answer_scale` MIN:MAX";
    if (d.group.empty()) {
        if (g.pooled || g.permutations > 0 || o.aggregation || g.pairs != GroupOptions::Pairs::automatic)
            return "`groups.pooled`, `groups.pairs`, `groups.permutations` and `aggregation` need `data.group`";
    } else if (p.enabled || o.fit_test.resamples > 0) {
        return "`data.group` does not work with `prediction.enabled` or `fit_test.resamples`";
    }
    if (!d.group.empty() && d.group == d.case_weights) return "`data.group` and `data.case_weights` name the same column";
    return {};
}

}  // namespace

bool StudyOptions::is_valid(std::string* error) const {
    std::string problem = first_problem(*this);
    if (problem.empty()) return true;
    if (error) *error = std::move(problem);
    return false;
}

void StudyOptions::validate() const {
    std::string problem;
    if (!is_valid(&problem)) throw UsageError(problem);
}

BootstrapOptions StudyOptions::bootstrap_options() const {
    BootstrapOptions out;
    out.resamples = bootstrap.resamples;
    out.seed = seed;
    out.threads = threads;
    out.ci = bootstrap.ci;
    out.ci_level = bootstrap.ci_level;
    out.sign_change = bootstrap.sign_change;
    out.missing = missing;
    return out;
}

FitTestOptions StudyOptions::fit_test_options() const {
    FitTestOptions out;
    out.resamples = fit_test.resamples;
    out.seed = seed;
    out.threads = threads;
    return out;
}

GroupOptions StudyOptions::group_options() const {
    GroupOptions out;
    out.pooled = groups.pooled;
    out.consistent = consistent;
    out.missing = missing;
    out.threads = threads;
    out.pairs = groups.pairs;
    out.listed_pairs = groups.listed_pairs;
    out.permutations = groups.permutations;
    return out;
}

BlindfoldingOptions StudyOptions::blindfolding_options() const {
    BlindfoldingOptions out;
    out.omission_distance = prediction.omission_distance;
    return out;
}

std::vector<std::string> StudyOptions::Practice::columns(const Model& model) const {
    std::vector<std::string> out;
    auto need = [&](const std::string& name) {
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    if (item_scores)
        for (const auto& name : model.all_indicators()) need(name);
    if (weights_index)
        for (const auto& leaf : weights_index->leaves()) need(leaf);
    for (const auto& [perceived, expected] : gaps) {
        need(perceived);
        need(expected);
    }
    return out;
}

InputError StudyOptions::Practice::missing_item(const std::string& item, const std::string& data_name) const {
    const WeightNode* node = weights_index ? weights_index->find(item) : nullptr;
    return InputError((weights_index ? weights_index->path : std::string("the weights index")) + ":" +
                      std::to_string(node ? node->line : 0) + ": item '" + item + "' is not a column of " + data_name);
}

PlsPredictOptions StudyOptions::pls_predict_options() const {
    PlsPredictOptions out;
    out.folds = prediction.folds;
    out.repetitions = prediction.repetitions;
    out.seed = seed;
    return out;
}

}  // namespace csipls

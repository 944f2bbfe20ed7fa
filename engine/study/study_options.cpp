#include "csipls/study/study_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "csipls/core/error.hpp"

namespace csipls {

namespace {

// The kernels' own checks name their structs' fields; a study names its own.
constexpr std::pair<const char*, const char*> kernel_fields[] = {
    {"EstimationOptions.tolerance", "estimation.tolerance"},
    {"EstimationOptions.max_iterations", "estimation.max_iterations"},
    {"MissingOptions.em_tolerance", "missing.em_tolerance"},
    {"MissingOptions.em_max_iterations", "missing.em_max_iterations"},
    {"BootstrapOptions.resamples", "bootstrap.resamples"},
    {"BootstrapOptions.threads", "threads"},
    {"BootstrapOptions.ci_level", "bootstrap.ci_level"},
    {"FitTestOptions.resamples", "fit_test.resamples"},
    {"FitTestOptions.threads", "threads"},
    {"BlindfoldingOptions.omission_distance", "prediction.omission_distance"},
    {"PlsPredictOptions.folds", "prediction.folds"},
    {"PlsPredictOptions.repetitions", "prediction.repetitions"},
    {"GroupOptions.permutations", "groups.permutations"},
    {"GroupOptions.threads", "threads"},
    {"MicomOptions.permutations", "groups.permutations"},
    {"MicomOptions.alpha", "groups.alpha"},
    {"MicomOptions.threads", "threads"},
    {"MgaOptions.alpha", "groups.alpha"},
    {"MgaOptions.permutations", "groups.permutations"},
    {"MgaOptions.threads", "threads"},
};

// The problem a kernel's validate() finds, in the study's words; empty when there is none. The
// ranges live in the kernels only, so a study and a direct caller of a kernel cannot disagree.
template <class KernelOptions>
std::string kernel_problem(const KernelOptions& options) {
    try {
        options.validate();
    } catch (const UsageError& error) {
        const std::string message = error.what();
        for (const auto& [kernel, study] : kernel_fields)
            if (message.rfind(kernel, 0) == 0) return "`" + std::string(study) + "`" + message.substr(std::strlen(kernel));
        return message;
    }
    return {};
}

// Each check returns the problem, or an empty string; the first problem wins.
std::string first_problem(const StudyOptions& o) {
    const auto& d = o.data;
    if (d.delimiter == '"' || d.delimiter == '\n' || d.delimiter == '\r' || d.delimiter == '\0')
        return "`data.delimiter` cannot be a quote, a line break or NUL";
    if (d.decimal_comma && (d.delimiter == ',' || d.delimiter == '.'))
        return "with `data.decimal_comma` the `data.delimiter` cannot be ',' or '.' (European CSV uses ';')";
    for (double code : d.missing_codes)
        if (!std::isfinite(code)) return "`data.missing_codes` must be finite numbers";
    if (o.answer_scale && !(std::isfinite(o.answer_scale->min) && std::isfinite(o.answer_scale->max) && o.answer_scale->max > o.answer_scale->min))
        return "`answer_scale` must have MIN < MAX, got " + number_text(o.answer_scale->min) + ":" + number_text(o.answer_scale->max);
    const auto& p = o.prediction;
    for (std::string problem : {kernel_problem(o.estimation), kernel_problem(o.missing), kernel_problem(o.bootstrap_options()),
                                kernel_problem(o.fit_test_options()), kernel_problem(o.blindfolding_options()),
                                kernel_problem(o.pls_predict_options())})
        if (!problem.empty()) return problem;
    const auto& g = o.groups;
    if (g.pairs == GroupOptions::Pairs::listed && g.listed_pairs.empty())
        return "`groups.pairs` lists no pair of groups for difference tests";
    for (const auto& [a, b_name] : g.listed_pairs) {
        if (a.empty() || b_name.empty()) return "`groups.pairs` has a pair with an empty group label";
        if (a == b_name) return "`groups.pairs` compares group '" + a + "' with itself";
    }
    if (std::string problem = kernel_problem(o.group_options()); !problem.empty()) return problem;
    if (!(g.alpha > 0.0 && g.alpha < 0.5)) return "`groups.alpha` must be between 0 and 0.5 (exclusive), got " + number_text(g.alpha);
    if (g.micom) {
        if (d.group.empty()) return "`groups.micom` compares groups: give `data.group`";
        if (g.permutations == 0) return "`groups.micom` needs `groups.permutations` (the paper asks for 5000)";
        if (g.pooled) return "`groups.micom` compares the groups' own weights: run it without `groups.pooled`";
        if (!d.case_weights.empty()) return "`groups.micom` does not work with `data.case_weights` yet";
        if (std::string problem = kernel_problem(o.micom_options()); !problem.empty()) return problem;
    }
    if (!g.mga.empty() || g.omnibus) {
        if (d.group.empty()) return "`groups.mga` and `groups.omnibus` compare groups: give `data.group`";
        for (const MgaTest test : g.mga) {
            if (test == MgaTest::permutation && g.permutations == 0)
                return "`groups.mga` permutation needs `groups.permutations` (e.g. 5000)";
            if (test != MgaTest::permutation && o.bootstrap.resamples == 0)
                return std::string("`groups.mga` ") + mga_test_name(test) + " works on the groups' bootstrap: give `bootstrap.resamples`";
        }
        if (g.omnibus && g.permutations == 0) return "`groups.omnibus` needs `groups.permutations` (e.g. 5000)";
        if (std::string problem = kernel_problem(o.mga_options()); !problem.empty()) return problem;
    } else if (g.p_adjust != PValueAdjustment::none) {
        return "`groups.p_adjust` adjusts the p-values of `groups.mga` and `groups.omnibus`: give one of them";
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
    const auto& s = o.segmentation;
    if (!s.describe.empty() && s.method == SegmentationMethod::none) return "`segmentation.describe` needs `segmentation.method`";
    if (s.method != SegmentationMethod::none) {
        if (!d.case_weights.empty()) return "`segmentation.method` does not work with `data.case_weights` yet";
        if (s.method == SegmentationMethod::pos && s.k_min != s.k_max)
            return "`segmentation.k`: PLS-POS takes one number of segments (e.g. 2), got " + std::to_string(s.k_min) + ".." +
                   std::to_string(s.k_max);
        if (std::string problem = s.method == SegmentationMethod::pos ? kernel_problem(o.pos_options()) : kernel_problem(o.fimix_options());
            !problem.empty())
            return problem;
    }
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

CsvOptions StudyOptions::Data::read_options() const {
    CsvOptions out;
    out.delimiter = delimiter;
    out.decimal_comma = decimal_comma;
    out.missing_codes = missing_codes;
    out.weight_column = case_weights;
    out.group_column = group;
    return out;
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

MicomOptions StudyOptions::micom_options() const {
    MicomOptions out;
    out.permutations = groups.permutations;
    out.seed = seed;
    out.alpha = groups.alpha;
    out.composite_data = groups.micom_data;
    out.pooling = groups.micom_pooling;
    out.missing = missing;
    out.threads = threads;
    return out;
}

MgaOptions StudyOptions::mga_options() const {
    MgaOptions out;
    out.tests = groups.mga;
    out.p_adjust = groups.p_adjust;
    out.alpha = groups.alpha;
    out.omnibus = groups.omnibus;
    out.permutations = groups.omnibus ? groups.permutations : 0;
    out.seed = seed;
    out.threads = threads;
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
        for (const auto& name : model.items()) need(name);
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

FimixOptions StudyOptions::fimix_options() const {
    FimixOptions out;
    out.k_min = segmentation.k_min;
    out.k_max = segmentation.k_max;
    out.starts = segmentation.starts;
    out.tolerance = segmentation.tolerance;
    out.max_iterations = segmentation.max_iterations;
    out.seed = seed;
    out.threads = threads;
    return out;
}

PosOptions StudyOptions::pos_options() const {
    PosOptions out;
    out.k = segmentation.k_min;
    out.starts = segmentation.starts;
    out.min_segment_size = segmentation.min_size;
    out.seed = seed;
    out.threads = threads;
    return out;
}

}  // namespace csipls

#include "csipls/study/option_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "csipls/core/error.hpp"
#include "csipls/io/practice_io.hpp"
#include "csipls/io/result_writers.hpp"

namespace csipls {

namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

template <class Number>
Number parse_number(const std::string& text, const char* field, const char* what) {
    const std::string_view view = trimmed(text);
    Number value{};
    const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    bool ok = !view.empty() && ec == std::errc() && end == view.data() + view.size();
    if constexpr (std::is_floating_point_v<Number>) ok = ok && std::isfinite(value);
    if (!ok) throw UsageError("`" + std::string(field) + "` takes " + what + ", got '" + text + "'");
    return value;
}

int whole(const std::string& text, const char* field) { return parse_number<int>(text, field, "a whole number"); }
double real(const std::string& text, const char* field) { return parse_number<double>(text, field, "a number"); }

bool switch_value(const std::string& text, const char* field) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "0" || text == "no" || text == "off") return false;
    throw UsageError("`" + std::string(field) + "` takes true or false, got '" + text + "'");
}

// "A:B,C:D" into pairs; throws UsageError with `usage` when an item is not two non-empty names.
std::vector<std::pair<std::string, std::string>> name_pairs(const std::string& text, const std::string& usage) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        const auto colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size() ||
            item.find(':', colon + 1) != std::string_view::npos)
            throw UsageError(usage + ", got '" + text + "'");
        pairs.emplace_back(std::string(item.substr(0, colon)), std::string(item.substr(colon + 1)));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (pairs.empty()) throw UsageError(usage + ", got '" + text + "'");
    return pairs;
}

Json pairs_json(const std::vector<std::pair<std::string, std::string>>& pairs) {
    Json out = Json::array();
    for (const auto& [a, b] : pairs) out.push_back(Json::array({a, b}));
    return out;
}

Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

std::string no_default(const StudyOptions&) { return {}; }

std::string group_pairs_text(GroupOptions::Pairs pairs) {
    switch (pairs) {
        case GroupOptions::Pairs::automatic: return "auto";
        case GroupOptions::Pairs::all: return "all";
        case GroupOptions::Pairs::none: return "none";
        case GroupOptions::Pairs::listed: return "listed";
    }
    return "auto";
}

const std::vector<StudyOptionField> fields = {
    {"data.delimiter", "delimiter", "C", "field delimiter of the data file: one character, or 'tab'",
     [](StudyOptions& o, const std::string& text) {
         if (text == "tab" || text == "\\t" || text == "\t") o.data.delimiter = '\t';
         else if (text == "semicolon") o.data.delimiter = ';';
         else if (text.size() == 1) o.data.delimiter = text[0];
         else throw UsageError("`data.delimiter` takes one character (or 'tab'), got '" + text + "'");
     },
     [](const StudyOptions& o) { return Json(std::string(1, o.data.delimiter)); },
     [](const StudyOptions& o) { return std::string(1, o.data.delimiter); }},
    {"data.decimal_comma", "decimal-comma", nullptr,
     "',' is the decimal mark (European CSV; the delimiter becomes ';' unless given)",
     [](StudyOptions& o, const std::string& text) {
         o.data.decimal_comma = switch_value(text, "data.decimal_comma");
         if (o.data.decimal_comma && o.data.delimiter == ',') o.data.delimiter = ';';
     },
     [](const StudyOptions& o) { return Json(o.data.decimal_comma); }, no_default},
    {"data.missing_codes", "missing", "CODES", "codes meaning 'no answer', e.g. -99 or -99,99 (empty cells and NA always are)",
     [](StudyOptions& o, const std::string& text) {
         o.data.missing_codes.clear();
         std::string_view rest = text;
         for (;;) {
             const auto comma = rest.find(',');
             const std::string item(rest.substr(0, comma));
             double code = 0;
             const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), code);
             if (item.empty() || ec != std::errc() || end != item.data() + item.size() || !std::isfinite(code))
                 throw UsageError("`data.missing_codes` takes numbers separated by commas, e.g. -99,99, got '" + text + "'");
             o.data.missing_codes.push_back(code);
             if (comma == std::string_view::npos) break;
             rest.remove_prefix(comma + 1);
         }
     },
     [](const StudyOptions& o) { return Json(o.data.missing_codes); }, no_default},
    {"missing.treatment", "missing-treatment", "T", "missing answers: listwise, mean (replacement), pairwise or em",
     [](StudyOptions& o, const std::string& text) {
         const auto treatment = missing_treatment_from_string(text);
         if (!treatment) throw UsageError("`missing.treatment` must be listwise, mean, pairwise or em, got '" + text + "'");
         o.missing.treatment = *treatment;
     },
     [](const StudyOptions& o) { return Json(to_string(o.missing.treatment)); },
     [](const StudyOptions& o) { return to_string(o.missing.treatment); }},
    {"data.case_weights", "case-weights", "COLUMN", "column of case (survey) weights: weighted means and correlations",
     [](StudyOptions& o, const std::string& text) { o.data.case_weights = text; },
     [](const StudyOptions& o) { return text_or_null(o.data.case_weights); }, no_default},
    {"estimation.scheme", "scheme", "S", "inner weighting scheme: path, centroid or factorial",
     [](StudyOptions& o, const std::string& text) {
         const auto scheme = inner_scheme_from_string(text);
         if (!scheme) throw UsageError("`estimation.scheme` must be path, centroid or factorial, got '" + text + "'");
         o.estimation.scheme = *scheme;
     },
     [](const StudyOptions& o) { return Json(to_string(o.estimation.scheme)); },
     [](const StudyOptions& o) { return to_string(o.estimation.scheme); }},
    {"estimation.tolerance", "tolerance", "T", "convergence: stop when max |change in outer weights| < T",
     [](StudyOptions& o, const std::string& text) { o.estimation.tolerance = real(text, "estimation.tolerance"); },
     [](const StudyOptions& o) { return Json(o.estimation.tolerance); },
     [](const StudyOptions& o) { return number_text(o.estimation.tolerance); }},
    {"estimation.max_iterations", "max-iter", "N", "iteration limit",
     [](StudyOptions& o, const std::string& text) { o.estimation.max_iterations = whole(text, "estimation.max_iterations"); },
     [](const StudyOptions& o) { return Json(o.estimation.max_iterations); },
     [](const StudyOptions& o) { return std::to_string(o.estimation.max_iterations); }},
    {"consistent", "consistent", nullptr, "consistent PLS (PLSc, Dijkstra & Henseler 2015) for reflective blocks",
     [](StudyOptions& o, const std::string& text) { o.consistent = switch_value(text, "consistent"); },
     [](const StudyOptions& o) { return Json(o.consistent); }, no_default},
    {"staging.interaction", "interaction", "METHOD",
     "interaction terms (Y ~ A + B + A:B): two-stage (scores' product), product-indicator or orthogonal",
     [](StudyOptions& o, const std::string& text) {
         const auto method = interaction_method_from_string(text);
         if (!method) throw UsageError("`staging.interaction` must be two-stage, product-indicator or orthogonal, got '" + text + "'");
         o.staging.interaction = *method;
     },
     [](const StudyOptions& o) { return Json(to_string(o.staging.interaction)); },
     [](const StudyOptions& o) { return to_string(o.staging.interaction); }},
    {"staging.higher_order", "higher-order", "APPROACH",
     "higher-order constructs (H =~ C1 + C2): two-stage (disjoint, seminr), embedded (two stages, the first by repeated indicators) or repeated (one stage, repeated indicators)",
     [](StudyOptions& o, const std::string& text) {
         const auto approach = higher_order_approach_from_string(text);
         if (!approach) throw UsageError("`staging.higher_order` must be two-stage, embedded or repeated, got '" + text + "'");
         o.staging.higher_order = *approach;
     },
     [](const StudyOptions& o) { return Json(to_string(o.staging.higher_order)); },
     [](const StudyOptions& o) { return to_string(o.staging.higher_order); }},
    {"answer_scale", "scale", "MIN:MAX", "answer scale MIN:MAX of the indicators: adds 0-100 CSI indices (ACSI method)",
     [](StudyOptions& o, const std::string& text) { o.answer_scale = parse_answer_scale(text); },
     [](const StudyOptions& o) { return o.answer_scale ? Json::array({o.answer_scale->min, o.answer_scale->max}) : Json(nullptr); }, no_default},
    {"bootstrap.resamples", "bootstrap", "B", "bootstrap resamples (0: none)",
     [](StudyOptions& o, const std::string& text) { o.bootstrap.resamples = whole(text, "bootstrap.resamples"); },
     [](const StudyOptions& o) { return Json(o.bootstrap.resamples); },
     [](const StudyOptions& o) { return std::to_string(o.bootstrap.resamples); }},
    {"seed", "seed", "S", "seed of every random draw (bootstrap, fit test, folds, permutations); the result is the same for any --threads",
     [](StudyOptions& o, const std::string& text) {
         std::uint64_t seed = 0;
         const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
         if (text.empty() || ec != std::errc() || end != text.data() + text.size())
             throw UsageError("`seed` takes a whole number from 0 to 18446744073709551615, got '" + text + "'");
         o.seed = seed;
     },
     [](const StudyOptions& o) { return Json(o.seed); }, [](const StudyOptions& o) { return std::to_string(o.seed); }},
    {"threads", "threads", "T", "threads (0: all cores); never changes the result",
     [](StudyOptions& o, const std::string& text) { o.threads = whole(text, "threads"); },
     [](const StudyOptions& o) { return Json(o.threads); }, [](const StudyOptions& o) { return std::to_string(o.threads); }},
    {"bootstrap.ci", "ci", "TYPE", "bootstrap confidence interval: percentile, basic or bca",
     [](StudyOptions& o, const std::string& text) {
         const auto ci = confidence_interval_from_string(text);
         if (!ci) throw UsageError("`bootstrap.ci` must be percentile, basic or bca, got '" + text + "'");
         o.bootstrap.ci = *ci;
     },
     [](const StudyOptions& o) { return Json(to_string(o.bootstrap.ci)); },
     [](const StudyOptions& o) { return to_string(o.bootstrap.ci); }},
    {"bootstrap.ci_level", "ci-level", "L", "confidence level of the intervals",
     [](StudyOptions& o, const std::string& text) { o.bootstrap.ci_level = real(text, "bootstrap.ci_level"); },
     [](const StudyOptions& o) { return Json(o.bootstrap.ci_level); },
     [](const StudyOptions& o) { return number_text(o.bootstrap.ci_level); }},
    {"bootstrap.sign_change", "sign-change", "S", "bootstrap sign correction: none, individual or construct",
     [](StudyOptions& o, const std::string& text) {
         const auto sign_change = sign_change_from_string(text);
         if (!sign_change) throw UsageError("`bootstrap.sign_change` must be none, individual or construct, got '" + text + "'");
         o.bootstrap.sign_change = *sign_change;
     },
     [](const StudyOptions& o) { return Json(to_string(o.bootstrap.sign_change)); },
     [](const StudyOptions& o) { return to_string(o.bootstrap.sign_change); }},
    {"fit_test.resamples", "fit-test", "B",
     "bootstrap test of exact fit with this many resamples (Bollen-Stine; use --consistent for reflective models)",
     [](StudyOptions& o, const std::string& text) { o.fit_test.resamples = whole(text, "fit_test.resamples"); },
     [](const StudyOptions& o) { return Json(o.fit_test.resamples); },
     [](const StudyOptions& o) { return std::to_string(o.fit_test.resamples); }},
    {"prediction.enabled", "predict", nullptr, "predictive power: Q2 by blindfolding and PLSpredict (RMSE, MAE vs a linear model)",
     [](StudyOptions& o, const std::string& text) { o.prediction.enabled = switch_value(text, "prediction.enabled"); },
     [](const StudyOptions& o) { return Json(o.prediction.enabled); }, no_default},
    {"prediction.omission_distance", "omission-distance", "D", "blindfolding omission distance D",
     [](StudyOptions& o, const std::string& text) { o.prediction.omission_distance = whole(text, "prediction.omission_distance"); },
     [](const StudyOptions& o) { return Json(o.prediction.omission_distance); },
     [](const StudyOptions& o) { return std::to_string(o.prediction.omission_distance); }},
    {"prediction.folds", "folds", "K", "PLSpredict folds k",
     [](StudyOptions& o, const std::string& text) { o.prediction.folds = whole(text, "prediction.folds"); },
     [](const StudyOptions& o) { return Json(o.prediction.folds); },
     [](const StudyOptions& o) { return std::to_string(o.prediction.folds); }},
    {"prediction.repetitions", "repetitions", "R", "PLSpredict repetitions",
     [](StudyOptions& o, const std::string& text) { o.prediction.repetitions = whole(text, "prediction.repetitions"); },
     [](const StudyOptions& o) { return Json(o.prediction.repetitions); },
     [](const StudyOptions& o) { return std::to_string(o.prediction.repetitions); }},
    {"ipma_target", "ipma", "TARGET", "with --scale: importance-performance map for this target construct",
     [](StudyOptions& o, const std::string& text) { o.ipma_target = text; },
     [](const StudyOptions& o) { return text_or_null(o.ipma_target); }, no_default},
    {"data.group", "group", "COLUMN", "column of groups (company, segment, period; SPSS: text or value-labelled): the model is also estimated per group",
     [](StudyOptions& o, const std::string& text) { o.data.group = text; },
     [](const StudyOptions& o) { return text_or_null(o.data.group); }, no_default},
    {"data.segments", "segments", "FILE",
     "segment assignments (a CSV with columns row and segment, as `csipls segment --assignments` writes): each segment is a group",
     [](StudyOptions& o, const std::string& text) {
         if (!o.data.group.empty() && o.data.group != "segment")
             throw UsageError("`data.segments` gives the groups: it cannot be combined with `data.group`");
         o.data.segments = text;
         o.data.group = "segment";
     },
     [](const StudyOptions& o) { return text_or_null(o.data.segments); }, no_default},
    {"groups.pooled", "pooled", nullptr, "with --group: groups keep the pooled estimate's weights instead of their own",
     [](StudyOptions& o, const std::string& text) { o.groups.pooled = switch_value(text, "groups.pooled"); },
     [](const StudyOptions& o) { return Json(o.groups.pooled); }, no_default},
    {"groups.pairs", "group-pairs", "P", "group-difference tests: auto (all pairs up to 10 groups), all, none, or A:B[,C:D...]",
     [](StudyOptions& o, const std::string& text) {
         using Pairs = GroupOptions::Pairs;
         o.groups.listed_pairs.clear();
         if (text == "auto") o.groups.pairs = Pairs::automatic;
         else if (text == "all") o.groups.pairs = Pairs::all;
         else if (text == "none") o.groups.pairs = Pairs::none;
         else {
             o.groups.pairs = Pairs::listed;
             o.groups.listed_pairs = name_pairs(text, "`groups.pairs` takes auto, all, none or A:B[,C:D...]");
         }
     },
     [](const StudyOptions& o) {
         return o.groups.pairs == GroupOptions::Pairs::listed ? pairs_json(o.groups.listed_pairs)
                                                              : Json(group_pairs_text(o.groups.pairs));
     },
     [](const StudyOptions& o) { return group_pairs_text(o.groups.pairs); }},
    {"groups.permutations", "permutations", "P", "permutation tests of group differences with this many permutations",
     [](StudyOptions& o, const std::string& text) { o.groups.permutations = whole(text, "groups.permutations"); },
     [](const StudyOptions& o) { return Json(o.groups.permutations); },
     [](const StudyOptions& o) { return std::to_string(o.groups.permutations); }},
    {"groups.micom", "micom", nullptr, "with --group and --permutations: MICOM, measurement invariance of composites, per tested pair",
     [](StudyOptions& o, const std::string& text) { o.groups.micom = switch_value(text, "groups.micom"); },
     [](const StudyOptions& o) { return Json(o.groups.micom); }, no_default},
    {"groups.micom_data", "micom-data", "D",
     "MICOM's step-2 composites on the pooled data: standardized (the paper, SmartPLS) or raw (cSEM's testMICOM)",
     [](StudyOptions& o, const std::string& text) {
         if (text == "standardized") o.groups.micom_data = MicomCompositeData::standardized_pooled;
         else if (text == "raw") o.groups.micom_data = MicomCompositeData::raw_pooled;
         else throw UsageError("`groups.micom_data` takes standardized or raw, got '" + text + "'");
     },
     [](const StudyOptions& o) { return Json(o.groups.micom_data == MicomCompositeData::raw_pooled ? "raw" : "standardized"); },
     [](const StudyOptions& o) { return std::string(o.groups.micom_data == MicomCompositeData::raw_pooled ? "raw" : "standardized"); }},
    {"groups.mga", "mga", "TESTS",
     "multi-group tests of each tested pair: permutation, parametric, welch, henseler, ci_parametric, ci_overlap (comma-separated) or all",
     [](StudyOptions& o, const std::string& text) {
         o.groups.mga.clear();
         const std::string usage = "`groups.mga` takes permutation, parametric, welch, henseler, ci_parametric, ci_overlap "
                                   "(comma-separated) or all, got '" + text + "'";
         if (text == "all") {
             for (const MgaTest test : {MgaTest::permutation, MgaTest::parametric, MgaTest::welch, MgaTest::henseler,
                                        MgaTest::ci_parametric, MgaTest::ci_overlap})
                 o.groups.mga.push_back(test);
             return;
         }
         std::string_view rest = text;
         while (true) {
             const auto comma = rest.find(',');
             const auto test = parse_mga_test(trimmed(rest.substr(0, comma)));
             if (!test) throw UsageError(usage);
             if (std::find(o.groups.mga.begin(), o.groups.mga.end(), *test) == o.groups.mga.end()) o.groups.mga.push_back(*test);
             if (comma == std::string_view::npos) break;
             rest = rest.substr(comma + 1);
         }
     },
     [](const StudyOptions& o) {
         Json tests = Json::array();
         for (const MgaTest test : o.groups.mga) tests.push_back(mga_test_name(test));
         return tests;
     },
     no_default},
    {"groups.omnibus", "omnibus", nullptr,
     "with --group and --permutations: tests over all groups at once (Sarstedt et al. 2011 per parameter, with --bootstrap; "
     "Klesel et al. 2019 for the whole model)",
     [](StudyOptions& o, const std::string& text) { o.groups.omnibus = switch_value(text, "groups.omnibus"); },
     [](const StudyOptions& o) { return Json(o.groups.omnibus); }, no_default},
    {"groups.p_adjust", "p-adjust", "M", "adjustment of the multi-group tests' p-values over pairs and parameters: none, bonferroni, holm",
     [](StudyOptions& o, const std::string& text) {
         const auto adjustment = parse_p_adjustment(text);
         if (!adjustment) throw UsageError("`groups.p_adjust` takes none, bonferroni or holm, got '" + text + "'");
         o.groups.p_adjust = *adjustment;
     },
     [](const StudyOptions& o) { return Json(p_adjustment_name(o.groups.p_adjust)); },
     [](const StudyOptions& o) { return std::string(p_adjustment_name(o.groups.p_adjust)); }},
    {"groups.micom_pooling", "micom-pooling", "P",
     "MICOM with more than two groups: each pair on the rows of all groups (cSEM's testMICOM) or on its own rows (pair)",
     [](StudyOptions& o, const std::string& text) {
         if (text == "all") o.groups.micom_pooling = MicomPooling::all_groups;
         else if (text == "pair") o.groups.micom_pooling = MicomPooling::pair;
         else throw UsageError("`groups.micom_pooling` takes all or pair, got '" + text + "'");
     },
     [](const StudyOptions& o) { return Json(o.groups.micom_pooling == MicomPooling::pair ? "pair" : "all"); },
     [](const StudyOptions& o) { return std::string(o.groups.micom_pooling == MicomPooling::pair ? "pair" : "all"); }},
    {"groups.alpha", "group-alpha", "A", "significance level of MICOM's verdicts and of the marks of group differences",
     [](StudyOptions& o, const std::string& text) { o.groups.alpha = real(text, "groups.alpha"); },
     [](const StudyOptions& o) { return Json(o.groups.alpha); },
     [](const StudyOptions& o) { return number_text(o.groups.alpha); }},
    {"mediation.routes", "routes", "FROM:TO",
     "the specific indirect effects of the routes from FROM to TO only (construct names; * for any)",
     [](StudyOptions& o, const std::string& text) {
         const auto pairs = name_pairs(text, "`mediation.routes` takes FROM:TO (construct names, * for any)");
         if (pairs.size() != 1) throw UsageError("`mediation.routes` takes one FROM:TO, got '" + text + "'");
         o.mediation.from = pairs[0].first == "*" ? std::string() : pairs[0].first;
         o.mediation.to = pairs[0].second == "*" ? std::string() : pairs[0].second;
     },
     [](const StudyOptions& o) {
         if (o.mediation.from.empty() && o.mediation.to.empty()) return Json(nullptr);
         return Json({{"from", o.mediation.from.empty() ? "*" : o.mediation.from}, {"to", o.mediation.to.empty() ? "*" : o.mediation.to}});
     },
     no_default},
    {"segmentation.method", "method", "M", "hidden segments: fimix (FIMIX-PLS for each K of --k) or pos (PLS-POS for one K)",
     [](StudyOptions& o, const std::string& text) {
         if (text == "fimix") o.segmentation.method = SegmentationMethod::fimix;
         else if (text == "pos") o.segmentation.method = SegmentationMethod::pos;
         else if (text == "none") o.segmentation.method = SegmentationMethod::none;
         else throw UsageError("`segmentation.method` takes fimix, pos or none, got '" + text + "'");
     },
     [](const StudyOptions& o) {
         return o.segmentation.method == SegmentationMethod::none ? Json(nullptr) : Json(segmentation_method_name(o.segmentation.method));
     },
     no_default},
    {"segmentation.k", "k", "K", "numbers of segments: one (2) or a range (1..6)",
     [](StudyOptions& o, const std::string& text) {
         const auto dots = text.find("..");
         if (dots == std::string::npos) {
             o.segmentation.k_min = o.segmentation.k_max = whole(text, "segmentation.k");
         } else {
             o.segmentation.k_min = whole(text.substr(0, dots), "segmentation.k");
             o.segmentation.k_max = whole(text.substr(dots + 2), "segmentation.k");
         }
     },
     [](const StudyOptions& o) { return Json::array({o.segmentation.k_min, o.segmentation.k_max}); },
     [](const StudyOptions& o) { return std::to_string(o.segmentation.k_min) + ".." + std::to_string(o.segmentation.k_max); }},
    {"segmentation.starts", "starts", "S", "random starts per number of segments (each seeded from --seed, K and the start)",
     [](StudyOptions& o, const std::string& text) { o.segmentation.starts = whole(text, "segmentation.starts"); },
     [](const StudyOptions& o) { return Json(o.segmentation.starts); },
     [](const StudyOptions& o) { return std::to_string(o.segmentation.starts); }},
    {"segmentation.tolerance", "segment-stop", "T", "FIMIX: stop when the log-likelihood grows by less than this",
     [](StudyOptions& o, const std::string& text) { o.segmentation.tolerance = real(text, "segmentation.tolerance"); },
     [](const StudyOptions& o) { return Json(o.segmentation.tolerance); },
     [](const StudyOptions& o) { return number_text(o.segmentation.tolerance); }},
    {"segmentation.max_iterations", "segment-iterations", "N", "FIMIX: EM iterations per start at most",
     [](StudyOptions& o, const std::string& text) { o.segmentation.max_iterations = whole(text, "segmentation.max_iterations"); },
     [](const StudyOptions& o) { return Json(o.segmentation.max_iterations); },
     [](const StudyOptions& o) { return std::to_string(o.segmentation.max_iterations); }},
    {"segmentation.min_size", "min-segment-size", "N", "PLS-POS: smallest segment (0: the model's minimum or 5 % of respondents)",
     [](StudyOptions& o, const std::string& text) { o.segmentation.min_size = whole(text, "segmentation.min_size"); },
     [](const StudyOptions& o) { return Json(o.segmentation.min_size); },
     [](const StudyOptions& o) { return std::to_string(o.segmentation.min_size); }},
    {"segmentation.fimix_start", "fimix-start", nullptr, "PLS-POS: FIMIX's hard assignment as the first start",
     [](StudyOptions& o, const std::string& text) { o.segmentation.fimix_start = switch_value(text, "segmentation.fimix_start"); },
     [](const StudyOptions& o) { return Json(o.segmentation.fimix_start); }, no_default},
    {"segmentation.describe", "describe", "COLUMNS",
     "with --method: compare the segments on these numeric data columns (means with an F test; shares with a chi-square test "
     "for columns of at most 10 values)",
     [](StudyOptions& o, const std::string& text) {
         o.segmentation.describe.clear();
         for (std::string_view rest = text; !rest.empty();) {
             const auto comma = rest.find(',');
             const std::string_view name = trimmed(rest.substr(0, comma));
             if (name.empty()) throw UsageError("`segmentation.describe` takes COLUMN[,COLUMN...], got '" + text + "'");
             o.segmentation.describe.emplace_back(name);
             rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
         }
     },
     [](const StudyOptions& o) { return Json(o.segmentation.describe); }, no_default},
    // Files last: reading them needs the group column and the delimiter set above.
    {"aggregation", "aggregate", "FILE", "with --group and --scale: CSV of group weights and levels (industry, sector) to aggregate indices",
     [](StudyOptions& o, const std::string& text) { o.aggregation = read_aggregation_plan(text, o.data.group, o.data.delimiter); },
     [](const StudyOptions& o) { return o.aggregation ? Json(o.aggregation->source) : Json(nullptr); }, no_default},
    {"practice.item_scores", "item-scores", nullptr, "with --scale: mean item satisfaction on -90..+90, per item and construct",
     [](StudyOptions& o, const std::string& text) { o.practice.item_scores = switch_value(text, "practice.item_scores"); },
     [](const StudyOptions& o) { return Json(o.practice.item_scores); }, no_default},
    {"practice.weights_index", "weights-index", "FILE", "with --scale: fixed-weight hierarchical index (0-100) from a CSV node,parent,weight",
     [](StudyOptions& o, const std::string& text) { o.practice.weights_index = read_weights_index(text, ','); },
     [](const StudyOptions& o) { return o.practice.weights_index ? Json(o.practice.weights_index->path) : Json(nullptr); },
     no_default},
    {"practice.gaps", "gap", "P:E[,...]", "with --scale: satisfaction-minus-expectation gaps, PERCEIVED:EXPECTED[,...] (data columns)",
     [](StudyOptions& o, const std::string& text) {
         o.practice.gaps = name_pairs(text, "`practice.gaps` takes PERCEIVED:EXPECTED[,PERCEIVED:EXPECTED...] (data columns)");
     },
     [](const StudyOptions& o) { return pairs_json(o.practice.gaps); }, no_default},
};

}  // namespace

const std::vector<StudyOptionField>& study_option_fields() { return fields; }

const StudyOptionField* find_study_option_field(std::string_view name) {
    for (const auto& field : fields)
        if (name == field.name) return &field;
    return nullptr;
}

const StudyOptionField* find_study_option_keyword(std::string_view keyword) {
    auto same = [keyword](std::string_view name) {
        if (name.size() != keyword.size()) return false;
        auto folded = [](char c) { return c == '.' || c == '-' ? '_' : c; };
        for (std::size_t i = 0; i < name.size(); ++i)
            if (folded(name[i]) != folded(keyword[i])) return false;
        return true;
    };
    for (const auto& field : fields)
        if (same(field.name)) return &field;
    for (const auto& field : fields)
        if (same(field.flag)) return &field;
    return nullptr;
}

StudyOptions study_options_from_texts(const std::vector<std::pair<const StudyOptionField*, std::string>>& texts) {
    StudyOptions options;
    for (const bool files : {false, true})
        for (const auto& field : fields) {
            const bool is_file = field.value_name && std::string_view(field.value_name) == "FILE";
            if (is_file != files) continue;
            for (const auto& [given, text] : texts)
                if (given == &field) field.set(options, text);
        }
    options.validate();
    return options;
}

Json study_options_to_json(const StudyOptions& options) {
    Json out = Json::object();
    for (const auto& field : fields)
        // Not a setting of the result: any thread count gives the same bytes.
        if (std::string_view(field.name) != "threads") out[field.name] = field.get(options);
    return out;
}

AnswerScale parse_answer_scale(const std::string& text, const std::string& field) {
    const auto colon = text.find(':');
    AnswerScale scale;
    auto parse = [](std::string_view part, double& value) {
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        return ec == std::errc() && end == part.data() + part.size() && std::isfinite(value);
    };
    if (colon == std::string::npos || !parse(std::string_view(text).substr(0, colon), scale.min) ||
        !parse(std::string_view(text).substr(colon + 1), scale.max) || !(scale.max > scale.min))
        throw UsageError("`" + field + "` takes MIN:MAX with MIN < MAX, e.g. 1:10, got '" + text + "'");
    return scale;
}

}  // namespace csipls

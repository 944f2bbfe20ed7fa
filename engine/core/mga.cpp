#include "csipls/core/mga.hpp"

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <tuple>

#include "csipls/core/assessment.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"
#include "detail/replicates.hpp"
#include "detail/resampling.hpp"

namespace csipls {

// Helpers live in a named namespace inside the anonymous one, so that unity builds (asan, fuzz)
// can batch this file with others that define anonymous helpers of the same names.
namespace {
namespace mga {

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

struct TestName {
    MgaTest test;
    const char* name;
};
constexpr TestName test_names[] = {{MgaTest::permutation, "permutation"},     {MgaTest::parametric, "parametric"},
                                   {MgaTest::welch, "welch"},                 {MgaTest::henseler, "henseler"},
                                   {MgaTest::ci_parametric, "ci_parametric"}, {MgaTest::ci_overlap, "ci_overlap"}};

struct AdjustmentName {
    PValueAdjustment adjustment;
    const char* name;
};
constexpr AdjustmentName adjustment_names[] = {
    {PValueAdjustment::none, "none"}, {PValueAdjustment::bonferroni, "bonferroni"}, {PValueAdjustment::holm, "holm"}};

bool interval_test(const MgaRow& row) {
    return !row.omnibus && (row.test == MgaTest::ci_parametric || row.test == MgaTest::ci_overlap);
}

bool same_parameter(const BootstrapParameter& x, const BootstrapParameter& y) {
    return x.kind == y.kind && x.from == y.from && x.to == y.to;
}

int column_of(const BootstrapResult& boot, const BootstrapParameter& wanted) {
    for (std::size_t i = 0; i < boot.parameters.size(); ++i)
        if (same_parameter(boot.parameters[i], wanted)) return static_cast<int>(i);
    return -1;
}

// The finite draws of one parameter (a replicate that succeeded has finite paths, R² and indices,
// but nothing here relies on it).
void finite_draws(const BootstrapResult& boot, int column, std::vector<double>& out) {
    out.clear();
    const auto draws = boot.draws.col(column);
    for (Eigen::Index r = 0; r < draws.size(); ++r)
        if (std::isfinite(draws[r])) out.push_back(draws[r]);
}

// The respondents a group's estimate rests on (cSEM: the rows of the group's data, which cSEM
// requires to be complete; here listwise deletion or case weights may make it differ from the rows).
double respondents(const GroupEstimate& group) {
    return static_cast<double>(group.result.n_obs > 0 ? group.result.n_obs : group.n_obs);
}

MgaRow pair_row(const GroupDifference& d, MgaTest test) {
    MgaRow row;
    row.a = d.a;
    row.b = d.b;
    row.test = test;
    row.parameter = d.parameter;
    row.difference = d.difference;
    row.statistic = row.df = row.p = row.p_adjusted = undefined;
    return row;
}

// Keil et al. (2000) as cSEM's testMGD "Keil" computes it (R/postestimate_test_MGD.R), with the
// pooled standard error of Henseler (2007) and Henseler et al. (2009), equal variances assumed:
//   se = √((n_a−1)²/(n_a+n_b−2)·se_a² + (n_b−1)²/(n_a+n_b−2)·se_b²) · √(1/n_a + 1/n_b)
//   t = (θ_a − θ_b) / se,  df = n_a + n_b − 2,  p = 2 (1 − F_t(|t|; df))
// se_a, se_b: the groups' bootstrap standard errors (sd of the draws, divisor B − 1, as cSEM's infer()).
void parametric(MgaRow& row, double n_a, double n_b, double se_a, double se_b) {
    const double df = n_a + n_b - 2.0;
    const double se = std::sqrt((n_a - 1.0) * (n_a - 1.0) / df * se_a * se_a + (n_b - 1.0) * (n_b - 1.0) / df * se_b * se_b) *
                      std::sqrt(1.0 / n_a + 1.0 / n_b);
    row.df = df;
    if (!(se > 0) || !std::isfinite(se) || !(df > 0)) return;
    row.statistic = row.difference / se;
    row.p = two_sided_p_value(row.statistic, df);
}

// Nitzl (2010) as cSEM's testMGD "Nitzl" computes it, unequal variances (Welch–Satterthwaite):
//   se = √((n_a−1)/n_a·se_a² + (n_b−1)/n_b·se_b²),  t = (θ_a − θ_b) / se
//   df = round(((n_a−1)/n_a·se_a² + (n_b−1)/n_b·se_b²)² / ((n_a−1)/n_a²·se_a⁴ + (n_b−1)/n_b²·se_b⁴) − 2)
// R's round() takes a half to the even neighbour, as nearbyint does in the default rounding mode.
void welch(MgaRow& row, double n_a, double n_b, double se_a, double se_b) {
    const double va = (n_a - 1.0) / n_a * se_a * se_a, vb = (n_b - 1.0) / n_b * se_b * se_b;
    const double se = std::sqrt(va + vb);
    const double denominator = (n_a - 1.0) / (n_a * n_a) * std::pow(se_a, 4) + (n_b - 1.0) / (n_b * n_b) * std::pow(se_b, 4);
    row.df = std::nearbyint((va + vb) * (va + vb) / denominator - 2.0);
    if (!(se > 0) || !std::isfinite(se) || !(row.df > 0)) return;
    row.statistic = row.difference / se;
    row.p = two_sided_p_value(row.statistic, row.df);
}

// Henseler's PLS-MGA as cSEM's calculatePr (R/helper_test_MGD.R) computes it: the draws centred as
// Sarstedt et al. (2011, eq. 4), θ* − bias with bias = mean of the draws − estimate (cSEM's
// infer(.quantity = "bias")), and then (eq. 6)
//   Pr(θ_a ≤ θ_b) = 1/(B_a B_b) Σ_i Σ_j (1 + sign(θ*_b,j − θ*_a,i)) / 2
// over every pair of draws, ties counting one half. Sorting b's draws makes it
// O((B_a + B_b) log B_b) rather than B_a·B_b; the count is exact (integers), so the order of the
// draws does not matter. `centred_b` is reordered.
double henseler_probability(const std::vector<double>& centred_a, std::vector<double>& centred_b) {
    std::sort(centred_b.begin(), centred_b.end());
    long long twice = 0;  // Σ (2·[b > a] + [b = a]) = 2 Σ (1 + sign(b − a))/2
    for (const double x : centred_a) {
        const auto below_or_equal = std::upper_bound(centred_b.begin(), centred_b.end(), x);
        const auto below = std::lower_bound(centred_b.begin(), below_or_equal, x);
        twice += 2 * (centred_b.end() - below_or_equal) + (below_or_equal - below);
    }
    return static_cast<double>(twice) /
           (2.0 * static_cast<double>(centred_a.size()) * static_cast<double>(centred_b.size()));
}

// Sarstedt et al. (2011) as cSEM's calculateFR computes it: the draws of one parameter from all G
// groups (N in all, n_g per group), group means m_g and grand mean m,
//   F = (Σ_g n_g (m_g − m)² / (G − 1)) / (Σ_g Σ_i (θ*_gi − m_g)² / (N − G))
// (cSEM notes that the paper's B − 1 should be B − G; group sizes may differ). `labels` holds each
// draw's group; `sums` and `counts` are buffers of G.
double f_statistic(std::span<const double> values, std::span<const Eigen::Index> labels, double grand_mean,
                   std::vector<double>& sums, std::vector<double>& counts) {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        sums[static_cast<std::size_t>(labels[i])] += values[i];
        counts[static_cast<std::size_t>(labels[i])] += 1.0;
    }
    const auto groups = sums.size();
    double between = 0;
    for (std::size_t g = 0; g < groups; ++g) {
        sums[g] /= counts[g];  // now the group mean
        between += counts[g] * (sums[g] - grand_mean) * (sums[g] - grand_mean);
    }
    double within = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double deviation = values[i] - sums[static_cast<std::size_t>(labels[i])];
        within += deviation * deviation;
    }
    const double g = static_cast<double>(groups), n = static_cast<double>(values.size());
    return (between / (g - 1.0)) / (within / (n - g));
}

// A permutation p-value as estimate_groups computes it: (reached + 1) / (used + 1), where `reached`
// counts the finite permutation statistics at or above the observed one (a relative allowance makes
// ties count) and `used` the finite ones. cSEM 0.6.1 uses reached/used with a strict "above"; the
// +1 keeps the observed labelling among the permutations, so p is never 0 (Phipson & Smyth 2010),
// as cSEM 0.6.2 also changed its permutation p-values to avoid 0.
template <class Values>
double permutation_p(const Values& permuted, double observed, long& used) {
    long reached = 0;
    used = 0;
    for (const double value : permuted) {
        if (!std::isfinite(value)) continue;
        ++used;
        if (value >= observed - std::abs(observed) * 1e-12) ++reached;
    }
    return used > 0 && std::isfinite(observed) ? (static_cast<double>(reached) + 1.0) / (static_cast<double>(used) + 1.0) : undefined;
}

// A parameter's identity for its random stream: its kind and ends, not its position in the list,
// so adding indices to the comparison leaves the paths' permutations as they were.
std::uint64_t parameter_key(const BootstrapParameter& parameter) {
    return (static_cast<std::uint64_t>(parameter.kind) << 48) ^ (static_cast<std::uint64_t>(parameter.from + 1) << 24) ^
           static_cast<std::uint64_t>(parameter.to + 1);
}

// Streams of the omnibus permutations; the second argument of replicate_seed separates them from
// each other and from estimate_groups' streams (0, 1, 2).
std::uint64_t sarstedt_stream(std::uint64_t seed, const BootstrapParameter& parameter) {
    return seed ^ detail::replicate_seed(parameter_key(parameter), 3);
}
std::uint64_t klesel_stream(std::uint64_t seed) { return seed ^ detail::replicate_seed(0x4b6c6573656cULL, 4); }

std::string group_list(const GroupsResult& groups, const std::vector<int>& positions) {
    std::string text;
    for (const int g : positions) text += (text.empty() ? "'" : ", '") + groups.groups[static_cast<std::size_t>(g)].name + "'";
    return text;
}

void sarstedt_rows(const GroupsResult& groups, const MgaOptions& options, MgaResult& out) {
    std::vector<int> used_groups, failed, without_bootstrap;
    for (std::size_t g = 0; g < groups.groups.size(); ++g) {
        const GroupEstimate& group = groups.groups[g];
        if (!group.ok())
            failed.push_back(static_cast<int>(g));
        else if (!group.bootstrap || group.bootstrap->succeeded < 2)
            without_bootstrap.push_back(static_cast<int>(g));
        else
            used_groups.push_back(static_cast<int>(g));
    }
    if (!without_bootstrap.empty()) {
        out.notes.push_back("sarstedt: not run: it needs every group's bootstrap draws, and group(s) " +
                            group_list(groups, without_bootstrap) + " have none (BootstrapOptions.resamples is 0 or every resample failed)");
        return;
    }
    if (used_groups.size() < 2) {
        out.notes.push_back("sarstedt: not run: fewer than two groups could be estimated");
        return;
    }
    if (!failed.empty())
        out.notes.push_back("sarstedt: group(s) " + group_list(groups, failed) + " could not be estimated and are left out");

    const GroupEstimate& first = groups.groups[static_cast<std::size_t>(used_groups.front())];
    const std::vector<BootstrapParameter>& compared = first.bootstrap->parameters;
    const auto group_count = used_groups.size();
    // Per parameter: every group's finite draws one after another, each draw's group, the grand mean.
    struct Stacked {
        std::vector<double> values;
        std::vector<Eigen::Index> labels;
        double grand_mean = 0;
        double observed = undefined;
    };
    std::vector<Stacked> stacked(compared.size());
    std::vector<double> draws, sums(group_count), counts(group_count);
    std::size_t largest = 0;
    for (std::size_t c = 0; c < compared.size(); ++c) {
        Stacked& p = stacked[c];
        for (std::size_t k = 0; k < group_count; ++k) {
            const BootstrapResult& boot = *groups.groups[static_cast<std::size_t>(used_groups[k])].bootstrap;
            const int column = column_of(boot, compared[c]);
            if (column < 0) throw EstimationError("a compared parameter is missing from a group's bootstrap");
            finite_draws(boot, column, draws);
            p.values.insert(p.values.end(), draws.begin(), draws.end());
            p.labels.insert(p.labels.end(), draws.size(), static_cast<Eigen::Index>(k));
        }
        largest = std::max(largest, p.values.size());
        if (p.values.size() <= group_count) continue;
        // cSEM's colMeans over all draws (not the mean of the group means: group sizes may differ).
        p.grand_mean = std::accumulate(p.values.begin(), p.values.end(), 0.0) / static_cast<double>(p.values.size());
        p.observed = f_statistic(p.values, p.labels, p.grand_mean, sums, counts);
    }

    // Task (parameter c, permutation r) shuffles the draws' group labels with its own generator, so
    // the result does not depend on the threads; buffers are per thread and never reallocated.
    const int permutations = options.permutations;
    const int threads = detail::thread_count(options.threads);
    const long task_count = static_cast<long>(compared.size()) * permutations;
    Eigen::MatrixXd permuted(permutations, static_cast<Eigen::Index>(compared.size()));
    std::vector<std::vector<Eigen::Index>> label_buffer(static_cast<std::size_t>(threads));
    std::vector<std::vector<double>> sum_buffer(static_cast<std::size_t>(threads), std::vector<double>(group_count));
    std::vector<std::vector<double>> count_buffer(static_cast<std::size_t>(threads), std::vector<double>(group_count));
    for (auto& labels : label_buffer) labels.reserve(largest);
    const std::vector<std::string> failures = detail::run_replicates({task_count, threads, 64, nullptr, false}, [&](int thread, long task) {
        const auto c = static_cast<std::size_t>(task / permutations);
        const auto r = static_cast<int>(task % permutations);
        const Stacked& p = stacked[c];
        if (!std::isfinite(p.observed)) {
            permuted(r, static_cast<Eigen::Index>(c)) = undefined;
            return std::string();
        }
        auto& labels = label_buffer[static_cast<std::size_t>(thread)];
        labels.assign(p.labels.begin(), p.labels.end());
        boost::random::mt19937_64 generator(detail::replicate_seed(sarstedt_stream(options.seed, compared[c]), r));
        detail::shuffle(labels, generator);
        permuted(r, static_cast<Eigen::Index>(c)) = f_statistic(p.values, labels, p.grand_mean, sum_buffer[static_cast<std::size_t>(thread)],
                                                                count_buffer[static_cast<std::size_t>(thread)]);
        return std::string();
    });
    for (const auto& reason : failures)
        if (!reason.empty()) throw EstimationError("a sarstedt permutation failed: " + reason);

    for (std::size_t c = 0; c < compared.size(); ++c) {
        MgaRow row;
        row.omnibus = true;
        row.method = OmnibusTest::sarstedt;
        row.parameter = compared[c];
        row.difference = row.df = row.p_adjusted = undefined;
        row.statistic = stacked[c].observed;
        row.p = permutation_p(permuted.col(static_cast<Eigen::Index>(c)), row.statistic, row.used);
        out.rows.push_back(row);
    }
}

// One group re-estimated on `rows` as estimate_groups treats it (estimate_group), and its
// model-implied indicator correlation matrix (cSEM's fit(), estimated model, indicator level).
Eigen::MatrixXd implied_correlation(const Model& model, const Dataset& data, std::span<const Eigen::Index> rows,
                                    const EstimationOptions& options, const GroupOptions& group_options,
                                    const Eigen::VectorXd& pooled_weights) {
    IndicatorMoments moments;
    const PlsResult result = estimate_group(model, group_data(data, rows, options, group_options), options, group_options, pooled_weights, &moments);
    return implied_indicator_correlation(model, result, moments, ImpliedModel::estimated);
}

// Klesel et al. (2019) as cSEM's testMGD "Klesel" with calculateDistance: over every pair of groups
// g < h of the model-implied indicator correlation matrices Σ_g,
//   d_G   = Σ_{g<h} ½ Σ_k (ln λ_k)²,  λ the eigenvalues of Σ_g⁻¹ Σ_h   (fit_measures().d_g)
//   d_ULS = Σ_{g<h} ½ Σ_ij (Σ_g − Σ_h)²_ij                           (fit_measures().d_uls)
// cSEM 0.6 takes log base 10 in dG (its calculateDG) and, for more than two groups, the mean of
// 2·distance over the pairs rather than the sum. Both multiply the observed statistic and every
// permutation's by the same constant (for a given number of groups), so the p-values are the same;
// only the statistic's scale differs.
void add_distances(const std::vector<Eigen::MatrixXd>& implied, double& d_g, double& d_uls) {
    d_g = d_uls = 0;
    for (std::size_t g = 0; g < implied.size(); ++g)
        for (std::size_t h = g + 1; h < implied.size(); ++h) {
            const FitMeasures distance = fit_measures(implied[g], implied[h]);
            d_g += distance.d_g;  // NaN when Σ_g is not positive definite
            d_uls += distance.d_uls;
        }
}

}  // namespace mga
}  // namespace

const char* mga_test_name(MgaTest test) {
    for (const auto& entry : mga::test_names)
        if (entry.test == test) return entry.name;
    return "unknown";
}

std::optional<MgaTest> parse_mga_test(std::string_view text) {
    for (const auto& entry : mga::test_names)
        if (text == entry.name) return entry.test;
    return std::nullopt;
}

const char* omnibus_test_name(OmnibusTest test) {
    switch (test) {
        case OmnibusTest::sarstedt: return "sarstedt";
        case OmnibusTest::klesel_dg: return "klesel_dg";
        case OmnibusTest::klesel_duls: return "klesel_duls";
    }
    return "unknown";
}

const char* p_adjustment_name(PValueAdjustment adjustment) {
    for (const auto& entry : mga::adjustment_names)
        if (entry.adjustment == adjustment) return entry.name;
    return "unknown";
}

std::optional<PValueAdjustment> parse_p_adjustment(std::string_view text) {
    for (const auto& entry : mga::adjustment_names)
        if (text == entry.name) return entry.adjustment;
    return std::nullopt;
}

const char* mga_row_test_name(const MgaRow& row) { return row.omnibus ? "omnibus" : mga_test_name(row.test); }

void MgaOptions::validate() const {
    for (std::size_t i = 0; i < tests.size(); ++i) {
        if (!parse_mga_test(mga_test_name(tests[i])))
            throw UsageError("MgaOptions.tests holds an unknown test (" + std::to_string(static_cast<int>(tests[i])) + ")");
        for (std::size_t j = 0; j < i; ++j)
            if (tests[j] == tests[i]) throw UsageError(std::string("MgaOptions.tests lists '") + mga_test_name(tests[i]) + "' twice");
    }
    if (!parse_p_adjustment(p_adjustment_name(p_adjust)))
        throw UsageError("MgaOptions.p_adjust must be none, bonferroni or holm");
    if (!(alpha > 0 && alpha < 1)) throw UsageError("MgaOptions.alpha must be between 0 and 1 (exclusive), got " + number_text(alpha));
    if (permutations < 0 || permutations == 1 || permutations > 1'000'000)
        throw UsageError("MgaOptions.permutations must be 0 (none) or between 2 and 1000000, got " + std::to_string(permutations));
    if (threads < 0 || threads > 4096) throw UsageError("MgaOptions.threads must be between 0 (all cores) and 4096");
}

// Within each family, as R's p.adjust over the family's non-missing p-values (m of them):
// bonferroni min(1, m·p); holm, with the p-values in increasing order p_(1) ≤ … ≤ p_(m) (ties in row
// order), p̃_(i) = min(1, max_{j ≤ i} (m − j + 1)·p_(j)).
void adjust_p_values(std::vector<MgaRow>& rows, PValueAdjustment adjustment, double alpha) {
    auto family = [](const MgaRow& row) { return row.omnibus ? 100 + static_cast<int>(row.method) : static_cast<int>(row.test); };
    std::vector<int> families;
    for (const auto& row : rows)
        if (std::find(families.begin(), families.end(), family(row)) == families.end()) families.push_back(family(row));
    std::vector<std::size_t> members;
    for (const int f : families) {
        members.clear();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (family(rows[i]) != f) continue;
            rows[i].p_adjusted = mga::undefined;
            if (!std::isnan(rows[i].p)) members.push_back(i);
        }
        const auto m = static_cast<double>(members.size());
        switch (adjustment) {
            case PValueAdjustment::none:
                for (const auto i : members) rows[i].p_adjusted = rows[i].p;
                break;
            case PValueAdjustment::bonferroni:
                for (const auto i : members) rows[i].p_adjusted = std::min(1.0, m * rows[i].p);
                break;
            case PValueAdjustment::holm: {
                std::stable_sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) { return rows[x].p < rows[y].p; });
                double running = 0;
                for (std::size_t k = 0; k < members.size(); ++k) {
                    running = std::max(running, (m - static_cast<double>(k)) * rows[members[k]].p);
                    rows[members[k]].p_adjusted = std::min(1.0, running);
                }
                break;
            }
        }
    }
    for (auto& row : rows)
        if (!mga::interval_test(row)) row.significant = row.p_adjusted <= alpha;  // false for NaN
}

MgaResult multigroup_tests(const GroupsResult& groups, const MgaOptions& options) {
    options.validate();
    MgaResult out;
    if (!options.tests.empty() && groups.differences.empty())
        out.notes.push_back("no pair of groups was compared (GroupOptions.pairs, or groups that could not be estimated)");

    std::vector<double> centred_a, centred_b;
    for (const MgaTest test : options.tests) {
        long without_bootstrap = 0, undefined_rows = 0, without_permutations = 0;
        for (const GroupDifference& d : groups.differences) {
            const GroupEstimate& ga = groups.groups[static_cast<std::size_t>(d.a)];
            const GroupEstimate& gb = groups.groups[static_cast<std::size_t>(d.b)];
            MgaRow row = mga::pair_row(d, test);
            if (test == MgaTest::permutation) {
                if (std::isnan(d.permutation_p)) {
                    ++without_permutations;
                    continue;
                }
                // Chin & Dibbern (2010), cSEM "Chin": the observed difference against the differences
                // of label permutations of the pair's respondents, computed by estimate_groups.
                row.statistic = d.difference;
                row.p = d.permutation_p;
                row.used = d.permutations_used;
                out.rows.push_back(row);
                continue;
            }
            if (!ga.bootstrap || !gb.bootstrap || ga.bootstrap->succeeded < 2 || gb.bootstrap->succeeded < 2) {
                ++without_bootstrap;
                continue;
            }
            const int column_a = mga::column_of(*ga.bootstrap, d.parameter), column_b = mga::column_of(*gb.bootstrap, d.parameter);
            if (column_a < 0 || column_b < 0) throw EstimationError("a compared parameter is missing from a group's bootstrap");
            const ParameterSummary& sa = ga.bootstrap->summaries[static_cast<std::size_t>(column_a)];
            const ParameterSummary& sb = gb.bootstrap->summaries[static_cast<std::size_t>(column_b)];
            switch (test) {
                case MgaTest::permutation: break;
                case MgaTest::parametric: mga::parametric(row, mga::respondents(ga), mga::respondents(gb), sa.se, sb.se); break;
                case MgaTest::welch: mga::welch(row, mga::respondents(ga), mga::respondents(gb), sa.se, sb.se); break;
                case MgaTest::henseler: {
                    mga::finite_draws(*ga.bootstrap, column_a, centred_a);
                    mga::finite_draws(*gb.bootstrap, column_b, centred_b);
                    if (centred_a.empty() || centred_b.empty() || !std::isfinite(sa.bias) || !std::isfinite(sb.bias)) {
                        ++undefined_rows;
                        continue;
                    }
                    for (double& x : centred_a) x -= sa.bias;
                    for (double& x : centred_b) x -= sb.bias;
                    row.statistic = mga::henseler_probability(centred_a, centred_b);
                    // Two-sided, as cSEM decides it (not different while α/2 < Pr < 1 − α/2) and as
                    // SmartPLS 4 reports it: p = 2·min(Pr, 1 − Pr).
                    row.p = std::min(1.0, 2.0 * std::min(row.statistic, 1.0 - row.statistic));
                    row.used = static_cast<long>(centred_a.size()) * static_cast<long>(centred_b.size());
                    break;
                }
                case MgaTest::ci_parametric:
                case MgaTest::ci_overlap: {
                    if (!std::isfinite(sa.ci_lower) || !std::isfinite(sa.ci_upper) || !std::isfinite(sb.ci_lower) ||
                        !std::isfinite(sb.ci_upper) || !std::isfinite(sa.estimate) || !std::isfinite(sb.estimate)) {
                        ++undefined_rows;
                        continue;
                    }
                    if (test == MgaTest::ci_parametric) {
                        // cSEM "CI_para": no difference when either group's estimate lies strictly
                        // inside the other group's interval.
                        const bool inside = (sb.ci_lower < sa.estimate && sa.estimate < sb.ci_upper) ||
                                            (sa.ci_lower < sb.estimate && sb.estimate < sa.ci_upper);
                        row.significant = !inside;
                    } else {
                        // cSEM "CI_overlap": no difference when the intervals overlap. cSEM tests four
                        // strict orderings of the ends, which agree with max(lower) < min(upper)
                        // whenever the four ends differ, but call identical intervals (and nested
                        // ones sharing an end) not overlapping; here they overlap.
                        row.significant = !(std::max(sa.ci_lower, sb.ci_lower) < std::min(sa.ci_upper, sb.ci_upper));
                    }
                    break;
                }
            }
            out.rows.push_back(row);
        }
        const std::string name = mga_test_name(test);
        if (without_permutations > 0)
            out.notes.push_back(name + ": not run for " + std::to_string(without_permutations) +
                                " comparison(s) without a permutation p-value (GroupOptions.permutations is 0, or every permutation failed)");
        if (without_bootstrap > 0)
            out.notes.push_back(name + ": not run for " + std::to_string(without_bootstrap) +
                                " comparison(s): it needs both groups' bootstrap (BootstrapOptions.resamples is 0 or every resample failed)");
        if (undefined_rows > 0)
            out.notes.push_back(name + ": left out " + std::to_string(undefined_rows) +
                                " comparison(s) whose bootstrap draws or interval are undefined");
    }

    if (options.omnibus) {
        if (options.permutations == 0)
            out.notes.push_back("sarstedt: not run: MgaOptions.permutations is 0");
        else
            mga::sarstedt_rows(groups, options, out);
    }
    adjust_p_values(out.rows, options.p_adjust, options.alpha);
    return out;
}

long overall_model_difference_steps(const MgaOptions& options) { return options.omnibus ? options.permutations : 0; }

OverallDifference overall_model_difference(const Model& model, const Dataset& data, const PlsResult& pooled,
                                           const IndicatorMoments& pooled_moments, const EstimationOptions& options,
                                           const GroupOptions& group_options, const GroupsResult& groups,
                                           const MgaOptions& mga_options, BootstrapMonitor* monitor) {
    mga_options.validate();
    group_options.validate();
    OverallDifference out;
    if (!mga_options.omnibus) return out;
    if (mga_options.permutations == 0) {
        out.notes.push_back("klesel: not run: MgaOptions.permutations is 0");
        return out;
    }
    const GroupRows grouped = group_rows(data);
    if (grouped.names.size() != groups.groups.size())
        throw UsageError("the group results do not come from these data (their groups differ)");
    std::vector<int> used, failed;
    for (std::size_t g = 0; g < groups.groups.size(); ++g) {
        const GroupEstimate& group = groups.groups[g];
        if (group.name != grouped.names[g] || group.n_obs != static_cast<Eigen::Index>(grouped.rows[g].size()))
            throw UsageError("the group results do not come from these data (group '" + group.name + "' differs)");
        (group.ok() ? used : failed).push_back(static_cast<int>(g));
    }
    if (used.size() < 2) {
        out.notes.push_back("klesel: not run: fewer than two groups could be estimated");
        return out;
    }
    if (!failed.empty())
        out.notes.push_back("klesel: group(s) " + mga::group_list(groups, failed) +
                            " could not be estimated; the test and its permutations use the other groups' respondents only");
    if (group_options.pooled && pooled.outer_weights.size() != pooled_moments.sds.size())
        throw EstimationError("the pooled estimate and its moments do not match");
    const Eigen::VectorXd pooled_weights =
        group_options.pooled ? Eigen::VectorXd(pooled.outer_weights.cwiseQuotient(pooled_moments.sds)) : Eigen::VectorXd();

    // The used groups' rows one after another; a permutation shuffles them and cuts them back into
    // pieces of the groups' sizes, which relabels the respondents as cSEM's sample(id) does.
    std::vector<Eigen::Index> all_rows;
    std::vector<std::size_t> sizes;
    for (const int g : used) {
        const auto& rows = grouped.rows[static_cast<std::size_t>(g)];
        all_rows.insert(all_rows.end(), rows.begin(), rows.end());
        sizes.push_back(rows.size());
    }

    std::vector<Eigen::MatrixXd> observed_implied;
    for (const int g : used) {
        const auto& rows = grouped.rows[static_cast<std::size_t>(g)];
        try {
            observed_implied.push_back(mga::implied_correlation(model, data, rows, options, group_options, pooled_weights));
        } catch (const Error& error) {
            out.notes.push_back("klesel: not run: group '" + groups.groups[static_cast<std::size_t>(g)].name +
                                "' could not be re-estimated: " + error.what());
            return out;
        }
    }
    double observed_dg = 0, observed_duls = 0;
    mga::add_distances(observed_implied, observed_dg, observed_duls);

    const int permutations = mga_options.permutations;
    const int threads = detail::thread_count(mga_options.threads);
    std::vector<double> permuted_dg(static_cast<std::size_t>(permutations), mga::undefined);
    std::vector<double> permuted_duls(static_cast<std::size_t>(permutations), mga::undefined);
    std::vector<std::vector<Eigen::Index>> row_buffer(static_cast<std::size_t>(threads), all_rows);
    std::vector<std::vector<Eigen::MatrixXd>> implied_buffer(static_cast<std::size_t>(threads), std::vector<Eigen::MatrixXd>(used.size()));
    const std::uint64_t stream = mga::klesel_stream(mga_options.seed);
    std::vector<std::string> reasons = detail::run_replicates({permutations, threads, 1, monitor}, [&](int thread, long r) {
        auto& rows = row_buffer[static_cast<std::size_t>(thread)];
        std::copy(all_rows.begin(), all_rows.end(), rows.begin());
        boost::random::mt19937_64 generator(detail::replicate_seed(stream, static_cast<int>(r)));
        detail::shuffle(rows, generator);
        auto& implied = implied_buffer[static_cast<std::size_t>(thread)];
        std::size_t start = 0;
        for (std::size_t k = 0; k < sizes.size(); ++k) {
            implied[k] = mga::implied_correlation(model, data, std::span<const Eigen::Index>(rows).subspan(start, sizes[k]), options,
                                                  group_options, pooled_weights);
            start += sizes[k];
        }
        mga::add_distances(implied, permuted_dg[static_cast<std::size_t>(r)], permuted_duls[static_cast<std::size_t>(r)]);
        return std::string();
    });
    for (int r = 0; r < permutations; ++r) {
        auto& reason = reasons[static_cast<std::size_t>(r)];
        if (reason.empty()) continue;
        permuted_dg[static_cast<std::size_t>(r)] = permuted_duls[static_cast<std::size_t>(r)] = mga::undefined;
        out.failures.push_back({r, std::move(reason)});
    }
    out.permutations_failed = static_cast<int>(out.failures.size());
    if (!out.failures.empty())
        out.notes.push_back("klesel: " + std::to_string(out.failures.size()) + " of " + std::to_string(permutations) +
                            " permutations could not be estimated and were left out (permutation " +
                            std::to_string(out.failures.front().replicate) + ": " + out.failures.front().reason + ")");
    if (!std::isfinite(observed_dg))
        out.notes.push_back("klesel_dg: undefined: a group's model-implied indicator correlation matrix is not positive definite");

    for (const auto& [method, observed, permuted] :
         {std::tuple{OmnibusTest::klesel_dg, observed_dg, &permuted_dg}, std::tuple{OmnibusTest::klesel_duls, observed_duls, &permuted_duls}}) {
        MgaRow row;
        row.omnibus = true;
        row.method = method;
        row.difference = row.df = row.p_adjusted = mga::undefined;
        row.statistic = observed;
        row.p = mga::permutation_p(*permuted, observed, row.used);
        out.rows.push_back(row);
    }
    adjust_p_values(out.rows, mga_options.p_adjust, mga_options.alpha);
    return out;
}

}  // namespace csipls

#include "csipls/core/segmentation.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "csipls/core/error.hpp"
#include "detail/blocks.hpp"
#include "detail/replicates.hpp"
#include "detail/segment_starts.hpp"
#include "detail/resampling.hpp"

namespace csipls {
namespace {

constexpr double log_two_pi = 1.8378770664093454836;

// The structural regressions: each endogenous construct and its predictors.
struct Regression {
    int dependent = 0;
    std::vector<int> predictors;
};

std::vector<Regression> structural_regressions(const Model& model) {
    const detail::BlockLayout layout = detail::block_layout(model);
    std::vector<Regression> regressions;
    for (std::size_t j = 0; j < layout.predecessors.size(); ++j)
        if (!layout.predecessors[j].empty()) regressions.push_back({static_cast<int>(j), layout.predecessors[j]});
    if (regressions.empty())
        throw ModelError(model.source.empty() ? std::string("the model has no endogenous construct: segmentation needs structural paths")
                                              : model.source + ": the model has no endogenous construct: segmentation needs structural paths");
    return regressions;
}

// Respondents a segment needs at least: the largest regression's predictors + 2 (an error variance).
int segment_minimum(const std::vector<Regression>& regressions) {
    std::size_t largest = 0;
    for (const auto& regression : regressions) largest = std::max(largest, regression.predictors.size());
    return static_cast<int>(largest) + 2;
}

// Buffers of one EM run, sized once.
struct EmWorkspace {
    EmWorkspace(Eigen::Index n, Eigen::Index m, int k, const std::vector<Regression>& regressions)
        : posterior(n, k), log_density(n, k), predicted(n, m), weighted(n, m), cross(m, m) {
        // Reserved: a reallocation would copy factorizations that were never computed, whose
        // status Eigen leaves uninitialized.
        normal.reserve(regressions.size());
        right.reserve(regressions.size());
        solver.reserve(regressions.size());
        for (const auto& regression : regressions) {
            const auto size = static_cast<Eigen::Index>(regression.predictors.size());
            normal.emplace_back(size, size);
            right.emplace_back(size);
            solver.emplace_back(size);
        }
    }
    Eigen::MatrixXd posterior;
    Eigen::MatrixXd log_density;
    Eigen::MatrixXd predicted;
    Eigen::MatrixXd weighted;
    Eigen::MatrixXd cross;
    std::vector<Eigen::MatrixXd> normal;
    std::vector<Eigen::VectorXd> right;
    std::vector<Eigen::LLT<Eigen::MatrixXd>> solver;
};

// M-step: each segment's posterior-weighted regressions. Returns why it degenerated, or empty.
std::string maximize(const Eigen::MatrixXd& scores, const std::vector<Regression>& regressions, int minimum,
                     EmWorkspace& work, std::vector<SegmentModel>& segments) {
    const Eigen::Index n = scores.rows();
    for (std::size_t k = 0; k < segments.size(); ++k) {
        SegmentModel& segment = segments[k];
        const auto weights = work.posterior.col(static_cast<Eigen::Index>(k));
        const double total = weights.sum();
        if (!(total >= minimum))
            return "segment " + std::to_string(k + 1) + " emptied (its expected size fell to " + std::to_string(total) +
                   ", below the " + std::to_string(minimum) + " respondents its regressions need)";
        segment.share = total / static_cast<double>(n);
        work.weighted = scores.array().colwise() * weights.array();
        work.cross.noalias() = work.weighted.transpose() * scores;
        for (std::size_t r = 0; r < regressions.size(); ++r) {
            const Regression& regression = regressions[r];
            const int y = regression.dependent;
            const auto size = regression.predictors.size();
            for (std::size_t a = 0; a < size; ++a) {
                const int xa = regression.predictors[a];
                work.right[r][static_cast<Eigen::Index>(a)] = work.cross(xa, y);
                for (std::size_t b = 0; b < size; ++b)
                    work.normal[r](static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = work.cross(xa, regression.predictors[b]);
            }
            work.solver[r].compute(work.normal[r]);
            if (work.solver[r].info() != Eigen::Success)
                return "segment " + std::to_string(k + 1) + ": the predictors of construct " + std::to_string(y + 1) + " are collinear";
            // right becomes β in place: no allocation
            work.solver[r].solveInPlace(work.right[r]);
            double explained = 0;
            for (std::size_t a = 0; a < size; ++a) {
                const double beta = work.right[r][static_cast<Eigen::Index>(a)];
                segment.path_coefficients(regression.predictors[a], y) = beta;
                explained += beta * work.cross(regression.predictors[a], y);
            }
            const double residual = std::max(0.0, work.cross(y, y) - explained) / total;
            const double mean = weights.dot(scores.col(y)) / total;
            const double variance = work.cross(y, y) / total - mean * mean;
            if (!(residual > 1e-12 * std::max(1.0, variance)))
                return "segment " + std::to_string(k + 1) + " fits construct " + std::to_string(y + 1) + " exactly (a degenerate segment)";
            segment.residual_variance[y] = residual;
            segment.r2[y] = 1.0 - residual / variance;
        }
    }
    return {};
}

// E-step: log densities, posteriors and the log-likelihood of the current segments.
double expect(const Eigen::MatrixXd& scores, const std::vector<Regression>& regressions, const std::vector<SegmentModel>& segments,
              EmWorkspace& work) {
    const Eigen::Index n = scores.rows();
    const auto k_count = static_cast<Eigen::Index>(segments.size());
    for (Eigen::Index k = 0; k < k_count; ++k) {
        const SegmentModel& segment = segments[static_cast<std::size_t>(k)];
        work.predicted.noalias() = scores * segment.path_coefficients;
        double constant = std::log(segment.share);
        for (const auto& regression : regressions)
            constant -= 0.5 * (log_two_pi + std::log(segment.residual_variance[regression.dependent]));
        for (Eigen::Index i = 0; i < n; ++i) {
            double value = constant;
            for (const auto& regression : regressions) {
                const int y = regression.dependent;
                const double residual = scores(i, y) - work.predicted(i, y);
                value -= 0.5 * residual * residual / segment.residual_variance[y];
            }
            work.log_density(i, k) = value;
        }
    }
    double log_likelihood = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double largest = work.log_density.row(i).maxCoeff();
        double sum = 0;
        for (Eigen::Index k = 0; k < k_count; ++k) {
            const double value = std::exp(work.log_density(i, k) - largest);
            work.posterior(i, k) = value;
            sum += value;
        }
        work.posterior.row(i) /= sum;
        log_likelihood += largest + std::log(sum);
    }
    return log_likelihood;
}

std::vector<SegmentModel> empty_segments(int k, Eigen::Index m) {
    SegmentModel blank;
    blank.path_coefficients = Eigen::MatrixXd::Zero(m, m);
    blank.residual_variance = Eigen::VectorXd::Constant(m, std::numeric_limits<double>::quiet_NaN());
    blank.r2 = blank.residual_variance;
    return std::vector<SegmentModel>(static_cast<std::size_t>(k), blank);
}

// One EM run from a random posterior matrix.
struct StartResult {
    std::vector<SegmentModel> segments;
    Eigen::MatrixXd posterior;
    double log_likelihood = -std::numeric_limits<double>::infinity();
    int iterations = 0;
    bool converged = false;
};

std::string run_start(const Eigen::MatrixXd& scores, const std::vector<Regression>& regressions, int k, int minimum,
                      std::uint64_t stream, int start, const FimixOptions& options, StartResult& out) {
    EmWorkspace work(scores.rows(), scores.cols(), k, regressions);
    boost::random::mt19937_64 engine(detail::replicate_seed(stream, start));
    boost::random::uniform_01<double> uniform;
    for (Eigen::Index i = 0; i < work.posterior.rows(); ++i) {
        for (Eigen::Index j = 0; j < k; ++j) work.posterior(i, j) = uniform(engine);
        work.posterior.row(i) /= work.posterior.row(i).sum();
    }
    out.segments = empty_segments(k, scores.cols());
    double previous = -std::numeric_limits<double>::infinity();
    for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
        if (std::string problem = maximize(scores, regressions, minimum, work, out.segments); !problem.empty()) return problem;
        const double log_likelihood = expect(scores, regressions, out.segments, work);
        if (!std::isfinite(log_likelihood)) return "the log-likelihood is not finite";
        out.iterations = iteration;
        out.log_likelihood = log_likelihood;
        if (std::abs(log_likelihood - previous) < options.tolerance) {
            out.converged = true;
            break;
        }
        previous = log_likelihood;
    }
    out.posterior = work.posterior;
    return {};
}

}  // namespace

void FimixOptions::validate() const {
    if (k_min < 1) throw UsageError("`segmentation.k` must be at least 1, got " + std::to_string(k_min));
    if (k_max < k_min)
        throw UsageError("`segmentation.k` must be a number or a range LOW..HIGH with LOW ≤ HIGH, got " + std::to_string(k_min) + ".." +
                         std::to_string(k_max));
    if (starts < 1) throw UsageError("`segmentation.starts` must be at least 1, got " + std::to_string(starts));
    if (!(tolerance > 0)) throw UsageError("`segmentation.tolerance` must be positive");
    if (max_iterations < 1) throw UsageError("`segmentation.max_iterations` must be at least 1, got " + std::to_string(max_iterations));
    if (threads < 0) throw UsageError("`threads` must be ≥ 0, got " + std::to_string(threads));
}

int fimix_parameter_count(int k, int path_count, int endogenous_count) { return (k - 1) + k * (path_count + endogenous_count); }

std::vector<std::pair<std::string, std::string>> fimix_criteria_definitions() {
    return {{"parameters", "N_k = (K - 1) + K * (R + P): R structural path coefficients and P residual variances (one per endogenous "
                           "construct) per segment, no intercepts"},
            {"aic", "-2 lnL + 2 N_k"},
            {"aic3", "-2 lnL + 3 N_k"},
            {"aic4", "-2 lnL + 4 N_k"},
            {"bic", "-2 lnL + ln(n) N_k"},
            {"caic", "-2 lnL + (ln(n) + 1) N_k"},
            {"hq", "-2 lnL + 2 ln(ln(n)) N_k"},
            {"mdl5", "-2 lnL + (5 + 1)/2 ln(n) N_k (Liang, Jaszczak & Coleman 1992, MDL_P with P = 5; some programs use 5 ln(n) N_k)"},
            {"entropy", "EN = 1 - sum_i sum_k -p_ik ln(p_ik) / (n ln K); undefined (null) for K = 1"}};
}

FimixCriteria fimix_criteria(double log_likelihood, int parameters, const Eigen::MatrixXd& posterior) {
    const double n = static_cast<double>(posterior.rows());
    const double p = parameters;
    const double deviance = -2.0 * log_likelihood;
    FimixCriteria criteria;
    criteria.aic = deviance + 2 * p;
    criteria.aic3 = deviance + 3 * p;
    criteria.aic4 = deviance + 4 * p;
    criteria.bic = deviance + std::log(n) * p;
    criteria.caic = deviance + (std::log(n) + 1) * p;
    criteria.hq = deviance + 2 * std::log(std::log(n)) * p;
    criteria.mdl5 = deviance + 3 * std::log(n) * p;
    if (posterior.cols() < 2) {
        criteria.entropy = std::numeric_limits<double>::quiet_NaN();
    } else {
        double entropy = 0;
        for (const double value : posterior.reshaped())
            if (value > 0) entropy -= value * std::log(value);
        criteria.entropy = 1.0 - entropy / (n * std::log(static_cast<double>(posterior.cols())));
    }
    return criteria;
}

double fimix_log_likelihood(const Model& model, const Eigen::MatrixXd& scores, const std::vector<SegmentModel>& segments,
                            Eigen::MatrixXd& posterior) {
    const std::vector<Regression> regressions = structural_regressions(model);
    EmWorkspace work(scores.rows(), scores.cols(), static_cast<int>(segments.size()), regressions);
    const double log_likelihood = expect(scores, regressions, segments, work);
    posterior = work.posterior;
    return log_likelihood;
}

std::vector<SegmentSolution> fimix(const Model& model, const Eigen::MatrixXd& scores, const FimixOptions& options) {
    options.validate();
    const std::vector<Regression> regressions = structural_regressions(model);
    if (scores.cols() != static_cast<Eigen::Index>(model.constructs.size()))
        throw EstimationError("FIMIX: the construct scores have " + std::to_string(scores.cols()) + " columns, the model " +
                              std::to_string(model.constructs.size()) + " constructs");
    if (!scores.allFinite()) throw EstimationError("FIMIX: the construct scores have missing values");
    const int minimum = segment_minimum(regressions);
    int path_count = 0;
    for (const auto& regression : regressions) path_count += static_cast<int>(regression.predictors.size());
    const int threads = detail::thread_count(options.threads);

    std::vector<SegmentSolution> solutions;
    for (int k = options.k_min; k <= options.k_max; ++k) {
        SegmentSolution& solution = solutions.emplace_back();
        solution.k = k;
        solution.parameters = fimix_parameter_count(k, path_count, static_cast<int>(regressions.size()));
        if (scores.rows() < static_cast<Eigen::Index>(k) * minimum) {
            solution.error = "K = " + std::to_string(k) + " needs at least " + std::to_string(k) + " × " + std::to_string(minimum) + " = " +
                             std::to_string(k * minimum) + " respondents (each segment at least " + std::to_string(minimum) +
                             " for the largest structural regression); the data have " + std::to_string(scores.rows());
            continue;
        }
        const std::uint64_t stream = detail::replicate_seed(options.seed, k);
        std::vector<StartResult> starts(static_cast<std::size_t>(options.starts));
        detail::ReplicateLoop loop;
        loop.count = options.starts;
        loop.threads = std::min(threads, options.starts);
        loop.chunk = 1;
        std::vector<std::string> reasons = detail::run_replicates(loop, [&](int, long start) {
            return run_start(scores, regressions, k, minimum, stream, static_cast<int>(start), options,
                             starts[static_cast<std::size_t>(start)]);
        });
        const int best = detail::best_start(
            reasons, [&](int start) { return starts[static_cast<std::size_t>(start)].log_likelihood; }, solution);
        if (best < 0) {
            solution.error = "every one of the " + std::to_string(options.starts) + " starts degenerated (" +
                             (solution.start_failures.empty() ? std::string() : solution.start_failures.front()) + ")";
            continue;
        }
        StartResult& chosen = starts[static_cast<std::size_t>(best)];
        const std::vector<int> order = detail::order_by_share(chosen.segments);
        solution.best_start = best;
        solution.iterations = chosen.iterations;
        solution.converged = chosen.converged;
        solution.log_likelihood = chosen.log_likelihood;
        solution.posterior.resize(scores.rows(), k);
        for (int position = 0; position < k; ++position) {
            const int from = order[static_cast<std::size_t>(position)];
            solution.segments.push_back(std::move(chosen.segments[static_cast<std::size_t>(from)]));
            solution.posterior.col(position) = chosen.posterior.col(from);
        }
        solution.criteria = fimix_criteria(solution.log_likelihood, solution.parameters, solution.posterior);
        solution.assignment.resize(static_cast<std::size_t>(scores.rows()));
        solution.sizes.assign(static_cast<std::size_t>(k), 0);
        for (Eigen::Index i = 0; i < scores.rows(); ++i) {
            Eigen::Index segment = 0;
            solution.posterior.row(i).maxCoeff(&segment);
            solution.assignment[static_cast<std::size_t>(i)] = static_cast<int>(segment);
            ++solution.sizes[static_cast<std::size_t>(segment)];
        }
    }
    return solutions;
}

const char* segmentation_method_name(SegmentationMethod method) {
    switch (method) {
        case SegmentationMethod::fimix: return "fimix";
        case SegmentationMethod::pos: return "pos";
        case SegmentationMethod::none: break;
    }
    return "none";
}

int selected_solution(const SegmentationResult& segmentation) {
    int best = -1;
    for (std::size_t s = 0; s < segmentation.solutions.size(); ++s) {
        const SegmentSolution& solution = segmentation.solutions[s];
        if (!solution.ok()) continue;
        if (best < 0 || solution.criteria.caic < segmentation.solutions[static_cast<std::size_t>(best)].criteria.caic)
            best = static_cast<int>(s);
    }
    return best;
}

SegmentDescription describe_segments(const std::string& column, const Eigen::VectorXd& values, const std::vector<int>& assignment, int k) {
    if (values.size() != static_cast<Eigen::Index>(assignment.size()))
        throw UsageError("describe_segments: " + std::to_string(values.size()) + " values for " + std::to_string(assignment.size()) +
                         " respondents");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    SegmentDescription out;
    out.column = column;
    const auto segments = static_cast<std::size_t>(k);
    out.n.assign(segments, 0);
    out.mean.assign(segments, 0.0);
    out.sd.assign(segments, nan);
    std::vector<double> squares(segments, 0.0);
    std::vector<double> distinct;
    for (Eigen::Index i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) continue;
        const auto s = static_cast<std::size_t>(assignment[static_cast<std::size_t>(i)]);
        ++out.n[s];
        out.mean[s] += values[i];
        if (distinct.size() <= 10 && std::find(distinct.begin(), distinct.end(), values[i]) == distinct.end()) distinct.push_back(values[i]);
    }
    double grand = 0;
    Eigen::Index total = 0;
    int filled = 0;
    for (std::size_t s = 0; s < segments; ++s) {
        grand += out.mean[s];
        total += out.n[s];
        filled += out.n[s] > 0;
        out.mean[s] = out.n[s] > 0 ? out.mean[s] / static_cast<double>(out.n[s]) : nan;
    }
    grand /= static_cast<double>(std::max<Eigen::Index>(total, 1));
    for (Eigen::Index i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) continue;
        const auto s = static_cast<std::size_t>(assignment[static_cast<std::size_t>(i)]);
        squares[s] += (values[i] - out.mean[s]) * (values[i] - out.mean[s]);
    }
    double between = 0, within = 0;
    for (std::size_t s = 0; s < segments; ++s) {
        if (out.n[s] > 1) out.sd[s] = std::sqrt(squares[s] / static_cast<double>(out.n[s] - 1));
        if (out.n[s] > 0) between += static_cast<double>(out.n[s]) * (out.mean[s] - grand) * (out.mean[s] - grand);
        within += squares[s];
    }
    out.df_between = filled - 1;
    out.df_within = static_cast<int>(total) - filled;
    out.f = out.f_p = nan;
    if (out.df_between > 0 && out.df_within > 0 && within > 0) {
        out.f = (between / out.df_between) / (within / out.df_within);
        out.f_p = boost::math::cdf(boost::math::complement(boost::math::fisher_f_distribution<double>(out.df_between, out.df_within), out.f));
    }
    out.chi2 = out.chi2_p = nan;
    if (distinct.size() <= 10 && !distinct.empty()) {
        std::sort(distinct.begin(), distinct.end());
        out.levels = distinct;
        const auto level_count = static_cast<Eigen::Index>(distinct.size());
        Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(level_count, k);
        for (Eigen::Index i = 0; i < values.size(); ++i) {
            if (!std::isfinite(values[i])) continue;
            const auto level = std::lower_bound(distinct.begin(), distinct.end(), values[i]) - distinct.begin();
            counts(level, assignment[static_cast<std::size_t>(i)]) += 1;
        }
        out.shares = counts;
        for (Eigen::Index s = 0; s < k; ++s)
            if (counts.col(s).sum() > 0) out.shares.col(s) /= counts.col(s).sum();
        const Eigen::VectorXd row_totals = counts.rowwise().sum();
        const Eigen::RowVectorXd col_totals = counts.colwise().sum();
        double chi2 = 0;
        int used_rows = 0, used_cols = 0;
        for (Eigen::Index r = 0; r < level_count; ++r) used_rows += row_totals[r] > 0;
        for (Eigen::Index s = 0; s < k; ++s) used_cols += col_totals[s] > 0;
        for (Eigen::Index r = 0; r < level_count; ++r)
            for (Eigen::Index s = 0; s < k; ++s) {
                const double expected = row_totals[r] * col_totals[s] / static_cast<double>(total);
                if (expected > 0) chi2 += (counts(r, s) - expected) * (counts(r, s) - expected) / expected;
            }
        out.chi2_df = (used_rows - 1) * (used_cols - 1);
        if (out.chi2_df > 0) {
            out.chi2 = chi2;
            out.chi2_p = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(out.chi2_df), chi2));
        }
    }
    return out;
}

double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b) {
    if (a.size() != b.size()) throw UsageError("adjusted_rand_index: the partitions have different sizes");
    const int rows = a.empty() ? 0 : *std::max_element(a.begin(), a.end()) + 1;
    const int cols = b.empty() ? 0 : *std::max_element(b.begin(), b.end()) + 1;
    Eigen::MatrixXd table = Eigen::MatrixXd::Zero(rows, cols);
    for (std::size_t i = 0; i < a.size(); ++i) table(a[i], b[i]) += 1;
    auto pairs = [](double count) { return count * (count - 1) / 2; };
    double index = 0, row_pairs = 0, col_pairs = 0;
    for (const double cell : table.reshaped()) index += pairs(cell);
    for (Eigen::Index r = 0; r < rows; ++r) row_pairs += pairs(table.row(r).sum());
    for (Eigen::Index c = 0; c < cols; ++c) col_pairs += pairs(table.col(c).sum());
    const double expected = row_pairs * col_pairs / pairs(static_cast<double>(a.size()));
    const double maximum = 0.5 * (row_pairs + col_pairs);
    return maximum == expected ? 1.0 : (index - expected) / (maximum - expected);
}

}  // namespace csipls

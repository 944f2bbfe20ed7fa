// PLS-POS (Becker, Rai, Ringle & Völckner 2013): hard segments grown by hill climbing on the
// summed R². Each segment keeps the sums of its respondents' indicators and their cross-products,
// so moving one respondent costs two rank-one updates and two PLS estimations on correlations,
// whatever the number of respondents. With two stages the sums are the items', and each estimation
// is stage 1 on them, stage 2's moments from its scores (one pass over the rows), then stage 2.
#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "csipls/core/error.hpp"
#include "csipls/core/segmentation.hpp"
#include "csipls/core/two_stage.hpp"
#include "detail/blocks.hpp"
#include "detail/replicates.hpp"
#include "detail/segment_starts.hpp"
#include "detail/resampling.hpp"

namespace csipls {
namespace {

struct SegmentSums {
    double count = 0;
    Eigen::VectorXd sum;
    Eigen::MatrixXd cross;
};

// A segment's estimate; with two stages also its stage 1, the item moments it came from, and the
// means and sds of the stage-2 values it gives.
struct SegmentFit {
    PlsResult result;
    PlsResult stage1;
    IndicatorMoments items;
    Eigen::VectorXd means2, sds2;
};

class PosSearch {
public:
    PosSearch(const Model& model, const Dataset& data, const EstimationOptions& estimation, int k, Eigen::Index min_size,
              const StagedModel* staged)
        : model_(model), data_(data), x_(data.matrix()), estimation_(estimation), k_(k), min_size_(min_size),
          layout_(detail::block_layout(model)), staged_(staged) {
        moments_.names = model.all_indicators();  // stage 2's with two stages, which fit() fills
        const Eigen::Index p = x_.cols();
        sums_.assign(static_cast<std::size_t>(k), SegmentSums{0, Eigen::VectorXd::Zero(p), Eigen::MatrixXd::Zero(p, p)});
        fits_.resize(static_cast<std::size_t>(k));
        r2_sum_.assign(static_cast<std::size_t>(k), 0.0);
        if (staged_) {
            stage_two_.emplace(*staged_);
            counts_.resize(x_.rows());
            for (auto& segment : fits_) segment.items.names = data.columns;
        }
    }

    // Runs the search from `assignment`; returns why it failed, or empty.
    std::string run(std::vector<int>& assignment, int max_iterations, SegmentSolution& out) {
        assignment_ = assignment;
        for (Eigen::Index i = 0; i < x_.rows(); ++i) add(i, assignment_[static_cast<std::size_t>(i)], 1.0);
        for (int s = 0; s < k_; ++s)
            if (!fit(s)) return "segment " + std::to_string(s + 1) + " of the start partition cannot be estimated";
        double objective = std::accumulate(r2_sum_.begin(), r2_sum_.end(), 0.0);
        int moves = 0;
        bool improved = true;
        while (improved && moves < max_iterations) {
            improved = false;
            for (const auto& [gain, candidate] : candidates()) {
                (void)gain;
                const int from = assignment_[static_cast<std::size_t>(candidate.first)];
                const int to = candidate.second;
                const SegmentFit kept_from = fits_[static_cast<std::size_t>(from)], kept_to = fits_[static_cast<std::size_t>(to)];
                const double kept_r2_from = r2_sum_[static_cast<std::size_t>(from)], kept_r2_to = r2_sum_[static_cast<std::size_t>(to)];
                move(candidate.first, from, to);
                const bool estimable = fit(from) && fit(to);
                const double trial = std::accumulate(r2_sum_.begin(), r2_sum_.end(), 0.0);
                if (estimable && trial > objective + 1e-12) {
                    objective = trial;
                    ++moves;
                    improved = true;
                    break;
                }
                move(candidate.first, to, from);
                fits_[static_cast<std::size_t>(from)] = kept_from;
                fits_[static_cast<std::size_t>(to)] = kept_to;
                r2_sum_[static_cast<std::size_t>(from)] = kept_r2_from;
                r2_sum_[static_cast<std::size_t>(to)] = kept_r2_to;
            }
        }
        out.objective = objective;
        out.iterations = moves;
        out.converged = !improved;
        out.segments.clear();
        for (int s = 0; s < k_; ++s) {
            const PlsResult& fit_s = fits_[static_cast<std::size_t>(s)].result;
            SegmentModel segment;
            segment.share = sums_[static_cast<std::size_t>(s)].count / static_cast<double>(x_.rows());
            segment.path_coefficients = fit_s.path_coefficients;
            if (staged_) {
                // Interaction paths on seminr's scale of this segment, as a two-stage study of its rows.
                PlsResult rescaled = fit_s;
                rescale_interactions(*staged_, fits_[static_cast<std::size_t>(s)].sds2, rescaled);
                segment.path_coefficients = rescaled.path_coefficients;
            }
            segment.r2 = fit_s.r2;
            out.segments.push_back(std::move(segment));
        }
        assignment = assignment_;
        return {};
    }

private:
    void add(Eigen::Index i, int s, double sign) {
        SegmentSums& sums = sums_[static_cast<std::size_t>(s)];
        sums.count += sign;
        sums.sum += sign * x_.row(i).transpose();
        sums.cross.noalias() += sign * x_.row(i).transpose() * x_.row(i);
    }
    void move(Eigen::Index i, int from, int to) {
        add(i, from, -1.0);
        add(i, to, 1.0);
        assignment_[static_cast<std::size_t>(i)] = to;
    }

    // The segment's PLS estimate from its sums; false when it cannot be estimated.
    bool fit(int s) {
        const SegmentSums& sums = sums_[static_cast<std::size_t>(s)];
        SegmentFit& segment = fits_[static_cast<std::size_t>(s)];
        const double c = sums.count;
        IndicatorMoments& moments = staged_ ? segment.items : moments_;
        moments.n_obs = static_cast<Eigen::Index>(std::llround(c));
        moments.means = sums.sum / c;
        Eigen::MatrixXd covariance = (sums.cross - c * moments.means * moments.means.transpose()) / (c - 1);
        moments.sds = covariance.diagonal().cwiseMax(0.0).cwiseSqrt();
        if ((moments.sds.array() <= 1e-12).any()) return false;
        const Eigen::VectorXd inverse = moments.sds.cwiseInverse();
        moments.correlation = inverse.asDiagonal() * covariance * inverse.asDiagonal();
        try {
            if (staged_) {
                segment.stage1 = estimate(staged_->stage1, moments, estimation_);
                if (!segment.stage1.converged) return false;
                for (Eigen::Index i = 0; i < x_.rows(); ++i) counts_[i] = assignment_[static_cast<std::size_t>(i)] == s ? 1.0 : 0.0;
                if (!stage_two_->compute(*staged_, x_, counts_, moments.means, inverse, moments.correlation, segment.stage1, {}))
                    return false;
                moments_.n_obs = moments.n_obs;
                moments_.means = segment.means2 = stage_two_->means2;
                moments_.sds = segment.sds2 = stage_two_->sds2;
                moments_.correlation = stage_two_->correlation2;
            }
            PlsResult& result = segment.result;
            result = estimate(model_, moments_, estimation_);
            double total = 0;
            for (Eigen::Index j = 0; j < result.r2.size(); ++j)
                if (result.is_endogenous(static_cast<int>(j))) total += result.r2[j];
            if (!std::isfinite(total)) return false;
            r2_sum_[static_cast<std::size_t>(s)] = total;
        } catch (const Error&) {
            return false;
        }
        return true;
    }

    // Respondents closer to another segment's structural model than to their own, the largest gain
    // first: ((respondent, segment to move to), gain). The distance of a respondent to a segment is
    // the sum over endogenous constructs of its squared structural residual (its scores by the
    // segment's weights, means and sds) divided by the segment's unexplained share 1 − R².
    std::vector<std::pair<double, std::pair<Eigen::Index, int>>> candidates() {
        const Eigen::Index n = x_.rows();
        const Eigen::Index m = static_cast<Eigen::Index>(model_.constructs.size());
        distance_.resize(n, k_);
        for (int s = 0; s < k_; ++s) {
            const SegmentFit& segment = fits_[static_cast<std::size_t>(s)];
            const PlsResult& result = segment.result;
            const auto p = static_cast<Eigen::Index>(layout_.block_of_indicator.size());
            weights_.setZero(p, m);
            if (staged_) {
                // Every respondent's stage-2 values by this segment's stage 1.
                const Dataset values = stage_two_data(*staged_, data_, segment.items, segment.stage1, {});
                for (Eigen::Index i = 0; i < p; ++i)
                    weights_(i, layout_.block_of_indicator[static_cast<std::size_t>(i)]) = result.outer_weights[i] / segment.sds2[i];
                scores_.noalias() = (values.matrix().rowwise() - segment.means2.transpose()) * weights_;
            } else {
                const SegmentSums& sums = sums_[static_cast<std::size_t>(s)];
                const Eigen::VectorXd means = sums.sum / sums.count;
                const Eigen::VectorXd covariance_diagonal =
                    ((sums.cross.diagonal() - sums.count * means.cwiseAbs2()) / (sums.count - 1)).cwiseMax(1e-300);
                for (Eigen::Index i = 0; i < p; ++i)
                    weights_(i, layout_.block_of_indicator[static_cast<std::size_t>(i)]) = result.outer_weights[i] / std::sqrt(covariance_diagonal[i]);
                scores_.noalias() = (x_.rowwise() - means.transpose()) * weights_;
            }
            residual_.noalias() = scores_ - scores_ * result.path_coefficients;
            for (Eigen::Index i = 0; i < n; ++i) {
                double distance = 0;
                for (Eigen::Index j = 0; j < m; ++j)
                    if (result.is_endogenous(static_cast<int>(j)))
                        distance += residual_(i, j) * residual_(i, j) / std::max(1e-6, 1.0 - result.r2[j]);
                distance_(i, s) = distance;
            }
        }
        std::vector<std::pair<double, std::pair<Eigen::Index, int>>> list;
        for (Eigen::Index i = 0; i < n; ++i) {
            const int own = assignment_[static_cast<std::size_t>(i)];
            if (sums_[static_cast<std::size_t>(own)].count <= static_cast<double>(min_size_)) continue;
            int best = -1;
            for (int s = 0; s < k_; ++s)
                if (s != own && (best < 0 || distance_(i, s) < distance_(i, best))) best = s;
            const double gain = distance_(i, own) - distance_(i, best);
            if (gain > 0) list.push_back({gain, {i, best}});
        }
        // Largest gain first; equal gains by respondent, so the order is fixed.
        std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second.first < b.second.first;
        });
        return list;
    }

    const Model& model_;
    const Dataset& data_;
    Eigen::Map<const RowMatrix> x_;  // the model's indicators, or with two stages the items
    const EstimationOptions& estimation_;
    int k_;
    Eigen::Index min_size_;
    detail::BlockLayout layout_;
    IndicatorMoments moments_;
    std::vector<SegmentSums> sums_;
    std::vector<SegmentFit> fits_;
    const StagedModel* staged_;
    std::optional<StageTwoMoments> stage_two_;
    Eigen::VectorXd counts_;
    std::vector<double> r2_sum_;
    std::vector<int> assignment_;
    Eigen::MatrixXd distance_, weights_, scores_, residual_;
};

}  // namespace

void PosOptions::validate() const {
    if (k < 1) throw UsageError("`segmentation.k` must be at least 1, got " + std::to_string(k));
    if (starts < 1) throw UsageError("`segmentation.starts` must be at least 1, got " + std::to_string(starts));
    if (min_segment_size < 0) throw UsageError("`segmentation.min_size` must be ≥ 0, got " + std::to_string(min_segment_size));
    if (max_iterations < 1) throw UsageError("`segmentation.max_iterations` must be at least 1, got " + std::to_string(max_iterations));
    if (threads < 0) throw UsageError("`threads` must be ≥ 0, got " + std::to_string(threads));
}

SegmentSolution pls_pos(const Model& model, const Dataset& data, const EstimationOptions& estimation, const PosOptions& options,
                        const StagedItems* stages) {
    options.validate();
    validate_model(model);
    const StagedModel* staged = stages ? stages->staged : nullptr;
    const detail::BlockLayout layout = detail::block_layout(model);
    if (std::none_of(layout.predecessors.begin(), layout.predecessors.end(), [](const auto& p) { return !p.empty(); }))
        throw ModelError((model.source.empty() ? std::string() : model.source + ": ") +
                         "the model has no endogenous construct: segmentation needs structural paths");
    if ((staged ? data.columns != staged->items || model.all_indicators() != staged->stage2.all_indicators()
                : data.cols() != static_cast<Eigen::Index>(model.indicator_count())) ||
        !data.matrix().allFinite())
        throw EstimationError(staged ? "PLS-POS of a two-stage model needs stage 1's items, in their order, without missing values"
                                     : "PLS-POS needs the model's indicators, in model order, without missing values");
    const Eigen::Index n = data.rows;
    const int k = options.k;
    SegmentSolution solution;
    solution.k = k;
    const Eigen::Index min_size = options.min_segment_size > 0
                                      ? options.min_segment_size
                                      : std::max({minimum_respondents(model), staged ? minimum_respondents(staged->stage1) : Eigen::Index{0},
                                                  static_cast<Eigen::Index>(std::ceil(0.05 * static_cast<double>(n)))});
    if (n < k * min_size) {
        solution.error = "K = " + std::to_string(k) + " needs at least " + std::to_string(k) + " × " + std::to_string(min_size) + " = " +
                         std::to_string(k * min_size) + " respondents (the smallest segment allowed); the data have " + std::to_string(n);
        return solution;
    }
    if (!options.start_partition.empty() &&
        (options.start_partition.size() != static_cast<std::size_t>(n) ||
         std::any_of(options.start_partition.begin(), options.start_partition.end(), [&](int s) { return s < 0 || s >= k; })))
        throw UsageError("PLS-POS: the start partition must give each of the " + std::to_string(n) + " respondents a segment 0 … " +
                         std::to_string(k - 1));

    struct Start {
        std::vector<int> assignment;
        SegmentSolution result;
    };
    std::vector<Start> starts(static_cast<std::size_t>(options.starts));
    const std::uint64_t stream = detail::replicate_seed(options.seed ^ 0x504F53ULL, k);  // "POS": apart from FIMIX's streams
    detail::ReplicateLoop loop;
    loop.count = options.starts;
    loop.threads = std::min(detail::thread_count(options.threads), options.starts);
    loop.chunk = 1;
    std::vector<std::string> reasons = detail::run_replicates(loop, [&](int, long start) -> std::string {
        Start& mine = starts[static_cast<std::size_t>(start)];
        if (start == 0 && !options.start_partition.empty()) {
            mine.assignment = options.start_partition;
            std::vector<Eigen::Index> sizes(static_cast<std::size_t>(k), 0);
            for (const int s : mine.assignment) ++sizes[static_cast<std::size_t>(s)];
            if (*std::min_element(sizes.begin(), sizes.end()) < min_size) return "the start partition has a segment below the minimum size";
        } else {
            // Equal segments of a random permutation: every segment starts above the minimum.
            std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
            std::iota(order.begin(), order.end(), 0);
            boost::random::mt19937_64 engine(detail::replicate_seed(stream, static_cast<int>(start)));
            detail::shuffle(order, engine);
            mine.assignment.assign(static_cast<std::size_t>(n), 0);
            for (std::size_t position = 0; position < order.size(); ++position)
                mine.assignment[static_cast<std::size_t>(order[position])] = static_cast<int>(position % static_cast<std::size_t>(k));
        }
        PosSearch search(model, data, estimation, k, min_size, staged);
        return search.run(mine.assignment, options.max_iterations, mine.result);
    });
    const int best = detail::best_start(
        reasons, [&](int start) { return starts[static_cast<std::size_t>(start)].result.objective; }, solution);
    if (best < 0) {
        solution.error = "every one of the " + std::to_string(options.starts) + " starts failed (" + solution.start_failures.front() + ")";
        return solution;
    }
    Start& chosen = starts[static_cast<std::size_t>(best)];
    const std::vector<int> order = detail::order_by_share(chosen.result.segments);
    std::vector<int> position_of(static_cast<std::size_t>(k));
    for (int position = 0; position < k; ++position) position_of[static_cast<std::size_t>(order[static_cast<std::size_t>(position)])] = position;
    solution.objective = chosen.result.objective;
    solution.iterations = chosen.result.iterations;
    solution.converged = chosen.result.converged;
    solution.best_start = best;
    for (int position = 0; position < k; ++position)
        solution.segments.push_back(std::move(chosen.result.segments[static_cast<std::size_t>(order[static_cast<std::size_t>(position)])]));
    solution.assignment.resize(static_cast<std::size_t>(n));
    solution.sizes.assign(static_cast<std::size_t>(k), 0);
    solution.posterior = Eigen::MatrixXd::Zero(n, k);
    for (Eigen::Index i = 0; i < n; ++i) {
        const int segment = position_of[static_cast<std::size_t>(chosen.assignment[static_cast<std::size_t>(i)])];
        solution.assignment[static_cast<std::size_t>(i)] = segment;
        ++solution.sizes[static_cast<std::size_t>(segment)];
        solution.posterior(i, segment) = 1.0;
    }
    return solution;
}

}  // namespace csipls

// PLS-POS (Becker, Rai, Ringle & Völckner 2013): hard segments grown by hill climbing on the summed R².
#include <string>

#include "csipls/core/error.hpp"
#include "csipls/core/segmentation.hpp"

namespace csipls {

void PosOptions::validate() const {
    if (k < 1) throw UsageError("`segmentation.k` must be at least 1, got " + std::to_string(k));
    if (starts < 1) throw UsageError("`segmentation.starts` must be at least 1, got " + std::to_string(starts));
    if (min_segment_size < 0) throw UsageError("`segmentation.min_size` must be ≥ 0, got " + std::to_string(min_segment_size));
    if (max_iterations < 1) throw UsageError("`segmentation.max_iterations` must be at least 1, got " + std::to_string(max_iterations));
    if (threads < 0) throw UsageError("`threads` must be ≥ 0, got " + std::to_string(threads));
}

SegmentSolution pls_pos(const Model&, const Dataset&, const EstimationOptions&, const PosOptions& options) {
    options.validate();
    throw UsageError("PLS-POS is not available yet");
}

}  // namespace csipls

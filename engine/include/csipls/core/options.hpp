#pragma once
// Options for one estimation. Plain data with defaults; validate() throws UsageError naming the option.
#include <optional>
#include <string>
#include <string_view>

namespace csipls {

// How the inner proxy of a construct combines its neighbours (Lohmöller 1989, ch. 2).
enum class InnerScheme { path, centroid, factorial };

std::string to_string(InnerScheme scheme);
std::optional<InnerScheme> inner_scheme_from_string(std::string_view text);

struct EstimationOptions {
    InnerScheme scheme = InnerScheme::path;
    // Convergence: max |w_new − w_old| over all outer weights (weights scaled to unit composite
    // variance each iteration, as cSEM, seminr and SmartPLS do).
    double tolerance = 1e-7;
    int max_iterations = 300;

    void validate() const;
};

}  // namespace csipls

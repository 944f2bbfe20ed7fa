#include "csipls/options.hpp"

#include <cmath>

#include "csipls/error.hpp"

namespace csipls {

std::string to_string(InnerScheme scheme) {
    switch (scheme) {
        case InnerScheme::path: return "path";
        case InnerScheme::centroid: return "centroid";
        case InnerScheme::factorial: return "factorial";
    }
    return "unknown";
}

std::optional<InnerScheme> inner_scheme_from_string(std::string_view text) {
    if (text == "path") return InnerScheme::path;
    if (text == "centroid") return InnerScheme::centroid;
    if (text == "factorial") return InnerScheme::factorial;
    return std::nullopt;
}

void EstimationOptions::validate() const {
    if (!(std::isfinite(tolerance) && tolerance > 0.0 && tolerance < 1.0))
        throw UsageError("--tolerance must be a number between 0 and 1 (exclusive), got " + number_text(tolerance));
    if (max_iterations < 1 || max_iterations > 1'000'000)
        throw UsageError("--max-iter must be between 1 and 1000000, got " + std::to_string(max_iterations));
}

}  // namespace csipls

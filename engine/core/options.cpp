#include "csipls/core/options.hpp"

#include <cmath>

#include "csipls/core/enum_names.hpp"
#include "csipls/core/error.hpp"

namespace csipls {

namespace {
constexpr EnumNames<InnerScheme, 3> scheme_names = {
    {InnerScheme::path, "path"}, {InnerScheme::centroid, "centroid"}, {InnerScheme::factorial, "factorial"}};
}  // namespace

std::string to_string(InnerScheme scheme) { return enum_name(scheme_names, scheme); }

std::optional<InnerScheme> inner_scheme_from_string(std::string_view text) { return enum_from_name(scheme_names, text); }

void EstimationOptions::validate() const {
    if (!(std::isfinite(tolerance) && tolerance > 0.0 && tolerance < 1.0))
        throw UsageError("EstimationOptions.tolerance must be a number between 0 and 1 (exclusive), got " + number_text(tolerance));
    if (max_iterations < 1 || max_iterations > 1'000'000)
        throw UsageError("EstimationOptions.max_iterations must be between 1 and 1000000, got " + std::to_string(max_iterations));
}

}  // namespace csipls

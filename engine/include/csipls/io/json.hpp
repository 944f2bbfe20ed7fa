#pragma once
// The JSON document type of results (keys keep their insertion order, so results read as documented).
#include <nlohmann/json.hpp>

namespace csipls {

using Json = nlohmann::ordered_json;

// A number for the JSON result, or null where it is undefined (NaN, infinite): JSON has no NaN.
Json number_or_null(double value);

}  // namespace csipls

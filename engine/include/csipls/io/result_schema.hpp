#pragma once
// The version of the JSON result's contract (README.md "The JSON result", docs/result.schema.json).
// Keys may be added within a version; renaming or removing a key, or changing its meaning or type,
// bumps it. Readers refuse a result whose schema_version is newer than the one they know.
namespace csipls {

inline constexpr int result_schema_version = 1;

}  // namespace csipls

#pragma once
// Model files in lavaan syntax (the convention of lavaan, cSEM and seminr):
//   Construct =~ a + b + c      reflective block (mode A)
//   Construct <~ a + b          formative block (mode B)
//   Y ~ X1 + X2                 structural paths X1 -> Y, X2 -> Y
//   Y ~ X1 + M + X1:M           an interaction term (cSEM's `X1.M` is read as `X1:M`); `:` is
//                               reserved for it and may not appear in other names
//   H =~ C1 + C2                a higher-order construct when C1, C2 are constructs
// with `#` comments, blank lines, `;` between statements, a line ending in `+` continuing on the
// next, UTF-8 names, and lavaan's fixed values (`Y ~ 0.4*X`, `F =~ 0.8*a`) as population values.
// Lines of their own: `scale MIN:MAX [names]`, `reverse items` and `layout A B | C | D E` (the path
// diagram's columns, left to right, each from top to bottom; see LayoutStatement).
#include <string>
#include <string_view>

#include "csipls/core/model.hpp"

namespace csipls {

// Parses model text. `source_name` is used in error messages ("file:line: ...") and stored in the
// model. Throws InputError naming the line and the offending token. The result is syntactically
// sound; validate_model() decides whether it can be estimated.
Model parse_model(std::string_view text, const std::string& source_name);

// Reads and parses a model file. Throws IoError when the file cannot be read.
Model read_model_file(const std::string& path);

}  // namespace csipls

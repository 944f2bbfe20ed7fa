#pragma once
// The result as an Excel workbook (one sheet per table), rendered from the JSON result like the
// HTML report, so `csipls estimate --xlsx` and `csipls report --xlsx` write the same bytes for the
// same result. libxlsxwriter stays private to the report library: this header needs none of it.
#include <string>
#include <vector>

#include "csipls/io/json.hpp"

namespace csipls {

// The names of the sheets render_xlsx_workbook writes for `result`, in order (a table the result
// lacks has no sheet). Throws InputError like render_xlsx_workbook.
std::vector<std::string> xlsx_sheet_names(const Json& result);

// The workbook's bytes (an .xlsx file). Numbers are numeric cells with number formats, null is an
// empty cell, every sheet has a bold, frozen header row. The same result gives the same bytes (the
// document's creation time is fixed). Throws InputError when `result` lacks a required key
// (`engine`, `paths`, `outer_weights`, `loadings`), IoError when the workbook cannot be assembled
// (libxlsxwriter's scratch files go to the system's temporary directory).
std::string render_xlsx_workbook(const Json& result);

}  // namespace csipls

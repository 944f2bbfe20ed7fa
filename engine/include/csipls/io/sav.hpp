#pragma once
// SPSS system files (.sav, and .zsav with zlib-compressed data) through Debian's libreadstat.
#include <string>
#include <vector>

#include "csipls/io/csv.hpp"
#include "csipls/core/dataset.hpp"

namespace csipls {

// Reads the numeric variables `columns` (in that order) of the SPSS file at `path`. System-missing
// values, the variable's user-missing values and ranges, and options.missing_codes become NaN.
// Variable and value labels go to Dataset::labels. options.weight_column and options.group_column
// work as for CSV (a group column may be text, or numbers shown by their value labels); the
// delimiter and decimal options do not apply. Throws IoError when the file cannot be read and
// InputError, naming the file, row and variable, for a file that is not SPSS or is damaged, a
// missing variable, a text variable used as an indicator, and a missing or negative case weight.
Dataset read_sav(const std::string& path, const std::vector<std::string>& columns, const CsvOptions& options = {});

}  // namespace csipls

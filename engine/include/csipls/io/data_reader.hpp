#pragma once
// One entry point for data files: the reader is chosen by the file's extension.
#include <string>
#include <vector>

#include "csipls/io/csv.hpp"
#include "csipls/core/dataset.hpp"

namespace csipls {

// .sav and .zsav: SPSS (read_sav); .tsv: CSV with tab as the delimiter unless another than ',' was
// asked for; anything else: CSV (read_csv). Extensions are matched without regard to case.
Dataset read_data(const std::string& path, const std::vector<std::string>& columns, const CsvOptions& options = {});

// Whether `path` names an SPSS file by its extension.
bool is_spss_path(const std::string& path);

}  // namespace csipls

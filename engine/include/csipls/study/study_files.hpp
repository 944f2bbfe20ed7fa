#pragma once
// A study's inputs from files: the model file and the data file (CSV, TSV or SPSS), read as the
// options say. The CLI calls these; callers with data in memory build the Dataset themselves.
#include <string>

#include "csipls/core/dataset.hpp"
#include "csipls/core/model.hpp"
#include "csipls/study/study_options.hpp"

namespace csipls {

// Reads, parses and validates a model file; the model records the file's path and xxh64 hash.
// Throws IoError, InputError (file and line) or ModelError.
Model load_model(const std::string& path);

// Reads the columns a study of `model` needs from the data file at `path`: the model's indicators,
// then the data columns the practice indices name, with case weights and groups as
// `options.data` says. Throws IoError or InputError naming the file, line and column (an item of
// the weights index that the data lack is named with the weights file's line).
Dataset load_study_data(const std::string& path, const Model& model, const StudyOptions& options);

}  // namespace csipls

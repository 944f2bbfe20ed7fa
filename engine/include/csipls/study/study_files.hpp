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

// A model given as lavaan text (it has an operator '~' or a line break; `text_name` names it in
// messages, e.g. "the model") or as a model file's path; parsed and validated as load_model does.
Model load_model_text_or_file(const std::string& text_or_path, const std::string& text_name = "the model");

// Reads the columns a study of `model` needs from the data file at `path`: the model's indicators,
// then the data columns the practice indices name, with case weights and groups as
// `options.data` says. Throws IoError or InputError naming the file, line and column (an item of
// the weights index that the data lack is named with the weights file's line).
Dataset load_study_data(const std::string& path, const Model& model, const StudyOptions& options);

}  // namespace csipls

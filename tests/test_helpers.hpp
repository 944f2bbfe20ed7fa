#pragma once
// Small builders shared by the unit tests.
#include <filesystem>
#include <fstream>
#include <string>

#include "csipls/dataset.hpp"
#include "csipls/model.hpp"

namespace csipls::testing_support {

inline Construct block(const std::string& name, std::vector<std::string> indicators,
                       MeasurementMode mode = MeasurementMode::reflective) {
    Construct construct;
    construct.name = name;
    construct.mode = mode;
    construct.indicators = std::move(indicators);
    return construct;
}

inline StructuralPath path(const std::string& from, const std::string& to) {
    StructuralPath link;
    link.from = from;
    link.to = to;
    return link;
}

// A fresh file under the test temp directory holding `contents`; returns its path.
inline std::string write_temp_file(const std::string& name, const std::string& contents) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / "csipls_unit";
    std::filesystem::create_directories(dir);
    const auto file = dir / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
}

inline Dataset dataset_from(const std::vector<std::string>& columns, const Eigen::MatrixXd& values) {
    Dataset data;
    data.columns = columns;
    data.rows = values.rows();
    data.values.resize(static_cast<std::size_t>(values.size()));
    data.matrix() = values;
    return data;
}

}  // namespace csipls::testing_support

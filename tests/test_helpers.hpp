#pragma once
// Small builders shared by the unit tests.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "csipls/io/csv.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/model.hpp"
#include "csipls/io/model_file.hpp"

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

// SplitMix64 (Steele, Lea & Flood 2014) written out from its definition, not taken from the engine,
// so that tests can rebuild a replicate's documented random stream independently:
// mt19937_64 seeded with splitmix64(splitmix64(stream) ^ r).
inline std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// How often `needle` occurs in `text` (non-overlapping), and how often `pattern` matches.
inline std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

inline std::size_t count_regex(const std::string& text, const std::string& pattern) {
    const std::regex re(pattern);
    return static_cast<std::size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
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

// Moments that hold only a correlation matrix (unit sds, zero means), for tests of the estimator
// and what follows it on hand-made correlation matrices.
inline IndicatorMoments moments_for(const Model& model, const Eigen::MatrixXd& correlation, Eigen::Index n) {
    IndicatorMoments moments;
    moments.n_obs = n;
    moments.names = model.all_indicators();
    moments.means = Eigen::VectorXd::Zero(correlation.rows());
    moments.sds = Eigen::VectorXd::Ones(correlation.rows());
    moments.correlation = correlation;
    return moments;
}

// The bundled CCSI example (models/ccsi.model on data/ccsi_example.csv, in the repository, so tests
// using it never skip), estimated once with tolerance 1e-10.
struct CcsiExample {
    Model model;
    Dataset data;
    IndicatorMoments moments;
    PlsResult original;
};

inline const CcsiExample& ccsi_example() {
    static const CcsiExample example = [] {
        CcsiExample e;
        e.model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
        e.data = read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", e.model.all_indicators());
        e.moments = compute_moments(e.data);
        EstimationOptions options;
        options.tolerance = 1e-10;
        e.original = estimate(e.model, e.moments, options);
        return e;
    }();
    return example;
}

}  // namespace csipls::testing_support

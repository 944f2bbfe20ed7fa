#pragma once
// `csipls compare`: reading the indices of two JSON results of `csipls estimate` and writing their
// comparison (JSON, CSV, a readable table).
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "csipls/core/index_change.hpp"
#include "csipls/io/result_writers.hpp"

namespace csipls {

// One wave's result file: where it came from and its index rows.
struct IndexResultFile {
    std::string path;
    std::uint64_t size_bytes = 0;
    std::string xxh64;
    std::string engine_version;
    std::string model_path, model_xxh64;
    bool bootstrap = false;  // the indices have bootstrap standard errors
    std::vector<std::string> notices;  // how an older result (no schema_version) was read
    // Per indicator its answer scale (csi_index.scale), in the file's order.
    std::vector<std::pair<std::string, std::pair<double, double>>> scales;
    // The overall index (csi_index, label "(all)", level "all") first, then index_table's other rows.
    IndexWave wave;
};

// Throws IoError when unreadable and InputError naming the file for: text that is not JSON (with
// its line and column), JSON that is not a csipls result, a result without CSI indices, or a value
// of the wrong type (naming its key).
IndexResultFile read_index_result(const std::string& path);

// Throws InputError naming both files when the results cannot be compared: different constructs or
// different answer scales. Returns warnings for what does not stop a comparison (different model
// files with the same constructs, different indicators, a missing bootstrap).
std::vector<std::string> check_comparable(const IndexResultFile& old_file, const IndexResultFile& new_file);

// The comparison's JSON: engine, both inputs (paths, sizes, hashes, their engine and model), the
// settings, the warnings, and per row and construct the change with se, z, p and interval.
Json index_comparison_to_json(const IndexComparison& comparison, const IndexResultFile& old_file,
                              const IndexResultFile& new_file, const std::vector<std::string>& warnings);

// One CSV line per row and construct (added and dropped rows get one line with empty numbers).
void write_index_comparison_csv(std::ostream& out, const IndexComparison& comparison);

// The readable table: a line per row and construct, construct names aligned by display width.
void write_index_comparison_table(std::ostream& out, const IndexComparison& comparison);

}  // namespace csipls

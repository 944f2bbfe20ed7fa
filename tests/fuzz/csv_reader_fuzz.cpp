// libFuzzer target: the CSV reader and, on what it accepts, every missing-data treatment. Only
// csipls's own errors (clear messages) may come out; anything else, a crash or a sanitizer report
// is a finding.
#include <cstdint>

#include "csipls/io/csv.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/missing.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // The first byte picks the options, the rest is the file.
    const std::uint8_t choice = data[0];
    csipls::CsvOptions options;
    options.delimiter = (choice & 3) == 0 ? ',' : (choice & 3) == 1 ? ';' : (choice & 3) == 2 ? '\t' : '|';
    options.decimal_comma = (choice & 4) && options.delimiter != ',';
    if (choice & 8) options.missing_codes = {-99, 99};
    if (choice & 16) options.weight_column = "w";
    const std::string path = csipls::fuzz::input_file(".csv", data + 1, size - 1);
    try {
        const csipls::Dataset dataset = csipls::read_csv(path, {"a", "b", "c"}, options);
        if (dataset.rows < 1 || dataset.values.size() != static_cast<std::size_t>(dataset.rows * 3)) __builtin_trap();
        csipls::MissingOptions missing;
        missing.treatment = static_cast<csipls::MissingTreatment>((choice >> 5) & 3);
        missing.em_max_iterations = 200;
        (void)csipls::compute_moments(dataset, missing);
    } catch (const csipls::Error&) {
    }
    return 0;
}

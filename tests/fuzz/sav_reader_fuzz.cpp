// libFuzzer target: the SPSS reader (ReadStat underneath: malformed .sav files have a CVE history).
#include <cstdint>

#include "csipls/core/error.hpp"
#include "csipls/io/sav.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = csipls::fuzz::input_file(".sav", data, size);
    csipls::CsvOptions options;
    if (size > 0 && (data[size - 1] & 1)) options.weight_column = "w";
    // The group column's value labels and text values are parsed too.
    if (size > 0 && (data[size - 1] & 2)) options.group_column = "g";
    options.missing_codes = {-99};
    try {
        const csipls::Dataset dataset = csipls::read_sav(path, {"q1", "q2"}, options);
        if (dataset.rows < 1 || dataset.values.size() != static_cast<std::size_t>(dataset.rows * 2)) __builtin_trap();
        if (!options.group_column.empty()) {
            if (dataset.group_of_row.size() != static_cast<std::size_t>(dataset.rows)) __builtin_trap();
            for (const int g : dataset.group_of_row)
                if (g < 0 || static_cast<std::size_t>(g) >= dataset.group_names.size()) __builtin_trap();
        }
    } catch (const csipls::Error&) {
    }
    return 0;
}

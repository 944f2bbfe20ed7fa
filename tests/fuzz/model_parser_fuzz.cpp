// libFuzzer target: the model-file parser and the model checks.
#include <cstdint>
#include <string>

#include "csipls/core/error.hpp"
#include "csipls/core/model.hpp"
#include "csipls/io/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        csipls::Model model = csipls::parse_model(text, "fuzz.model");
        csipls::validate_model(model);
        (void)model.all_indicators();
    } catch (const csipls::Error&) {
    }
    return 0;
}

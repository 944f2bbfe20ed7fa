#pragma once
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace csipls {

// Whole file as bytes. Throws IoError naming the file and the reason.
std::string read_text_file(const std::string& path);

// Writes through `write` to a temporary file beside `path`, then renames it over `path`, so that a
// failure never leaves a half-written or clobbered file. Throws IoError.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Hex xxh64 of a byte string (seed 0), as recorded for inputs in results.
std::string xxh64_hex(const void* data, std::size_t size);

}  // namespace csipls

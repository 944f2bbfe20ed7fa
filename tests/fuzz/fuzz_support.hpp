#pragma once
// The readers take paths: each fuzz input goes to a file of its own process, rewritten per input.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace csipls::fuzz {

inline std::string input_file(const char* extension, const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/csipls_fuzz_" + std::to_string(::getpid()) + extension;
    FILE* file = std::fopen(path.c_str(), "wb");
    if (!file) __builtin_trap();
    if (size && std::fwrite(data, 1, size, file) != size) __builtin_trap();
    std::fclose(file);
    return path;
}

}  // namespace csipls::fuzz

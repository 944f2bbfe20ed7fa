#pragma once
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace csipls {

// Whole file as bytes. Throws IoError naming the file and the reason.
std::string read_text_file(const std::string& path);

// The outputs of one run, written all or nothing: each is first written to a temporary file beside
// its target, and only when every one is complete are they renamed over their targets. A run that
// fails on any output leaves every target as it was, and no temporary behind.
// "-" and existing non-regular files (a terminal, a pipe, /dev/stdout) are written directly;
// a symbolic link is followed, so the file it points to is replaced and the link kept.
class OutputBatch {
public:
    OutputBatch() = default;
    OutputBatch(const OutputBatch&) = delete;
    OutputBatch& operator=(const OutputBatch&) = delete;
    ~OutputBatch();  // removes temporaries that were not committed

    // Writes the contents now (to a temporary, or directly for "-" and devices). Throws IoError.
    void stage(const std::string& path, const std::function<void(std::ostream&)>& write);
    // Renames every staged temporary over its target. Throws IoError.
    void commit();

private:
    struct Staged {
        std::string target;
        std::string temporary;
    };
    std::vector<Staged> staged_;
};

// One output, all or nothing (an OutputBatch of one).
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// True when two paths name the same file, existing or not ("out.json" and "./out.json").
bool same_file(const std::string& a, const std::string& b);

// Hex xxh64 of a byte string (seed 0), as recorded for inputs in results.
std::string xxh64_hex(const void* data, std::size_t size);

}  // namespace csipls

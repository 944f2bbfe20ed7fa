#include "csipls/io/file_util.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>
#include <xxhash.h>

#include "csipls/core/error.hpp"

namespace csipls {

std::string read_text_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw IoError(path + ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad()) throw IoError(path + ": read error");
    return std::move(contents).str();
}

namespace {

// Where the bytes for `path` should really go: the target of a symbolic link, so the link survives.
std::filesystem::path resolve_output(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_symlink(path, ec)) {
        const fs::path target = fs::weakly_canonical(path, ec);
        if (!ec) return target;
    }
    return path;
}

bool is_direct_output(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path == "-") return true;
    const auto status = fs::status(path, ec);
    return !ec && fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status);
}

}  // namespace

OutputBatch::~OutputBatch() {
    std::error_code ignored;
    for (const auto& item : staged_) std::filesystem::remove(item.temporary, ignored);
}

void OutputBatch::stage(const std::string& path, const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw IoError(path + ": is a directory; give a file name");
    if (is_direct_output(path)) {
        if (path == "-") {
            write(std::cout);
            std::cout.flush();
            if (!std::cout) throw IoError("standard output: write failed");
            return;
        }
        std::ofstream out(path, std::ios::binary);
        if (!out) throw IoError(path + ": cannot write (" + std::strerror(errno) + ")");
        write(out);
        out.flush();
        if (!out) throw IoError(path + ": write failed");
        return;
    }
    const fs::path target = resolve_output(path);
    // Beside the target, so that the rename stays on one file system and is atomic.
    const std::string temporary = target.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(staged_.size());
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError(path + ": cannot write (" + std::strerror(errno) + ")");
    staged_.push_back({target.string(), temporary});
    write(out);
    out.flush();
    if (!out) throw IoError(path + ": write failed (disk full?)");
}

void OutputBatch::commit() {
    for (const auto& item : staged_) {
        std::error_code ec;
        // A replaced file keeps its permissions (a survey result made private stays private).
        const auto existing = std::filesystem::status(item.target, ec);
        if (!ec && std::filesystem::is_regular_file(existing))
            std::filesystem::permissions(item.temporary, existing.permissions(), ec);
        ec.clear();
        std::filesystem::rename(item.temporary, item.target, ec);
        if (ec) throw IoError(item.target + ": cannot replace the file (" + ec.message() + ")");
    }
    staged_.clear();
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    OutputBatch batch;
    batch.stage(path, write);
    batch.commit();
}

bool same_file(const std::string& a, const std::string& b) {
    namespace fs = std::filesystem;
    std::error_code ec_a, ec_b;
    const fs::path canonical_a = fs::weakly_canonical(fs::absolute(a), ec_a);
    const fs::path canonical_b = fs::weakly_canonical(fs::absolute(b), ec_b);
    if (ec_a || ec_b) return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
    return canonical_a == canonical_b;
}

std::string xxh64_hex(const void* data, std::size_t size) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH64(data, size, 0)));
    return text;
}

}  // namespace csipls

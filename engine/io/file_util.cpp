#include "csipls/file_util.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <xxhash.h>

#include "csipls/error.hpp"

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

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw IoError(path + ": is a directory; give a file name");
    // The temporary sits beside the target so that the rename stays on one file system (atomic).
    const fs::path temporary = target.string() + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError(path + ": cannot write (" + std::strerror(errno) + ")");
        try {
            write(out);
            out.flush();
        } catch (...) {
            out.close();
            fs::remove(temporary, ec);
            throw;
        }
        if (!out) {
            out.close();
            fs::remove(temporary, ec);
            throw IoError(path + ": write failed (disk full?)");
        }
    }
    fs::rename(temporary, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw IoError(path + ": cannot replace the file (" + ec.message() + ")");
    }
}

std::string xxh64_hex(const void* data, std::size_t size) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH64(data, size, 0)));
    return text;
}

}  // namespace csipls

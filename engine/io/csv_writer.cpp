#include <fmt/format.h>

#include "csipls/result_writers.hpp"

namespace csipls {
namespace {

std::string quoted_if_needed(const std::string& text, char delimiter) {
    if (text.find_first_of(std::string("\"\r\n") + delimiter) == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

void write_csv_table(std::ostream& out, const std::vector<std::string>& header,
                     const Eigen::Ref<const Eigen::MatrixXd>& values, char delimiter) {
    for (std::size_t j = 0; j < header.size(); ++j) {
        if (j) out << delimiter;
        out << quoted_if_needed(header[j], delimiter);
    }
    out << '\n';
    fmt::memory_buffer line;
    for (Eigen::Index i = 0; i < values.rows(); ++i) {
        line.clear();
        for (Eigen::Index j = 0; j < values.cols(); ++j) {
            if (j) line.push_back(delimiter);
            fmt::format_to(std::back_inserter(line), "{}", values(i, j));
        }
        line.push_back('\n');
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
}

}  // namespace csipls

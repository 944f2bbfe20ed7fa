#include <cmath>
#include <fmt/format.h>

#include "csipls/io/result_writers.hpp"

namespace csipls {
std::string csv_field(const std::string& text, char delimiter) {
    if (text.find_first_of(std::string("\"\r\n") + delimiter) == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string csv_number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : std::string(); }

void write_csv_table(std::ostream& out, const std::vector<std::string>& header,
                     const Eigen::Ref<const Eigen::MatrixXd>& values, char delimiter) {
    for (std::size_t j = 0; j < header.size(); ++j) {
        if (j) out << delimiter;
        out << csv_field(header[j], delimiter);
    }
    out << '\n';
    fmt::memory_buffer line;
    for (Eigen::Index i = 0; i < values.rows(); ++i) {
        line.clear();
        for (Eigen::Index j = 0; j < values.cols(); ++j) {
            if (j) line.push_back(delimiter);
            // A value that does not exist (a respondent left out by listwise deletion) is an empty cell.
            if (!std::isnan(values(i, j))) fmt::format_to(std::back_inserter(line), "{}", values(i, j));
        }
        line.push_back('\n');
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
}

void write_grouped_csv(std::ostream& out, const std::string& group_column, const Dataset& data, char delimiter) {
    out << csv_field(group_column, delimiter);
    for (const auto& name : data.columns) out << delimiter << csv_field(name, delimiter);
    out << '\n';
    const auto x = data.matrix();
    fmt::memory_buffer line;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        line.clear();
        const std::string label = csv_field(data.group_names[static_cast<std::size_t>(data.group_of_row[static_cast<std::size_t>(i)])], delimiter);
        line.append(label.data(), label.data() + label.size());
        for (Eigen::Index j = 0; j < x.cols(); ++j) fmt::format_to(std::back_inserter(line), "{}{}", delimiter, x(i, j));
        line.push_back('\n');
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
}

}  // namespace csipls

#include <algorithm>
#include <cctype>

#include "csipls/io/data_reader.hpp"
#include "csipls/core/error.hpp"
#include "csipls/io/sav.hpp"

namespace csipls {
namespace {

std::string lower_extension(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
    std::string extension = path.substr(dot);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

}  // namespace

bool is_spss_path(const std::string& path) {
    const std::string extension = lower_extension(path);
    return extension == ".sav" || extension == ".zsav";
}

Dataset read_data(const std::string& path, const std::vector<std::string>& columns, const CsvOptions& options) {
    if (is_spss_path(path)) return read_sav(path, columns, options);
    if (lower_extension(path) == ".tsv" && options.delimiter == ',') {
        CsvOptions tab = options;
        tab.delimiter = '\t';
        return read_csv(path, columns, tab);
    }
    return read_csv(path, columns, options);
}

}  // namespace csipls

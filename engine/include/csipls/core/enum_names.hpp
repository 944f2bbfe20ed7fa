#pragma once
// Option enums round-trip through their names (as in the CLI and the JSON result) via one table each.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace csipls {

template <class Enum, std::size_t N>
using EnumNames = std::pair<Enum, std::string_view>[N];

template <class Enum, std::size_t N>
std::string enum_name(const EnumNames<Enum, N>& names, Enum value) {
    for (const auto& [candidate, name] : names)
        if (candidate == value) return std::string(name);
    return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> enum_from_name(const EnumNames<Enum, N>& names, std::string_view text) {
    for (const auto& [candidate, name] : names)
        if (name == text) return candidate;
    return std::nullopt;
}

}  // namespace csipls

#pragma once
// UTF-8, the one module of io: strict where text is validated (model files, CSV headers and group
// labels: RFC 3629, no overlong forms, no surrogates, nothing above U+10FFFF), and a lenient decode,
// as an explicit option, where only a display width is wanted from text already accepted.
#include <cstddef>
#include <string_view>

namespace csipls::utf8 {

// Length of the well-formed UTF-8 sequence at the start of `text` (1 to 4), or 0 when it is
// malformed or `text` is empty.
std::size_t sequence_length(std::string_view text);

enum class Decoding {
    strict,   // a malformed sequence decodes as U+FFFD over its first byte alone
    lenient,  // the length comes from the lead byte alone and the continuation bits are taken as they
              // are (display widths of text that is valid in practice)
};

struct CodePoint {
    char32_t code;
    std::size_t length;  // bytes consumed, at least 1
};

// The code point at the start of non-empty `text`.
CodePoint decode(std::string_view text, Decoding decoding);

}  // namespace csipls::utf8

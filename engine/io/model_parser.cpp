// Reader for model files in lavaan syntax (see model_file.hpp for the grammar).
//
// Three passes over a text that is at most a few kilobytes: the bytes are checked first (UTF-8,
// control characters), so the tokenizer and every error message can treat the text as clean UTF-8;
// the tokenizer then produces tokens with line numbers; statements are split on `;` and on line
// breaks that do not follow a `+`, `*` or operator, and parsed one by one.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "utf8.hpp"

namespace csipls {
namespace {

enum class TokenKind {
    name,
    number,
    number_prefixed,  // `0.4X`, `2nd`: a name may not start with a number, most likely a missing `*`
    reflective,    // =~
    formative,     // <~
    regression,    // ~
    bad_operator,  // any other run of operator characters: lavaan's ~~, :=, ==, <, >, |, ... or junk
    plus,
    star,
    open_paren,
    close_paren,
    semicolon,
    newline,
};

struct Token {
    TokenKind kind;
    std::string_view text;
    int line;
    std::size_t offset;  // byte offset in the text, to tell a sign that touches its number from a `+`
};

bool is_model_operator(TokenKind kind) {
    return kind == TokenKind::reflective || kind == TokenKind::formative || kind == TokenKind::regression;
}

// lavaan's operators that csipls deliberately does not read; anything else made of operator
// characters is simply unknown.
bool is_lavaan_operator(std::string_view op) {
    static constexpr std::string_view known[] = {"~~", ":=", "==", "<", ">", "|", "~*~", "|~", "<=", ">="};
    return std::ranges::find(known, op) != std::end(known);
}

std::string hex_byte(unsigned char byte) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string{'\\', 'x', digits[byte >> 4], digits[byte & 0xF]};
}

using utf8::sequence_length;

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

// Width of a non-ASCII space at the start of `s`, else 0. Chinese input methods readily produce
// the ideographic space U+3000 between words, and word processors the no-break space U+00A0; both
// look like a plain space, so they must separate names rather than become part of one.
std::size_t unicode_space_length(std::string_view s) {
    if (s.starts_with("\xC2\xA0")) return 2;
    if (s.starts_with("\xE3\x80\x80")) return 3;
    return 0;
}

bool is_operator_char(char c) {
    return c == '=' || c == '~' || c == '<' || c == '>' || c == '|';
}

// Characters that end a name. `:` only ends one when it starts `:=`: `A:B` is one token, an
// interaction term, which the statement parser allows only as a predictor.
bool ends_name(std::string_view rest) {
    const char c = rest.front();
    if (is_ascii_space(c) || c == '\n' || is_operator_char(c)) return true;
    if (c == '+' || c == '*' || c == '#' || c == '!' || c == ';' || c == '(' || c == ')') return true;
    if (rest.starts_with(":=")) return true;
    return unicode_space_length(rest) > 0;
}

// A token that starts like a number (a digit, or a point and a digit, after an optional minus) is a
// number if from_chars consumes all of it, and a malformed name otherwise. Going by the start keeps
// `inf`, `nan` and `infinity` names, which from_chars would otherwise read as non-finite numbers.
bool looks_like_number(std::string_view s) {
    if (s.starts_with('-')) s.remove_prefix(1);
    if (s.empty()) return false;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (digit(s[0])) return true;
    return s.size() >= 2 && s[0] == '.' && digit(s[1]);
}

bool parses_as_number(std::string_view s) {
    if (!looks_like_number(s)) return false;
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    // An out-of-range literal is still a number (an unusable one, reported when it is used).
    return end == s.data() + s.size() && (ec == std::errc{} || ec == std::errc::result_out_of_range);
}

class Parser {
public:
    Parser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

    Model parse() {
        if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
        check_bytes();
        tokenize();

        Model model;
        model.source = source_;
        std::size_t statements = 0;
        std::size_t begin = 0;
        std::optional<TokenKind> last;  // the statement's last token so far, line breaks aside
        for (std::size_t i = 0; i <= tokens_.size(); ++i) {
            if (i < tokens_.size()) {
                const TokenKind kind = tokens_[i].kind;
                if (kind == TokenKind::newline) {
                    if (last && continues_after(*last)) continue;
                } else if (kind != TokenKind::semicolon) {
                    last = kind;
                    continue;
                }
            }
            last.reset();
            std::vector<Token> statement;
            for (std::size_t k = begin; k < i; ++k) {
                if (tokens_[k].kind != TokenKind::newline) statement.push_back(tokens_[k]);
            }
            if (!statement.empty()) {
                parse_statement(statement, model);
                ++statements;
            }
            begin = i + 1;
        }
        if (statements == 0) throw InputError(source_ + ": the model has no statements");
        name_dotted_interactions(model);
        return model;
    }

private:
    [[noreturn]] void fail(int line, const std::string& what, std::string_view token) const {
        throw InputError(source_ + ":" + std::to_string(line) + ": " + what + " near '" + std::string(token) + "'");
    }
    [[noreturn]] void fail(const Token& token, const std::string& what) const {
        fail(token.line, what, token.text);
    }

    // Rejects what the tokenizer must never see, so that every later message quotes valid text.
    void check_bytes() const {
        if (text_.starts_with("\xFF\xFE") || text_.starts_with("\xFE\xFF")) {
            fail(1, "the file is UTF-16; save it as UTF-8", hex_byte(static_cast<unsigned char>(text_[0])));
        }
        int line = 1;
        for (std::size_t pos = 0; pos < text_.size();) {
            const auto byte = static_cast<unsigned char>(text_[pos]);
            if (byte == '\n' || (byte == '\r' && !text_.substr(pos).starts_with("\r\n"))) {
                ++line;
            } else if (byte == 0) {
                fail(line, "NUL byte (a binary or UTF-16 file?)", "\\0");
            } else if ((byte < 0x20 && !is_ascii_space(static_cast<char>(byte))) || byte == 0x7F) {
                fail(line, "control character", hex_byte(byte));
            } else if (byte >= 0x80) {
                const std::size_t length = sequence_length(text_.substr(pos));
                if (length == 0) {
                    fail(line, "invalid UTF-8 (save the file as UTF-8, not GBK or Latin-1)", hex_byte(byte));
                }
                pos += length;
                continue;
            }
            ++pos;
        }
    }

    void push(TokenKind kind, std::size_t begin, std::size_t end, int line) {
        tokens_.push_back(Token{kind, text_.substr(begin, end - begin), line, begin});
    }

    void tokenize() {
        int line = 1;
        std::size_t pos = 0;
        while (pos < text_.size()) {
            const std::string_view rest = text_.substr(pos);
            const char c = rest.front();
            // A lone CR ends a line (classic Mac files); the CR of a CRLF is just space.
            if (c == '\n' || (c == '\r' && !rest.starts_with("\r\n"))) {
                push(TokenKind::newline, pos, pos + 1, line);
                ++line;
                ++pos;
            } else if (is_ascii_space(c)) {
                ++pos;
            } else if (const std::size_t space = unicode_space_length(rest); space > 0) {
                pos += space;
            } else if (c == '#' || c == '!') {
                while (pos < text_.size() && text_[pos] != '\n' && text_[pos] != '\r') ++pos;
            } else if (c == '+' || c == '*' || c == ';' || c == '(' || c == ')') {
                const TokenKind kind = c == '+'   ? TokenKind::plus
                                       : c == '*' ? TokenKind::star
                                       : c == ';' ? TokenKind::semicolon
                                       : c == '(' ? TokenKind::open_paren
                                                  : TokenKind::close_paren;
                push(kind, pos, pos + 1, line);
                ++pos;
            } else if (is_operator_char(c) || rest.starts_with(":=")) {
                std::size_t end = pos + 1;
                while (end < text_.size() && is_operator_char(text_[end])) ++end;
                std::string_view op = text_.substr(pos, end - pos);
                if (op == "~" && text_.substr(end).starts_with("*~")) {
                    end += 2;
                    op = text_.substr(pos, end - pos);
                }
                const TokenKind kind = op == "=~"  ? TokenKind::reflective
                                       : op == "<~" ? TokenKind::formative
                                       : op == "~"  ? TokenKind::regression
                                                    : TokenKind::bad_operator;
                push(kind, pos, end, line);
                pos = end;
            } else {
                // The branches above take every character that ends a name, so this one always
                // starts a name; stepping at least once guarantees progress all the same.
                std::size_t end = pos;
                do {
                    end += sequence_length(text_.substr(end));
                } while (end < text_.size() && !ends_name(text_.substr(end)));
                const std::string_view word = text_.substr(pos, end - pos);
                const TokenKind kind = !looks_like_number(word) ? TokenKind::name
                                       : parses_as_number(word) ? TokenKind::number
                                                                : TokenKind::number_prefixed;
                push(kind, pos, end, line);
                pos = end;
            }
        }
    }

    // A statement goes on past a line break when its line cannot be complete: after `+`, after
    // `*`, or right after the operator (`F =~` with the indicators on the following lines).
    static bool continues_after(TokenKind kind) {
        return kind == TokenKind::plus || kind == TokenKind::star || is_model_operator(kind) ||
               kind == TokenKind::bad_operator;
    }

    [[noreturn]] void fail_bad_operator(const Token& token) const {
        if (is_lavaan_operator(token.text)) {
            fail(token, "unsupported operator '" + std::string(token.text) + "' (csipls reads =~, <~ and ~)");
        }
        fail(token, "unknown operator '" + std::string(token.text) + "' (csipls reads =~, <~ and ~)");
    }

    double number_value(const Token& token) const {
        double value = 0;
        const auto [end, ec] = std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
        if (ec != std::errc{} || end != token.text.data() + token.text.size() || !std::isfinite(value)) {
            fail(token, "number out of range");
        }
        return value;
    }

    struct Term {
        const Token* name;
        std::optional<double> value;
    };

    // term := [sign] number '*' name | name
    Term parse_term(std::span<const Token> t, std::size_t& i, TokenKind op) const {
        const auto next_is = [&](std::size_t k, TokenKind kind) { return k < t.size() && t[k].kind == kind; };
        // `+0.4*X` (a plus touching the number) is an explicit sign; `+ +` or `+ X` is a dangling
        // `+`. A minus needs no such care: it is part of the number's token.
        if (t[i].kind == TokenKind::plus && next_is(i + 1, TokenKind::number) &&
            t[i + 1].offset == t[i].offset + 1) {
            ++i;
        }
        const Token& first = t[i];
        switch (first.kind) {
            case TokenKind::name:
                if (next_is(i + 1, TokenKind::star)) {
                    fail(first, "unsupported label '" + std::string(first.text) +
                                    "*' (csipls reads only numbers as fixed values, as in 0.4*" +
                                    (next_is(i + 2, TokenKind::name) ? std::string(t[i + 2].text) : "x") + ")");
                }
                if (next_is(i + 1, TokenKind::open_paren)) {
                    fail(first, "unsupported modifier '" + std::string(first.text) +
                                    "(...)' (csipls reads only numbers as fixed values, as in 0.4*x)");
                }
                ++i;
                return Term{&first, std::nullopt};
            case TokenKind::number: {
                if (!next_is(i + 1, TokenKind::star)) {
                    if (op == TokenKind::regression && first.text == "1") {
                        fail(first, "unsupported operator '~1' (intercepts; csipls reads =~, <~ and ~)");
                    }
                    fail(first, "a number where a name is required (a fixed value is written 0.4*name)");
                }
                const double value = number_value(first);
                const Token& star = t[i + 1];
                if (!next_is(i + 2, TokenKind::name)) {
                    if (next_is(i + 2, TokenKind::number)) fail(t[i + 2], "a number where a name is required");
                    fail(star, "'*' without a name after it");
                }
                i += 3;
                return Term{&t[i - 1], value};
            }
            case TokenKind::plus:
                fail(first, "'+' without a term before it");
            case TokenKind::star:
                fail(first, "'*' without a number before it");
            case TokenKind::open_paren:
            case TokenKind::close_paren:
                fail(first, "unexpected '" + std::string(first.text) + "'");
            default:
                fail(first, "a second operator in one statement (missing line break or ';'?)");
        }
    }

    void parse_statement(std::span<const Token> t, Model& model) const {
        // lavaan's other operators are the likeliest reason for a line to be unreadable, so they
        // are reported before anything else the line might also get wrong.
        for (const Token& token : t) {
            if (token.kind == TokenKind::bad_operator) fail_bad_operator(token);
        }
        for (const Token& token : t) {
            if (token.kind == TokenKind::number_prefixed) {
                fail(token, "a name cannot start with a number (a fixed value is written 0.4*name)");
            }
        }
        const Token& lhs = t[0];
        switch (lhs.kind) {
            case TokenKind::name:
                break;
            case TokenKind::reflective:
            case TokenKind::formative:
            case TokenKind::regression:
                fail(lhs, "missing left-hand side before '" + std::string(lhs.text) + "'");
            case TokenKind::plus:
                fail(lhs, "statement starts with '+' (to continue a statement, end the previous line with '+')");
            case TokenKind::star:
                fail(lhs, "'*' without a number before it");
            case TokenKind::number:
                fail(lhs, "a number where a construct name is required");
            default:
                fail(lhs, "unexpected '" + std::string(lhs.text) + "'");
        }
        if (t.size() == 1) fail(lhs, "statement without an operator (expected =~, <~ or ~)");
        const Token& op = t[1];
        if (!is_model_operator(op.kind)) {
            fail(op, "expected =~, <~ or ~ after '" + std::string(lhs.text) + "'");
        }
        if (t.size() == 2) fail(op, "missing right-hand side after '" + std::string(op.text) + "'");

        std::vector<Term> terms;
        std::size_t i = 2;
        while (true) {
            terms.push_back(parse_term(t, i, op.kind));
            if (i == t.size()) break;
            const Token& sep = t[i];
            if (sep.kind == TokenKind::plus) {
                if (++i == t.size()) fail(sep, "'+' without a term after it");
                continue;
            }
            if (is_model_operator(sep.kind)) fail(sep, "a second operator in one statement (missing line break or ';'?)");
            if (sep.kind == TokenKind::name || sep.kind == TokenKind::number) fail(sep, "expected '+' between terms");
            fail(sep, "unexpected '" + std::string(sep.text) + "'");
        }

        // `:` makes an interaction term (`Y ~ A + B + A:B`) and nothing else: older files that used
        // it inside names must rename them.
        if (lhs.text.find(':') != std::string_view::npos) {
            if (op.kind == TokenKind::regression)
                fail(lhs, "the product term '" + std::string(lhs.text) + "' cannot be on the left of '~' (an interaction "
                          "term predicts: Y ~ A + B + A:B)");
            fail(lhs, "':' is reserved for interaction terms (A:B in a structural path): rename the construct '" +
                          std::string(lhs.text) + "'");
        }
        if (op.kind != TokenKind::regression)
            for (const Term& term : terms)
                if (term.name->text.find(':') != std::string_view::npos)
                    fail(*term.name, "':' is reserved for interaction terms (A:B in a structural path): rename the indicator '" +
                                         std::string(term.name->text) + "' in the model and the data");
        if (op.kind == TokenKind::regression) {
            for (const Term& term : terms) {
                model.paths.push_back(StructuralPath{.from = std::string(term.name->text),
                                                     .to = std::string(lhs.text),
                                                     .population_value = term.value,
                                                     .line = term.name->line});
            }
            return;
        }
        add_block(lhs, op, terms, model);
    }

    // cSEM writes an interaction `A.B`; a predictor that is no construct but splits at a point into
    // two constructs is read as that interaction and named as lavaan writes it, `A:B`.
    static void name_dotted_interactions(Model& model) {
        for (auto& path : model.paths) {
            if (model.construct_index(path.from) >= 0 || path.from.find(':') != std::string::npos) continue;
            for (std::size_t dot = path.from.find('.'); dot != std::string::npos; dot = path.from.find('.', dot + 1)) {
                if (model.construct_index(path.from.substr(0, dot)) >= 0 && model.construct_index(path.from.substr(dot + 1)) >= 0) {
                    path.from[dot] = ':';
                    break;
                }
            }
        }
    }

    // lavaan merges repeated definitions of a block, so `F =~ a` and later `F =~ b` make one block.
    void add_block(const Token& lhs, const Token& op, const std::vector<Term>& terms, Model& model) const {
        const auto mode = op.kind == TokenKind::reflective ? MeasurementMode::reflective : MeasurementMode::formative;
        auto block = std::ranges::find(model.constructs, lhs.text, &Construct::name);
        if (block == model.constructs.end()) {
            model.constructs.push_back(Construct{.name = std::string(lhs.text),
                                                 .mode = mode,
                                                 .indicators = {},
                                                 .population_loadings = {},
                                                 .line = lhs.line});
            block = model.constructs.end() - 1;
        } else if (block->mode != mode) {
            const char* first = block->mode == MeasurementMode::reflective ? "=~" : "<~";
            fail(op, "'" + block->name + "' was defined with '" + first + "' on line " + std::to_string(block->line) +
                         " and now with '" + std::string(op.text) + "'");
        }
        for (const Term& term : terms) {
            if (std::ranges::find(block->indicators, term.name->text) != block->indicators.end()) {
                fail(*term.name, "indicator '" + std::string(term.name->text) + "' appears twice in block '" +
                                     block->name + "'");
            }
            block->indicators.emplace_back(term.name->text);
            block->population_loadings.push_back(term.value);
        }
    }

    std::string_view text_;
    const std::string& source_;
    std::vector<Token> tokens_;
};

}  // namespace

namespace {

// `scale` and `reverse` lines are csipls's own statements, not lavaan's: they are read here and
// blanked (line breaks kept, so the lavaan parser's line numbers stay right).
struct Directives {
    std::string remaining_text;
    std::vector<ScaleStatement> scales;
    std::vector<ReverseStatement> reversed;
    std::optional<LayoutStatement> layout;
};

std::vector<std::string> directive_names(std::string_view rest) {
    std::vector<std::string> names;
    std::size_t i = 0;
    while (i < rest.size()) {
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == ',' || rest[i] == '+' || rest[i] == '\r')) ++i;
        const std::size_t start = i;
        while (i < rest.size() && rest[i] != ' ' && rest[i] != '\t' && rest[i] != ',' && rest[i] != '+' && rest[i] != '\r') ++i;
        if (i > start) names.emplace_back(rest.substr(start, i - start));
    }
    return names;
}

// `layout A B | C | D E`: the columns, each a list of names. `where` prefixes errors (file:line).
LayoutStatement read_layout(std::string_view rest, const std::string& where) {
    LayoutStatement layout;
    std::size_t start = 0;
    while (true) {
        const std::size_t bar = rest.find('|', start);
        const std::string_view part = rest.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
        std::vector<std::string> column = directive_names(part);
        if (column.empty())
            throw InputError(where + "'layout' has an empty column " + std::to_string(layout.columns.size() + 1) +
                             ": list each column's constructs from top to bottom, columns separated by '|', e.g. "
                             "'layout Image Expectation | Satisfaction | Loyalty'");
        layout.columns.push_back(std::move(column));
        if (bar == std::string_view::npos) break;
        start = bar + 1;
    }
    return layout;
}

// Every name of the layout is a construct, named once. Errors name the line.
void check_layout(const LayoutStatement& layout, const Model& model) {
    const std::string where = model.source + ":" + std::to_string(layout.line) + ": ";
    std::set<std::string> seen;
    for (const auto& column : layout.columns)
        for (const auto& name : column) {
            if (model.construct_index(name) < 0)
                throw InputError(where + "'layout' names '" + name + "', which is not a construct of the model");
            if (!seen.insert(name).second) throw InputError(where + "'layout' names the construct '" + name + "' twice");
        }
}

Directives read_directives(std::string_view text, const std::string& source) {
    Directives out;
    out.remaining_text.assign(text);
    std::size_t line_start = 0;
    int line = 1;
    while (line_start <= text.size()) {
        std::size_t line_end = text.find('\n', line_start);
        if (line_end == std::string_view::npos) line_end = text.size();
        std::string_view content = text.substr(line_start, line_end - line_start);
        const auto hash = content.find('#');
        if (hash != std::string_view::npos) content = content.substr(0, hash);
        const auto first = content.find_first_not_of(" \t");
        const std::string_view body = first == std::string_view::npos ? std::string_view() : content.substr(first);
        const auto keyword_end = body.find_first_of(" \t");
        const std::string_view keyword = body.substr(0, keyword_end);
        const bool directive =
            (keyword == "scale" || keyword == "reverse" || keyword == "layout") && body.find('~') == std::string_view::npos;
        if (directive) {
            const std::string where = source + ":" + std::to_string(line) + ": ";
            const std::string_view rest = keyword_end == std::string_view::npos ? std::string_view() : body.substr(keyword_end);
            std::vector<std::string> words = directive_names(rest);
            if (keyword == "layout") {
                if (out.layout)
                    throw InputError(where + "a second 'layout' line (the first is line " + std::to_string(out.layout->line) +
                                     "): give every column in one line");
                out.layout = read_layout(rest, where);
                out.layout->line = line;
            } else if (keyword == "scale") {
                if (words.empty()) throw InputError(where + "'scale' needs MIN:MAX, e.g. 'scale 1:10' or 'scale 1:5 Loyalty'");
                ScaleStatement statement;
                statement.line = line;
                const std::string& range = words.front();
                const auto colon = range.find(':');
                auto parse = [&](std::string_view part, double& value) {
                    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
                    return !part.empty() && ec == std::errc() && end == part.data() + part.size() && std::isfinite(value);
                };
                if (colon == std::string::npos || !parse(std::string_view(range).substr(0, colon), statement.min) ||
                    !parse(std::string_view(range).substr(colon + 1), statement.max) || !(statement.max > statement.min))
                    throw InputError(where + "'scale' takes MIN:MAX with MIN < MAX, got '" + range + "'");
                statement.names.assign(words.begin() + 1, words.end());
                out.scales.push_back(std::move(statement));
            } else {
                if (words.empty()) throw InputError(where + "'reverse' needs the names of the reverse-coded items");
                out.reversed.push_back(ReverseStatement{std::move(words), line});
            }
            for (std::size_t i = line_start; i < line_end; ++i)
                if (out.remaining_text[i] != '\r') out.remaining_text[i] = ' ';
        }
        line_start = line_end + 1;
        ++line;
    }
    return out;
}

}  // namespace

Model parse_model(std::string_view text, const std::string& source_name) {
    Directives directives = read_directives(text, source_name);
    Model model = Parser(directives.remaining_text, source_name).parse();
    model.scales = std::move(directives.scales);
    model.reversed = std::move(directives.reversed);
    if (directives.layout) {
        check_layout(*directives.layout, model);
        model.layout = std::move(directives.layout);
    }
    model.source_xxh64 = xxh64_hex(text.data(), text.size());
    return model;
}

Model read_model_file(const std::string& path) {
    return parse_model(read_text_file(path), path);
}

}  // namespace csipls

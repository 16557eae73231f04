// The lexers' long brackets (see long_bracket.h): read_long_bracket follows llex.c
// read_long_string and lj_lex.c lex_longstring step by step.
#include "long_bracket.h"

namespace codecache::fuzz {
namespace {

bool is_newline(char c) { return c == '\n' || c == '\r'; }

// The bytes of the line break at `at`: "\r\n" and "\n\r" are one break.
std::size_t newline_size(std::string_view text, std::size_t at) {
  const bool pair = at + 1 < text.size() && is_newline(text[at + 1]) && text[at + 1] != text[at];
  return pair ? 2 : 1;
}

// skip_sep / lex_skipeq: the bracket `text[at]` and the `=`s after it are read;
// returns their count when the same bracket follows (not read), else -count - 1.
int skip_sep(std::string_view text, std::size_t& at) {
  const char bracket = text[at++];
  int count = 0;
  while (at < text.size() && text[at] == '=') {
    ++at;
    ++count;
  }
  return at < text.size() && text[at] == bracket ? count : -count - 1;
}

}  // namespace

int long_bracket_level(std::string_view text) {
  if (!text.starts_with("[")) return -1;
  std::size_t at = 0;
  const int level = skip_sep(text, at);
  return level >= 0 ? level : -1;
}

LongBracket read_long_bracket(std::string_view text, engine::Id engine) {
  // LUA_COMPAT_LSTR == 1: an opener of the bracket's own level is looked for, and
  // it is an error at level 0. LuaJIT never looks at '['.
  const bool puc_lua51 = engine == engine::Id::lua51;
  LongBracket b;
  std::size_t at = 0;
  const int level = skip_sep(text, at);
  ++at;  // the second '['
  if (at < text.size() && is_newline(text[at])) {  // a first line break is skipped, and counted
    at += newline_size(text, at);
    ++b.line_breaks;
  }
  for (;;) {
    if (at == text.size()) {
      b.end = LongBracketEnd::unfinished;
      break;
    }
    const char c = text[at];
    if (c == '[' && puc_lua51) {
      if (skip_sep(text, at) == level) {
        ++at;  // the second '['
        if (level == 0) {
          b.end = LongBracketEnd::nested;
          break;
        }
      }
    } else if (c == ']') {
      if (skip_sep(text, at) == level) {
        ++at;  // the second ']'
        b.end = LongBracketEnd::closed;
        break;
      }
    } else if (is_newline(c)) {
      at += newline_size(text, at);
      ++b.line_breaks;
    } else {
      ++at;
    }
  }
  b.size = at;
  return b;
}

int line_breaks(std::string_view text) {
  int breaks = 0;
  for (std::size_t at = 0; at < text.size();) {
    if (is_newline(text[at])) {
      at += newline_size(text, at);
      ++breaks;
    } else {
      ++at;
    }
  }
  return breaks;
}

std::string long_bracket_error(LongBracketEnd end, bool comment) {
  switch (end) {
    case LongBracketEnd::closed: return "";
    case LongBracketEnd::unfinished:
      return comment ? "unfinished long comment near '<eof>'" : "unfinished long string near '<eof>'";
    case LongBracketEnd::nested: return "nesting of [[...]] is deprecated near '['";
  }
  return "";
}

}  // namespace codecache::fuzz

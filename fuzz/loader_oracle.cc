// The chunk_loader oracle (see loader_oracle.h).
#include "loader_oracle.h"

#include <cctype>

namespace codecache::fuzz {
namespace {

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

// A limit on nesting, the only kind the wrapper's extra function level can reach:
// the parser's levels (Lua 5.1 lparser.c enterlevel, "chunk has too many syntax
// levels"; LuaJIT lj_parse.c synlevel_begin, "too many syntax levels") and the C
// stack (Lua 5.1 ldo.c "C stack overflow", LuaJIT "C levels").
bool level_limit(std::string_view message) {
  return contains(message, "syntax levels") || contains(message, "C stack overflow") ||
         contains(message, "C levels");
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// LuaJIT's lexer start (lj_lex.c lj_lex_setup): a UTF-8 BOM, then a '#' line up to
// its end of line, which is kept (the lexer stops at it).
std::string_view without_skipped_start(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  if (s.starts_with("#")) {
    const std::size_t eol = s.find_first_of("\r\n");
    s.remove_prefix(eol == std::string_view::npos ? s.size() : eol);
  }
  return s;
}

bool same(const LoadResult& a, const LoadResult& b) {
  return a.ok() == b.ok() && a.lua_status == b.lua_status && a.message == b.message;
}

}  // namespace

const char* to_string(Disagreement d) {
  switch (d) {
    case Disagreement::none: return "none";
    case Disagreement::vararg: return "vararg";
    case Disagreement::skipped_first_line: return "skipped_first_line";
    case Disagreement::wrapper_escape: return "wrapper_escape";
    case Disagreement::nesting_limit: return "nesting_limit";
    case Disagreement::unexplained: return "unexplained";
  }
  return "?";
}

std::string factory_wrapper(std::string_view source) {
  return "return function() " + std::string(source) + "\nend";
}

std::string evidence_against(Disagreement d, std::string_view source, const LoadResult& factory,
                             const LoadResult& direct, const DirectLoad& load_direct, bool luajit) {
  if (!same(factory, load_direct(factory_wrapper(source))))
    return "the factory's result is not the direct load of ngx_lua's wrapper";
  switch (d) {
    case Disagreement::vararg:
      if (load_direct("return function(...) " + std::string(source) + "\nend").ok()) return "";
      return "the wrapper with a vararg function does not load either";
    case Disagreement::skipped_first_line:
      if (!luajit) return "only LuaJIT's lexer skips a first line";
      if (load_direct(without_skipped_start(source)).ok() == direct.ok()) return "";
      return "the source without its BOM and '#' line loads differently";
    case Disagreement::wrapper_escape:
      if (ends_with(direct.message, "'<eof>' expected near 'end'")) return "";
      return "the direct loader's error is not an unmatched 'end'";
    case Disagreement::nesting_limit: {
      if (!level_limit(factory.message)) return "the factory's error is not a level limit";
      const LoadResult deeper = load_direct("do do " + std::string(source) + "\nend end");
      if (!deeper.ok() && level_limit(deeper.message)) return "";
      return "the source is not within two levels of the limit";
    }
    case Disagreement::none:
    case Disagreement::unexplained: break;
  }
  return "no documented class";
}

Disagreement classify(std::string_view source, bool factory_ok, std::string_view rejection) {
  if (!factory_ok && level_limit(rejection)) return Disagreement::nesting_limit;
  // LuaJIT's lexer skips a BOM / '#' first line of the chunk, which the factory
  // sees in the middle of its wrapper: either loader may be the one that accepts
  // (a BOM is three identifier bytes to LuaJIT, so "\xEF\xBB\xBF=1" is an
  // assignment in the factory and "=1" to the direct loader).
  if (source.starts_with("\xEF\xBB\xBF") || source.starts_with("#")) {
    return Disagreement::skipped_first_line;
  }
  if (factory_ok) {
    // The direct loader stops at an `end` that the wrapper's function absorbs.
    if (contains(rejection, "near 'end'")) return Disagreement::wrapper_escape;
    return Disagreement::unexplained;
  }
  if (contains(rejection, "cannot use '...' outside a vararg function")) return Disagreement::vararg;
  return Disagreement::unexplained;
}

bool well_formed_syntax_error(std::string_view message, std::string_view chunk, int max_line) {
  if (!message.starts_with(chunk) || message.size() <= chunk.size() + 1) return false;
  std::string_view rest = message.substr(chunk.size());
  if (rest[0] != ':') return false;
  rest.remove_prefix(1);
  long line = 0;
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
    if (line < 100'000'000) line = line * 10 + (rest[digits] - '0');
    ++digits;
  }
  if (digits == 0 || line < 1 || line > max_line) return false;
  return rest.substr(digits).starts_with(": ");
}

}  // namespace codecache::fuzz

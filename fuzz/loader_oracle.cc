// The chunk_loader oracle (see loader_oracle.h).
#include "loader_oracle.h"

#include <cctype>

namespace codecache::fuzz {
namespace {

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
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

Disagreement classify(std::string_view source, bool factory_ok, std::string_view rejection) {
  if (contains(rejection, "syntax levels") || contains(rejection, "too complex") ||
      contains(rejection, "too long") || contains(rejection, "has more than") ||
      contains(rejection, "overflow") || contains(rejection, "too many")) {
    return Disagreement::nesting_limit;
  }
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

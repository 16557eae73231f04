// The trailing-comment oracle (see trailing_comment_oracle.h).
#include "trailing_comment_oracle.h"

#include "long_bracket.h"

namespace codecache::fuzz {
namespace {

// What the factory appends to the source (core/model/chunk_loader.cc, kFactoryEnd);
// its prefix, "return function() ", holds no line break.
constexpr std::string_view kFactorySuffix = "\nend";

}  // namespace

std::optional<std::string> trailing_comment_load_error(std::string_view handler,
                                                       std::string_view comment,
                                                       std::string_view chunk, engine::Id engine) {
  const std::string_view text = comment.substr(2);  // after "--"
  // A line comment ends at its line break, or at the suffix's.
  if (long_bracket_level(text) < 0) return std::nullopt;
  // The lexer reads on into the suffix when the comment is left open.
  const LongBracket b = read_long_bracket(std::string(text) + std::string(kFactorySuffix), engine);
  if (b.end == LongBracketEnd::closed) return std::nullopt;
  const int line = 1 + line_breaks(handler) + b.line_breaks;
  return std::string(chunk) + ":" + std::to_string(line) + ": " +
         long_bracket_error(b.end, /*comment=*/true);
}

}  // namespace codecache::fuzz

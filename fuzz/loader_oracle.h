// What the chunk_loader target knows about ngx_lua's two loaders: the documented
// classes of source on which the factory (classic) and direct (OpenResty) loaders
// legitimately disagree (§2.5), and what a well-formed load error looks like.
#pragma once

#include <string>
#include <string_view>

namespace codecache::fuzz {

enum class Disagreement {
  none,                // both accept or both reject
  vararg,              // top-level `...`: direct only
  skipped_first_line,  // BOM / '#' first line skipped by LuaJIT's lexer: either way
  wrapper_escape,      // an `end` closes the factory's function: factory only
  nesting_limit,       // the wrapper adds one level of nesting to a chunk at a limit
  unexplained,
};

const char* to_string(Disagreement);

// Classifies a disagreement from the source and the message of the loader that
// rejected it. `factory_ok` tells which loader accepted.
Disagreement classify(std::string_view source, bool factory_ok, std::string_view rejection);

// A syntax error reads "<chunk>:<line>: <message>" with 1 <= line <= max_line.
bool well_formed_syntax_error(std::string_view message, std::string_view chunk, int max_line);

}  // namespace codecache::fuzz

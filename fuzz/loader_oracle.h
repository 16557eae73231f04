// What the chunk_loader target knows about ngx_lua's two loaders
// (ngx_http_lua_clfactory_loadbuffer with and without OPENRESTY_LUAJIT): the
// classes of source on which the factory (classic) and direct (OpenResty) loaders
// legitimately disagree (conformance/cases/loader_table.case, first_line.case),
// and what a well-formed load error looks like.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/model/chunk_loader.h"

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

// ngx_lua's closure factory for inline code, as ngx_http_lua_clfactory.c writes it
// (CLFACTORY_BEGIN_CODE, CLFACTORY_END_CODE): the oracle's own copy, so that the
// core's factory is checked against it, not against itself.
std::string factory_wrapper(std::string_view source);

// The engine's direct load of a text (lua_load with the handler's chunk name).
using DirectLoad = std::function<LoadResult(std::string_view text)>;

// Evidence that a disagreement of class `d` is that class, re-derived with the
// direct loader; "" when it holds, else what does not hold (then the disagreement
// is a finding). For every class, the factory's result is the direct load of
// factory_wrapper(source) (same verdict, same message). Then:
//   vararg             the factory rejected "cannot use '...' outside a vararg
//                      function", and the wrapper with a vararg function
//                      ("return function(...) ") loads;
//   skipped_first_line LuaJIT only (lj_lex.c skips a BOM, then a '#' line): the
//                      direct load of the source without them gives the direct
//                      verdict on the source;
//   wrapper_escape     the direct loader rejected "'<eof>' expected near 'end'" (an
//                      `end` it cannot match, which closes the wrapper's function);
//   nesting_limit      the factory rejected with a level limit ("too many syntax
//                      levels", "C stack overflow", "C levels"), and the source
//                      inside two more `do ... end` fails the direct loader with a
//                      level limit too: the source is within two levels of it.
std::string evidence_against(Disagreement d, std::string_view source, const LoadResult& factory,
                             const LoadResult& direct, const DirectLoad& load_direct, bool luajit);

// A syntax error reads "<chunk>:<line>: <message>" with 1 <= line <= max_line.
bool well_formed_syntax_error(std::string_view message, std::string_view chunk, int max_line);

}  // namespace codecache::fuzz

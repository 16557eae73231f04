// The handler files of the generated differential (referee_fuzz_main.cc): one seed
// gives one handler file, a handler of fuzz/handler_grammar.h (locals, globals and
// upvalues, nested blocks, errors of every kind of value and level, coroutines,
// ngx.say/print/log/flush/exit/status in any order, CR/LF mixes) dressed with
// what the model claims about loading: a trailing comment of any kind
// (fuzz/trailing_comment_gen.h), a shebang line, a UTF-8 BOM, a top-level
// `return`, a stray token that makes it a syntax error, an
// `end, <expr>, function()` that escapes the closure factory, and a first line
// that reaches or replaces function environments (setfenv/getfenv).
#pragma once

#include <cstdint>
#include <string>

namespace codecache::conformance {

struct GeneratedHandler {
  std::string source;
  std::string dress;  // what was added to the grammar's handler: "plain", "bom+trailing comment", ...
};

// The same seed gives the same handler on every machine and engine.
GeneratedHandler generate_referee_handler(std::uint64_t seed);

}  // namespace codecache::conformance

// A structure-aware handler generator for the fuzz targets whose property needs a
// handler that loads (trailing_comment, bytecode_roundtrip): any bytes decode, through
// FuzzedDataProvider, into Lua 5.1 source that every engine compiles both as a main
// chunk and inside ngx_lua's closure factory ("return function() " .. H .. "\nend").
//
// What it draws from: locals, globals and upvalues; nested blocks (if/elseif/else,
// numeric and ipairs for loops, while with break, repeat, do, local functions,
// closures, pcall, coroutine.wrap with yield); `do return ... end` anywhere; error
// with every kind of value and level; ngx.say/print/log/flush/exit and the status
// setter in any order; table constructors with array, hash and computed keys; string
// literals of every quoting (short strings with escapes, long brackets of level 0-3
// across lines); numbers in decimal, float, exponent and hex form; line breaks LF,
// CR, CRLF, spaces and semicolons between statements.
//
// What it never produces, so that the properties can use every generated handler:
// a comment or the two bytes "--" anywhere (string literals escape '-'); top-level
// `...`; a call whose result varies between runs (time, randomness, addresses:
// tostring, %s of a table, GC counts); a loop that is not bounded by literals.
// Pinned by tests/unit/handler_grammar_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace codecache::fuzz {

std::string generated_handler(const std::uint8_t* data, std::size_t size);

}  // namespace codecache::fuzz

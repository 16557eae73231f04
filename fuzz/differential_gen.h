// The differential fuzz target's program generator: any bytes decode, through
// FuzzedDataProvider, into a handler of arithmetic, strings, tables and control flow
// over a few locals, printed with ngx.say, after a fixed prelude of locals and two
// helpers. Raw bytes would be dominated by syntax errors. It never generates what
// the engines document as different (engine_difference_normaliser.h): goto, bit,
// jit, FFI, the order of pairs (it only counts keys), the border of a table with
// holes, addresses, hex and \x escapes in code, Lua 5.1-only compat functions,
// string positions beyond int32, a NaN or a -0 into math.max/min, a NaN into a
// string that flows on, a control character into %q, a call that returns nothing
// as an argument, a constant PUC Lua would fold to -0. Pinned by
// tests/unit/differential_gen_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace codecache::fuzz {

std::string differential_program(const std::uint8_t* data, std::size_t size);

}  // namespace codecache::fuzz

// What bytecode_roundtrip normalises away when it compares a handler served from
// source with the same handler served from a *stripped* LuaJIT dump: exactly what
// stripping documentedly removes (the debug info: line numbers, variable names,
// the chunk name), and nothing else. Pinned, case by case and for how narrow each
// rule is, by tests/unit/debug_info_normaliser_test.cc.
#pragma once

#include <string>
#include <string_view>

namespace codecache::fuzz {

// The chunk name the bytecode_roundtrip target serves its handler under.
inline constexpr std::string_view kRoundtripPath = "/codecache-fuzz/handler.lua";

// Applied to an outcome's comparable text (fuzz::comparable):
//   - "stack traceback:" keeps its heading and loses its frame lines (lines that
//     start with a tab or "coroutine "): frames are named from debug info;
//   - positions: "<path>:<line>:", "[lua] handler.lua:<line>:" (ngx.log's prefix)
//     and "?:<line>:" / "?:" (LuaJIT names a stripped chunk "?") become "<pos>:";
//   - ngx.log's "<pos>: fn(): " names the calling function: "fn(): " goes;
//   - "<kind> 'x' (a nil value)" reads "a nil value", for the kinds local,
//     upvalue, global, field, method and constant (LuaJIT names what it can from
//     debug info; without it, upvalues are '' and globals are found differently);
//   - "bad argument #<n> to 'name'" reads "bad argument #<n> to '?'": LuaJIT
//     names the callee from the caller's debug info (a local's name; through a
//     tail call, the name of the function that made it), and without it says '?'.
std::string without_debug_info(std::string text);

// The variable-name rule above alone: "<kind> 'x' (a nil value)" reads "a nil
// value". The differential's normaliser applies it too: PUC Lua and LuaJIT infer
// the names of an error's operand differently (engine_difference_normaliser.h).
void erase_variable_names(std::string& text);

// Under `classic` the source handler runs as the closure factory's inner function,
// "in function <path:1>" in a traceback, while the bytecode's main proto keeps its
// identity ("in main chunk"); that one frame name is made "in main chunk".
std::string handler_frame_as_main(std::string text);

}  // namespace codecache::fuzz

// The LuaJIT bytecode verifier: whether loading and running a bytecode dump could
// break the engine's memory safety, decided from the bytes alone (LuaJIT has no
// verifier of its own; lj_bcread.c trusts what it reads). Compiled into the LuaJIT
// builds only; the engine seam's verify_bytecode (engine.h) is its caller.
//
// Sound, not heuristic: a dump is `safe` only when every instruction of every
// prototype passes rules that cover what the interpreter (vm_x64.dasc), the trace
// recorder (lj_record.c, lj_snap.c, lj_trace.c) and the debug library (lj_debug.c)
// take for granted about bytecode the parser wrote; luajit_bytecode_verifier.cc
// lists them, each with the engine code that needs it. Everything string.dump
// writes passes. What lj_bcread refuses by itself before doing anything unsafe (a
// foreign header, a prototype cut short) is left to it, so that its error, the one
// ngx_lua logs, stays.
#pragma once

#include <string>
#include <string_view>

namespace codecache::engine::luajit_bytecode {

enum class Verdict {
  safe,               // load it
  refused_by_engine,  // lua_load refuses it itself, safely
  unsafe,             // refuse it: `problem` says why
};

struct Result {
  Verdict verdict = Verdict::safe;
  std::string problem;  // "prototype 2, pc 7 (TGETS): constant 12 is not a string", …
};

// `dump` starts with the ESC of a bytecode dump, and is exactly what lua_load gets.
Result verify(std::string_view dump);

}  // namespace codecache::engine::luajit_bytecode

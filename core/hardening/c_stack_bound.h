// How much C stack handler code may use. A Lua callback that calls back into the
// library function that called it (string.gsub, table.sort, load with a reader,
// require), or a chain of coroutines each resuming the next, nests one C frame per
// level. PUC Lua 5.1 stops at LUAI_MAXCCALLS (200 levels) with "C stack overflow";
// LuaJIT counts nothing and recurses until the process dies with SIGSEGV (issues
// 349 and 619 of github.com/LuaJIT/LuaJIT, upstream's tracker). The harness bounds handler code's C stack instead: the
// engines' lua_call and lua_pcall refuse to enter the VM below the bound
// (engine::set_c_stack_floor), and the count hook checks it for coroutines that
// LuaJIT's assembler VM resumes without either.
#pragma once

#include <cstddef>

namespace codecache {

// C stack handler code may use below the frame that runs it: about 115 nested
// string.gsub callbacks or 10,000 nested coroutines on LuaJIT (a real nginx worker
// dies at about 900 and 80,000 with its 8 MiB stack).
constexpr std::size_t kHandlerCStackBytes = 1u << 20;
// Stack the bound always leaves free at the end of the thread's stack, for raising
// and handling the error and for signal handlers.
constexpr std::size_t kCStackReserveBytes = 256u << 10;

// Bounds the calling thread's C stack for handler code about to run from the
// calling frame, and lifts the bound again.
void arm_c_stack_bound();
void disarm_c_stack_bound();

// Whether the calling frame lies below the armed bound.
bool c_stack_bound_crossed();

}  // namespace codecache

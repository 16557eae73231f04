// Opens the standard libraries for handler code with everything that could touch
// the file system, spawn processes, load bytecode or escape the execution budget
// replaced by refusing stubs (each refusal is classified as a `sandbox` limit):
// no io, no os.execute/remove/rename/exit/tmpname/getenv/setlocale, no dofile /
// loadfile / package.loadlib / C modules, require only from allow-listed
// directories, no newproxy (finalisers run with hooks off), no jit.attach,
// jit.util or jit.profile (its callbacks run with hooks off), no debug.sethook /
// debug.debug / debug.getregistry, debug.getupvalue / setupvalue / upvalueid /
// upvaluejoin refuse C functions (their upvalues are the harness's and the
// engine's own state) and debug.setlocal a C function's frame, and load /
// loadstring refuse bytecode.
#pragma once

#include <string>
#include <vector>

#include "engine/lua_headers.h"

namespace codecache {

// Called once during VM set-up, on the main thread, inside a protected call.
void open_sandboxed_libraries(lua_State* L, const std::vector<std::string>& module_path);

// Pushes a C function that refuses with "<what> is disabled in the codecache sandbox".
void push_refusal(lua_State* L, const char* what);

// Records the refusal on the running request and raises that error.
int refuse_with(lua_State* L, const char* what);

}  // namespace codecache

// The standard libraries as handler code sees them: each library table holds
// exactly what the allow-list (library_allowlist.cc) names for the profile, each
// field the engine's own, the harness's safe version, or a refusing stub (each
// refusal classified as a `sandbox` limit). Default-deny: whatever the engine
// opens beyond the list is not there. The harness's versions: load / loadstring
// refuse bytecode; require reaches preloaded libraries and the --module-path
// directories only; debug.getupvalue / setupvalue / upvalueid / upvaluejoin
// refuse C functions and debug.setlocal a C function's frame.
#pragma once

#include "core/plumbing/settings.h"
#include "core/engine/lua_headers.h"

namespace codecache {

// Called once during VM set-up, on the main thread, before the ngx API.
void open_sandboxed_libraries(lua_State* L, const Settings& settings);

// Pushes a C function that refuses with "<what> is disabled in the codecache sandbox".
void push_refusal(lua_State* L, const char* what);

// Records the refusal on the running request and raises that error.
int refuse_with(lua_State* L, const char* what);

}  // namespace codecache

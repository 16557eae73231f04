// The traceback ngx_lua appends to "lua entry thread aborted: runtime error: ..."
// (ngx_http_lua_util.c ngx_http_lua_thread_traceback: one "coroutine 0:" section
// for the entry thread, its first 22 frames formatted like debug.traceback's).
#pragma once

#include "core/plumbing/capped_text.h"
#include "core/engine/lua_headers.h"

namespace codecache {

// Appends the traceback of `co` to `out`, which stops at its cap: a frame names
// its function, and a name can be a string constant of any length.
void append_thread_traceback(lua_State* co, CappedText& out);

}  // namespace codecache

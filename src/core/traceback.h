// The traceback ngx_lua appends to "lua entry thread aborted: runtime error: ..."
// (ngx_http_lua_util.c ngx_http_lua_thread_traceback: one "coroutine 0:" section
// for the entry thread, its first 22 frames formatted like debug.traceback's).
#pragma once

#include <string>

#include "engine/lua_headers.h"

namespace codecache {

std::string thread_traceback(lua_State* co);

}  // namespace codecache

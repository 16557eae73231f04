// The traceback ngx_lua appends to "lua entry thread aborted: runtime error: ..."
// (one "coroutine 0:" section for the entry thread, frames formatted like
// debug.traceback's).
#pragma once

#include <string>

#include "engine/lua_headers.h"

namespace codecache {

std::string thread_traceback(lua_State* co);

}  // namespace codecache

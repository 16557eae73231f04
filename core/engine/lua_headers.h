// The one place that includes the engine's C API headers. PUC Lua 5.1 is compiled
// as C++ here (so Lua errors unwind C++ frames), LuaJIT as C: the build tells us
// which through CODECACHE_LUA_IS_CXX.
#pragma once

#if defined(CODECACHE_LUA_IS_CXX)
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#else
extern "C" {
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
}
#endif

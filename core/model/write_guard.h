// The `_G` write guard of ngx_lua's OpenResty build (ngx_http_lua_util.c,
// ngx_http_lua_inject_global_write_guard): a __newindex on the
// shared globals table that lets every write through but logs, the first time a
// global is created outside init, the warning
//   [warn] [lua] _G write guard:12: __newindex(): writing a global Lua variable ('x') ...
// followed by a traceback. Our own Lua, written so the warning comes from line 12
// of a chunk named "=_G write guard", exactly where ngx_lua's comes from.
#pragma once

#include "core/engine/lua_headers.h"

namespace codecache {

// Installs the guard on the main globals table. Called during VM set-up.
void install_write_guard(lua_State* L);

}  // namespace codecache

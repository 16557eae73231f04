// The slice of ngx_lua's `ngx` table that content handlers here can use:
// ngx.say / ngx.print / ngx.flush, ngx.log with the level constants and the
// "[lua] <file>:<line>: " prefix, ngx.exit, ngx.status, ngx.get_phase, ngx.sleep
// (a yield to the scheduler), ngx.null and the common ngx.HTTP_* / ngx.OK codes.
// `print` becomes ngx.log(ngx.NOTICE, ...) as in ngx_lua.
#pragma once

#include "core/engine/lua_headers.h"

namespace codecache {

// Installs `ngx` as a global and in package.loaded. Called during VM set-up.
void open_ngx_api(lua_State* L);

}  // namespace codecache

// The globals a request's handler sees, per profile (classic: ngx_http_lua_util.c,
// ngx_http_lua_new_thread and ngx_http_lua_create_new_globals_table):
//   classic  : a new table T per request, T._G = T, T.__ngx_req set, metatable
//              {__index = main _G}; the thread's globals and the closure's env are T.
//              Writes stay in T, but what T reaches through __index (library tables,
//              the string metatable, package.loaded) is shared: these
//              are the leaks the real classic build has.
//   sealed   : like classic, but every table reached through the main globals is
//              copied into the request on first use (one memo per request, so
//              package.loaded.string == string and package.loaded._G == _G), getfenv
//              never returns the main globals, require loads modules afresh into the
//              request's own package.loaded, and the string metatable is locked.
//              What sealed keeps of the libraries (no module(), a reduced debug,
//              collectgarbage and the JIT's controls) is library_allowlist.cc's.
//   openresty: nothing: the thread runs on the main globals, shared by all.
#pragma once

#include "core/plumbing/settings.h"
#include "core/engine/lua_headers.h"

namespace codecache {

// VM set-up for the profile (sealed: compiles its helpers, locks the string
// metatable). On the main thread.
void prepare_profile(lua_State* L, Profile profile);

// Gives `co` (a new request thread) its globals T and sets them as the env of the
// function on top of `co`'s stack (when it is a function). `request_tag` becomes
// T.__ngx_req. No-op for openresty. Sealed keeps the T seal_request_thread gave
// `co`; classic makes a new one.
void install_request_env(lua_State* co, Profile profile, void* request_tag);

// Sealed only: gives `co` (the request's thread, the closure factory on top of its
// stack) the request's sealed globals T, as its globals and as the factory's env.
// The factory then runs on `co`, not on the main thread, so the code it runs (the
// `end, <expr>, function()` escape) reaches T wherever it looks for the running
// thread's globals: getfenv(0), getfenv of a C function, the env of what
// loadstring / load compile, package.seeall, the globals of a new coroutine,
// setfenv(0, ...) (isolation.case, "sealed factory escape: ..."). It never reaches
// the main globals other requests read. The other profiles keep ngx_lua's
// behaviour: the factory runs on the main thread with the main globals.
void seal_request_thread(lua_State* co, void* request_tag);

}  // namespace codecache

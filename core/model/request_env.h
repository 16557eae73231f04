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

// The globals of one request's thread (classic and sealed), as
// give_request_globals leaves them: they are the thread's own globals
// (LUA_GLOBALSINDEX of `thread`), which keep them alive as long as the thread.
// The handle is how a later step of the request names them; nothing is handed
// over on a Lua stack.
class RequestGlobals {
 public:
  // Sets the thread's globals as the env of the value on top of the thread's
  // stack, when it is a function; the stack is left as it was. Sealed calls it
  // again on the closure its factory returned. The globals are those
  // give_request_globals set, unless code that ran on the thread since replaced
  // them (setfenv(0, t) in the factory's `end, <expr>, function()` escape): then
  // the closure gets what that code put there, as every function compiled on the
  // thread does (isolation.case, "sealed factory escape: setfenv(0) ...").
  void set_env_of_top() const;

 private:
  friend RequestGlobals give_request_globals(lua_State* co, Profile profile, void* request_tag);
  explicit RequestGlobals(lua_State* thread) : thread_(thread) {}
  lua_State* thread_;
};

// Makes the request's globals T for `co` (a new request thread) and sets them as
// `co`'s globals and as the env of the function on top of `co`'s stack (when it
// is a function; the stack is left as it was). `request_tag` becomes
// T.__ngx_req. Classic and sealed only: openresty's requests run on the main
// globals.
//   classic: called once the closure factory has run on the main thread, with
//            the request's closure on top (ngx_http_lua_util.c,
//            ngx_http_lua_new_thread, then the setfenv of
//            ngx_http_lua_contentby.c, ngx_http_lua_content_by_chunk).
//   sealed : called with the closure factory on top, before it runs; the factory
//            then runs on `co`, not on the main thread, so the code it runs (the
//            `end, <expr>, function()` escape) reaches T wherever it looks for the
//            running thread's globals: getfenv(0), getfenv of a C function, the
//            env of what loadstring / load compile, package.seeall, the globals of
//            a new coroutine, setfenv(0, ...) (isolation.case, "sealed factory
//            escape: ..."). It never reaches the main globals other requests
//            read. The closure the factory returns then gets T through
//            set_env_of_top().
RequestGlobals give_request_globals(lua_State* co, Profile profile, void* request_tag);

}  // namespace codecache

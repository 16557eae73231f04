// ngx_lua's code cache (ngx_http_lua_cache.c, ngx_http_lua_cache_load_code and
// ngx_http_lua_cache_store_code): a table in the registry mapping each key to an
// integer reference (luaL_ref) of the cached function, plus the per-directive
// `ref` that remembers it. Every step is reported as a CacheEvent, the same
// lookup / miss / hit / setting-ref sequence ngx_lua writes to its debug log.
#pragma once

#include "core/model/cache_key.h"
#include "core/plumbing/outcome.h"
#include "core/engine/lua_headers.h"

namespace codecache {

// ngx_lua's ref values: LUA_REFNIL (-1) "not resolved yet", LUA_NOREF (-2)
// "keyed by string only" (file paths with variables).
constexpr int kRefNil = LUA_REFNIL;
constexpr int kNoRef = LUA_NOREF;

class CodeCache {
 public:
  // Creates the cache table in a new VM's registry.
  static void create(lua_State* L);

  // Looks `key` up. On a hit pushes the cached function and returns true; on a
  // miss pushes nothing. Resolves `ref` from the key the first time.
  static bool lookup(lua_State* L, const CacheKey& key, int& ref,
                     CacheTrace& events);

  // Stores the function on top of the stack (which stays there) under `key`,
  // giving `ref` a fresh integer reference.
  static void store(lua_State* L, const CacheKey& key, int& ref);
};

}  // namespace codecache

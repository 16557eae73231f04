// The registry-backed code cache (see code_cache.h).
#include "core/model/code_cache.h"

#include "core/plumbing/vm_context.h"

namespace codecache {
namespace {

// An integer key into the registry's array part: no hashing per request.
void push_cache_table(lua_State* L) { lua_rawgeti(L, LUA_REGISTRYINDEX, context_of(L).code_cache_ref); }

}  // namespace

void CodeCache::create(lua_State* L) {
  lua_newtable(L);
  context_of(L).code_cache_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

bool CodeCache::lookup(lua_State* L, const CacheKey& key, int& ref,
                       CacheTrace& events) {
  using Kind = CacheEvent::Kind;
  events.push_back({Kind::lookup, ref});
  push_cache_table(L);
  if (ref == kNoRef) {
    lua_getfield(L, -1, key.c_str());
  } else {
    if (ref == kRefNil) {
      lua_getfield(L, -1, key.c_str());
      if (!lua_isnumber(L, -1)) {
        lua_pop(L, 2);
        events.push_back({Kind::miss, ref});
        return false;
      }
      ref = static_cast<int>(lua_tointeger(L, -1));
      lua_pop(L, 1);
      events.push_back({Kind::setting_ref, ref});
    }
    lua_rawgeti(L, -1, ref);
  }
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 2);
    events.push_back({Kind::miss, ref});
    return false;
  }
  lua_remove(L, -2);  // the cache table
  events.push_back({Kind::hit, ref});
  return true;
}

void CodeCache::store(lua_State* L, const CacheKey& key, int& ref) {
  push_cache_table(L);
  lua_pushvalue(L, -2);
  if (ref == kNoRef) {
    lua_setfield(L, -2, key.c_str());
  } else {
    ref = luaL_ref(L, -2);
    lua_pushinteger(L, ref);
    lua_setfield(L, -2, key.c_str());
  }
  lua_pop(L, 1);
}

}  // namespace codecache

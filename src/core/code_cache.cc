// The registry-backed code cache (see code_cache.h).
#include "core/code_cache.h"

namespace codecache {
namespace {

int g_cache_table_tag;  // its address keys the cache table in the registry

void push_cache_table(lua_State* L) {
  lua_pushlightuserdata(L, &g_cache_table_tag);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

}  // namespace

void CodeCache::create(lua_State* L) {
  lua_pushlightuserdata(L, &g_cache_table_tag);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

bool CodeCache::lookup(lua_State* L, const std::string& key, int& ref,
                       std::vector<CacheEvent>& events) {
  using Kind = CacheEvent::Kind;
  events.push_back({Kind::lookup, key, ref});
  push_cache_table(L);
  if (ref == kNoRef) {
    lua_getfield(L, -1, key.c_str());
  } else {
    if (ref == kRefNil) {
      lua_getfield(L, -1, key.c_str());
      if (!lua_isnumber(L, -1)) {
        lua_pop(L, 2);
        events.push_back({Kind::miss, key, ref});
        return false;
      }
      ref = static_cast<int>(lua_tointeger(L, -1));
      lua_pop(L, 1);
      events.push_back({Kind::setting_ref, key, ref});
    }
    lua_rawgeti(L, -1, ref);
  }
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 2);
    events.push_back({Kind::miss, key, ref});
    return false;
  }
  lua_remove(L, -2);  // the cache table
  events.push_back({Kind::hit, key, ref});
  return true;
}

void CodeCache::store(lua_State* L, const std::string& key, int& ref) {
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

// Per-request globals for the classic and sealed profiles (see request_env.h).
#include "core/request_env.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/sandbox.h"
#include "engine/engine.h"

namespace codecache {
namespace {

int g_sealed_factory_tag;  // registry key of the compiled sealed-env builder

// A sealed T holds _G, __ngx_req, getfenv and require before the handler runs, and
// the globals it reads are copied into it: room for a few without a rehash.
constexpr int kSealedEnvSlots = 8;

// Compiled once per sealed VM; returns `seal(T)`, which gives T its __index and
// per-request overrides. Runs with hooks armed only when called for a request.
// `copy` is deep_copy below: in Lua, the copy loop would be compiled by LuaJIT
// and leave its trace at every hook check, which made sealed requests 4x slower.
constexpr const char kSealedEnv[] = R"lua(
local main_G, copy = ...
local rawget, rawset, type = rawget, rawset, type
local setmetatable, setfenv = setmetatable, setfenv
local real_getfenv, ipairs, error, tostring = getfenv, ipairs, error, tostring
local concat = table.concat

return function(T)
  local memo = { [main_G] = T }
  setmetatable(T, { __index = function(t, k)
    local v = copy(rawget(main_G, k), memo)
    if v ~= nil then rawset(t, k, v) end
    return v
  end })
  rawset(T, "getfenv", function(f)
    if f == nil then f = 1 end
    if type(f) == "number" and f > 0 then f = f + 1 end
    local env = real_getfenv(f)
    if env == main_G then return T end
    return env
  end)
  rawset(T, "require", function(name)
    local package = T.package
    local loaded = package.loaded
    local found = loaded[name]
    if found ~= nil then return found end
    local tried = {}
    for _, searcher in ipairs(package.loaders) do
      local loader = searcher(name)
      if type(loader) == "function" then
        setfenv(loader, T)
        local result = loader(name)
        if result ~= nil then loaded[name] = result end
        if loaded[name] == nil then loaded[name] = true end
        return loaded[name]
      elseif type(loader) == "string" then
        tried[#tried + 1] = loader
      end
    end
    error("module '" .. tostring(name) .. "' not found:" .. concat(tried), 2)
  end)
end
)lua";

// copy(value, memo): a table is replaced by a fresh deep copy (keys, values and the
// metatable that getmetatable shows), shared sub-tables and cycles preserved through
// memo (original -> copy); any other value is returned as is.
void copy_top(lua_State* L, int memo, int depth) {
  if (!lua_istable(L, -1)) return;
  lua_pushvalue(L, -1);
  lua_rawget(L, memo);
  if (!lua_isnil(L, -1)) {  // already copied
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);
  // Only the harness's own tables (the standard library) are reachable from the main
  // globals, so the depth is small; the guards keep a mistake from overflowing C.
  if (depth > 100 || !lua_checkstack(L, 8)) luaL_error(L, "sealed env: table too deep to copy");
  const int original = lua_gettop(L);
  const int fresh = original + 1;
  const bool flat = engine::table_is_flat(L, original);
  if (flat) {  // most library tables: one raw copy is the whole deep copy
    engine::push_table_clone(L, original);
  } else {
    int entries = 0;  // sized once: growing the copy key by key rehashes it log2(n) times
    lua_pushnil(L);
    while (lua_next(L, original) != 0) {
      lua_pop(L, 1);
      ++entries;
    }
    const int array = static_cast<int>(lua_objlen(L, original));
    lua_createtable(L, array, entries - array);
  }
  lua_pushvalue(L, original);  // memo[original] = fresh, before any entry refers back
  lua_pushvalue(L, fresh);
  lua_rawset(L, memo);
  if (!flat) {
    lua_pushnil(L);
    while (lua_next(L, original) != 0) {  // key, value
      lua_pushvalue(L, -2);
      copy_top(L, memo, depth + 1);
      lua_pushvalue(L, -2);
      copy_top(L, memo, depth + 1);
      lua_rawset(L, fresh);
      lua_pop(L, 1);
    }
  }
  // What getmetatable shows: the __metatable field if set, else the metatable.
  if (luaL_getmetafield(L, original, "__metatable") || lua_getmetatable(L, original)) {
    if (lua_istable(L, -1)) {
      copy_top(L, memo, depth + 1);
      lua_setmetatable(L, fresh);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_remove(L, original);
}

int deep_copy(lua_State* L) {
  lua_settop(L, 2);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_pushvalue(L, 1);
  copy_top(L, 2, 0);
  return 1;
}

// The refusal names the option, which becomes the outcome's limit_detail: an
// option of any length is named by its first bytes.
constexpr std::size_t kNamedOptionBytes = 32;

int sealed_collectgarbage(lua_State* L) {
  size_t len = 0;
  const char* option = luaL_optlstring(L, 1, "collect", &len);
  const bool collect = std::strcmp(option, "collect") == 0;
  if (!collect && std::strcmp(option, "step") != 0) {
    lua_pushlstring(L, option, std::min(len, kNamedOptionBytes));
    return refuse_with(L, lua_pushfstring(L, "collectgarbage(\"%s%s\")", lua_tostring(L, -1),
                                          len > kNamedOptionBytes ? "..." : ""));
  }
  lua_gc(L, collect ? LUA_GCCOLLECT : LUA_GCSTEP, static_cast<int>(luaL_optinteger(L, 2, 0)));
  lua_pushinteger(L, 0);
  return 1;
}

void reduce_debug(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, "debug");
  lua_createtable(L, 0, 5);
  // traceback and getinfo, plus the sandbox's refusing stubs, so that an attempt
  // is still classified as a `sandbox` limit.
  for (const char* keep : {"traceback", "getinfo", "sethook", "getregistry", "debug"}) {
    lua_getfield(L, -2, keep);
    lua_setfield(L, -2, keep);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_GLOBALSINDEX, "debug");
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  lua_insert(L, -2);
  lua_setfield(L, -2, "debug");
  lua_pop(L, 2);
}

void lock_string_metatable(lua_State* L) {
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushliteral(L, "string metatable is sealed");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

void prepare_sealed(lua_State* L) {
  reduce_debug(L);
  lock_string_metatable(L);
  lua_pushcfunction(L, sealed_collectgarbage);
  lua_setfield(L, LUA_GLOBALSINDEX, "collectgarbage");
  push_refusal(L, "module");
  lua_setfield(L, LUA_GLOBALSINDEX, "module");

  lua_pushlightuserdata(L, &g_sealed_factory_tag);
  if (luaL_loadbuffer(L, kSealedEnv, sizeof kSealedEnv - 1, "=sealed env") != 0) {
    throw std::runtime_error(std::string("sealed env: ") + lua_tostring(L, -1));
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_pushcfunction(L, deep_copy);
  if (lua_pcall(L, 2, 1, 0) != 0) {
    throw std::runtime_error(std::string("sealed env: ") + lua_tostring(L, -1));
  }
  lua_rawset(L, LUA_REGISTRYINDEX);
}

}  // namespace

void prepare_profile(lua_State* L, Profile profile) {
  if (profile == Profile::sealed) prepare_sealed(L);
}

void seal_factory_env(lua_State* L, Profile profile, void* request_tag) {
  if (profile != Profile::sealed) return;
  lua_createtable(L, 0, kSealedEnvSlots);  // T = { _G = T, __ngx_req = <request> }, sealed
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  lua_pushlightuserdata(L, request_tag);
  lua_setfield(L, -2, "__ngx_req");
  lua_pushlightuserdata(L, &g_sealed_factory_tag);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -2);
  lua_call(L, 1, 0);  // seal(T): allocation only
  lua_pushvalue(L, -1);
  lua_setfenv(L, -3);
  lua_insert(L, -2);  // T below the factory
}

void install_request_env(lua_State* L, lua_State* co, Profile profile, void* request_tag) {
  if (profile == Profile::openresty) return;
  if (profile == Profile::sealed) {
    lua_xmove(L, co, 1);  // the T seal_factory_env made
  } else {
    // T = { _G = T, __ngx_req = <request> }, reading the main globals through __index
    lua_createtable(co, 0, 2);
    lua_pushvalue(co, -1);
    lua_setfield(co, -2, "_G");
    lua_pushlightuserdata(co, request_tag);
    lua_setfield(co, -2, "__ngx_req");
    lua_createtable(co, 0, 1);
    lua_pushvalue(co, LUA_GLOBALSINDEX);  // still the main globals here
    lua_setfield(co, -2, "__index");
    lua_setmetatable(co, -2);
  }
  // Function below T (if any) gets T as its env; T becomes the thread's globals.
  if (lua_isfunction(co, -2)) {
    lua_pushvalue(co, -1);
    lua_setfenv(co, -3);
  }
  lua_replace(co, LUA_GLOBALSINDEX);
}

}  // namespace codecache

// Per-request globals for the classic and sealed profiles (see request_env.h).
#include "core/model/request_env.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/engine/engine.h"
#include "core/plumbing/compiled_chunk.h"

namespace codecache {
namespace {

int g_sealed_factory_tag;  // registry key of the compiled sealed-env builder

// A sealed T holds _G, __ngx_req, getfenv and require before the handler runs, and
// the globals it reads are copied into it: room for a few without a rehash.
constexpr int kSealedEnvSlots = 8;

// Compiled once per process (compiled_chunk.h), run once per sealed VM; returns
// `seal(T)`, which gives T its __index and per-request overrides. Runs with hooks
// armed only when called for a request.
// `copy` is deep_copy below: in Lua, the copy loop would be compiled by LuaJIT
// and leave its trace at every hook check, which made sealed requests 4x slower.
// `run_loader` is run_loader below (a C loader's env is out of Lua's reach).
constexpr const char kSealedEnv[] = R"lua(
local main_G, copy, run_loader = ...
local rawget, rawset, type = rawget, rawset, type
local setmetatable = setmetatable
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
        local result = run_loader(loader, name, T, memo)
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

// run_loader(loader, name, T, memo): runs a module loader for sealed's require
// with the request's globals. A Lua loader gets T as its env. A C loader (a module
// the engine preloads) writes into its own env: LuaJIT's table.new registers `new`
// in the `table` library (lib_table.c, luaopen_table_new, lj_lib_postreg). It runs
// with the request's copy of that env and gets its own back afterwards, so it
// writes into this request, never into the main library that other requests copy.
int run_loader(lua_State* L) {
  lua_settop(L, 4);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checktype(L, 4, LUA_TTABLE);
  if (!lua_iscfunction(L, 1)) {
    lua_pushvalue(L, 3);
    lua_setfenv(L, 1);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 1, 1);
    return 1;
  }
  lua_getfenv(L, 1);  // 5: the loader's own env
  lua_pushvalue(L, 5);
  copy_top(L, 4, 0);
  lua_setfenv(L, 1);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  const int status = lua_pcall(L, 1, 1, 0);
  lua_pushvalue(L, 5);
  lua_setfenv(L, 1);
  if (status != 0) return lua_error(L);
  return 1;
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

CompiledChunk g_sealed_env(std::string_view(kSealedEnv, sizeof kSealedEnv - 1), "=sealed env");

void prepare_sealed(lua_State* L) {
  lock_string_metatable(L);

  lua_pushlightuserdata(L, &g_sealed_factory_tag);
  if (g_sealed_env.load(L) != 0) {
    throw std::runtime_error(std::string("sealed env: ") + lua_tostring(L, -1));
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_pushcfunction(L, deep_copy);
  lua_pushcfunction(L, run_loader);
  if (lua_pcall(L, 3, 1, 0) != 0) {
    throw std::runtime_error(std::string("sealed env: ") + lua_tostring(L, -1));
  }
  lua_rawset(L, LUA_REGISTRYINDEX);
}

}  // namespace

void prepare_profile(lua_State* L, Profile profile) {
  if (profile == Profile::sealed) prepare_sealed(L);
}

void RequestGlobals::set_env_of_top() const {
  if (!lua_isfunction(thread_, -1)) return;
  lua_pushvalue(thread_, LUA_GLOBALSINDEX);
  lua_setfenv(thread_, -2);
}

RequestGlobals give_request_globals(lua_State* co, Profile profile, void* request_tag) {
  if (profile == Profile::openresty) throw std::logic_error("openresty requests run on the main globals");
  if (profile == Profile::sealed) {
    lua_createtable(co, 0, kSealedEnvSlots);  // T = { _G = T, __ngx_req = <request> }, sealed
    lua_pushvalue(co, -1);
    lua_setfield(co, -2, "_G");
    lua_pushlightuserdata(co, request_tag);
    lua_setfield(co, -2, "__ngx_req");
    lua_pushlightuserdata(co, &g_sealed_factory_tag);
    lua_rawget(co, LUA_REGISTRYINDEX);
    lua_pushvalue(co, -2);
    lua_call(co, 1, 0);  // seal(T): allocation only
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
  lua_replace(co, LUA_GLOBALSINDEX);  // T becomes the thread's globals
  const RequestGlobals globals(co);
  globals.set_env_of_top();
  return globals;
}

}  // namespace codecache

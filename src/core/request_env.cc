// Per-request globals for the classic and sealed profiles (see request_env.h).
#include "core/request_env.h"

#include <stdexcept>
#include <string>

#include "core/sandbox.h"

namespace codecache {
namespace {

int g_sealed_factory_tag;  // registry key of the compiled sealed-env builder

// Compiled once per sealed VM; returns `seal(T)`, which gives T its __index and
// per-request overrides. Runs with hooks armed only when called for a request.
constexpr const char kSealedEnv[] = R"lua(
local main_G = ...
local rawget, rawset, next, type, pairs = rawget, rawset, next, type, pairs
local getmetatable, setmetatable, setfenv = getmetatable, setmetatable, setfenv
local real_getfenv, ipairs, error, tostring = getfenv, ipairs, error, tostring
local concat = table.concat

local function copy(value, memo)
  if type(value) ~= "table" then return value end
  local done = memo[value]
  if done ~= nil then return done end
  local fresh = {}
  memo[value] = fresh
  for k, v in next, value do
    rawset(fresh, copy(k, memo), copy(v, memo))
  end
  local mt = getmetatable(value)
  if type(mt) == "table" then setmetatable(fresh, copy(mt, memo)) end
  return fresh
end

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

int sealed_collectgarbage(lua_State* L) {
  const char* option = luaL_optstring(L, 1, "collect");
  std::string opt(option);
  if (opt != "collect" && opt != "step") {
    return refuse_with(L, lua_pushfstring(L, "collectgarbage(\"%s\")", option));
  }
  lua_gc(L, opt == "collect" ? LUA_GCCOLLECT : LUA_GCSTEP, static_cast<int>(luaL_optinteger(L, 2, 0)));
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
  if (lua_pcall(L, 1, 1, 0) != 0) {
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
  lua_createtable(L, 0, 2);  // T = { _G = T, __ngx_req = <request> }, sealed
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  lua_pushlightuserdata(L, request_tag);
  lua_setfield(L, -2, "__ngx_req");
  lua_pushlightuserdata(L, &g_sealed_factory_tag);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -2);
  lua_call(L, 1, 0);  // seal(T): allocation only
  lua_setfenv(L, -2);
}

void install_request_env(lua_State* L, lua_State* co, Profile profile, void* request_tag) {
  if (profile == Profile::openresty) return;
  // T = { _G = T, __ngx_req = <request> }
  lua_createtable(co, 0, 2);
  lua_pushvalue(co, -1);
  lua_setfield(co, -2, "_G");
  lua_pushlightuserdata(co, request_tag);
  lua_setfield(co, -2, "__ngx_req");
  if (profile == Profile::classic) {
    lua_createtable(co, 0, 1);
    lua_pushvalue(co, LUA_GLOBALSINDEX);  // still the main globals here
    lua_setfield(co, -2, "__index");
    lua_setmetatable(co, -2);
  } else {
    lua_pushlightuserdata(co, &g_sealed_factory_tag);
    lua_rawget(co, LUA_REGISTRYINDEX);
    lua_pushvalue(co, -2);
    lua_call(co, 1, 0);  // seal(T): allocation only, before the handler runs
  }
  // Function below T (if any) gets T as its env; T becomes the thread's globals.
  if (lua_isfunction(co, -2)) {
    lua_pushvalue(co, -1);
    lua_setfenv(co, -3);
  }
  lua_replace(co, LUA_GLOBALSINDEX);
  (void)L;
}

}  // namespace codecache

// The sandboxed standard library (see sandbox.h).
#include "core/sandbox.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "core/vm_context.h"
#include "engine/engine.h"

namespace codecache {
namespace {

int refuse(lua_State* L) {
  const char* what = lua_tostring(L, lua_upvalueindex(1));
  return refuse_with(L, what != nullptr ? what : "?");
}

void open_library(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

void refuse_field(lua_State* L, int table, const char* field, const char* what) {
  push_refusal(L, what);
  lua_setfield(L, table, field);
}

// load / loadstring that refuse bytecode. load(fn) collects the pieces first.
int safe_loadstring(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* chunkname = luaL_optstring(L, 2, s);
  if (engine::load_text_only(L, s, len, chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

int safe_load(lua_State* L) {
  // LuaJIT's load also takes the chunk as a string (lib_base.c), PUC 5.1's only
  // a reader function.
  if (engine::id() != engine::Id::lua51 &&
      (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)) {
    lua_settop(L, 2);
    return safe_loadstring(L);
  }
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* chunkname = luaL_optstring(L, 2, "=(load)");
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  for (;;) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    if (lua_objlen(L, -1) == 0) {
      lua_pop(L, 1);
      break;
    }
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  if (engine::load_text_only(L, s, len, chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// debug.getupvalue / setupvalue for Lua functions; a C function's upvalues are
// the harness's or the engine's own state. The checks and results are those of
// Lua 5.1's ldblib.c (auxupvalue) and LuaJIT's lib_debug.c (debug_getupvalue).
int upvalue_of_lua_function(lua_State* L, bool get) {
  if (!get) luaL_checkany(L, 3);
  const int n = luaL_checkint(L, 2);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (lua_iscfunction(L, 1)) {
    return refuse_with(L, get ? "debug.getupvalue of a C function"
                              : "debug.setupvalue of a C function");
  }
  const char* name = get ? lua_getupvalue(L, 1, n) : lua_setupvalue(L, 1, n);
  if (name == nullptr) return 0;
  lua_pushstring(L, name);
  lua_insert(L, get ? -2 : -1);
  return get ? 2 : 1;
}

int safe_getupvalue(lua_State* L) { return upvalue_of_lua_function(L, true); }
int safe_setupvalue(lua_State* L) { return upvalue_of_lua_function(L, false); }

// LuaJIT's debug.upvalueid / upvaluejoin for Lua functions: the checks here, the
// rest by the engine's own function (upvalue 1).
int call_engine_function(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int safe_upvalueid(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checkint(L, 2);
  if (lua_iscfunction(L, 1)) return refuse_with(L, "debug.upvalueid of a C function");
  return call_engine_function(L);
}

int safe_upvaluejoin(lua_State* L) {
  for (int arg : {1, 3}) {
    luaL_checktype(L, arg, LUA_TFUNCTION);
    luaL_checkint(L, arg + 1);
    if (lua_iscfunction(L, arg)) return refuse_with(L, "debug.upvaluejoin of a C function");
  }
  return call_engine_function(L);
}

// debug.setlocal([thread,] level, n, value) on the frames of Lua functions; in a
// C function's frame it would overwrite what the C code holds (table.sort's
// table). Checks and results as Lua 5.1's db_setlocal and LuaJIT's debug_setlocal.
int safe_setlocal(lua_State* L) {
  int arg = 0;
  lua_State* L1 = L;
  if (lua_type(L, 1) == LUA_TTHREAD) {
    L1 = lua_tothread(L, 1);
    arg = 1;
  }
  lua_Debug ar;
  if (!lua_getstack(L1, luaL_checkint(L, arg + 1), &ar)) {
    return luaL_argerror(L, arg + 1, "level out of range");
  }
  luaL_checkany(L, arg + 3);
  const int n = luaL_checkint(L, arg + 2);
  if (!lua_getinfo(L1, "S", &ar) || std::strcmp(ar.what, "C") == 0) {
    return refuse_with(L, "debug.setlocal in a C function");
  }
  lua_settop(L, arg + 3);
  lua_xmove(L, L1, 1);
  lua_pushstring(L, lua_setlocal(L1, &ar, n));
  return 1;
}

bool valid_module_name(const char* name) {
  if (*name == '\0' || *name == '.') return false;
  for (const char* p = name; *p; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (c == '.' && p[1] != '.' && p[1] != '\0');
    if (!ok) return false;
  }
  return true;
}

// package.loaders[2]: Lua text modules from the --module-path directories only.
// The directories are read from the VM's settings, not from an upvalue or a
// table that handler code could reach.
int allowlisted_searcher(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  if (!valid_module_name(name)) {
    lua_pushfstring(L, "\n\tmodule name '%s' is not allowed by the codecache sandbox", name);
    return 1;
  }
  std::string relative(name);
  for (char& c : relative)
    if (c == '.') c = '/';
  relative += ".lua";
  std::string tried;
  const std::vector<std::string>& module_path = context_of(L).settings.module_path;
  for (const std::string& dir : module_path) {
    std::string path = dir + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      tried += "\n\tno file '" + path + "'";
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    std::string chunkname = "@" + path;
    if (engine::load_text_only(L, source.data(), source.size(), chunkname.c_str()) != 0) {
      return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, path.c_str(),
                        lua_tostring(L, -1));
    }
    return 1;
  }
  if (module_path.empty()) tried = "\n\tno module directory is allow-listed";
  lua_pushlstring(L, tried.data(), tried.size());
  return 1;
}

void restrict_package(lua_State* L, const std::vector<std::string>& module_path) {
  lua_getfield(L, LUA_GLOBALSINDEX, "package");
  int package = lua_gettop(L);
  refuse_field(L, package, "loadlib", "package.loadlib");
  lua_pushliteral(L, "");
  lua_setfield(L, package, "cpath");
  std::string path;
  for (const auto& dir : module_path) path += dir + "/?.lua;";
  lua_pushlstring(L, path.data(), path.size());
  lua_setfield(L, package, "path");

  lua_getfield(L, package, "loaders");
  lua_createtable(L, 2, 0);   // new loaders: preload, then the allow-listed searcher
  lua_rawgeti(L, -2, 1);
  lua_rawseti(L, -2, 1);
  lua_pushcfunction(L, allowlisted_searcher);
  lua_rawseti(L, -2, 2);
  lua_setfield(L, package, "loaders");
  lua_pop(L, 1);  // old loaders

  lua_getfield(L, package, "preload");  // no C modules hiding here either
  lua_pushnil(L);
  lua_setfield(L, -2, "ffi");
  lua_pop(L, 2);
}

void restrict_os(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, "os");
  int os = lua_gettop(L);
  for (const char* f : {"execute", "remove", "rename", "exit", "tmpname", "getenv", "setlocale"}) {
    std::string what = std::string("os.") + f;
    refuse_field(L, os, f, what.c_str());
  }
  lua_pop(L, 1);
}

void install_refusing_io(lua_State* L) {
  lua_createtable(L, 0, 12);
  int io = lua_gettop(L);
  for (const char* f : {"open", "popen", "lines", "input", "output", "read", "write", "close",
                        "tmpfile", "type", "flush"}) {
    std::string what = std::string("io.") + f;
    refuse_field(L, io, f, what.c_str());
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  lua_pushvalue(L, io);
  lua_setfield(L, -2, "io");
  lua_pop(L, 1);
  lua_setfield(L, LUA_GLOBALSINDEX, "io");
}

void restrict_debug(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, "debug");
  int debug = lua_gettop(L);
  refuse_field(L, debug, "sethook", "debug.sethook");
  refuse_field(L, debug, "debug", "debug.debug");
  refuse_field(L, debug, "getregistry", "debug.getregistry");
  lua_pushcfunction(L, safe_getupvalue);
  lua_setfield(L, debug, "getupvalue");
  lua_pushcfunction(L, safe_setupvalue);
  lua_setfield(L, debug, "setupvalue");
  lua_pushcfunction(L, safe_setlocal);
  lua_setfield(L, debug, "setlocal");
  const std::pair<const char*, lua_CFunction> engine_guarded[] = {
      {"upvalueid", safe_upvalueid}, {"upvaluejoin", safe_upvaluejoin}};
  for (auto [name, safe] : engine_guarded) {
    lua_getfield(L, debug, name);  // LuaJIT's own, kept as the wrapper's upvalue
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushcclosure(L, safe, 1);
    lua_setfield(L, debug, name);
  }
  lua_pop(L, 1);
}

void restrict_jit(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, "jit");
  if (lua_istable(L, -1)) refuse_field(L, lua_gettop(L), "attach", "jit.attach");
  lua_pop(L, 1);
  // luaopen_jit pre-registers jit.util and jit.profile in package.preload; a
  // jit.profile callback runs with hooks off, outside every budget.
  for (const char* registry_table : {"_LOADED", "_PRELOAD"}) {
    lua_getfield(L, LUA_REGISTRYINDEX, registry_table);
    if (lua_istable(L, -1)) {
      for (const char* module : {"jit.util", "jit.profile"}) {
        lua_pushnil(L);
        lua_setfield(L, -2, module);
      }
    }
    lua_pop(L, 1);
  }
}

}  // namespace

int refuse_with(lua_State* L, const char* what) {
  if (ExecutionBudget* b = context_of(L).budget; b != nullptr && b->sandbox_refusal.empty()) {
    b->sandbox_refusal = what;
  }
  return luaL_error(L, "%s is disabled in the codecache sandbox", what);
}

void push_refusal(lua_State* L, const char* what) {
  lua_pushstring(L, what);
  lua_pushcclosure(L, refuse, 1);
}

void open_sandboxed_libraries(lua_State* L, const std::vector<std::string>& module_path) {
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_package, LUA_LOADLIBNAME);
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  open_library(L, luaopen_os, LUA_OSLIBNAME);
  open_library(L, luaopen_debug, LUA_DBLIBNAME);
  engine::open_extra_libraries(L);

  lua_pushnil(L);
  lua_setfield(L, LUA_GLOBALSINDEX, "newproxy");
  refuse_field(L, LUA_GLOBALSINDEX, "dofile", "dofile");
  refuse_field(L, LUA_GLOBALSINDEX, "loadfile", "loadfile");
  lua_pushcfunction(L, safe_loadstring);
  lua_setfield(L, LUA_GLOBALSINDEX, "loadstring");
  lua_pushcfunction(L, safe_load);
  lua_setfield(L, LUA_GLOBALSINDEX, "load");

  restrict_package(L, module_path);
  restrict_os(L);
  install_refusing_io(L);
  restrict_debug(L);
  restrict_jit(L);
}

}  // namespace codecache

// The sandboxed standard library (see sandbox.h).
#include "core/sandbox.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/vm_context.h"
#include "engine/engine.h"

namespace codecache {
namespace {

int refuse(lua_State* L) { return refuse_with(L, lua_tostring(L, lua_upvalueindex(1))); }

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

// package.loaders[2] replacement: Lua text modules from the allow-listed
// directories only (upvalue 1: a table of directory strings).
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
  int n = static_cast<int>(lua_objlen(L, lua_upvalueindex(1)));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, lua_upvalueindex(1), i);
    std::string path = std::string(lua_tostring(L, -1)) + "/" + relative;
    lua_pop(L, 1);
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
  if (n == 0) tried = "\n\tno module directory is allow-listed";
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
  lua_createtable(L, static_cast<int>(module_path.size()), 0);
  for (size_t i = 0; i < module_path.size(); ++i) {
    lua_pushlstring(L, module_path[i].data(), module_path[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_pushcclosure(L, allowlisted_searcher, 1);
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

// The sandboxed standard library (see sandbox.h): the engine opens its libraries,
// then every library table is rebuilt from the allow-list (library_allowlist.cc).
#include "core/hardening/sandbox.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/hardening/execution_budget.h"
#include "core/hardening/library_allowlist.h"
#include "core/plumbing/vm_context.h"
#include "core/engine/engine.h"

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
  // LuaJIT's load also takes the chunk as a string, PUC 5.1's only a reader
  // function (engine::load_takes_strings).
  if (engine::load_takes_strings() &&
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

// The refusal names the option, which becomes the outcome's limit_detail: an
// option of any length is named by its first bytes.
constexpr std::size_t kNamedOptionBytes = 32;

// sealed's collectgarbage: only what changes nothing another request can see.
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

// A name the engines give a slot no Lua variable owns: "(for index)" and the other
// hidden state of a for loop, "(*temporary)", "(*vararg)". The interpreter relies
// on what such slots hold without checking it again: LuaJIT's ITERN reads "(for
// state)" as a table and "(for control)" holds an index no Lua value may be, TSETM
// writes into a temporary table, FORL reads its state as numbers (an assertion in
// the fuzz build). Writing one crashed both LuaJITs from plain source.
bool hidden_slot(const char* name) { return name != nullptr && name[0] == '('; }

// The thread a debug.getlocal/setlocal call is about (its optional first argument,
// else the caller's), and the index of the argument before `level`.
struct LocalTarget {
  lua_State* thread;
  int arg;
};

LocalTarget local_target(lua_State* L) {
  if (lua_type(L, 1) == LUA_TTHREAD) return {lua_tothread(L, 1), 1};
  return {L, 0};
}

// The frame at argument `arg + 1`'s level of `thread`; raises the engines' own
// argument error when there is none.
lua_Debug frame_at_level(lua_State* L, LocalTarget target) {
  lua_Debug ar;
  if (!lua_getstack(target.thread, luaL_checkint(L, target.arg + 1), &ar))
    luaL_argerror(L, target.arg + 1, "level out of range");
  return ar;
}

// debug.getlocal([thread,] level, n), with a hidden slot's value given as nil.
// Results as Lua 5.1's db_getlocal and LuaJIT's debug_getlocal, whose form with a
// function (its parameters' names, no value) is the engine's own.
int safe_getlocal(lua_State* L) {
  const LocalTarget target = local_target(L);
  const int arg = target.arg;
  lua_State* L1 = target.thread;
  if (lua_isfunction(L, arg + 1)) return call_engine_function(L);
  lua_Debug ar = frame_at_level(L, target);
  const char* name = lua_getlocal(L1, &ar, luaL_checkint(L, arg + 2));
  if (name == nullptr) {
    lua_pushnil(L);
    return 1;
  }
  lua_xmove(L1, L, 1);
  if (hidden_slot(name)) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
  lua_pushstring(L, name);
  lua_insert(L, -2);
  return 2;
}

// debug.setlocal([thread,] level, n, value) on the frames of Lua functions; in a
// C function's frame it would overwrite what the C code holds (table.sort's
// table), in a hidden slot what the interpreter holds. Checks and results as Lua
// 5.1's db_setlocal and LuaJIT's debug_setlocal.
int safe_setlocal(lua_State* L) {
  const LocalTarget target = local_target(L);
  const int arg = target.arg;
  lua_State* L1 = target.thread;
  lua_Debug ar = frame_at_level(L, target);
  luaL_checkany(L, arg + 3);
  const int n = luaL_checkint(L, arg + 2);
  if (!lua_getinfo(L1, "S", &ar) || std::strcmp(ar.what, "C") == 0) {
    return refuse_with(L, "debug.setlocal in a C function");
  }
  if (const char* name = lua_getlocal(L1, &ar, n); name != nullptr) {
    lua_pop(L1, 1);
    if (hidden_slot(name)) return refuse_with(L, "debug.setlocal of a hidden slot");
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
  HarnessFrame frame;  // files and strings; parsing is bounded by the module file (an allow-listed directory)
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

// Pushes the harness's value of a field marked `harness` in the allow-list, the
// library table being at `library`; false when another part of the harness sets
// it later (the ngx API).
bool push_harness_value(lua_State* L, const LibraryField& field, const std::string& what,
                        int library, const Settings& settings) {
  if (what == "ngx" || what == "print") return false;  // open_ngx_api, ngx_api.cc
  if (what == "load") {
    lua_pushcfunction(L, safe_load);
  } else if (what == "loadstring") {
    lua_pushcfunction(L, safe_loadstring);
  } else if (what == "collectgarbage") {
    lua_pushcfunction(L, sealed_collectgarbage);
  } else if (what == "debug.getupvalue") {
    lua_pushcfunction(L, safe_getupvalue);
  } else if (what == "debug.setupvalue") {
    lua_pushcfunction(L, safe_setupvalue);
  } else if (what == "debug.setlocal") {
    lua_pushcfunction(L, safe_setlocal);
  } else if (what == "debug.getlocal") {
    lua_getfield(L, library, "getlocal");
    lua_pushcclosure(L, safe_getlocal, 1);
  } else if (what == "debug.upvalueid" || what == "debug.upvaluejoin") {
    lua_getfield(L, library, std::string(field.name).c_str());
    if (lua_isnil(L, -1)) return true;  // not in this engine: stays absent
    lua_pushcclosure(L, what == "debug.upvalueid" ? safe_upvalueid : safe_upvaluejoin, 1);
  } else if (what == "package.cpath") {
    lua_pushliteral(L, "");
  } else if (what == "package.path") {
    std::string path;
    for (const auto& dir : settings.module_path) path += dir + "/?.lua;";
    lua_pushlstring(L, path.data(), path.size());
  } else if (what == "package.loaders") {
    lua_createtable(L, 2, 0);  // the engine's preload searcher, then the allow-listed one
    lua_getfield(L, library, "loaders");
    lua_rawgeti(L, -1, 1);
    lua_rawseti(L, -3, 1);
    lua_pop(L, 1);
    lua_pushcfunction(L, allowlisted_searcher);
    lua_rawseti(L, -2, 2);
  } else {
    throw std::logic_error("sandbox: no harness value for " + what);
  }
  return true;
}

// Pushes the library table at `path` ("string", "jit.opt", "package.preload",
// "_G"), or nil.
void push_library(lua_State* L, std::string_view path) {
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  if (path == "_G") return;
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    const std::string part(path.substr(start, dot == std::string_view::npos ? path.npos : dot - start));
    if (!lua_istable(L, -1)) return;
    lua_getfield(L, -1, part.c_str());
    lua_remove(L, -2);
    if (dot == std::string_view::npos) return;
    start = dot + 1;
  }
}

// One library's rows for this engine, with the names and refusal texts the
// build needs, made once per process (the engine is fixed per binary). The one
// place outside core/engine that asks which engine it is: the allow-list is a
// single table for the three engines (each row names the engines whose libraries
// have the field, library_allowlist.h), so that the README's table and the tests
// read one list.
struct LibraryPlan {
  std::string_view library;
  std::vector<const LibraryField*> fields;
  std::vector<std::string> names;  // C strings for lua_setfield
  std::vector<std::string> whats;  // what a refusal names
  std::unordered_set<std::string_view> listed;
};

const std::vector<LibraryPlan>& library_plans() {
  static const std::vector<LibraryPlan> plans = [] {
    std::vector<LibraryPlan> built;
    const engine::Id engine = engine::id();
    for (std::string_view library : allowlisted_libraries()) {
      LibraryPlan plan{library, {}, {}, {}, {}};
      for (const LibraryField& f : library_allowlist()) {
        if (f.library != library || !f.on(engine)) continue;
        plan.fields.push_back(&f);
        plan.names.emplace_back(f.name);
        plan.whats.push_back(f.what());
        plan.listed.insert(f.name);
      }
      built.push_back(std::move(plan));
    }
    return built;
  }();
  return plans;
}

// Rebuilds one library table in place (so that the engine's own references to
// it, the string metatable's __index among them, see the same table): every
// field the allow-list does not name is removed, every named one set as listed.
// A library the engine did not open (io) is created when it holds anything.
void build_library(lua_State* L, const LibraryPlan& plan, const Settings& settings) {
  const Profile profile = settings.profile;
  bool holds_anything = false;
  for (const LibraryField* f : plan.fields) {
    if (f->under(profile) != Access::absent) holds_anything = true;
  }
  push_library(L, plan.library);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    if (!holds_anything) return;
    lua_newtable(L);
    const size_t dot = plan.library.rfind('.');
    push_library(L, dot == std::string_view::npos ? "_G" : plan.library.substr(0, dot));
    const std::string name(dot == std::string_view::npos ? plan.library
                                                          : plan.library.substr(dot + 1));
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, name.c_str());
    lua_pop(L, 1);
  }
  const int table = lua_gettop(L);

  std::vector<std::string> unlisted;  // default-deny: what the engine added beyond the list
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) throw std::logic_error("sandbox: a library with a non-string key");
    size_t len = 0;
    const char* key = lua_tolstring(L, -1, &len);
    if (!plan.listed.contains(std::string_view(key, len))) unlisted.emplace_back(key, len);
  }
  for (const std::string& name : unlisted) {
    lua_pushnil(L);
    lua_setfield(L, table, name.c_str());
  }

  for (size_t i = 0; i < plan.fields.size(); ++i) {
    const LibraryField& f = *plan.fields[i];
    switch (f.under(profile)) {
      case Access::allow: continue;
      case Access::absent: lua_pushnil(L); break;
      case Access::refuse: push_refusal(L, plan.whats[i].c_str()); break;
      case Access::harness:
        if (!push_harness_value(L, f, plan.whats[i], table, settings)) lua_pushnil(L);
        break;
    }
    lua_setfield(L, table, plan.names[i].c_str());
  }
  lua_pop(L, 1);
}

// package.loaded (the registry's _LOADED, the same table) holds exactly the
// visible libraries.
void register_libraries(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  const int loaded = lua_gettop(L);
  std::vector<std::string> names;
  lua_pushnil(L);
  while (lua_next(L, loaded) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) names.emplace_back(lua_tostring(L, -1));
  }
  for (const std::string& name : names) {
    lua_pushnil(L);
    lua_setfield(L, loaded, name.c_str());
  }
  for (std::string_view library : allowlisted_libraries()) {
    if (library == "package.preload") continue;
    push_library(L, library);
    if (lua_istable(L, -1)) {
      lua_setfield(L, loaded, std::string(library).c_str());
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

}  // namespace

int refuse_with(lua_State* L, const char* what) {
  if (ExecutionBudget* b = context_of(L).budget; b != nullptr && b->sandbox_refusal.empty()) {
    HarnessFrame frame;
    b->sandbox_refusal = what;
  }
  return luaL_error(L, "%s is disabled in the codecache sandbox", what);
}

void push_refusal(lua_State* L, const char* what) {
  lua_pushstring(L, what);
  lua_pushcclosure(L, refuse, 1);
}

void open_sandboxed_libraries(lua_State* L, const Settings& settings) {
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_package, LUA_LOADLIBNAME);
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  open_library(L, luaopen_os, LUA_OSLIBNAME);
  open_library(L, luaopen_debug, LUA_DBLIBNAME);
  engine::open_extra_libraries(L);
  for (const LibraryPlan& plan : library_plans()) build_library(L, plan, settings);
  register_libraries(L);
}

}  // namespace codecache

// Engine seam for the two LuaJIT flavours (stock LuaJIT 2.1 and OpenResty's
// LuaJIT2). The build passes CODECACHE_ENGINE_LUAJIT2 to this file alone (the
// seam's object library, core/CMakeLists.txt) for the OpenResty flavour; the
// header's own OPENRESTY_LUAJIT must agree with it.
#include "core/engine/engine.h"

#include "core/engine/luajit_bytecode_verifier.h"

extern "C" {
#include "luajit.h"
#include "lj_obj.h"  // global_State, for collector_stopped; GCtab, for the table copies
#include "lj_gc.h"
#include "lj_tab.h"
}

namespace codecache::engine {

#if defined(CODECACHE_ENGINE_LUAJIT2) != defined(OPENRESTY_LUAJIT)
#error "engine build mismatch: OPENRESTY_LUAJIT must be defined exactly for luajit2"
#endif

#if defined(CODECACHE_ENGINE_LUAJIT2)
Id id() { return Id::luajit2; }
#else
Id id() { return Id::luajit; }
#endif

bool defines_openresty_luajit() {
#if defined(OPENRESTY_LUAJIT)
  return true;
#else
  return false;
#endif
}

bool load_takes_strings() { return true; }

void open_extra_libraries(lua_State* L) {
  lua_pushcfunction(L, luaopen_bit);
  lua_pushstring(L, LUA_BITLIBNAME);
  lua_call(L, 1, 0);
  // Opening `jit` is what turns the compiler on (jit_init sets JIT_F_ON).
  lua_pushcfunction(L, luaopen_jit);
  lua_pushstring(L, LUA_JITLIBNAME);
  lua_call(L, 1, 0);
  // The lexer opens the FFI on demand for an int64 or imaginary literal (lj_lex.c
  // lex_number: `1LL`, `1ULL`, `1i`), and luaopen_ffi registers the module in the
  // registry's _LOADED (lib_ffi.c ffi_register_module), where `require "ffi"` and
  // package.loaded.ffi find it: any chunk could hand itself the FFI (ffi.C, raw
  // memory) that the sandbox refuses. Opened here once and taken out of _LOADED,
  // the FFI's state exists and the lexer never opens it again. The module table is
  // kept under a private registry key: its functions' upvalues are all that keep
  // the FFI's finalizer and metatype tables alive (lib_ffi.c, LJLIB_PUSH), and
  // handlers cannot reach the registry (hostile_sandbox.case, "an int64 literal
  // does not make ffi loadable"; found by the sealed shared-state check,
  // corpus/regressions/NOTES.md).
  static const char ffi_anchor = 0;
  lua_pushlightuserdata(L, const_cast<char*>(&ffi_anchor));
  lua_pushcfunction(L, luaopen_ffi);
  lua_call(L, 0, 1);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  lua_pushnil(L);
  lua_setfield(L, -2, LUA_FFILIBNAME);
  lua_pop(L, 1);
}

int load_text_only(lua_State* L, const char* text, size_t size, const char* chunkname) {
  // Mode "t" makes LuaJIT's own loader refuse bytecode after its BOM / '#' skip.
  return luaL_loadbufferx(L, text, size, chunkname, "t");
}

BytecodeFormat bytecode_format() { return BytecodeFormat::luajit; }

void set_c_stack_floor(const char* floor) { lua_cstack_floor = floor; }

unsigned long stack_overflows() { return lua_stack_overflows; }

std::optional<std::string> unsafe_bytecode(std::string_view dump) {
  luajit_bytecode::Result result = luajit_bytecode::verify(dump);
  if (result.verdict != luajit_bytecode::Verdict::unsafe) return std::nullopt;
  return std::move(result.problem);
}

bool collector_stopped(lua_State* L) { return G(L)->gc.threshold == LJ_MAX_MEM; }  // lj_api.c, LUA_GCSTOP

namespace {
const GCtab* table_at(lua_State* L, int index) {
  return static_cast<const GCtab*>(lua_topointer(L, index));
}
}  // namespace

bool table_is_flat(lua_State* L, int index) {
  const GCtab* t = table_at(L, index);
  const TValue* array = tvref(t->array);
  for (uint32_t i = 0; i < t->asize; ++i) {
    if (tvistab(&array[i])) return false;
  }
  const Node* node = noderef(t->node);
  for (uint32_t i = 0; i <= t->hmask; ++i) {  // a dead table key counts: conservative
    if (tvistab(&node[i].key) || tvistab(&node[i].val)) return false;
  }
  return true;
}

void push_table_clone(lua_State* L, int index) {
  const GCtab* original = table_at(L, index);
  lua_pushnil(L);  // the slot, so that the copy is anchored as soon as it exists
  lj_gc_check(L);
  GCtab* copy = lj_tab_dup(L, original);  // what the TDUP bytecode does for a template
  settabV(L, L->top - 1, copy);
}

}  // namespace codecache::engine

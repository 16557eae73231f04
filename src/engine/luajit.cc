// Engine seam for the two LuaJIT flavours (stock LuaJIT 2.1 and OpenResty's
// LuaJIT2). The build passes CODECACHE_ENGINE_LUAJIT2 for the OpenResty flavour;
// the header's own OPENRESTY_LUAJIT must agree with it.
#include "engine/engine.h"

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
std::string_view name() { return "luajit2"; }
#else
Id id() { return Id::luajit; }
std::string_view name() { return "luajit"; }
#endif

void open_extra_libraries(lua_State* L) {
  lua_pushcfunction(L, luaopen_bit);
  lua_pushstring(L, LUA_BITLIBNAME);
  lua_call(L, 1, 0);
  // Opening `jit` is what turns the compiler on (jit_init sets JIT_F_ON).
  lua_pushcfunction(L, luaopen_jit);
  lua_pushstring(L, LUA_JITLIBNAME);
  lua_call(L, 1, 0);
}

int load_text_only(lua_State* L, const char* text, size_t size, const char* chunkname) {
  // Mode "t" makes LuaJIT's own loader refuse bytecode after its BOM / '#' skip.
  return luaL_loadbufferx(L, text, size, chunkname, "t");
}

BytecodeFormat bytecode_format() { return BytecodeFormat::luajit; }

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

// Engine seam for the two LuaJIT flavours (stock LuaJIT 2.1 and OpenResty's
// LuaJIT2). The build passes CODECACHE_ENGINE_LUAJIT2 for the OpenResty flavour;
// the header's own OPENRESTY_LUAJIT must agree with it.
#include "engine/engine.h"

extern "C" {
#include "luajit.h"
#include "lj_obj.h"  // global_State, for collector_stopped
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

}  // namespace codecache::engine

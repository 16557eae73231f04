// Engine seam for PUC Lua 5.1.5 (compiled as C++).
#include "engine/engine.h"

#include "lstate.h"  // global_State, for collector_stopped

namespace codecache::engine {

Id id() { return Id::lua51; }
std::string_view name() { return "lua51"; }

void open_extra_libraries(lua_State*) {}

int load_text_only(lua_State* L, const char* text, size_t size, const char* chunkname) {
  // PUC's lua_load only recognises bytecode by the first byte of the stream.
  if (size > 0 && text[0] == LUA_SIGNATURE[0]) {
    lua_pushfstring(L, "%s: loading precompiled chunks is disabled", chunkname);
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbuffer(L, text, size, chunkname);
}

BytecodeFormat bytecode_format() { return BytecodeFormat::puc51; }

bool collector_stopped(lua_State* L) { return G(L)->GCthreshold == MAX_LUMEM; }  // lapi.c, LUA_GCSTOP

}  // namespace codecache::engine

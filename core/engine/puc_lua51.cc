// Engine seam for PUC Lua 5.1.5 (compiled as C++).
#include "core/engine/engine.h"

#include "lgc.h"
#include "lobject.h"
#include "lstate.h"  // global_State, for collector_stopped
#include "ltable.h"

namespace codecache::engine {

Id id() { return Id::lua51; }

bool defines_openresty_luajit() { return false; }

bool load_takes_strings() { return false; }

void open_extra_libraries(lua_State*) {}

void set_c_stack_floor(const char*) {}  // ldo.c counts nested C calls (LUAI_MAXCCALLS)

unsigned long stack_overflows() { return lua_stack_overflows; }

int load_text_only(lua_State* L, const char* text, size_t size, const char* chunkname) {
  // PUC's lua_load only recognises bytecode by the first byte of the stream.
  if (size > 0 && text[0] == LUA_SIGNATURE[0]) {
    lua_pushfstring(L, "%s: loading precompiled chunks is disabled", chunkname);
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbuffer(L, text, size, chunkname);
}

BytecodeFormat bytecode_format() { return BytecodeFormat::puc51; }

std::optional<std::string> unsafe_bytecode(std::string_view) { return std::nullopt; }

bool collector_stopped(lua_State* L) { return G(L)->GCthreshold == MAX_LUMEM; }  // lapi.c, LUA_GCSTOP

namespace {
const Table* table_at(lua_State* L, int index) {
  return static_cast<const Table*>(lua_topointer(L, index));
}
}  // namespace

bool table_is_flat(lua_State* L, int index) {
  const Table* t = table_at(L, index);
  for (int i = 0; i < t->sizearray; ++i) {
    if (ttistable(&t->array[i])) return false;
  }
  for (int i = 0; i < sizenode(t); ++i) {  // a dead table key counts: conservative
    const Node* n = &t->node[i];
    if (ttistable(key2tval(n)) || ttistable(gval(n))) return false;
  }
  return true;
}

void push_table_clone(lua_State* L, int index) {
  const Table* original = table_at(L, index);
  lua_pushnil(L);  // the slot, so that the copy is anchored as soon as it exists
  luaC_checkGC(L);
  // luaH_new's hash size is a slot count; an empty hash part (the shared dummy
  // node) becomes one free node.
  Table* copy = luaH_new(L, original->sizearray, sizenode(original));
  sethvalue(L, L->top - 1, copy);
  for (int i = 0; i < original->sizearray; ++i) setobj2t(L, &copy->array[i], &original->array[i]);
  const Node* from = original->node;
  Node* to = copy->node;
  for (int i = 0; i < sizenode(original); ++i) {
    to[i].i_val = from[i].i_val;
    to[i].i_key = from[i].i_key;
    const Node* next = from[i].i_key.nk.next;
    to[i].i_key.nk.next = next != nullptr ? to + (next - from) : nullptr;
  }
  copy->lastfree = to + (original->lastfree - from);
  copy->flags = 0;  // no cached metamethod absence: the copy may become a metatable
}

}  // namespace codecache::engine

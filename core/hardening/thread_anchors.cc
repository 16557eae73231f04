// Request threads held on anchor stacks (see thread_anchors.h).
#include "core/hardening/thread_anchors.h"

#include <cstdlib>

namespace codecache {

ThreadAnchors::Slot ThreadAnchors::hold(lua_State* L) {
  const bool reused = !free_.empty();
  Slot slot;
  if (reused) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = next_++;
    if (index_of(slot) == 1) {  // the first slot of a new anchor stack
      stacks_.push_back(lua_newthread(L));
      luaL_ref(L, LUA_REGISTRYINDEX);  // pops it; never released while the VM lives
    }
  }
  lua_State* stack = stack_of(slot);
  if (!reused) {
    // Room for the new slot and the move below. It cannot be refused: a stack holds
    // kSlotsPerStack, under the engines' limit (an out-of-memory raises instead).
    if (!lua_checkstack(stack, 2)) std::abort();
    lua_pushnil(stack);  // the stack's top is now the new slot
  }
  lua_xmove(L, stack, 1);
  lua_replace(stack, index_of(slot));
  return slot;
}

void ThreadAnchors::release(Slot slot) {
  lua_State* stack = stack_of(slot);
  // One push needs no lua_checkstack: hold reserved room above the last slot, and
  // neither collector shrinks a stack to less than twice what it holds.
  lua_pushnil(stack);
  lua_replace(stack, index_of(slot));
  free_.push_back(slot);
}

}  // namespace codecache

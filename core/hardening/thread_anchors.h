// Keeps each running request's coroutine reachable by the collector while the
// request is in flight (a paused request's thread is on no Lua stack). ngx_lua
// anchors its coroutines with luaL_ref in a registry table; here each thread sits
// in a slot of a dedicated anchor thread's stack and the free slots are a C++
// list, so holding is two API calls and releasing two: no table is hashed or
// grown per request, and releasing never allocates (a handler may have left the
// heap at its cap).
#pragma once

#include <vector>

#include "core/engine/lua_headers.h"

namespace codecache {

class ThreadAnchors {
 public:
  using Slot = int;

  // Pops the thread on top of `L`'s stack into a free slot. Called by the harness,
  // outside any memory cap (it may grow an anchor stack).
  Slot hold(lua_State* L);
  // Empties `slot`: its thread is left to the collector.
  void release(Slot slot);
  // Whether any slot holds a thread (a request is in flight on the VM).
  bool holds_any() const { return free_.size() != static_cast<std::size_t>(next_); }

 private:
  // Slots per anchor thread: well under LUAI_MAXCSTACK (8000), the most that
  // lua_checkstack grants one stack; more requests in flight open another.
  static constexpr int kSlotsPerStack = 4000;

  lua_State* stack_of(Slot slot) const { return stacks_[static_cast<std::size_t>(slot / kSlotsPerStack)]; }
  static int index_of(Slot slot) { return slot % kSlotsPerStack + 1; }

  std::vector<lua_State*> stacks_;  // each anchored once in the registry
  std::vector<Slot> free_;
  Slot next_ = 0;  // every slot below it was handed out before
};

}  // namespace codecache

// ThreadAnchors (core/hardening/thread_anchors.h): a held thread survives full collections
// however many are held (more than one anchor stack's worth included), a released
// one is collected, and released slots are handed out again.
#include <gtest/gtest.h>

#include <vector>

#include "core/hardening/thread_anchors.h"
#include "core/engine/lua_headers.h"

namespace codecache {
namespace {

class ThreadAnchorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    L = luaL_newstate();
    ASSERT_NE(L, nullptr);
    luaL_openlibs(L);
    // seen: a weak-valued table that notes every thread made, to count survivors
    ASSERT_EQ(luaL_dostring(L, "seen = setmetatable({}, { __mode = 'v' })"), 0);
  }
  void TearDown() override { lua_close(L); }

  // A new thread, noted in `seen`, held by the anchors.
  ThreadAnchors::Slot hold_new_thread() {
    lua_getglobal(L, "seen");
    lua_newthread(L);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, static_cast<int>(lua_objlen(L, -3)) + 1);
    ThreadAnchors::Slot slot = anchors.hold(L);  // pops the thread
    lua_pop(L, 1);
    return slot;
  }

  // Threads in `seen` that are still alive after a full collection.
  int alive() {
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_getglobal(L, "seen");
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      ++n;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
  }

  lua_State* L = nullptr;
  ThreadAnchors anchors;
};

TEST_F(ThreadAnchorsTest, HeldThreadsSurviveAndReleasedOnesAreCollected) {
  const ThreadAnchors::Slot a = hold_new_thread();
  const ThreadAnchors::Slot b = hold_new_thread();
  EXPECT_NE(a, b);
  EXPECT_EQ(lua_gettop(L), 0);  // hold pops the thread
  EXPECT_EQ(alive(), 2);
  anchors.release(a);
  EXPECT_EQ(alive(), 1);
  anchors.release(b);
  EXPECT_EQ(alive(), 0);
}

TEST_F(ThreadAnchorsTest, ReleasedSlotsAreReused) {
  const ThreadAnchors::Slot a = hold_new_thread();
  anchors.release(a);
  EXPECT_EQ(hold_new_thread(), a);
}

// More threads in flight than one anchor stack holds (4000), released in an order
// other than the one they were held in.
TEST_F(ThreadAnchorsTest, ManyThreadsInFlightAcrossAnchorStacks) {
  constexpr int kThreads = 9000;
  std::vector<ThreadAnchors::Slot> slots;
  for (int i = 0; i < kThreads; ++i) slots.push_back(hold_new_thread());
  EXPECT_EQ(alive(), kThreads);
  for (int i = 0; i < kThreads; i += 2) anchors.release(slots[i]);
  EXPECT_EQ(alive(), kThreads / 2);
  for (int i = 1; i < kThreads; i += 2) anchors.release(slots[i]);
  EXPECT_EQ(alive(), 0);
}

}  // namespace
}  // namespace codecache

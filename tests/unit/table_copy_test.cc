// The engine seam's raw table copies (engine.h), which the sealed profile uses for
// its per-request copies of library tables: same entries and lookups as the
// original, a table of its own, no metatable, and usable as a metatable itself.
#include <gtest/gtest.h>

#include <string>

#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"

namespace codecache {
namespace {

class TableCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    L = luaL_newstate();
    ASSERT_NE(L, nullptr);
    luaL_openlibs(L);
  }
  void TearDown() override { lua_close(L); }

  // Runs `code`, which returns one value (a table), and leaves it on the stack.
  void push_result(const std::string& code) {
    ASSERT_EQ(luaL_dostring(L, code.c_str()), 0) << lua_tostring(L, -1);
  }

  // Runs `check(original, copy)` and expects it to return true.
  void expect(const char* check, int original, int copy) {
    original = original < 0 ? lua_gettop(L) + 1 + original : original;
    copy = copy < 0 ? lua_gettop(L) + 1 + copy : copy;
    ASSERT_EQ(luaL_loadstring(L, check), 0) << lua_tostring(L, -1);
    lua_pushvalue(L, original);
    lua_pushvalue(L, copy);
    ASSERT_EQ(lua_pcall(L, 2, 1, 0), 0) << lua_tostring(L, -1);
    EXPECT_TRUE(lua_toboolean(L, -1)) << check;
    lua_pop(L, 1);
  }

  lua_State* L = nullptr;
};

constexpr char kFlat[] =
    "local t = {10, 20, 30, nil, 50, name = 'n', [2.5] = 'x', [true] = print, __index = 'mm'}\n"
    "for i = 1, 40 do t['k' .. i] = i end\n"
    "t.k7 = nil\n"  // a removed key leaves a dead node behind
    "return setmetatable(t, {__tostring = function() return 'original' end})";

TEST_F(TableCopy, FlatnessLooksAtRawKeysAndValues) {
  push_result("return {1, 'a', x = print, [2.5] = true}");
  EXPECT_TRUE(engine::table_is_flat(L, -1));
  push_result("return {1, {}}");
  EXPECT_FALSE(engine::table_is_flat(L, -1));
  push_result("return {x = {}}");
  EXPECT_FALSE(engine::table_is_flat(L, -1));
  push_result("return {[{}] = 1}");
  EXPECT_FALSE(engine::table_is_flat(L, -1));
  push_result("return {}");
  EXPECT_TRUE(engine::table_is_flat(L, -1));
}

TEST_F(TableCopy, CopyHasTheSameEntriesAndNoMetatable) {
  push_result(kFlat);
  engine::push_table_clone(L, -1);
  EXPECT_NE(lua_topointer(L, -1), lua_topointer(L, -2));
  expect("local a, b = ...\n"
         "for k, v in pairs(a) do if rawget(b, k) ~= v then return false end end\n"
         "for k, v in pairs(b) do if rawget(a, k) ~= v then return false end end\n"
         "return #b == #a and b.k7 == nil and b[2.5] == 'x' and b[true] == print",
         -2, -1);
  EXPECT_EQ(lua_getmetatable(L, -1), 0);
}

TEST_F(TableCopy, CopyAndOriginalChangeApart) {
  push_result(kFlat);
  engine::push_table_clone(L, -1);
  expect("local a, b = ...\n"
         "b.name = 'changed'; b[1] = 'one'; for i = 41, 200 do b['k' .. i] = i end\n"
         "a.extra = true\n"
         "return a.name == 'n' and a[1] == 10 and a.k100 == nil and b.k100 == 100 and\n"
         "       b.extra == nil and b.k40 == 40 and a.k40 == 40",
         -2, -1);
}

TEST_F(TableCopy, EmptyTableCopiesAndGrows) {
  push_result("return {}");
  engine::push_table_clone(L, -1);
  expect("local a, b = ...\n"
         "for i = 1, 100 do b[i] = i; b['s' .. i] = i end\n"
         "return next(a) == nil and #b == 100 and b.s100 == 100",
         -2, -1);
}

// A copied metatable must honour its metamethods: Lua 5.1 caches in a table which
// metamethods it lacks, and a new table starts with "lacks them all".
TEST_F(TableCopy, CopiedMetatableWorks) {
  push_result("return {__index = function(_, k) return k .. '!' end}");
  engine::push_table_clone(L, -1);
  expect("local _, mt = ...\nreturn setmetatable({}, mt).hello == 'hello!'", -2, -1);
}

TEST_F(TableCopy, CopiesSurviveFullCollections) {
  push_result(kFlat);
  for (int i = 0; i < 50; ++i) {
    engine::push_table_clone(L, -1);
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_replace(L, -2);  // the copy becomes the next original
  }
  expect("local a = ...\nreturn a[5] == 50 and a.k40 == 40 and a.name == 'n' and a[true] == print", -1,
         -1);
}

}  // namespace
}  // namespace codecache

// The table-template evidence of bytecode_roundtrip (fuzz/table_template.h) against
// this binary's engine: a constructor with holes whose border the LuaJIT round
// trip moves, constructors it carries unchanged, and PUC Lua 5.1, which has no
// templates.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"
#include "table_template.h"
#include "test_support.h"

namespace codecache::fuzz {
namespace {

// string.dump of `source`, compiled as the chunk "@t.lua" (test_support.h).
std::string dump_of(std::string_view source) { return test::dump_bytecode(source, false, "@t.lua"); }

std::string moved(std::string_view source) {
  return template_moved_by_roundtrip(source, dump_of(source), "@t.lua");
}

bool luajit() { return engine::bytecode_format() == engine::BytecodeFormat::luajit; }

TEST(TableTemplate, AHoleBeforeTheLastConstantMovesTheBorder) {
  if (!luajit()) {
    EXPECT_EQ(moved("return #{1, zz, 3}"), "");
    return;
  }
  EXPECT_EQ(moved("return #{1, zz, 3}"), "template 1: border 1 from source, 3 from the dump");
  // In a nested function, after another template.
  EXPECT_EQ(moved("local a = {x = 1} return function() return {1, nil, 3} end"),
            "template 2: border 1 from source, 3 from the dump");
  // (A template's keys can also come back in another order, but whether they do
  // depends on the string hash seed, random per process on OpenResty's LuaJIT: no
  // example of it is stable enough for a test.)
}

TEST(TableTemplate, ConstructorsWithoutHolesAreCarriedAsTheyAre) {
  EXPECT_EQ(moved("return #{1, 2, 3}"), "");
  EXPECT_EQ(moved("return {zz, 2}"), "");
  EXPECT_EQ(moved("return {x = 1, y = 2}"), "");
  EXPECT_EQ(moved("return 1"), "");
}

TEST(TableTemplate, NothingThatDoesNotLoadIsEvidence) {
  EXPECT_EQ(template_moved_by_roundtrip("return {1, nil, 3}", "not a dump", "@t.lua"), "");
  EXPECT_EQ(template_moved_by_roundtrip("return {", dump_of("return 1"), "@t.lua"), "");
}

}  // namespace
}  // namespace codecache::fuzz

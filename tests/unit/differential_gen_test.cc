// The differential target's program generator (fuzz/differential_gen.h): over
// thousands of pseudo-random inputs every program compiles on this binary's engine,
// decodes the same way twice, and holds none of the constructs the engines document
// as different; served, the programs print.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "differential_gen.h"
#include "core/engine/lua_headers.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

TEST(DifferentialGen, EveryProgramCompilesAndAvoidsWhatTheEnginesDoDifferently) {
  std::unique_ptr<lua_State, void (*)(lua_State*)> vm(luaL_newstate(), lua_close);
  lua_State* L = vm.get();
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    const auto bytes = random_bytes(rng, 300);
    const std::string code = fuzz::differential_program(bytes.data(), bytes.size());
    ASSERT_EQ(luaL_loadbuffer(L, code.data(), code.size(), "=p"), 0) << lua_tostring(L, -1) << "\n" << code;
    lua_settop(L, 0);
    ASSERT_EQ(code, fuzz::differential_program(bytes.data(), bytes.size()));
    for (const std::string_view banned : {"goto", "bit.", "jit", "ffi", "\\x", "getfenv", "setfenv",
                                          "unpack", "loadstring", "math.mod", "gcinfo", "next("})
      ASSERT_EQ(code.find(banned), std::string::npos) << banned << " in\n" << code;
  }
}

TEST(DifferentialGen, ProgramsPrint) {
  std::mt19937 rng(9);
  int printed = 0;
  for (int i = 0; i < 200; ++i) {
    const auto bytes = random_bytes(rng, 300);
    const Outcome o = run_inline(Profile::classic, fuzz::differential_program(bytes.data(), bytes.size()));
    ASSERT_EQ(o.load_failure, LoadFailure::none) << dump_log(o);
    printed += !o.body.empty();
  }
  EXPECT_GE(printed, 100);
}

}  // namespace
}  // namespace codecache::test

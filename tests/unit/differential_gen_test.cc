// The differential target's program generator (fuzz/differential_gen.h): over
// thousands of pseudo-random inputs every program compiles on this binary's engine,
// decodes the same way twice, and holds none of the constructs the engines document
// as different; served, the programs print.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <regex>
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

std::string program_of(const char* regression) {
  const std::string bytes = read_file(std::string(CODECACHE_CORPUS_DIR "/regressions/differential/") + regression);
  return fuzz::differential_program(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// The programs of 3,000 pseudo-random inputs from `seed`.
std::vector<std::string> random_programs(unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> programs;
  for (int i = 0; i < 3000; ++i) {
    const auto bytes = random_bytes(rng, 300);
    programs.push_back(fuzz::differential_program(bytes.data(), bytes.size()));
  }
  return programs;
}

std::vector<std::size_t> occurrences(std::string_view text, std::string_view needle) {
  std::vector<std::size_t> at;
  for (std::size_t p = text.find(needle); p != std::string_view::npos; p = text.find(needle, p + 1)) at.push_back(p);
  return at;
}

// corpus/regressions/differential/minus-zero-constant-slot decodes to `c = - 0`. PUC
// Lua would fold that to a constant -0 sharing the slot of every later 0, so the
// operation is moved to run time; constants that fold to anything else stay folded.
TEST(DifferentialGen, NeverFoldsAConstantToMinusZero) {
  const std::string code = program_of("minus-zero-constant-slot");
  EXPECT_NE(code.find("c = - nn(0)\n"), std::string::npos) << code;
  EXPECT_EQ(code.find("- 0\n"), std::string::npos) << code;

  // A unary minus (after an operator, "(", "," or "=") over the numeral 0.
  static const std::regex kNegatedZero(R"((?:[-(,=+*/%^<>]|\band|\bor|\bnot)\s*- 0(?![.\de]))");
  std::size_t wrapped = 0;
  std::size_t folded_negations = 0;
  for (const std::string& program : random_programs(11)) {
    ASSERT_FALSE(std::regex_search(program, kNegatedZero)) << program;
    for (const std::string_view zero : {"(0 * -1)", "(-1 * 0)", "(0 / -1)", "(-1 / 1e300)"})
      ASSERT_EQ(program.find(zero), std::string::npos) << zero << " in\n" << program;
    wrapped += occurrences(program, "nn(0)").size();
    folded_negations += occurrences(program, "- 1").size();
  }
  EXPECT_GT(wrapped, 0u);
  EXPECT_GT(folded_negations, 0u);
}

// corpus/regressions/differential/quoted-control-character-split: a control character
// reached %q and a gsub cut LuaJIT's escape apart. What %q quotes is stripped of them.
TEST(DifferentialGen, QuotesNoControlCharacter) {
  EXPECT_NE(program_of("quoted-control-character-split").find("string.format(\"%q\", (string.gsub(string.lower("),
            std::string::npos);
  std::size_t quoted = 0;
  for (const std::string& program : random_programs(13)) {
    for (const std::size_t at : occurrences(program, "\"%q\""))
      ASSERT_TRUE(std::string_view(program).substr(at).starts_with("\"%q\", (string.gsub(")) << program.substr(at, 40);
    quoted += occurrences(program, "\"%q\"").size();
  }
  EXPECT_GT(quoted, 50u);
}

// corpus/regressions/differential/jit-floor-of-no-value: math.floor over a string.byte
// that returned nothing (a LuaJIT JIT bug). string.byte always gives exactly one value.
TEST(DifferentialGen, StringByteGivesOneValue) {
  EXPECT_NE(program_of("jit-floor-of-no-value").find("math.floor((string.byte(\"-0\", 4)))"), std::string::npos);
  std::size_t bytes_read = 0;
  for (const std::string& program : random_programs(17)) {
    for (const std::size_t at : occurrences(program, "string.byte("))
      ASSERT_TRUE(at > 0 && program[at - 1] == '(') << program.substr(at > 10 ? at - 10 : 0, 40);
    bytes_read += occurrences(program, "string.byte(").size();
  }
  EXPECT_GT(bytes_read, 50u);
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

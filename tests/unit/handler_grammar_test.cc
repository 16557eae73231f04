// The structure-aware handler generator (fuzz/handler_grammar.h): over thousands of
// pseudo-random inputs every handler compiles on this binary's engine as a main chunk
// and inside ngx_lua's closure factory, holds no "--", no NUL byte and no top-level
// `...`, decodes the same way twice, reaches every construct the header promises, and
// serves requests that end in more than one way.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/lua_headers.h"
#include "handler_grammar.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

constexpr int kInputs = 3000;

std::string generated(const std::vector<std::uint8_t>& bytes) {
  return fuzz::generated_handler(bytes.data(), bytes.size());
}

// "" when `chunk` compiles on this engine, else the engine's message.
std::string compile_error(lua_State* L, std::string_view chunk) {
  const int status = luaL_loadbuffer(L, chunk.data(), chunk.size(), "=handler");
  std::string message = status == 0 ? "" : lua_tostring(L, -1);
  lua_settop(L, 0);
  return message;
}

TEST(HandlerGrammar, EveryHandlerCompilesAsMainChunkAndInsideTheFactory) {
  std::unique_ptr<lua_State, void (*)(lua_State*)> vm(luaL_newstate(), lua_close);
  std::mt19937 rng(20261202);
  for (int i = 0; i < kInputs; ++i) {
    const auto bytes = random_bytes(rng, 400);
    const std::string h = generated(bytes);
    ASSERT_EQ(compile_error(vm.get(), h), "") << "input " << i << ":\n" << h;
    ASSERT_EQ(compile_error(vm.get(), "return function() " + h + "\nend"), "") << "input " << i << ":\n" << h;
    ASSERT_EQ(h.find("--"), std::string::npos) << h;
    ASSERT_EQ(h.find('\0'), std::string::npos) << h;
    ASSERT_EQ(h, generated(bytes));
  }
}

TEST(HandlerGrammar, ReachesEveryConstruct) {
  const std::vector<std::string_view> constructs = {
      "local a", "G1 = ", "ngx.say(", "ngx.print(", "ngx.log(ngx.ERR", "ngx.status = ", "ngx.exit(",
      "ngx.flush()", "error(", "do return", "pcall(", "if ", "elseif", " else ", "for i = ",
      "ipairs(", "while ", "repeat ", "until true", "break", "local function", "coroutine.wrap",
      "coroutine.yield", "function(a, b)", "[[", "[==[", "]===]", "0x", "e-", "\\\n", "\\0", "'",
      "\r\n", "\r", ";", "..", "string.rep(", "string.format(", "{", "] = ", "(not ", "(#("};
  std::set<std::string_view> seen;
  std::mt19937 rng(7);
  for (int i = 0; i < kInputs; ++i) {
    const std::string h = generated(random_bytes(rng, 400));
    for (const auto c : constructs)
      if (h.find(c) != std::string::npos) seen.insert(c);
  }
  for (const auto c : constructs) EXPECT_TRUE(seen.contains(c)) << "never generated: " << c;
}

// The handlers are not only well formed: served, they end in different ways.
TEST(HandlerGrammar, HandlersServeVariedOutcomes) {
  std::mt19937 rng(11);
  std::set<int> statuses;
  int with_body = 0, with_error_log = 0, cut_off = 0;
  constexpr int kServed = 300;
  for (int i = 0; i < kServed; ++i) {
    const Outcome o = run_inline(Profile::classic, generated(random_bytes(rng, 400)));
    ASSERT_EQ(o.load_failure, LoadFailure::none) << dump_log(o);
    statuses.insert(o.status);
    with_body += !o.body.empty();
    with_error_log += log_contains(o, "[error]");
    cut_off += o.limit != LimitKind::none;
  }
  EXPECT_GE(statuses.size(), 3u);
  EXPECT_GE(with_body, kServed / 10);
  EXPECT_GE(with_error_log, kServed / 5);
  EXPECT_LE(cut_off, kServed / 20) << "most generated handlers must finish inside the limits";
}

}  // namespace
}  // namespace codecache::test

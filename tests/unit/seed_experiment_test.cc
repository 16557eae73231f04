// The experiment of ../shared/seeds/openresty_lua_globals.md: /set writes a global,
// /get reads it. Isolated under classic and sealed, shared under openresty, where
// the _G write guard warns exactly once.
#include <gtest/gtest.h>

#include "unit/test_support.h"

namespace codecache::test {
namespace {

struct SetGet {
  Outcome set, get;
};

SetGet set_then_get(Profile profile) {
  Worker worker(settings_for(profile));
  Handler set = Handler::inline_code("key = 1 ngx.say(\"set global done!\")", 40);
  Handler get = Handler::inline_code("ngx.say(key or \"nil\")", 44);
  SetGet r;
  r.set = worker.run(set);
  r.get = worker.run(get);
  return r;
}

TEST(SeedExperiment, ClassicKeepsGlobalsPerRequest) {
  SetGet r = set_then_get(Profile::classic);
  EXPECT_EQ(r.set.body, "set global done!\n");
  EXPECT_EQ(r.get.body, "nil\n");
  EXPECT_EQ(count_log_lines(r.set, "writing a global Lua variable"), 0);
}

TEST(SeedExperiment, SealedKeepsGlobalsPerRequest) {
  SetGet r = set_then_get(Profile::sealed);
  EXPECT_EQ(r.get.body, "nil\n");
}

TEST(SeedExperiment, OpenRestySharesGlobalsAndWarnsOnce) {
  SetGet r = set_then_get(Profile::openresty);
  EXPECT_EQ(r.set.status, 200);
  EXPECT_EQ(r.get.body, "1\n");
  ASSERT_EQ(count_log_lines(r.set, "writing a global Lua variable"), 1);
  EXPECT_EQ(count_log_lines(r.get, "writing a global Lua variable"), 0);
  // PUC 5.1 names no function for a metamethod call, so only LuaJIT has "__newindex(): ".
  const std::string caller = std::string(CODECACHE_TEST_ENGINE) == "lua51" ? "" : "__newindex(): ";
  const std::string expected =
      "[warn] [lua] _G write guard:12: " + caller + "writing a global Lua variable ('key') "
      "which may lead to race conditions between concurrent requests, so prefer the use of "
      "'local' variables\nstack traceback:\n";
  for (const auto& line : r.set.log) {
    if (line.find("writing a global") == std::string::npos) continue;
    EXPECT_EQ(line.substr(0, expected.size()), expected);
    EXPECT_NE(line.find("content_by_lua(nginx.conf:40):1: in main chunk"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace codecache::test

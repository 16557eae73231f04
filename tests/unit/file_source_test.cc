// File handlers served from memory (core/plumbing/file_source.h): the file loader reads
// them exactly as it reads files on disk (text, '#' line, bytecode), and a path
// the source does not hold is a missing file (404), without touching the disk.
#include <gtest/gtest.h>

#include <string>

#include "core/plumbing/file_source.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

Outcome serve_from_memory(Profile profile, const std::string& path, const std::string& bytes,
                          const std::string& asked = "") {
  Settings settings = settings_for(profile);
  settings.files = in_memory({{path, bytes}});
  Worker worker(settings);
  Handler handler = Handler::file(asked.empty() ? path : asked);
  return worker.run(handler);
}

TEST(FileSource, TextFileFromMemory) {
  const Outcome out = serve_from_memory(Profile::classic, "/mem/a.lua", "ngx.say('from memory')");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "from memory\n");
}

TEST(FileSource, SharpLineKeepsLineNumbers) {
  const Outcome out =
      serve_from_memory(Profile::openresty, "/mem/b.lua", "#!/bin/lua\nerror('x')");
  EXPECT_EQ(out.status, 500);
  ASSERT_FALSE(out.log.empty());
  EXPECT_NE(out.log.front().find("/mem/b.lua:2: x"), std::string::npos) << dump_log(out);
}

TEST(FileSource, BytecodeFromMemory) {
  for (Profile profile : {Profile::classic, Profile::openresty}) {
    const Outcome out = serve_from_memory(profile, "/mem/c.luac",
                                          dump_bytecode("ngx.say('bytecode ', 1 + 1)", false));
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "bytecode 2\n");
  }
}

TEST(FileSource, EmptyFileFromMemory) {
  const Outcome out = serve_from_memory(Profile::classic, "/mem/empty.lua", "");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "");
}

TEST(FileSource, OtherPathsAreMissing) {
  const Outcome out = serve_from_memory(Profile::classic, "/mem/a.lua", "ngx.say(1)",
                                        "/mem/other.lua");
  EXPECT_EQ(out.status, 404);
  ASSERT_FALSE(out.log.empty());
  EXPECT_NE(out.log.front().find("cannot open /mem/other.lua"), std::string::npos)
      << dump_log(out);
}

}  // namespace
}  // namespace codecache::test

// How load failures are reported (ngx_http_lua_cache_loadbuffer,
// ngx_http_lua_cache_loadfile, ngx_http_lua_content_handler_file; 002-content
// T40, T42, T51): the error-log line, the HTTP status (404 for a missing file,
// 503 for other file errors, 500 for syntax errors) and that nothing is cached.
// File handlers are given relative paths, as in nginx.conf; ngx_lua rebases them
// and logs and loads by the absolute path.
//
// Permission denied (002-content T51, /etc/shadow -> 503) cannot be produced
// reliably here: the tests run as root, and root reads a chmod 000 file. Other
// errno values from fopen() take the same path in ngx_lua (every LUA_ERRFILE
// but ENOENT is 503), so ENOTDIR, ELOOP and EISDIR stand in for EACCES below;
// the chmod 000 case is still run and asserts what the OS actually allows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "unit/test_support.h"

namespace codecache::test {
namespace {

class LoadErrors : public ::testing::TestWithParam<Profile> {
 protected:
  // Serves `relative` (a path relative to the scratch dir) once.
  Outcome serve(const std::string& relative) {
    CwdGuard cwd(dir_.path());
    Worker worker(settings_for(GetParam()));
    Handler handler = Handler::file(relative);
    return worker.run(handler);
  }
  std::string abs(const std::string& relative) const { return (dir_.path() / relative).string(); }

  ScratchDir dir_;
};
INSTANTIATE_TEST_SUITE_P(Profiles, LoadErrors,
                         ::testing::Values(Profile::classic, Profile::openresty, Profile::sealed),
                         [](const auto& tp) { return profile_name(tp.param); });

std::string file_error_line(const std::string& abs_path, const std::string& message) {
  return "[error] failed to load external Lua file \"" + abs_path + "\": " + message;
}

// 002-content T40 / ngx_http_lua_cache_loadfile: ENOENT -> 404.
TEST_P(LoadErrors, MissingFileIs404) {
  const Outcome out = serve("html/missing.lua");
  EXPECT_EQ(out.status, 404);
  EXPECT_EQ(out.body, "");
  EXPECT_EQ(out.limit, LimitKind::none);
  const std::string path = abs("html/missing.lua");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0],
            file_error_line(path, "cannot open " + path + ": No such file or directory"));
}

// ngx_http_lua_clfactory_loadfile: fopen() of a directory succeeds, reading
// fails (ferror) -> "cannot read".
TEST_P(LoadErrors, DirectoryIs503) {
  std::filesystem::create_directories(dir_.path() / "dir.lua");
  const Outcome out = serve("dir.lua");
  EXPECT_EQ(out.status, 503);
  const std::string path = abs("dir.lua");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], file_error_line(path, "cannot read " + path + ": Is a directory"));
}

// A non-ENOENT open error (ENOTDIR): 503, like permission denied.
TEST_P(LoadErrors, NotADirectoryIs503) {
  dir_.write("plain.lua", "ngx.say('x')");
  const Outcome out = serve("plain.lua/inner.lua");
  EXPECT_EQ(out.status, 503);
  const std::string path = abs("plain.lua/inner.lua");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], file_error_line(path, "cannot open " + path + ": Not a directory"));
}

// Another non-ENOENT open error (ELOOP): 503.
TEST_P(LoadErrors, SymlinkLoopIs503) {
  std::filesystem::create_symlink("loop.lua", dir_.path() / "loop.lua");
  const Outcome out = serve("loop.lua");
  EXPECT_EQ(out.status, 503);
  const std::string path = abs("loop.lua");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0],
            file_error_line(path, "cannot open " + path + ": Too many levels of symbolic links"));
}

// chmod 000: 503 "Permission denied" when the OS refuses the read (002-content
// T51); as root (CAP_DAC_OVERRIDE) the read is allowed and the file just runs.
TEST_P(LoadErrors, UnreadableFile) {
  const std::string path = dir_.write("secret.lua", "ngx.say('read anyway')");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  const bool readable = access(path.c_str(), R_OK) == 0;
  const Outcome out = serve("secret.lua");
  if (readable) {
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "read anyway\n");
  } else {
    EXPECT_EQ(out.status, 503);
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0], file_error_line(path, "cannot open " + path + ": Permission denied"));
  }
}

// ngx_http_lua_content_handler_file: a syntax error in a file is 500 (any code
// below NGX_HTTP_SPECIAL_RESPONSE), the message carries the "@path" chunk name.
TEST_P(LoadErrors, SyntaxErrorInFileIs500) {
  dir_.write("syn.lua", "for end");
  const Outcome out = serve("syn.lua");
  EXPECT_EQ(out.status, 500);
  const std::string path = abs("syn.lua");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], file_error_line(path, path + ":1: '<name>' expected near 'end'"));
}

// 002-content T42: inline syntax error -> 500 + "failed to load inlined Lua code".
TEST_P(LoadErrors, InlineSyntaxErrorIs500) {
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::inline_code("for end");
  const Outcome out = worker.run(handler);
  EXPECT_EQ(out.status, 500);
  EXPECT_EQ(out.body, "");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], "[error] failed to load inlined Lua code: "
                        "content_by_lua(nginx.conf:40):1: '<name>' expected near 'end'");
}

// The chunk name follows the directive's line (ngx_http_lua_gen_chunk_name).
TEST_P(LoadErrors, InlineChunkNameUsesTheConfLine) {
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::inline_code("for end", 46);
  const Outcome out = worker.run(handler);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], "[error] failed to load inlined Lua code: "
                        "content_by_lua(nginx.conf:46):1: '<name>' expected near 'end'");
}

// A failed load stores nothing (ngx_http_lua_cache_loadbuffer calls
// ngx_http_lua_cache_store_code only after a load succeeded): every later request
// reloads and logs again (cache_keys.case, "a failed load is never cached").
TEST_P(LoadErrors, FailedLoadsAreRetriedAndLoggedEveryTime) {
  Settings s = settings_for(GetParam());
  s.log_level = LogLevel::debug;
  Worker worker(s);
  Handler handler = Handler::inline_code("for end");
  for (int i = 0; i < 3; ++i) {
    const Outcome out = worker.run(handler);
    SCOPED_TRACE("request " + std::to_string(i + 1));
    EXPECT_EQ(out.status, 500);
    EXPECT_EQ(out.cache, CacheState::miss);
    EXPECT_EQ(handler.cache_ref, kRefNil);
    const CacheTrace expected = {
        {CacheEvent::Kind::lookup, -1},
        {CacheEvent::Kind::miss, -1}};
    EXPECT_EQ(out.cache_events, expected);
    EXPECT_EQ(count_log_lines(out, "[error] failed to load inlined Lua code: "), 1) << dump_log(out);
  }
}

}  // namespace
}  // namespace codecache::test

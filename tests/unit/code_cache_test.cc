// The code cache (ngx_http_lua_cache.c) and `lua_code_cache off`
// (ngx_http_lua_create_ctx in ngx_http_lua_util.h): keys, the lookup / miss /
// hit / setting-ref protocol with luaL_ref integer refs, what a hit runs, that
// failed loads are never cached, and that the cache off gives every request a
// fresh VM (fresh globals, fresh package.loaded, files re-read).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model/cache_key.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

using Kind = CacheEvent::Kind;

class CodeCacheProfiles : public ::testing::TestWithParam<Profile> {};
INSTANTIATE_TEST_SUITE_P(Profiles, CodeCacheProfiles,
                         ::testing::Values(Profile::classic, Profile::openresty, Profile::sealed),
                         [](const auto& tp) { return profile_name(tp.param); });

Settings debug_settings(Profile p, bool code_cache = true) {
  Settings s = settings_for(p, code_cache);
  s.log_level = LogLevel::debug;
  return s;
}

// ---------------------------------------------------------------------------
// Keys (ngx_http_lua_gen_chunk_cache_key, ngx_http_lua_gen_file_cache_key;
// 025-codecache T32, T33, T41)
// ---------------------------------------------------------------------------

TEST(CacheKey, Md5OfTheExactSource) {
  EXPECT_EQ(md5_hex(" ngx.say(\"/a/ is called\") "), "3c7137b8371d10bc148c8f8bb3042ee6");
  EXPECT_EQ(md5_hex(" ngx.say(\"/b/ is called\") "), "1dfe09105792ef65c8d576cc486d5e04");
  EXPECT_EQ(md5_hex(" ngx.log(ngx.INFO, \"hello\") "), "8a9441d0a30531ba8bb34ab11c55cfc3");
  EXPECT_EQ(md5_hex("html/a.lua"), "48a9a7def61143c003a7de1644e026e4");
}

TEST(CacheKey, InlineKeyIsTagNhliMd5) {
  EXPECT_EQ(inline_cache_key("content_by_lua", " ngx.say(\"/a/ is called\") "),
            "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6");
  EXPECT_EQ(inline_cache_key("log_by_lua", " ngx.log(ngx.INFO, \"hello\") "),
            "log_by_lua_nhli_8a9441d0a30531ba8bb34ab11c55cfc3");
  // The key has no file or line: the same code on another line shares it.
  EXPECT_EQ(Handler::inline_code(" ngx.say(\"/a/ is called\") ", 40).cache_key,
            "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6");
  EXPECT_EQ(Handler::inline_code(" ngx.say(\"/a/ is called\") ", 99).cache_key,
            "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6");
  // Every byte counts: no trimming of the surrounding spaces.
  EXPECT_NE(Handler::inline_code("ngx.say(\"/a/ is called\")").cache_key,
            "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6");
}

TEST(CacheKey, FileKeyIsNhlfMd5OfThePathAsWritten) {
  EXPECT_EQ(file_cache_key("html/a.lua"), "nhlf_48a9a7def61143c003a7de1644e026e4");
  EXPECT_EQ(Handler::file("html/a.lua").cache_key, "nhlf_48a9a7def61143c003a7de1644e026e4");
  EXPECT_EQ(Handler::file("html/b.lua").cache_key, "nhlf_68f5f4e946c3efd1cc206452b807e8b6");
  EXPECT_EQ(Handler::file("html/c.lua").cache_key, "nhlf_042c9b3a136fbacbbd0e4b9ad10896b7");
  // Two spellings of one path are two entries (cache_keys.case, "dot slash path
  // is another entry").
  EXPECT_NE(Handler::file("./html/a.lua").cache_key, Handler::file("html/a.lua").cache_key);
}

TEST(CacheKey, HeldInlineUpToItsBound) {
  // ngx_lua's longest tag makes the longest key; it fits.
  const std::string longest = "ssl_session_fetch_by_lua_nhli_" + md5_hex("x");
  EXPECT_EQ(inline_cache_key("ssl_session_fetch_by_lua", "x"), longest);
  EXPECT_STREQ(CacheKey(longest).c_str(), longest.c_str());
  EXPECT_TRUE(CacheKey().empty());
  EXPECT_EQ(CacheKey(std::string(CacheKey::kMaxSize, 'k')).view().size(), CacheKey::kMaxSize);
  // One byte more is refused, never truncated: two keys must not become one.
  EXPECT_THROW(CacheKey(std::string(CacheKey::kMaxSize + 1, 'k')), std::length_error);
  // Equality is by content, in both directions and against text.
  EXPECT_EQ(CacheKey("nhlf_a"), CacheKey(std::string("nhlf_") + "a"));
  EXPECT_NE(CacheKey("nhlf_a"), CacheKey("nhlf_ab"));
  EXPECT_TRUE(std::string("nhlf_a") == CacheKey("nhlf_a"));
  std::ostringstream printed;
  printed << CacheKey("nhlf_a");
  EXPECT_EQ(printed.str(), "nhlf_a");
}

// ---------------------------------------------------------------------------
// Lookup protocol (ngx_http_lua_cache_load_code, ngx_http_lua_cache_store_code)
// ---------------------------------------------------------------------------

TEST_P(CodeCacheProfiles, MissThenHit) {
  Worker worker(debug_settings(GetParam()));
  Handler handler = Handler::inline_code(" ngx.say(\"/a/ is called\") ");
  const std::string key = "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6";

  const Outcome first = worker.run(handler);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "/a/ is called\n");
  EXPECT_EQ(first.cache, CacheState::miss);
  EXPECT_EQ(first.cache_key, key);
  EXPECT_EQ(first.cache_events,
            (CacheTrace{{Kind::lookup, -1}, {Kind::miss, -1}}));
  EXPECT_EQ(handler.cache_ref, 1);

  const Outcome second = worker.run(handler);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "/a/ is called\n");
  EXPECT_EQ(second.cache, CacheState::hit);
  EXPECT_EQ(second.cache_events,
            (CacheTrace{{Kind::lookup, 1}, {Kind::hit, 1}}));

  // The debug lines ngx_http_lua_cache_load_code writes, verbatim.
  EXPECT_EQ(count_log_lines(first, "[debug] code cache lookup (key='" + key + "', ref=-1)"), 1)
      << dump_log(first);
  EXPECT_EQ(count_log_lines(first, "[debug] code cache miss (key='" + key + "', ref=-1)"), 1);
  EXPECT_EQ(count_log_lines(second, "[debug] code cache lookup (key='" + key + "', ref=1)"), 1)
      << dump_log(second);
  EXPECT_EQ(count_log_lines(second, "[debug] code cache hit (key='" + key + "', ref=1)"), 1);
}

TEST_P(CodeCacheProfiles, DebugLinesOnlyAtDebugLevel) {
  Worker worker(settings_for(GetParam()));  // info
  Handler handler = Handler::inline_code("ngx.say(1)");
  const Outcome out = worker.run(handler);
  EXPECT_EQ(count_log_lines(out, "code cache"), 0) << dump_log(out);
  EXPECT_EQ(out.cache_events.size(), 2u);  // still recorded in the outcome
}

// 025-codecache T32: /a/, /b/, /a/, then /c/ with /b/'s code.
TEST_P(CodeCacheProfiles, T32EventSequence) {
  Worker worker(debug_settings(GetParam()));
  Handler a = Handler::inline_code(" ngx.say(\"/a/ is called\") ", 10);
  Handler b = Handler::inline_code(" ngx.say(\"/b/ is called\") ", 20);
  Handler c = Handler::inline_code(" ngx.say(\"/b/ is called\") ", 30);
  const std::string ka = "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6";
  const std::string kb = "content_by_lua_nhli_1dfe09105792ef65c8d576cc486d5e04";

  const Outcome r1 = worker.run(a);
  const Outcome r2 = worker.run(b);
  const Outcome r3 = worker.run(a);
  const Outcome r4 = worker.run(c);

  EXPECT_EQ(r1.body, "/a/ is called\n");
  EXPECT_EQ(r2.body, "/b/ is called\n");
  EXPECT_EQ(r3.body, "/a/ is called\n");
  EXPECT_EQ(r4.body, "/b/ is called\n");

  EXPECT_EQ(r1.cache_events, (CacheTrace{{Kind::lookup, -1}, {Kind::miss, -1}}));
  EXPECT_EQ(r2.cache_events, (CacheTrace{{Kind::lookup, -1}, {Kind::miss, -1}}));
  EXPECT_EQ(r3.cache_events, (CacheTrace{{Kind::lookup, 1}, {Kind::hit, 1}}));
  EXPECT_EQ(r4.cache_events, (CacheTrace{{Kind::lookup, -1},
                                                      {Kind::setting_ref, 2},
                                                      {Kind::hit, 2}}));
  EXPECT_EQ(r4.cache, CacheState::hit);
  EXPECT_EQ(c.cache_ref, 2);
  EXPECT_EQ(count_log_lines(r4, "[debug] code cache setting ref (key='" + kb + "', ref=2)"), 1)
      << dump_log(r4);
}

// 025-codecache T33: file keys, c.lua (same content as b.lua) gets
// its own entry, ref 3 in the second round.
TEST_P(CodeCacheProfiles, T33FileKeys) {
  ScratchDir dir;
  dir.write("html/a.lua", "ngx.say(\"a\")\n");
  dir.write("html/b.lua", "ngx.say(\"b\")\n");
  dir.write("html/c.lua", "ngx.say(\"b\")\n");
  CwdGuard cwd(dir.path());
  Worker worker(settings_for(GetParam()));
  Handler files[] = {Handler::file("html/a.lua"), Handler::file("html/b.lua"),
                     Handler::file("html/c.lua")};
  const char* bodies[] = {"a\n", "b\n", "b\n"};
  const char* keys[] = {"nhlf_48a9a7def61143c003a7de1644e026e4",
                        "nhlf_68f5f4e946c3efd1cc206452b807e8b6",
                        "nhlf_042c9b3a136fbacbbd0e4b9ad10896b7"};
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 3; ++i) {
      SCOPED_TRACE("round " + std::to_string(round) + " file " + std::to_string(i));
      const Outcome out = worker.run(files[i]);
      EXPECT_EQ(out.status, 200) << dump_log(out);
      EXPECT_EQ(out.body, bodies[i]);
      EXPECT_EQ(out.cache_key, keys[i]);
      const CacheTrace expected =
          round == 0 ? CacheTrace{{Kind::lookup, -1}, {Kind::miss, -1}}
                     : CacheTrace{{Kind::lookup, i + 1},
                                               {Kind::hit, i + 1}};
      EXPECT_EQ(out.cache_events, expected);
    }
  }
}

// ---------------------------------------------------------------------------
// What a hit runs (ngx_http_lua_cache_load_code)
// ---------------------------------------------------------------------------

// Classic and sealed: the factory is called on every use, giving a fresh closure,
// so setfenv(1, ...) in one request is gone in the next. OpenResty: the same
// function object serves every request and the setfenv carries over
// (isolation.case, "setfenv inside a handler carries over on openresty").
TEST_P(CodeCacheProfiles, SetfenvPersistsOnlyWithoutTheFactory) {
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::inline_code(
      "local env = getfenv(1) "
      "if rawget(env, 'marker') then ngx.say('marked') "
      "else ngx.say('fresh') setfenv(1, setmetatable({marker = true}, {__index = env})) end");
  const std::vector<Outcome> outs = run_times(worker, handler, 2);
  EXPECT_EQ(outs[0].body, "fresh\n") << dump_log(outs[0]);
  EXPECT_EQ(outs[1].body, GetParam() == Profile::openresty ? "marked\n" : "fresh\n")
      << dump_log(outs[1]);
}

// ngx_http_lua_cache_store_code stores the factory before it calls it, so the
// first request reports a closure-generation failure (ngx_http_lua_cache_loadbuffer)
// and later hits report the Lua error with the key (ngx_http_lua_cache_load_code);
// factory.case, "factory error on the first load and on a cache hit".
TEST(FactoryErrors, FirstLoadThenHits) {
  for (Profile p : {Profile::classic, Profile::sealed}) {
    SCOPED_TRACE(to_string(p));
    Worker worker(settings_for(p));
    Handler handler = Handler::inline_code("end, error('factory failed'), function()");
    const Outcome first = worker.run(handler);
    EXPECT_EQ(first.status, 500);
    EXPECT_EQ(first.cache, CacheState::miss);
    ASSERT_EQ(first.log.size(), 1u) << dump_log(first);
    EXPECT_EQ(first.log[0], "[error] failed to load inlined Lua code: fail to generate new "
                            "closure from the closure factory");
    EXPECT_EQ(handler.cache_ref, 1);

    const Outcome second = worker.run(handler);
    EXPECT_EQ(second.status, 500);
    EXPECT_EQ(second.cache, CacheState::hit);
    ASSERT_EQ(second.log.size(), 1u) << dump_log(second);
    EXPECT_EQ(second.log[0], "[error] lua: failed to run factory at key \"" + handler.cache_key.str() +
                                 "\": content_by_lua(nginx.conf:40):1: factory failed");
  }
}

TEST(FactoryErrors, FileFactoryFailureNamesTheAbsolutePath) {
  ScratchDir dir;
  dir.write("f.lua", "end, error('factory failed'), function()");
  CwdGuard cwd(dir.path());
  Worker worker(settings_for(Profile::classic));
  Handler handler = Handler::file("f.lua");
  const Outcome out = worker.run(handler);
  EXPECT_EQ(out.status, 500);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], "[error] failed to load external Lua file \"" +
                            (dir.path() / "f.lua").string() +
                            "\": fail to generate new closure from the closure factory");
}

// ---------------------------------------------------------------------------
// Files on disk vs the cache (025-codecache T1, T3; cache_keys.case)
// ---------------------------------------------------------------------------

// Failed compiles are never cached: a file fixed on disk is picked up by the
// next request even with the cache on (cache_keys.case, "a broken file fixed on
// disk is picked up with the cache on").
TEST_P(CodeCacheProfiles, BrokenFileFixedOnDiskIsPickedUp) {
  ScratchDir dir;
  const std::string path = dir.write("t.lua", "ngx.say(32");
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::file(path);
  const Outcome broken = worker.run(handler);
  EXPECT_EQ(broken.status, 500);
  EXPECT_EQ(handler.cache_ref, kRefNil);

  dir.write("t.lua", "ngx.say(101)");
  const Outcome fixed = worker.run(handler);
  EXPECT_EQ(fixed.status, 200) << dump_log(fixed);
  EXPECT_EQ(fixed.body, "101\n");
  EXPECT_EQ(fixed.cache, CacheState::miss);

  const Outcome again = worker.run(handler);
  EXPECT_EQ(again.cache, CacheState::hit);
  EXPECT_EQ(again.body, "101\n");
}

// A file that loaded once keeps being served from the cache after it is edited,
// broken or deleted (025-codecache T1: 32, updated, 32; cache_keys.case, "a
// cached file survives being broken on disk", "a cached file survives being deleted").
TEST_P(CodeCacheProfiles, CachedFileSurvivesEditsAndDeletion) {
  ScratchDir dir;
  const std::string path = dir.write("t.lua", "ngx.say(32)");
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::file(path);
  EXPECT_EQ(worker.run(handler).body, "32\n");

  dir.write("t.lua", "ngx.say(101)");
  Outcome out = worker.run(handler);
  EXPECT_EQ(out.cache, CacheState::hit);
  EXPECT_EQ(out.body, "32\n");

  dir.write("t.lua", "ngx.say(");  // broken
  out = worker.run(handler);
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "32\n");

  std::filesystem::remove(path);
  out = worker.run(handler);
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "32\n");
}

// 025-codecache T3: with the cache off every request re-reads the file.
TEST_P(CodeCacheProfiles, CacheOffRereadsTheFile) {
  ScratchDir dir;
  const std::string path = dir.write("t.lua", "ngx.say(32)");
  Worker worker(settings_for(GetParam(), /*code_cache=*/false));
  Handler handler = Handler::file(path);
  Outcome out = worker.run(handler);
  EXPECT_EQ(out.body, "32\n");
  EXPECT_EQ(out.cache, CacheState::off);

  dir.write("t.lua", "ngx.say(101)");
  out = worker.run(handler);
  EXPECT_EQ(out.body, "101\n");
  EXPECT_EQ(out.cache, CacheState::off);

  std::filesystem::remove(path);
  out = worker.run(handler);
  EXPECT_EQ(out.status, 404);
}

// ---------------------------------------------------------------------------
// lua_code_cache off (ngx_http_lua_create_ctx: ngx_http_lua_init_vm per request)
// ---------------------------------------------------------------------------

// 025-codecache T17: a fresh VM per request, whatever the profile.
TEST_P(CodeCacheProfiles, CacheOffGivesFreshGlobals) {
  Worker worker(settings_for(GetParam(), /*code_cache=*/false));
  EXPECT_EQ(worker.main_vm(), nullptr);
  Handler handler = Handler::inline_code(
      "if not _G.foo then _G.foo = 1 else _G.foo = _G.foo + 1 end ngx.say(\"_G.foo: \", _G.foo)");
  for (const Outcome& out : run_times(worker, handler, 3)) {
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "_G.foo: 1\n");
    EXPECT_EQ(out.cache, CacheState::off);
  }
}

// The same handler with the cache on: classic/sealed keep a per-request _G
// (ngx_http_lua_new_thread: a new globals table per entry thread), openresty
// shares it (isolation.case, "_G.t counter across requests (014-bugs T26)").
TEST_P(CodeCacheProfiles, CacheOnGlobalsFollowTheProfile) {
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::inline_code(
      "if not _G.foo then _G.foo = 1 else _G.foo = _G.foo + 1 end ngx.say(\"_G.foo: \", _G.foo)");
  const std::vector<Outcome> outs = run_times(worker, handler, 3);
  for (int i = 0; i < 3; ++i) {
    const std::string expected =
        GetParam() == Profile::openresty ? "_G.foo: " + std::to_string(i + 1) + "\n" : "_G.foo: 1\n";
    EXPECT_EQ(outs[i].body, expected) << i;
  }
}

// The integer ref from another VM's cache means nothing, but ngx_lua 0.10.23
// (the real referee) does not reset it with the cache off
// (ngx_http_lua_content_handler_inline passes llcf->content_src_ref as it is):
// the first request looks up from LUA_REFNIL, the next one logs the ref its VM
// gave and misses in its own fresh VM all the same (cache_keys.case, "inline
// keys with the code cache off").
TEST_P(CodeCacheProfiles, CacheOffKeepsTheStaleRefAndMissesEveryTime) {
  Worker worker(settings_for(GetParam(), /*code_cache=*/false));
  Handler handler = Handler::inline_code("ngx.say('x')");
  const std::vector<Outcome> outs = run_times(worker, handler, 3);
  EXPECT_EQ(outs[0].cache_events, (CacheTrace{{Kind::lookup, -1},
                                                           {Kind::miss, -1}}));
  for (std::size_t i = 1; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].cache_events, (CacheTrace{{Kind::lookup, 1},
                                                             {Kind::miss, 1}}));
    EXPECT_EQ(outs[i].body, "x\n");
  }
}

// 025-codecache T12/T13: builtins survive in every fresh VM.
TEST_P(CodeCacheProfiles, CacheOffKeepsBuiltins) {
  Worker worker(settings_for(GetParam(), /*code_cache=*/false));
  Handler handler =
      Handler::inline_code("ngx.say(string.len(\"hello\")) ngx.say(table.concat({1,2,3}, \", \"))");
  for (const Outcome& out : run_times(worker, handler, 2)) {
    EXPECT_EQ(out.body, "5\n1, 2, 3\n") << dump_log(out);
  }
}

// 025-codecache T15: package.loaded is fresh per request with the
// cache off. With the cache on, classic reaches the worker's package table
// through __index and openresty shares it, so the module stays loaded; sealed
// loads modules into the request's own package.loaded.
struct PackageRun {
  Outcome load, check1, check2;
};

PackageRun load_then_check(Profile p, bool code_cache) {
  ScratchDir dir;
  dir.write("luarocks.lua",
            "ngx.say(\"loading\")\n"
            "local M = {}\n"
            "function M.hi() ngx.say(\"hello, foo\") end\n"
            "return M\n");
  Settings s = settings_for(p, code_cache);
  s.module_path = {dir.path().string()};
  Worker worker(s);
  Handler load = Handler::inline_code(
      "package.loaded.luarocks = nil local foo = require \"luarocks\" foo.hi()", 40);
  Handler check = Handler::inline_code(
      "local foo = package.loaded.luarocks "
      "if foo then ngx.say(\"found\") else ngx.say(\"not found\") end",
      41);
  PackageRun r;
  r.load = worker.run(load);
  r.check1 = worker.run(check);
  r.check2 = worker.run(check);
  return r;
}

TEST_P(CodeCacheProfiles, CacheOffResetsPackageLoaded) {
  const PackageRun r = load_then_check(GetParam(), /*code_cache=*/false);
  EXPECT_EQ(r.load.body, "loading\nhello, foo\n") << dump_log(r.load);
  EXPECT_EQ(r.check1.body, "not found\n");
  EXPECT_EQ(r.check2.body, "not found\n");
}

TEST_P(CodeCacheProfiles, CacheOnPackageLoadedFollowsTheProfile) {
  const PackageRun r = load_then_check(GetParam(), /*code_cache=*/true);
  EXPECT_EQ(r.load.body, "loading\nhello, foo\n") << dump_log(r.load);
  const char* expected = GetParam() == Profile::sealed ? "not found\n" : "found\n";
  EXPECT_EQ(r.check1.body, expected);
  EXPECT_EQ(r.check2.body, expected);
}

}  // namespace
}  // namespace codecache::test

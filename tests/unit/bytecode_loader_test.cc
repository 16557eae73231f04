// Precompiled handler files (ngx_http_lua_clfactory_loadfile,
// ngx_http_lua_clfactory_bytecode_prepare; 081-bytecode T2, T3, T7-T10): the
// engine's own bytecode, made with string.dump in a plain VM of the same engine,
// runs under the classic loader (rewritten into a closure factory) and under the
// OpenResty loader (raw bytes to lua_load). LuaJIT bytecode after a '#' line is
// refused in both modes.
#include <gtest/gtest.h>

#include <string>

#include "unit/test_support.h"

namespace codecache::test {
namespace {

using namespace std::string_literals;

struct Case {
  Profile profile;
  bool strip;
};

class BytecodeFile : public ::testing::TestWithParam<Case> {
 protected:
  Outcome serve_bytes(const std::string& name, const std::string& bytes) {
    path_ = dir_.write(name, bytes);
    Worker worker(settings_for(GetParam().profile));
    Handler handler = Handler::file(path_);
    return worker.run(handler);
  }
  ScratchDir dir_;
  std::string path_;
};

INSTANTIATE_TEST_SUITE_P(
    Loaders, BytecodeFile,
    ::testing::Values(Case{Profile::classic, false}, Case{Profile::classic, true},
                      Case{Profile::openresty, false}, Case{Profile::openresty, true},
                      Case{Profile::sealed, true}),
    [](const auto& tp) {
      return profile_name(tp.param.profile) + (tp.param.strip ? "_stripped" : "_full");
    });

// 081-bytecode T9 (not stripped) / T10 (stripped).
TEST_P(BytecodeFile, DumpedHandlerRuns) {
  const std::string bytes = dump_bytecode("local a = 1 ngx.say('a = ', a)", GetParam().strip);
  ASSERT_EQ(bytes[0], '\x1b');
  const Outcome out = serve_bytes("a.luac", bytes);
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "a = 1\n");
  EXPECT_EQ(out.limit, LimitKind::none);
}

// 081-bytecode T7/T8: status and body from a precompiled file.
TEST_P(BytecodeFile, StatusFromBytecode) {
  const std::string bytes =
      dump_bytecode("ngx.status = 201 ngx.say(\"hello from Lua!\")", GetParam().strip);
  const Outcome out = serve_bytes("s.luac", bytes);
  EXPECT_EQ(out.status, 201) << dump_log(out);
  EXPECT_EQ(out.body, "hello from Lua!\n");
}

// ngx_http_lua_clfactory_bytecode_prepare makes the file's main proto the child
// of a synthetic factory: the inner function is the file's original vararg main
// proto, so `...` compiles even under the factory, and is empty at run time
// (bytecode.case, "vararg in bytecode compiles and is empty").
TEST_P(BytecodeFile, VarargMainProtoIsEmpty) {
  const std::string bytes = dump_bytecode("ngx.say(select('#', ...))", GetParam().strip);
  const Outcome out = serve_bytes("v.luac", bytes);
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "0\n");
}

// Cached like text files: the second request is a hit and runs again.
TEST_P(BytecodeFile, SecondRequestIsACacheHit) {
  const std::string bytes = dump_bytecode("ngx.say('cached')", GetParam().strip);
  path_ = dir_.write("c.luac", bytes);
  Worker worker(settings_for(GetParam().profile));
  Handler handler = Handler::file(path_);
  const Outcome first = worker.run(handler);
  const Outcome second = worker.run(handler);
  EXPECT_EQ(first.cache, CacheState::miss);
  EXPECT_EQ(second.cache, CacheState::hit);
  EXPECT_EQ(second.body, "cached\n") << dump_log(second);
}

// ngx_http_lua_clfactory_loadfile refuses LuaJIT bytecode after a `#` line with
// `bad byte-code header in <filename>` (LUA_ERRFILE) on both builds -> 503. For
// PUC bytecode it skips to the first ESC, so a '#!' line in front of it is
// allowed (bytecode.case, "LuaJIT bytecode after a shebang line is refused",
// "PUC bytecode after a shebang line is loaded").
TEST_P(BytecodeFile, BytecodeAfterHashLine) {
  const std::string bytes = dump_bytecode("ngx.say('behind a shebang')", GetParam().strip);
  const Outcome out = serve_bytes("h.luac", "#!/usr/bin/env lua\n" + bytes);
  if (engine_is_luajit()) {
    EXPECT_EQ(out.status, 503);
    EXPECT_EQ(out.body, "");
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0], "[error] failed to load external Lua file \"" + path_ +
                              "\": bad byte-code header in " + path_);
  } else {
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "behind a shebang\n");
  }
}

// The other engine family's bytecode, hand-made (only its header matters).
std::string foreign_bytecode() {
  if (engine_is_luajit()) return "\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00garbage-proto"s;
  return "\x1bLJ\x02\x02garbage-proto\x00"s;
}

// What a refused bytecode file gives: the classic factory rewrite checks the
// header itself (`bad byte-code header` / `bytecode format version unsupported`,
// LUA_ERRFILE -> 503, ngx_http_lua_clfactory_bytecode_prepare); the OpenResty
// build hands the bytes to the engine's lua_load, whose error is a load error
// -> 500 (ngx_http_lua_content_handler_file). LuaJIT says `cannot load
// incompatible bytecode`; PUC Lua (a combination ngx_lua never builds, but the
// harness allows) says `bad header in precompiled chunk`.
void expect_refused(const Outcome& out, Profile p, const std::string& path,
                    const std::string& classic_message) {
  EXPECT_EQ(out.body, "");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  const std::string prefix = "[error] failed to load external Lua file \"" + path + "\": ";
  if (p == Profile::openresty) {
    EXPECT_EQ(out.status, 500);
    const std::string engine_message = engine_is_luajit()
                                           ? path + ": cannot load incompatible bytecode"
                                           : path + ": bad header in precompiled chunk";
    EXPECT_EQ(out.log[0], prefix + engine_message);
  } else {
    EXPECT_EQ(out.status, 503);
    EXPECT_EQ(out.log[0], prefix + classic_message);
  }
}

// 081-bytecode T2: foreign bytecode.
TEST_P(BytecodeFile, ForeignBytecodeIsRefused) {
  const Outcome out = serve_bytes("f.luac", foreign_bytecode());
  expect_refused(out, GetParam().profile, path_, "bad byte-code header");
}

// 081-bytecode T3: an unknown LuaJIT bytecode version (3). On PUC
// Lua such a file is foreign bytecode again.
TEST_P(BytecodeFile, UnknownLuaJitVersion) {
  std::string bytes = engine_is_luajit() ? dump_bytecode("ngx.say('x')", GetParam().strip)
                                         : "\x1bLJ\x02\x02garbage\x00"s;
  ASSERT_EQ(bytes.substr(0, 4), "\x1bLJ\x02"s);
  bytes[3] = '\x03';
  const Outcome out = serve_bytes("u.luac", bytes);
  expect_refused(out, GetParam().profile, path_,
                 engine_is_luajit() ? "bytecode format version unsupported"
                                    : "bad byte-code header");
}

// A refused header sets no errno: ngx_lua picks 404 (ENOENT) or 503 from the errno
// earlier calls left. The classic build with the code cache off has just built the
// request's VM, whose failed module searches leave ENOENT: 404 (observed on
// ngx_lua 0.10.23 by the real-nginx referee); otherwise 503.
TEST(BytecodeStaleErrno, ClassicWithTheCacheOffAnswers404) {
  ScratchDir dir;
  const std::string path = dir.write("bad.luac", engine_is_luajit() ? "\x1bLX\x02\x02ngx.say(1)"s
                                                                  : "\x1bLuaQ\x00\x01\x04\x04\x04\x08\x00"s);
  for (Profile p : {Profile::classic, Profile::sealed}) {
    for (bool cache_on : {true, false}) {
      SCOPED_TRACE(profile_name(p) + (cache_on ? " on" : " off"));
      Worker worker(settings_for(p, cache_on));
      Handler handler = Handler::file(path);
      const Outcome out = worker.run(handler);
      EXPECT_EQ(out.status, p == Profile::classic && !cache_on ? 404 : 503) << dump_log(out);
      EXPECT_TRUE(log_contains(out, "bad byte-code header")) << dump_log(out);
    }
  }
}

}  // namespace
}  // namespace codecache::test

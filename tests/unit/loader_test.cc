// The two loaders of ngx_http_lua_clfactory.c: the classic build's closure
// factory (ngx_http_lua_clfactory_getS streams "return function() " .. src ..
// "\nend") and the OpenResty build's direct load. Expected texts are those of
// conformance/cases/loader_table.case (LuaJIT 2.1 and Lua 5.1 identical unless
// noted), first_line.case and vararg_and_blocks.case (files).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/model/cache_key.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

using namespace std::string_literals;

constexpr const char* kInlineError = "[error] failed to load inlined Lua code: ";
constexpr const char* kChunk = "content_by_lua(nginx.conf:40)";

bool is_factory(Profile p) { return p != Profile::openresty; }

// Every profile: classic and sealed use the factory loader, openresty the direct one.
class LoaderProfiles : public ::testing::TestWithParam<Profile> {};
INSTANTIATE_TEST_SUITE_P(Profiles, LoaderProfiles,
                         ::testing::Values(Profile::classic, Profile::openresty, Profile::sealed),
                         [](const auto& tp) { return profile_name(tp.param); });

// ---------------------------------------------------------------------------
// Inline code
// ---------------------------------------------------------------------------

// CLFACTORY_END_CODE ("\nend", ngx_http_lua_clfactory.c) starts with "\n", so a
// final `-- comment` without a newline cannot swallow the `end` (014-bugs T36).
TEST_P(LoaderProfiles, TrailingLineCommentWithoutNewline) {
  const Outcome out = run_inline(GetParam(), "ngx.say(\"ok\") -- blah");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "ok\n");
  EXPECT_EQ(count_log_lines(out, "[error]"), 0) << dump_log(out);
}

TEST_P(LoaderProfiles, TrailingLineCommentInFileWithoutNewline) {
  ScratchDir dir;
  const std::string path = dir.write("c.lua", "ngx.say(\"ok\") -- blah");
  Worker worker(settings_for(GetParam()));
  Handler handler = Handler::file(path);
  const Outcome out = worker.run(handler);
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "ok\n");
}

// loader_table.case, "vararg expression in inline code": `...` is a compile
// error inside the wrapper's non-vararg function.
TEST(FactoryLoader, VarargIsACompileError) {
  for (Profile p : {Profile::classic, Profile::sealed}) {
    Worker worker(settings_for(p));
    Handler handler = Handler::inline_code("local a = ...");
    for (int i = 0; i < 2; ++i) {  // failed loads are not cached: same result twice
      const Outcome out = worker.run(handler);
      EXPECT_EQ(out.status, 500) << to_string(p);
      EXPECT_EQ(out.body, "");
      EXPECT_EQ(out.cache, CacheState::miss);
      ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
      EXPECT_EQ(out.log[0], std::string(kInlineError) + kChunk +
                                ":1: cannot use '...' outside a vararg function near '...'");
    }
  }
}

// The same case on openresty: the main chunk is vararg; `...` is empty in content.
TEST(DirectLoader, VarargIsEmptyInContent) {
  const Outcome out =
      run_inline(Profile::openresty, "local a = ... ngx.say(select(\"#\", ...), \" \", tostring(a))");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "0 nil\n");
}

// loader_table.case, "end comma print comma function escapes the factory":
// compiles under the wrapper; the middle expression runs every time the factory
// is called, i.e. on the miss (ngx_http_lua_cache_store_code) and on every cache
// hit (ngx_http_lua_cache_load_code). lua_pcall(factory, 0, 1) keeps only the first value, the
// empty `function() end`, so the handler itself prints nothing.
TEST(FactoryLoader, InjectedExpressionRunsOnEveryRequest) {
  for (Profile p : {Profile::classic, Profile::sealed}) {
    Worker worker(settings_for(p));
    Handler handler =
        Handler::inline_code("end, ngx.log(ngx.ERR, \"factory ran\"), function() ngx.say(\"ok\")");
    for (int i = 0; i < 3; ++i) {
      const Outcome out = worker.run(handler);
      SCOPED_TRACE(std::string(to_string(p)) + " request " + std::to_string(i + 1));
      EXPECT_EQ(out.status, 200) << dump_log(out);
      EXPECT_EQ(out.cache, i == 0 ? CacheState::miss : CacheState::hit);
      EXPECT_EQ(out.body, "");
      EXPECT_EQ(count_log_lines(out, "[error] [lua] content_by_lua(nginx.conf:40):1: factory ran"), 1)
          << dump_log(out);
    }
  }
}

TEST(DirectLoader, InjectionIsASyntaxError) {
  const Outcome out =
      run_inline(Profile::openresty, "end, ngx.log(ngx.ERR, \"factory ran\"), function() ngx.say(\"ok\")");
  EXPECT_EQ(out.status, 500);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], std::string(kInlineError) + kChunk + ":1: '<eof>' expected near 'end'");
}

// loader_table.case, "end or function compiles under the factory": it returns
// the first function.
TEST(FactoryLoader, EndOrFunctionReturnsTheFirstFunction) {
  const Outcome out = run_inline(Profile::classic, "end or function() ngx.say(\"second\")");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "");
  EXPECT_EQ(count_log_lines(out, "[error]"), 0);
}

struct SyntaxRow {
  const char* name;
  std::string source;
  std::string wrapper;  // the message after "content_by_lua(nginx.conf:40)"
  std::string direct;
};

// The loader_table.case rows whose text is the same on LuaJIT and Lua 5.1.
std::vector<SyntaxRow> common_rows() {
  return {
      {"unclosed_function", "function f()",
       ":2: 'end' expected (to close 'function' at line 1) near '<eof>'",
       ":1: 'end' expected near '<eof>'"},
      {"unclosed_if", "if x then\nfoo()",
       ":3: 'end' expected (to close 'function' at line 1) near '<eof>'",
       ":2: 'end' expected (to close 'if' at line 1) near '<eof>'"},
      {"extra_end", "foo() end", ":2: '<eof>' expected near 'end'",
       ":1: '<eof>' expected near 'end'"},
      {"code_after_return", "return 1\nfoo()",
       ":2: 'end' expected (to close 'function' at line 1) near 'foo'",
       ":2: '<eof>' expected near 'foo'"},
      {"long_string", "x = [[", ":2: unfinished long string near '<eof>'",
       ":1: unfinished long string near '<eof>'"},
      {"long_comment", "--[[", ":2: unfinished long comment near '<eof>'",
       ":1: unfinished long comment near '<eof>'"},
      {"short_string", "x = \"abc", ":1: unfinished string near '\"abc'",
       ":1: unfinished string near '<eof>'"},
      {"for_end", "for end", ":1: '<name>' expected near 'end'",
       ":1: '<name>' expected near 'end'"},
  };
}

TEST_P(LoaderProfiles, SyntaxErrorsMatchTheDifferentialTable) {
  const Profile p = GetParam();
  for (const SyntaxRow& row : common_rows()) {
    SCOPED_TRACE(row.name);
    const Outcome out = run_inline(p, row.source);
    EXPECT_EQ(out.status, 500);
    EXPECT_EQ(out.body, "");
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0],
              std::string(kInlineError) + kChunk + (is_factory(p) ? row.wrapper : row.direct));
  }
}

// loader_table.case, "break outside a loop": LuaJIT reports it at line 1
// without a token; Lua 5.1 at the token that follows (`end` of the wrapper on
// line 2, or <eof>).
TEST_P(LoaderProfiles, BreakOutsideLoop) {
  const Profile p = GetParam();
  const Outcome out = run_inline(p, "break");
  std::string expected;
  if (engine_is_luajit()) {
    expected = ":1: no loop to break";
  } else {
    expected = is_factory(p) ? ":2: no loop to break near 'end'" : ":1: no loop to break near '<eof>'";
  }
  EXPECT_EQ(out.status, 500);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], std::string(kInlineError) + kChunk + expected);
}

// loader_table.case, "201 local variables": the wrapper's function is
// "function at line 1", the direct chunk the "main function". (The case pins
// no line: the parser reports it where its lookahead is, which is the wrapper's
// `end` on line 2.)
TEST_P(LoaderProfiles, TooManyLocals) {
  const Profile p = GetParam();
  std::string source;
  for (int i = 1; i <= 201; ++i) source += "local a" + std::to_string(i) + " ";
  const Outcome out = run_inline(p, source);
  EXPECT_EQ(out.status, 500);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  const std::string prefix = std::string(kInlineError) + kChunk + ":";
  EXPECT_EQ(out.log[0].substr(0, prefix.size()), prefix) << out.log[0];
  const std::string message = std::string(": ") +
                              (is_factory(p) ? "function at line 1" : "main function") +
                              " has more than 200 local variables";
  EXPECT_NE(out.log[0].find(message), std::string::npos) << out.log[0];
}

// first_line.case, "hash first line in inline code": ngx_lua does not skip it
// (ngx_http_lua_clfactory_loadbuffer has no '#' check). Under the wrapper it is
// `unexpected symbol near '#'`; the direct load goes through the engine's lexer,
// which skips it on LuaJIT but not on PUC Lua.
TEST_P(LoaderProfiles, HashFirstLineInInlineCode) {
  const Profile p = GetParam();
  const Outcome out = run_inline(p, "#!/bin/lua\nngx.say(\"ran\")");
  if (is_factory(p) || !engine_is_luajit()) {
    EXPECT_EQ(out.status, 500);
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0], std::string(kInlineError) + kChunk + ":1: unexpected symbol near '#'");
  } else {
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "ran\n");
  }
}

// first_line.case, "BOM before inline code that compiles under the factory on
// LuaJIT" (observed on a real nginx): ngx_http_lua_clfactory.c has no BOM handling.
//  - wrapper on LuaJIT: bytes >= 0x80 are identifier characters, so the BOM glues
//    onto `ngx` and the chunk fails at run time indexing that global;
//  - Lua 5.1 (either loader): the raw 0xEF byte is an unexpected symbol;
//  - direct on LuaJIT: the lexer skips the BOM and the handler runs.
TEST_P(LoaderProfiles, Utf8Bom) {
  const Profile p = GetParam();
  const Outcome out = run_inline(p, "\xEF\xBB\xBFngx.say(\"bom\")");
  if (!engine_is_luajit()) {
    EXPECT_EQ(out.status, 500);
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0], std::string(kInlineError) + kChunk + ":1: unexpected symbol near '\xEF'");
  } else if (is_factory(p)) {
    EXPECT_EQ(out.status, 500);
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_NE(out.log[0].find("lua entry thread aborted: runtime error: " + std::string(kChunk) +
                              ":1: attempt to index global '\xEF\xBB\xBFngx'"),
              std::string::npos)
        << out.log[0];
  } else {
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "bom\n");
  }
}

// loader_table.case, "debug.getinfo what of the running chunk" and "linedefined
// and lastlinedefined of the running chunk": the wrapper's handler is a function
// defined on line 1, the direct one is the main chunk.
TEST_P(LoaderProfiles, HandlerIntrospection) {
  const Profile p = GetParam();
  const Outcome out = run_inline(
      p, "local i = debug.getinfo(1, \"S\") ngx.say(i.what, \" \", i.linedefined)");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, is_factory(p) ? "Lua 1\n" : "main 0\n");
}

// CLFACTORY_BEGIN_CODE ("return function() ", ngx_http_lua_clfactory.c) has no
// newline, so line N of the source is line N of the chunk.
TEST_P(LoaderProfiles, LineNumbersArePreserved) {
  const Outcome out =
      run_inline(GetParam(), "\n\nngx.say(\"line \", debug.getinfo(1, \"l\").currentline)");
  EXPECT_EQ(out.body, "line 3\n");
}

// ---------------------------------------------------------------------------
// Text files (ngx_http_lua_clfactory_loadfile)
// ---------------------------------------------------------------------------

Outcome run_file_once(Profile p, const std::string& path) {
  Worker worker(settings_for(p));
  Handler handler = Handler::file(path);
  return worker.run(handler);
}

// 002-content T41: the '#' line is skipped and replaced by "\n"
// (ngx_http_lua_clfactory_loadfile sets extraline, ngx_http_lua_clfactory_getF sends it).
TEST_P(LoaderProfiles, ShebangFileKeepsLineNumbers) {
  ScratchDir dir;
  const std::string path =
      dir.write("s.lua", "#!/bin/lua\n\nngx.say(\"line \", debug.getinfo(1).currentline)");
  const Outcome out = run_file_once(GetParam(), path);
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "line 3\n");
}

// ngx_http_lua_clfactory_loadfile: any '#' starts a skipped line, not only "#!".
TEST_P(LoaderProfiles, AnyHashFirstLineIsSkippedInFiles) {
  ScratchDir dir;
  const std::string path = dir.write("h.lua", "# not lua at all (\nngx.say(\"after hash\")\n");
  const Outcome out = run_file_once(GetParam(), path);
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "after hash\n");
}

// 014-bugs T40 (lua-nginx-module issue #385): a file of exactly 2 * 4096 bytes
// still gets its "\nend" (ngx_http_lua_clfactory_getF).
TEST_P(LoaderProfiles, FileOfExactly8192Bytes) {
  ScratchDir dir;
  const std::string content = std::string(8192 - 14, ' ') + "ngx.say('ok')\n";
  ASSERT_EQ(content.size(), 8192u);
  const Outcome out = run_file_once(GetParam(), dir.write("big.lua", content));
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "ok\n");
}

TEST_P(LoaderProfiles, FilesAroundTheReadBlockSize) {
  ScratchDir dir;
  for (std::size_t size : {4095u, 4096u, 4097u, 12288u}) {
    const std::string tail = "ngx.say('ok')";  // no final newline: the comment case too
    const std::string content = std::string(size - tail.size() - 3, ' ') + tail + "--x";
    ASSERT_EQ(content.size(), size);
    const Outcome out = run_file_once(GetParam(), dir.write("f" + std::to_string(size) + ".lua", content));
    EXPECT_EQ(out.status, 200) << size << " " << dump_log(out);
    EXPECT_EQ(out.body, "ok\n") << size;
  }
}

// ngx_http_lua_clfactory_loadfile: a file's chunk name is "@<path>", the path
// rebased to absolute (ngx_http_lua_rebase_path), so errors read "/abs/path.lua:N:".
TEST_P(LoaderProfiles, FileErrorsNameTheAbsolutePath) {
  ScratchDir dir;
  const std::string path = dir.write("e.lua", "\nerror(\"boom\")");
  const Outcome out = run_file_once(GetParam(), path);
  EXPECT_EQ(out.status, 500);
  ASSERT_FALSE(out.log.empty());
  const std::string expected =
      "[error] lua entry thread aborted: runtime error: " + path + ":2: boom\nstack traceback:\n";
  EXPECT_EQ(out.log[0].substr(0, expected.size()), expected) << out.log[0];
}

// vararg_and_blocks.case, "vararg in a text file": a wrapper-only compile error
// in a text file.
TEST_P(LoaderProfiles, VarargInTextFile) {
  const Profile p = GetParam();
  ScratchDir dir;
  const std::string path = dir.write("v.lua", "ngx.say(select(\"#\", ...))");
  const Outcome out = run_file_once(p, path);
  if (is_factory(p)) {
    EXPECT_EQ(out.status, 500);
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0], "[error] failed to load external Lua file \"" + path + "\": " + path +
                              ":1: cannot use '...' outside a vararg function near '...'");
  } else {
    EXPECT_EQ(out.status, 200) << dump_log(out);
    EXPECT_EQ(out.body, "0\n");
  }
}

}  // namespace
}  // namespace codecache::test

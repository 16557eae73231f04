// Running a handler (ngx_http_lua_content_by_chunk, ngx_http_lua_run_thread;
// conformance/cases/runtime.case): runtime errors before and after output,
// ngx.exit and ngx.status, the traceback frame of the handler in each loader,
// and that one worker serves requests back to back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/test_support.h"

namespace codecache::test {
namespace {

constexpr const char* kAborted = "[error] lua entry thread aborted: runtime error: ";

class RuntimeProfiles : public ::testing::TestWithParam<Profile> {};
INSTANTIATE_TEST_SUITE_P(Profiles, RuntimeProfiles,
                         ::testing::Values(Profile::classic, Profile::openresty, Profile::sealed),
                         [](const auto& tp) { return profile_name(tp.param); });

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// runtime.case, "runtime error before any output is a 500": no output yet -> 500
// page and the entry-thread log line (ngx_http_lua_run_thread).
TEST_P(RuntimeProfiles, RuntimeErrorBeforeOutputIs500) {
  const Outcome out = run_inline(GetParam(), "error(\"boom\")");
  EXPECT_EQ(out.status, 500);
  EXPECT_FALSE(out.aborted);
  EXPECT_EQ(out.body, "");
  EXPECT_EQ(out.limit, LimitKind::none);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_TRUE(starts_with(out.log[0], std::string(kAborted) + "content_by_lua(nginx.conf:40):1: boom"))
      << out.log[0];
  EXPECT_NE(out.log[0].find("\nstack traceback:\n"), std::string::npos) << out.log[0];
}

// loader_table.case, "traceback frame of the chunk": the handler's traceback
// frame is `in function <content_by_lua(nginx.conf:40):1>` under the wrapper and
// `in main chunk` when loaded directly (073-backtrace before/after 72868121).
TEST_P(RuntimeProfiles, TracebackFrameOfTheHandler) {
  const Profile p = GetParam();
  const Outcome out = run_inline(p, "local x = 1\nerror(\"boom\")");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  const std::string frame = p == Profile::openresty
                                ? "content_by_lua(nginx.conf:40):2: in main chunk"
                                : "content_by_lua(nginx.conf:40):2: in function "
                                  "<content_by_lua(nginx.conf:40):1>";
  EXPECT_NE(out.log[0].find(frame), std::string::npos) << out.log[0];
  EXPECT_NE(out.log[0].find("in function 'error'"), std::string::npos) << out.log[0];
}

// A deep stack (a stack overflow) is shown as ngx_lua shows it
// (ngx_http_lua_thread_traceback): the 22 innermost frames, then "...".
TEST_P(RuntimeProfiles, TracebackOfADeepStack) {
  const Outcome out = run_inline(GetParam(), "local function f() return 1 + f() end f()");
  EXPECT_EQ(out.limit, LimitKind::stack);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  std::vector<std::string> lines;
  std::string::size_type start = 0, end;
  while ((end = out.log[0].find('\n', start)) != std::string::npos) {
    lines.push_back(out.log[0].substr(start, end - start));
    start = end + 1;
  }
  lines.push_back(out.log[0].substr(start));
  ASSERT_EQ(lines.size(), 3u + 22u + 1u) << out.log[0];
  EXPECT_EQ(lines[0], std::string(kAborted) + "content_by_lua(nginx.conf:40):1: stack overflow");
  EXPECT_EQ(lines[1], "stack traceback:");
  EXPECT_EQ(lines[2], "coroutine 0:");
  // LuaJIT gives the innermost frame no current line.
  EXPECT_EQ(lines[3].rfind("\tcontent_by_lua(nginx.conf:40):", 0), 0u) << lines[3];
  for (std::size_t i = 4; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i], "\tcontent_by_lua(nginx.conf:40):1: in function 'f'") << i;
  }
  EXPECT_EQ(lines.back(), "\t...");
}

// "Observed": a runtime error after output gives a truncated response: the
// status already sent (200), the body so far, aborted.
TEST_P(RuntimeProfiles, RuntimeErrorAfterOutputAbortsTheResponse) {
  const Outcome out = run_inline(GetParam(), "ngx.say(\"partial\") error(\"boom\")");
  EXPECT_EQ(out.status, 200);
  EXPECT_TRUE(out.aborted);
  EXPECT_EQ(out.body, "partial\n");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_TRUE(starts_with(out.log[0], std::string(kAborted) + "content_by_lua(nginx.conf:40):1: boom"))
      << out.log[0];
}

TEST_P(RuntimeProfiles, RuntimeErrorAfterOutputKeepsTheStatusSet) {
  const Outcome out = run_inline(GetParam(), "ngx.status = 201 ngx.say(\"partial\") error(\"boom\")");
  EXPECT_EQ(out.status, 201);
  EXPECT_TRUE(out.aborted);
  EXPECT_EQ(out.body, "partial\n");
}

// 073-backtrace T2: error(nil) -> "unknown reason" (ngx_http_lua_run_thread).
TEST_P(RuntimeProfiles, ErrorNilIsUnknownReason) {
  const Outcome out = run_inline(GetParam(), "error(nil)");
  EXPECT_EQ(out.status, 500);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_TRUE(starts_with(out.log[0], std::string(kAborted) + "unknown reason\nstack traceback:\n"))
      << out.log[0];
  EXPECT_NE(out.log[0].find(" in function 'error'"), std::string::npos) << out.log[0];
}

// A non-string error value is described by its string form when it has one.
TEST_P(RuntimeProfiles, ErrorWithANumber) {
  const Outcome out = run_inline(GetParam(), "error(42, 0)");
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_TRUE(starts_with(out.log[0], std::string(kAborted) + "42\nstack traceback:\n"))
      << out.log[0];
}

TEST_P(RuntimeProfiles, ExitBeforeOutputSetsTheStatus) {
  const Outcome out = run_inline(GetParam(), "ngx.exit(403) ngx.say(\"not reached\")");
  EXPECT_EQ(out.status, 403);
  EXPECT_FALSE(out.aborted);
  EXPECT_EQ(out.body, "");
  EXPECT_EQ(count_log_lines(out, "[error]"), 0) << dump_log(out);
}

TEST_P(RuntimeProfiles, ExitWithHttpConstant) {
  const Outcome out = run_inline(GetParam(), "ngx.exit(ngx.HTTP_NOT_FOUND)");
  EXPECT_EQ(out.status, 404);
}

TEST_P(RuntimeProfiles, ExitStopsFromNestedCalls) {
  const Outcome out = run_inline(
      GetParam(), "local function deny() ngx.exit(403) end deny() ngx.say(\"not reached\")");
  EXPECT_EQ(out.status, 403);
  EXPECT_EQ(out.body, "");
}

// Once the status line is out, ngx.exit cannot change it; output is kept.
TEST_P(RuntimeProfiles, ExitAfterOutputKeepsStatusAndBody) {
  const Outcome out = run_inline(GetParam(), "ngx.say(\"sent\") ngx.exit(403) ngx.say(\"no\")");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "sent\n");
  EXPECT_FALSE(out.aborted);
}

TEST_P(RuntimeProfiles, ExitOkAfterOutputEndsNormally) {
  const Outcome out = run_inline(GetParam(), "ngx.say(\"done\") ngx.exit(ngx.OK) ngx.say(\"no\")");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "done\n");
  EXPECT_EQ(count_log_lines(out, "[error]"), 0) << dump_log(out);
}

// 081-bytecode T7 shape: ngx.status set before output is the response status.
TEST_P(RuntimeProfiles, StatusThenSay) {
  const Outcome out = run_inline(GetParam(), "ngx.status = 201 ngx.say(\"created\")");
  EXPECT_EQ(out.status, 201);
  EXPECT_EQ(out.body, "created\n");
}

TEST_P(RuntimeProfiles, StatusIsReadable) {
  const Outcome out = run_inline(GetParam(), "ngx.status = 202 ngx.say(ngx.status)");
  EXPECT_EQ(out.status, 202);
  EXPECT_EQ(out.body, "202\n");
}

TEST_P(RuntimeProfiles, NoOutputIs200) {
  const Outcome out = run_inline(GetParam(), "local x = 1");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "");
  EXPECT_FALSE(out.aborted);
  EXPECT_TRUE(out.log.empty()) << dump_log(out);
}

// ngx.print / ngx.say flatten arrays and print nil/booleans/ngx.null.
TEST_P(RuntimeProfiles, SayAndPrintFlattenValues) {
  const Outcome out = run_inline(
      GetParam(), "ngx.print(\"a\", 1, {\"b\", {\"c\"}}) ngx.say(nil, true, false, ngx.null)");
  EXPECT_EQ(out.status, 200) << dump_log(out);
  EXPECT_EQ(out.body, "a1bcniltruefalsenull\n");
}

// ngx.log prefixes "[lua] <chunk>:<line>: " (ngx_http_lua_ngx_log, 025-codecache
// T41); print logs at NOTICE (ngx_http_lua_print).
TEST_P(RuntimeProfiles, LogLinesCarryChunkAndLine) {
  const Outcome out =
      run_inline(GetParam(), "ngx.log(ngx.WARN, \"hello \", 1)\nprint(\"from print\")");
  ASSERT_EQ(out.log.size(), 2u) << dump_log(out);
  EXPECT_EQ(out.log[0], "[warn] [lua] content_by_lua(nginx.conf:40):1: hello 1");
  EXPECT_EQ(out.log[1], "[notice] [lua] content_by_lua(nginx.conf:40):2: from print");
}

TEST_P(RuntimeProfiles, LogLevelFiltersLines) {
  Settings s = settings_for(GetParam());
  s.log_level = LogLevel::warn;
  Worker worker(s);
  Handler handler =
      Handler::inline_code("ngx.log(ngx.INFO, \"quiet\") ngx.log(ngx.ERR, \"loud\")");
  const Outcome out = worker.run(handler);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], "[error] [lua] content_by_lua(nginx.conf:40):1: loud");
}

// One worker, requests back to back: a failed request leaves nothing behind.
TEST_P(RuntimeProfiles, WorkerServesAfterAFailedRequest) {
  Worker worker(settings_for(GetParam()));
  Handler bad = Handler::inline_code("error(\"boom\")", 40);
  Handler good = Handler::inline_code("ngx.say(\"fine\")", 41);
  EXPECT_EQ(worker.run(bad).status, 500);
  const Outcome out = worker.run(good);
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "fine\n");
  EXPECT_TRUE(out.log.empty()) << dump_log(out);
}

// A paused handler (ngx.sleep yields to the scheduler) lets another request run
// on the same worker before it resumes.
TEST_P(RuntimeProfiles, InterleavedRequests) {
  Worker worker(settings_for(GetParam()));
  Handler slow = Handler::inline_code("ngx.say(\"a1\") ngx.sleep(0.01) ngx.say(\"a2\")", 40);
  Handler fast = Handler::inline_code("ngx.say(\"b\")", 41);
  auto first = worker.start(slow);
  EXPECT_FALSE(first->resume());
  const Outcome other = worker.run(fast);
  EXPECT_EQ(other.body, "b\n");
  EXPECT_TRUE(first->resume());
  EXPECT_EQ(first->outcome().body, "a1\na2\n");
  EXPECT_EQ(first->outcome().status, 200);
}

}  // namespace
}  // namespace codecache::test

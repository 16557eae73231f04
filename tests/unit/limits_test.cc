// The sandbox limits: every hostile handler ends as a classified Outcome
// (Outcome::limit), never a crash or a hang, and the worker that ran it serves
// the next request normally. Limits are per request: the same hostile handler
// fires again, a well-behaved one is not charged for it.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

struct Bomb {
  const char* name;
  const char* code;
  std::set<LimitKind> kinds;  // acceptable classifications
  const char* detail;         // expected limit_detail ("" = none)
  std::size_t memory_mb = 32;
  std::uint32_t cpu_ms = 1000;
  // The CPU watchdog does not depend on the profile: the slow C-function bombs
  // run under classic only, to keep the suite fast.
  bool every_profile = true;
};

// Caps that end every bomb quickly. The instruction budget (2M) is reached in
// well under the CPU budget on every engine: a hooked LuaJIT instruction costs
// tens of ns, so 2M take ~0.05-0.1 s there. The memory bomb gets 8 MiB: PUC Lua
// 5.1 hashes long strings by sampling, so its strings (1000 'x' plus a number)
// mostly collide and interning grows quadratically; a 32 MiB heap takes Lua 5.1
// past the CPU budget before it is full. The C-function bombs get a shorter CPU
// budget, since they run it out.
Settings limit_settings(Profile p, const Bomb& bomb) {
  Settings s = settings_for(p);
  s.limits.memory_bytes = bomb.memory_mb << 20;
  s.limits.cpu_ms = bomb.cpu_ms;
  s.limits.instructions = 2'000'000;
  return s;
}

const Bomb kBombs[] = {
    {"infinite_loop", "while true do end", {LimitKind::instructions}, ""},
    {"hot_loop", "local n = 0 for i = 1, 1e5 do n = n + i end while true do n = n + 1 end",
     {LimitKind::instructions}, ""},
    {"memory", "local t = {} for i = 1, 1e9 do t[i] = (\"x\"):rep(1000) .. i end",
     {LimitKind::memory}, "", 8},
    {"recursion", "local function f() return 1 + f() end f()", {LimitKind::stack}, ""},
    // A string.rep bomb: 10 MB strings in a loop. Whether the CPU budget
    // or the heap cap is hit first depends on the collector's pace.
    {"string_rep", "for i = 1, 1e9 do local s = (\"y\"):rep(1e7) end",
     {LimitKind::cpu_time, LimitKind::memory}, "", 32, 200, false},
    // Long C calls with small garbage: only the CPU watchdog can stop it.
    {"c_function_loop", "local s = (\"y\"):rep(1e5) while true do local u = s:upper() end",
     {LimitKind::cpu_time}, "", 32, 200, false},
    {"pcall_loop", "while true do pcall(function() while true do end end) end",
     {LimitKind::instructions}, ""},
    {"os_exit", "os.exit()", {LimitKind::sandbox}, "os.exit"},
    {"io_open", "io.open(\"/etc/passwd\")", {LimitKind::sandbox}, "io.open"},
    {"debug_sethook", "debug.sethook()", {LimitKind::sandbox}, "debug.sethook"},
};

struct Case {
  Profile profile;
  const Bomb* bomb;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (Profile p : {Profile::classic, Profile::openresty, Profile::sealed})
    for (const Bomb& b : kBombs)
      if (b.every_profile || p == Profile::classic) cases.push_back({p, &b});
  return cases;
}

class Limits : public ::testing::TestWithParam<Case> {};
INSTANTIATE_TEST_SUITE_P(Bombs, Limits, ::testing::ValuesIn(all_cases()), [](const auto& tp) {
  return profile_name(tp.param.profile) + "_" + tp.param.bomb->name;
});

std::string kinds_of(const std::set<LimitKind>& kinds) {
  std::string s;
  for (LimitKind k : kinds) s += std::string(to_string(k)) + " ";
  return s;
}

void expect_bomb(const Outcome& out, const Bomb& bomb) {
  EXPECT_TRUE(bomb.kinds.count(out.limit))
      << "limit " << to_string(out.limit) << ", expected one of " << kinds_of(bomb.kinds) << "\n"
      << dump_log(out);
  EXPECT_EQ(out.limit_detail, bomb.detail);
  EXPECT_EQ(out.status, 500);
  EXPECT_EQ(out.body, "");
  EXPECT_EQ(count_log_lines(out, "[error] lua entry thread aborted: runtime error: "), 1)
      << dump_log(out);
}

TEST_P(Limits, FiresIsClassifiedAndTheWorkerRecovers) {
  const Bomb& bomb = *GetParam().bomb;
  Worker worker(limit_settings(GetParam().profile, bomb));
  Handler hostile = Handler::inline_code(bomb.code);
  Handler fine = Handler::inline_code("local t = {} for i = 1, 1000 do t[i] = i end ngx.say(#t)", 41);

  expect_bomb(worker.run(hostile), bomb);

  Outcome next = worker.run(fine);
  EXPECT_EQ(next.status, 200) << dump_log(next);
  EXPECT_EQ(next.body, "1000\n");
  EXPECT_EQ(next.limit, LimitKind::none);
  EXPECT_TRUE(next.log.empty()) << dump_log(next);

  // Budgets are per request: the hostile handler (now a cache hit) fires again.
  const Outcome again = worker.run(hostile);
  EXPECT_EQ(again.cache, CacheState::hit);
  expect_bomb(again, bomb);

  next = worker.run(fine);
  EXPECT_EQ(next.status, 200) << dump_log(next);
  EXPECT_EQ(next.limit, LimitKind::none);
}

// Stack overflows caught by pcall over and over still end at the instruction budget.
TEST(PcallLimits, RepeatedStackOverflowsCannotBeSwallowed) {
  Settings s = settings_for(Profile::classic);
  s.limits.instructions = 2'000'000;
  Worker worker(s);
  Handler handler =
      Handler::inline_code("local function f() return 1 + f() end while true do pcall(f) end");
  const Outcome out = worker.run(handler);
  EXPECT_EQ(out.limit, LimitKind::instructions) << dump_log(out);
  EXPECT_EQ(out.status, 500);
}

// A stack overflow leaves tens of thousands of frames for the traceback. Counting
// them with one lua_getstack per level is quadratic on LuaJIT (each call walks the
// frames): 3 s of harness CPU, outside every budget, per overflow. Reporting one
// must stay cheap.
TEST(LimitCost, StackOverflowIsReportedCheaply) {
  Worker worker(settings_for(Profile::classic));
  Handler handler = Handler::inline_code("local function f() return 1 + f() end f()");
  timespec before{}, after{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
  const Outcome out = worker.run(handler);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
  const double seconds = static_cast<double>(after.tv_sec - before.tv_sec) +
                         static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e9;
  EXPECT_EQ(out.limit, LimitKind::stack);
  EXPECT_LT(seconds, 1.0);
}

// Specific messages of each kind.
TEST(LimitMessages, StackOverflowIsReported) {
  const Outcome out = run_inline(Profile::classic, "local function f() return 1 + f() end f()");
  EXPECT_EQ(out.limit, LimitKind::stack);
  EXPECT_EQ(count_log_lines(out, "stack overflow"), 1) << dump_log(out);
}

TEST(LimitMessages, SandboxRefusalNamesTheFunction) {
  const Outcome out = run_inline(Profile::classic, "os.exit(1)");
  EXPECT_EQ(out.limit, LimitKind::sandbox);
  EXPECT_EQ(out.limit_detail, "os.exit");
  EXPECT_EQ(count_log_lines(out, "content_by_lua(nginx.conf:40):1: os.exit is disabled in the "
                                 "codecache sandbox"),
            1)
      << dump_log(out);
}

// A refusal caught by pcall is still classified: the handler asked for it.
TEST(LimitMessages, CaughtRefusalIsStillClassified) {
  const Outcome out =
      run_inline(Profile::openresty, "local ok = pcall(io.open, \"/etc/passwd\") ngx.say(ok)");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "false\n");
  EXPECT_EQ(out.limit, LimitKind::sandbox);
  EXPECT_EQ(out.limit_detail, "io.open");
}

// The JIT is on for the LuaJIT engines, and a hot loop is still charged for
// every instruction (execution_budget.h: the count hook, with
// LUAJIT_ENABLE_CHECKHOOK for compiled traces): a loop of 3e7 instructions cannot
// finish under a 2e6 budget.
TEST(JitLimits, CompiledLoopsAreCharged) {
  for (Profile p : {Profile::classic, Profile::openresty}) {
    SCOPED_TRACE(to_string(p));
    Settings s = settings_for(p);  // 1 s CPU
    s.limits.instructions = 2'000'000;
    Worker worker(s);
    Handler status = Handler::inline_code("ngx.say(type(jit) == 'table' and jit.status())", 40);
    const Outcome st = worker.run(status);
    EXPECT_EQ(st.body, engine_is_luajit() ? "true\n" : "false\n") << dump_log(st);

    Handler loop = Handler::inline_code("local n = 0 for i = 1, 1e7 do n = n + 1 end ngx.say(n)", 41);
    const Outcome out = worker.run(loop);
    EXPECT_EQ(out.limit, LimitKind::instructions) << dump_log(out);
    EXPECT_EQ(out.body, "");
  }
}

// Within the budget nothing fires.
TEST(JitLimits, LoopWithinBudgetCompletes) {
  Worker worker(settings_for(Profile::classic));
  Handler loop = Handler::inline_code("local n = 0 for i = 1, 1e5 do n = n + 1 end ngx.say(n)");
  const Outcome out = worker.run(loop);
  EXPECT_EQ(out.limit, LimitKind::none) << dump_log(out);
  EXPECT_EQ(out.body, "100000\n");
}

// Code run by the factory (on the main thread, at load time:
// ngx_http_lua_cache_store_code, ngx_http_lua_cache_load_code) is budgeted too.
TEST(FactoryLimits, InfiniteLoopInTheFactory) {
  Worker worker(settings_for(Profile::classic));
  Handler handler =
      Handler::inline_code("end, (function() while true do end end)(), function() ngx.say(1)");
  const Outcome out = worker.run(handler);
  EXPECT_EQ(out.limit, LimitKind::instructions);
  EXPECT_EQ(out.status, 500);
  ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
  EXPECT_EQ(out.log[0], "[error] failed to load inlined Lua code: fail to generate new closure "
                        "from the closure factory");
  Handler fine = Handler::inline_code("ngx.say('ok')");
  EXPECT_EQ(worker.run(fine).body, "ok\n");
}

// With the limits every run gets unless told otherwise (Settings{}, the CLI's
// defaults), an infinite loop must be an `instructions` limit on every engine,
// i.e. the instruction budget must run out well before the CPU budget. On the
// LuaJIT engines every instruction goes through the count hook's dispatch, some
// 25-50 ns each: the former default of 50M instructions took 1.2-2.5 s there and
// lost the race against the 2 s CPU budget (classified `cpu_time`).
TEST(DefaultLimits, InfiniteLoopIsAnInstructionLimit) {
  Worker worker{Settings{}};
  Handler handler = Handler::inline_code("local n = 0 while true do n = n + 1 end");
  const Outcome out = worker.run(handler);
  EXPECT_EQ(out.limit, LimitKind::instructions) << dump_log(out);
  EXPECT_EQ(out.status, 500);
}

// With the code cache off every request has its own VM and its own budget.
TEST(CacheOffLimits, EachRequestIsLimited) {
  Settings s = settings_for(Profile::classic, /*code_cache=*/false);
  s.limits.instructions = 2'000'000;
  Worker worker(s);
  Handler hostile = Handler::inline_code("while true do end");
  for (int i = 0; i < 2; ++i) EXPECT_EQ(worker.run(hostile).limit, LimitKind::instructions);
}

// The engine seam reads the collector's state, which the worker uses to restart a
// collector stopped by handler code (and only then: a restart forces a GC step).
TEST(CollectorLimits, TheSeamSeesStopAndRestart) {
  Vm vm(settings_for(Profile::classic));
  lua_State* L = vm.state();
  EXPECT_FALSE(engine::collector_stopped(L));
  lua_gc(L, LUA_GCSTOP, 0);
  EXPECT_TRUE(engine::collector_stopped(L));
  lua_gc(L, LUA_GCRESTART, 0);
  EXPECT_FALSE(engine::collector_stopped(L));
}

TEST(CollectorLimits, AStoppedCollectorDoesNotOutliveItsRequest) {
  for (Profile p : {Profile::classic, Profile::openresty}) {
    Worker worker(settings_for(p));
    Handler stop = Handler::inline_code("collectgarbage('stop') ngx.say(collectgarbage('count') > 0)");
    const Outcome out = worker.run(stop);
    EXPECT_EQ(out.body, "true\n") << dump_log(out);
    EXPECT_FALSE(engine::collector_stopped(worker.main_vm()->state())) << profile_name(p);
  }
}

}  // namespace
}  // namespace codecache::test

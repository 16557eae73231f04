// Instruction budget and CPU watchdog (see execution_budget.h).
#include "core/execution_budget.h"

#include <sys/time.h>

#include <algorithm>
#include <csignal>
#include <ctime>

namespace codecache {
namespace {

constexpr int kHookPeriod = 1000;  // instructions between two checks

// The watchdog is process-wide: one piece of handler code runs at a time.
ExecutionBudget* volatile g_watched = nullptr;
lua_State* volatile g_running = nullptr;

int g_exit_sentinel_tag;  // its address is the sentinel value

long long cpu_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void budget_hook(lua_State* L, lua_Debug*);

void watchdog_fired(int) {
  ExecutionBudget* budget = g_watched;
  lua_State* running = g_running;
  if (budget == nullptr || running == nullptr) return;
  budget->cpu_expired = 1;
  lua_sethook(running, budget_hook, LUA_MASKCOUNT, 1);  // async-safe by design
}

void arm_timer(long long remaining_ns) {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = watchdog_fired;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGVTALRM, &sa, nullptr);
    return true;
  }();
  (void)installed;
  itimerval t{};
  remaining_ns = std::max(remaining_ns, 1'000'000LL);
  t.it_value.tv_sec = remaining_ns / 1'000'000'000;
  t.it_value.tv_usec = (remaining_ns % 1'000'000'000) / 1000;
  t.it_interval.tv_usec = 50'000;  // keep poking until the scope ends
  setitimer(ITIMER_VIRTUAL, &t, nullptr);
}

void disarm_timer() {
  itimerval t{};
  setitimer(ITIMER_VIRTUAL, &t, nullptr);
}

void budget_hook(lua_State* L, lua_Debug*) {
  VmContext& ctx = context_of(L);
  ExecutionBudget* budget = ctx.budget;
  if (budget == nullptr) return;  // the harness's own code is never charged
  budget->instructions_used += static_cast<unsigned>(std::max(lua_gethookcount(L), 1));
  if (budget->exit_requested) {
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    push_exit_sentinel(L);
    lua_error(L);
  }
  const char* why = nullptr;
  if (budget->cpu_expired) {
    budget->cpu_exhausted = true;
    why = "CPU time budget exhausted";
  } else if (budget->instructions_used > ctx.settings.limits.instructions) {
    budget->instructions_exhausted = true;
    why = "instruction budget exhausted";
  }
  if (why == nullptr) return;
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", why);
}

}  // namespace

void install_budget_hook(lua_State* L) { lua_sethook(L, budget_hook, LUA_MASKCOUNT, kHookPeriod); }

BudgetScope::BudgetScope(VmContext& ctx, ExecutionBudget& budget, lua_State* running)
    : ctx_(ctx), budget_(budget), started_cpu_ns_(cpu_now_ns()) {
  ctx_.budget = &budget_;
  ctx_.memory_enforced = true;
  g_watched = &budget_;
  g_running = running;
  const long long limit_ns = static_cast<long long>(ctx_.settings.limits.cpu_ms) * 1'000'000;
  if (budget_.cpu_used_ns >= limit_ns) {
    watchdog_fired(0);
  } else {
    arm_timer(limit_ns - budget_.cpu_used_ns);
  }
}

BudgetScope::~BudgetScope() {
  disarm_timer();
  g_watched = nullptr;
  g_running = nullptr;
  budget_.cpu_used_ns += cpu_now_ns() - started_cpu_ns_;
  ctx_.budget = nullptr;
  ctx_.memory_enforced = false;
}

void push_exit_sentinel(lua_State* L) { lua_pushlightuserdata(L, &g_exit_sentinel_tag); }

bool is_exit_sentinel(lua_State* L, int index) {
  return lua_islightuserdata(L, index) && lua_touserdata(L, index) == &g_exit_sentinel_tag;
}

}  // namespace codecache

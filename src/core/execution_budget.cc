// Instruction budget and CPU watchdog (see execution_budget.h).
#include "core/execution_budget.h"

#include "core/memory_budget.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>

namespace codecache {
namespace {

constexpr int kHookPeriod = 1000;  // instructions between two checks

// One piece of handler code runs at a time, so the watchdog's state is global.
ExecutionBudget* volatile g_watched = nullptr;
lua_State* volatile g_running = nullptr;

int g_exit_sentinel_tag;  // its address is the sentinel value

// Hard deadline: where to jump, and how many watchdog ticks have passed since the
// soft budget expired.
sigjmp_buf* volatile g_hard_target = nullptr;
volatile int g_ticks_after_expiry = 0;
constexpr int kTickMs = 50;

long long cpu_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void budget_hook(lua_State* L, lua_Debug*);

void watchdog_fired(int) {
  ExecutionBudget* budget = g_watched;
  lua_State* running = g_running;
  if (budget == nullptr || running == nullptr) return;
  if (budget->cpu_expired) {
    // Still inside handler code: past the hard deadline, cut it off, unless our
    // allocator holds the C heap (then the next tick tries again).
    g_ticks_after_expiry = g_ticks_after_expiry + 1;
    if (g_ticks_after_expiry >= kHardDeadlineMs / kTickMs && g_hard_target != nullptr &&
        !allocator_busy()) {
      sigjmp_buf* target = g_hard_target;
      g_hard_target = nullptr;
      siglongjmp(*target, 1);
    }
    return;
  }
  budget->cpu_expired = 1;
  g_ticks_after_expiry = 0;
  lua_sethook(running, budget_hook, LUA_MASKCOUNT, 1);  // async-safe by design
}

// A CPU-time timer of the calling thread (never process-wide: only the thread
// running handler code may receive the signal the hard deadline jumps from).
timer_t thread_timer() {
  thread_local timer_t timer = [] {
    sigevent ev{};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGVTALRM;
    ev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
    timer_t t{};
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &t) != 0) std::abort();
    return t;
  }();
  return timer;
}

// Makes watchdog_fired the SIGVTALRM handler, unless it already is. Checked on
// every scope, not once: several copies of the core may share one process (the
// differential fuzz target links one per engine, each with its own globals), and
// the signal must reach the copy whose handler code is running.
void claim_watchdog_signal() {
  struct sigaction current {};
  sigaction(SIGVTALRM, nullptr, &current);
  if (current.sa_handler == watchdog_fired) return;
  struct sigaction sa {};
  sa.sa_handler = watchdog_fired;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGVTALRM, &sa, nullptr);
}

void arm_timer(long long remaining_ns) {
  itimerspec t{};
  remaining_ns = std::max(remaining_ns, 1'000'000LL);
  t.it_value.tv_sec = remaining_ns / 1'000'000'000;
  t.it_value.tv_nsec = remaining_ns % 1'000'000'000;
  t.it_interval.tv_nsec = kTickMs * 1'000'000L;  // keep ticking until the scope ends
  timer_settime(thread_timer(), 0, &t, nullptr);
}

void disarm_timer() {
  itimerspec t{};
  timer_settime(thread_timer(), 0, &t, nullptr);
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
  claim_watchdog_signal();
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

bool enter_hard_deadline(VmContext&, sigjmp_buf* target) {
  g_hard_target = target;
  return true;
}

void leave_hard_deadline() { g_hard_target = nullptr; }

void push_exit_sentinel(lua_State* L) { lua_pushlightuserdata(L, &g_exit_sentinel_tag); }

void unwind_on_next_instruction(lua_State* L) {
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  if (lua_State* running = g_running; running != nullptr && running != L) {
    lua_sethook(running, budget_hook, LUA_MASKCOUNT, 1);  // PUC keeps hooks per thread
  }
}

bool is_exit_sentinel(lua_State* L, int index) {
  return lua_islightuserdata(L, index) && lua_touserdata(L, index) == &g_exit_sentinel_tag;
}

}  // namespace codecache

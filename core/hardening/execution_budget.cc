// Instruction budget and CPU watchdog (see execution_budget.h).
#include "core/hardening/execution_budget.h"

#include "core/hardening/c_stack_bound.h"
#include "core/hardening/memory_budget.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>

namespace codecache {
namespace {

constexpr int kHookPeriod = 1000;  // instructions between two checks

// One piece of handler code runs at a time, so the watchdog's state is global.
// The watchdog is a signal handler on the same thread: a budget is published with
// a release store only once it is ready (its limit set), and the handler reads it
// with an acquire load, so the compiler cannot move the budget's own stores past
// its publication (as it did with a volatile pointer: a tick in that gap charged a
// fresh budget against its 1 ns placeholder; budget_scope_test.cc).
std::atomic<ExecutionBudget*> g_watched{nullptr};
std::atomic<lua_State*> g_running{nullptr};
static_assert(std::atomic<ExecutionBudget*>::is_always_lock_free &&
              std::atomic<lua_State*>::is_always_lock_free);  // async-signal-safe

int g_exit_sentinel_tag;  // its address is the sentinel value

// The error both the count hook and the library loops' interrupt raise.
constexpr const char* kCpuExhausted = "CPU time budget exhausted";
// What PUC Lua and the patched LuaJITs say when nested C calls run out (ldo.c).
constexpr const char* kCStackOverflow = "C stack overflow";

// Hard deadline: where to jump, and how much CPU time has passed since the soft
// budget expired; and how many HarnessFrames are alive.
volatile std::sig_atomic_t g_harness_frames = 0;
sigjmp_buf* volatile g_hard_target = nullptr;
volatile std::int64_t g_ns_after_expiry = 0;

// The watchdog samples: a per-thread CPU timer raises SIGVTALRM about every
// kTickMs of the thread's CPU time, armed once and never touched again. Each tick
// reads the thread's CPU clock and charges the time since the previous tick to
// the budget whose code runs at that moment, so entering and leaving handler code
// costs no system call and a budget is accurate to a tick. The clock is read
// rather than the ticks counted: the kernel delivers the timer at its own tick
// rate (CONFIG_HZ), so on a loaded machine far fewer signals than one per
// millisecond arrive (33 per CPU second were seen on a loaded 2-core machine).
constexpr int kTickMs = 1;
constexpr std::int64_t kNsPerMs = 1'000'000;

// The thread CPU clock at the previous tick of this thread's watchdog.
thread_local volatile std::int64_t t_last_tick_ns = 0;

void budget_hook(lua_State* L, lua_Debug*);

void expire(ExecutionBudget* budget, lua_State* running) {
  budget->cpu_expired = 1;
  g_ns_after_expiry = 0;
  lua_sethook(running, budget_hook, LUA_MASKCOUNT, 1);  // async-safe by design
  lua_interrupt_pending = 1;  // the engine's long library loops poll it
}

// The engine's library loops that run no instruction (the pattern matcher,
// string.rep; engines/patches/*-interrupt-poll.patch) call this while
// lua_interrupt_pending is set: inside handler code whose CPU budget expired, it
// raises the budget's ordinary Lua error from the library function, as a bad
// argument would, so no C frame is skipped.
void interrupt_library_loop(lua_State* L) {
  ExecutionBudget* budget = context_of(L).budget;
  if (budget == nullptr || !budget->cpu_expired) return;  // the harness's own call
  budget->cpu_exhausted = true;
  luaL_where(L, 1);  // the caller's position, as luaL_error from a library function gives
  lua_pushstring(L, kCpuExhausted);
  lua_concat(L, 2);
  lua_error(L);
}

// This copy of the core's SIGVTALRM handler, and the one it replaced. Several
// copies of the core may share a process (the differential fuzz target links one
// per engine, each with its own globals and its own ticker): each ticker's signal
// carries its copy's tag, and a handler passes a signal it does not own down the
// chain, so every copy sees exactly its own ticks without a system call per scope.
int g_ticker_tag;
struct sigaction g_previous_handler {};

void pass_on(int signo, siginfo_t* info, void* uctx) {
  const struct sigaction& prev = g_previous_handler;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction != nullptr) prev.sa_sigaction(signo, info, uctx);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) {
    prev.sa_handler(signo);
  }
}

void watchdog_fired(int signo, siginfo_t* info, void* uctx) {
  if (info == nullptr || info->si_value.sival_ptr != &g_ticker_tag) return pass_on(signo, info, uctx);
  const std::int64_t now = thread_cpu_ns();
  const std::int64_t elapsed = now - t_last_tick_ns;
  t_last_tick_ns = now;
  ExecutionBudget* budget = g_watched.load(std::memory_order_acquire);
  lua_State* running = g_running.load(std::memory_order_relaxed);
  if (budget == nullptr || running == nullptr) return;
  if (budget->cpu_expired) {
    // Still inside handler code: past the hard deadline, cut it off, unless the
    // harness's own code runs (then the next tick tries again).
    g_ns_after_expiry = g_ns_after_expiry + elapsed;
    if (g_ns_after_expiry >= kHardDeadlineMs * kNsPerMs && g_hard_target != nullptr &&
        hard_deadline_may_jump()) {
      sigjmp_buf* target = g_hard_target;
      g_hard_target = nullptr;
      siglongjmp(*target, 1);
    }
    return;
  }
  budget->cpu_used_ns = budget->cpu_used_ns + elapsed;
  if (budget->cpu_used_ns >= budget->cpu_limit_ns) expire(budget, running);
}

// Starts the calling thread's tick timer, once (never process-wide: only the thread
// running handler code may receive the signal the hard deadline jumps from).
class ThreadTicker {
 public:
  ThreadTicker() {
    static const bool installed = [] {
      struct sigaction sa {};
      sa.sa_sigaction = watchdog_fired;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESTART | SA_SIGINFO;
      sigaction(SIGVTALRM, &sa, &g_previous_handler);
      lua_interrupt_handler = interrupt_library_loop;
      return true;
    }();
    (void)installed;
    sigevent ev{};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGVTALRM;
    ev.sigev_value.sival_ptr = &g_ticker_tag;
    ev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &timer_) != 0) std::abort();
    t_last_tick_ns = thread_cpu_ns();
    itimerspec tick{};
    tick.it_value.tv_nsec = kTickMs * kNsPerMs;
    tick.it_interval.tv_nsec = kTickMs * kNsPerMs;
    timer_settime(timer_, 0, &tick, nullptr);
  }
  ~ThreadTicker() { timer_delete(timer_); }
  ThreadTicker(const ThreadTicker&) = delete;
  ThreadTicker& operator=(const ThreadTicker&) = delete;

 private:
  timer_t timer_{};
};

void ensure_thread_ticker() { thread_local ThreadTicker ticker; }

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
  if (c_stack_bound_crossed()) {
    // Coroutines resumed from Lua nest C frames without lua_call (c_stack_bound.h);
    // the error unwinds them, and the hook keeps checking on the way out.
    budget->stack_overflow_raised = true;
    lua_pushstring(L, kCStackOverflow);
    lua_error(L);
  }
  const char* why = nullptr;
  if (budget->cpu_expired) {
    budget->cpu_exhausted = true;
    why = kCpuExhausted;
  } else if (budget->instructions_used > ctx.settings.limits.instructions) {
    budget->instructions_exhausted = true;
    why = "instruction budget exhausted";
  }
  if (why == nullptr) return;
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", why);
}

}  // namespace

std::int64_t thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void install_budget_hook(lua_State* L) { lua_sethook(L, budget_hook, LUA_MASKCOUNT, kHookPeriod); }

void restore_budget_hook(lua_State* L) {
  // lua_sethook rebuilds LuaJIT's dispatch table: skip it when nothing changed.
  if (lua_gethook(L) == budget_hook && lua_gethookmask(L) == LUA_MASKCOUNT &&
      lua_gethookcount(L) == kHookPeriod) {
    return;
  }
  install_budget_hook(L);
}

BudgetScope::BudgetScope(VmContext& ctx, ExecutionBudget& budget, lua_State* running)
    : ctx_(ctx), budget_(budget) {
  ensure_thread_ticker();
  arm_c_stack_bound();
  ctx_.budget = &budget_;
  ctx_.memory_enforced = true;
  budget_.cpu_limit_ns = std::max<std::int64_t>(ctx_.settings.limits.cpu_ms, 1) * kNsPerMs;
  g_running.store(running, std::memory_order_relaxed);
  g_watched.store(&budget_, std::memory_order_release);  // ready: the watchdog may charge it
  if (budget_.cpu_used_ns >= budget_.cpu_limit_ns && !budget_.cpu_expired) expire(&budget_, running);
}

BudgetScope::~BudgetScope() {
  disarm_c_stack_bound();
  lua_interrupt_pending = 0;
  g_watched.store(nullptr, std::memory_order_release);
  g_running.store(nullptr, std::memory_order_relaxed);
  ctx_.budget = nullptr;
  ctx_.memory_enforced = false;
}

HarnessFrame::HarnessFrame() { g_harness_frames = g_harness_frames + 1; }
HarnessFrame::~HarnessFrame() { g_harness_frames = g_harness_frames - 1; }

bool hard_deadline_may_jump() { return !allocator_busy() && g_harness_frames == 0; }

void enter_hard_deadline(sigjmp_buf* target) { g_hard_target = target; }

void leave_hard_deadline() { g_hard_target = nullptr; }

void landed_from_hard_deadline() {
  g_hard_target = nullptr;
  // The jump left the watchdog's own handler without restoring the signal mask
  // (sigsetjmp(…, 0) spares a system call per scope), so SIGVTALRM is still blocked.
  sigset_t vtalrm;
  sigemptyset(&vtalrm);
  sigaddset(&vtalrm, SIGVTALRM);
  pthread_sigmask(SIG_UNBLOCK, &vtalrm, nullptr);
}

void push_exit_sentinel(lua_State* L) { lua_pushlightuserdata(L, &g_exit_sentinel_tag); }

void unwind_on_next_instruction(lua_State* L) {
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  if (lua_State* running = g_running.load(std::memory_order_relaxed); running != nullptr && running != L) {
    lua_sethook(running, budget_hook, LUA_MASKCOUNT, 1);  // PUC keeps hooks per thread
  }
}

bool is_exit_sentinel(lua_State* L, int index) {
  return lua_islightuserdata(L, index) && lua_touserdata(L, index) == &g_exit_sentinel_tag;
}

}  // namespace codecache

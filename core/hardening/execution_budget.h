// Bounds how long handler code may run: a count hook charges every VM instruction
// (JIT traces included, thanks to LUAJIT_ENABLE_CHECKHOOK) against
// Limits::instructions, and a CPU watchdog (a per-thread CPU timer raising
// SIGVTALRM, never SIGALRM, which libFuzzer owns) catches C functions such as
// string.rep that run no instructions. The timer ticks every millisecond of the
// thread's CPU time from the first scope on; each tick is charged to the budget
// whose code runs at that moment, so entering a scope makes no system call.
// Once a budget is spent the hook fires on every instruction, so `pcall` loops
// cannot swallow the error. The memory cap is enforced in the same scopes.
//
// A C function can also run for a long time without reaching an instruction (a
// backtracking string.find pattern, ("").rep("", 2^30) on Lua 5.1). The engines'
// long library loops poll lua_interrupt_pending (engines/patches/
// *-interrupt-poll.patch), which the watchdog sets when the budget expires; the
// poll raises the budget's ordinary Lua error from inside the library function.
// Where no poll reaches, the hard deadline remains: when handler code is still
// running kHardDeadlineMs of CPU after the soft budget expired, the watchdog
// jumps out of it (siglongjmp); the VM is then abandoned, never touched again, and
// the outcome is a `cpu_time` limit. The jump is taken only where it is defined
// behaviour and leaves no lock held: never while the harness's allocator holds the
// C heap, and never out of a HarnessFrame (below), so the frames it skips are the
// engine's C frames and Lua's, which own nothing that needs destroying. Other C
// library calls the engines make (memchr, memcmp, strtod, snprintf) take no lock.
#pragma once

#include <csetjmp>

#include "core/plumbing/vm_context.h"

namespace codecache {

// Installs the hook on a VM's main thread; threads created later inherit it.
// Called at VM creation.
void install_budget_hook(lua_State* L);

// After each request: puts the hook back if the request changed it (a spent budget
// or ngx.exit leaves count=1).
void restore_budget_hook(lua_State* L);

// The calling thread's CPU clock in nanoseconds: what every budget counts
// (clock_gettime is async-signal-safe, so the watchdog reads it too).
std::int64_t thread_cpu_ns();

constexpr int kHardDeadlineMs = 1000;

// Arms `budget` (and the memory cap) while one piece of handler code runs on
// `running`; restores the quiet state on destruction. Scopes do not nest.
class BudgetScope {
 public:
  BudgetScope(VmContext& ctx, ExecutionBudget& budget, lua_State* running);
  ~BudgetScope();
  BudgetScope(const BudgetScope&) = delete;
  BudgetScope& operator=(const BudgetScope&) = delete;

 private:
  VmContext& ctx_;
  ExecutionBudget& budget_;
};

// Marks harness C++ code that runs on behalf of handler code (an ngx API or
// sandbox function) while it holds objects with destructors or calls the C
// library: the hard deadline does not jump while one is alive (the next watchdog
// tick tries again). Such code must not call back into Lua while a frame is
// alive (a callback may run for ever) and must end within the budgets: it polls
// the interrupt (lua_pollinterrupt) wherever it could loop long.
class HarnessFrame {
 public:
  HarnessFrame();
  ~HarnessFrame();
  HarnessFrame(const HarnessFrame&) = delete;
  HarnessFrame& operator=(const HarnessFrame&) = delete;
};

// Whether the watchdog may jump out of the code running now (for tests).
bool hard_deadline_may_jump();

// Runs `body(L)` (a lua_pcall, lua_resume or lua_load wrapped in a lambda) under a
// BudgetScope with the hard deadline armed. Returns body's status, or LUA_ERRRUN
// with ctx.abandoned set when the deadline cut it off.
template <typename Body>
int run_budgeted(VmContext& ctx, ExecutionBudget& budget, lua_State* running, Body&& body);

// Implementation detail of run_budgeted: the jump target for the hard deadline.
void enter_hard_deadline(sigjmp_buf* target);
void leave_hard_deadline();
void landed_from_hard_deadline();

template <typename Body>
int run_budgeted(VmContext& ctx, ExecutionBudget& budget, lua_State* running, Body&& body) {
  sigjmp_buf target;
  BudgetScope scope(ctx, budget, running);
  if (sigsetjmp(target, 0) != 0) {  // landed here from the watchdog
    landed_from_hard_deadline();
    ctx.abandoned = true;
    budget.cpu_exhausted = true;
    return LUA_ERRRUN;
  }
  enter_hard_deadline(&target);
  int status = body();
  leave_hard_deadline();
  return status;
}

// The error value thrown to unwind a request after ngx.exit; recognised by identity.
void push_exit_sentinel(lua_State* L);

// After ngx.exit: makes the budget hook fire on the very next instruction of `L`
// and of the entry thread being resumed, so that a request whose ngx.exit could
// not yield straight to the scheduler (inside pcall on PUC Lua, or in a user
// coroutine) is unwound before it runs any more of the handler.
void unwind_on_next_instruction(lua_State* L);
bool is_exit_sentinel(lua_State* L, int index);

}  // namespace codecache

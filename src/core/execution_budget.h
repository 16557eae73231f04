// Bounds how long handler code may run: a count hook charges every VM instruction
// (JIT traces included, thanks to LUAJIT_ENABLE_CHECKHOOK) against
// Limits::instructions, and a CPU watchdog (SIGVTALRM, never SIGALRM, which
// libFuzzer owns) catches C functions such as string.rep that run no instructions.
// Once a budget is spent the hook fires on every instruction, so `pcall` loops
// cannot swallow the error. The memory cap is enforced in the same scopes.
#pragma once

#include "core/vm_context.h"

namespace codecache {

// Installs the hook on a VM's main thread; threads created later inherit it.
// Called at VM creation and after each request (a spent budget leaves count=1).
void install_budget_hook(lua_State* L);

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
  long long started_cpu_ns_;
};

// The error value thrown to unwind a request after ngx.exit; recognised by identity.
void push_exit_sentinel(lua_State* L);
bool is_exit_sentinel(lua_State* L, int index);

}  // namespace codecache

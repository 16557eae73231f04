// BudgetScope (core/hardening/execution_budget.h) gives a request's budget its CPU
// limit before the watchdog may charge it. The watchdog is a signal handler on the
// same thread: a tick that lands while a scope is being entered must already find
// the limit set, or a budget that has spent microseconds is charged against the
// 1 ns a fresh ExecutionBudget holds and expires ("CPU time budget exhausted" from
// a handler that does nothing). Entering fresh budgets back to back for long
// enough puts many ticks inside scope entries; none may expire a budget.
#include "core/hardening/execution_budget.h"

#include <gtest/gtest.h>

#include <memory>

namespace codecache {
namespace {

TEST(BudgetScope, AFreshBudgetIsNeverChargedBeforeItsLimitIsSet) {
  std::unique_ptr<lua_State, decltype(&lua_close)> vm(luaL_newstate(), &lua_close);
  ASSERT_NE(vm, nullptr);
  VmContext ctx;
  ctx.settings.limits.cpu_ms = 2000;
  // Most of a second of this thread's CPU, which the watchdog samples hundreds of
  // times; a count, not a clock, bounds the loop.
  constexpr int kEntries = 40'000'000;
  int expired = 0;
  for (int i = 0; i < kEntries; ++i) {
    ExecutionBudget budget;
    { BudgetScope scope(ctx, budget, vm.get()); }
    if (budget.cpu_expired) ++expired;
  }
  EXPECT_EQ(expired, 0) << "of " << kEntries << " fresh budgets, each entered once for microseconds";
}

}  // namespace
}  // namespace codecache

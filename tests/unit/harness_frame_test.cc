// HarnessFrame (core/hardening/execution_budget.h): while one is alive, however nested, the
// hard deadline may not jump; once the last one is gone, it may again.
#include "core/hardening/execution_budget.h"

#include <gtest/gtest.h>

namespace codecache {
namespace {

TEST(HarnessFrame, BlocksTheHardDeadlineWhileAnyIsAlive) {
  EXPECT_TRUE(hard_deadline_may_jump());
  {
    HarnessFrame outer;
    EXPECT_FALSE(hard_deadline_may_jump());
    {
      HarnessFrame inner;
      EXPECT_FALSE(hard_deadline_may_jump());
    }
    EXPECT_FALSE(hard_deadline_may_jump());
  }
  EXPECT_TRUE(hard_deadline_may_jump());
}

}  // namespace
}  // namespace codecache

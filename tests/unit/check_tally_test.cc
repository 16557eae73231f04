// The check-rate tally of the fuzz targets (fuzz/check_tally.h): its counts and the
// line campaign.sh reads.
#include <gtest/gtest.h>

#include "check_tally.h"

namespace codecache::fuzz {
namespace {

TEST(CheckTally, CountsEveryInputOnceAndPrintsTheRate) {
  CheckTally tally("target");
  tally.checked();
  tally.checked();
  tally.checked();
  tally.excused("does not compile");
  EXPECT_EQ(tally.executed(), 4u);
  EXPECT_EQ(tally.checked_count(), 3u);
  EXPECT_EQ(tally.summary(), "#check-rate target: 3 of 4 inputs checked (75.0%); excused: does not compile 1");
}

TEST(CheckTally, ExcusesAreListedByReason) {
  CheckTally tally("t");
  tally.excused("b reason");
  tally.excused("a reason");
  tally.excused("b reason");
  EXPECT_EQ(tally.summary(), "#check-rate t: 0 of 3 inputs checked (0.0%); excused: a reason 1, b reason 2");
}

TEST(CheckTally, AnExcuseKeepsItsFirstExample) {
  CheckTally tally("t");
  tally.excused("changed", "string.x added");
  tally.excused("changed", "string.y added");
  tally.checked();
  EXPECT_EQ(tally.summary(), "#check-rate t: 1 of 3 inputs checked (33.3%); excused: changed 2 (e.g. string.x added)");
}

TEST(CheckTally, RulesAnAgreementNeededFollowWithTheirShareOfTheChecked) {
  CheckTally tally("t");
  for (int i = 0; i < 8; ++i) tally.checked();
  tally.excused("limit");
  tally.agreed_through("traceback");
  tally.agreed_through("traceback");
  tally.agreed_through("sign of zero");
  EXPECT_EQ(tally.summary(),
            "#check-rate t: 8 of 9 inputs checked (88.9%); excused: limit 1; agreed through a rule: "
            "sign of zero 1 (12.5%), traceback 2 (25.0%)");
}

TEST(CheckTally, NothingCountedReadsZero) {
  CheckTally tally("t");
  EXPECT_EQ(tally.summary(), "#check-rate t: 0 of 0 inputs checked (0.0%)");
}

}  // namespace
}  // namespace codecache::fuzz

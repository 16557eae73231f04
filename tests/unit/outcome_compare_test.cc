// What the differential fuzz targets compare (fuzz/outcome_compare.h): addresses and
// only addresses are normalised, as this engine really prints them, and a repeatable
// difference is excused only by the whole-word names the header lists.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "outcome_compare.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

using fuzz::repeatable_difference_excuse;
using fuzz::without_addresses;

TEST(WithoutAddresses, ReadsEveryAddressAsOne) {
  EXPECT_EQ(without_addresses("table: 0x55d0c3a0b2c8"), "table: 0x?");
  EXPECT_EQ(without_addresses("function: 0x40001234, thread: 0x7f00aa11bb22\n"),
            "function: 0x?, thread: 0x?\n");
  EXPECT_EQ(without_addresses("0x0123456789abcdef"), "0x?");
}

TEST(WithoutAddresses, LeavesEverythingElse) {
  for (const char* kept : {"0x1F", "0xdeadbee", "0xDEADBEEF12", "a0x12345678", "_0x12345678",
                           "function: builtin#29", "0x", "x0x", "ngx.say(0x10)", "-0 nan inf"})
    EXPECT_EQ(without_addresses(kept), kept);
}

// The rule matches what tostring and ngx.say really print on this engine, in the
// body and in the error log.
TEST(WithoutAddresses, MatchesThisEnginesTostring) {
  const Outcome o = run_inline(Profile::openresty,
                               "local t = {} ngx.say(tostring(t), ' ', tostring(print)) "
                               "ngx.log(ngx.ERR, tostring(coroutine.create(function() end)))");
  const std::string text = fuzz::comparable(o);
  EXPECT_NE(text.find("table: 0x? function: "), std::string::npos) << text;
  EXPECT_NE(text.find("thread: 0x?"), std::string::npos) << text;
  EXPECT_EQ(text.find("0x?"), text.find("table: 0x?") + 7) << "the first address is the table's";
}

TEST(Comparable, OutcomesThatDifferOnlyInAddressesCompareEqual) {
  Outcome a, b;
  a.status = b.status = 200;
  a.body = "table: 0x55d0c3a0b2c8\n";
  b.body = "table: 0x55d0c3a0ffff\n";
  a.log = {"[error] thread: 0x7f0011223344"};
  b.log = {"[error] thread: 0x7f0011229999"};
  EXPECT_EQ(fuzz::comparable(a), fuzz::comparable(b));
  b.body = "table: 0x55d0c3a0ffff\nmore\n";
  EXPECT_NE(fuzz::comparable(a), fuzz::comparable(b));
}

TEST(RepeatableDifferenceExcuse, NamesVmWideStateAsWholeWords) {
  EXPECT_EQ(repeatable_difference_excuse("ngx.say(math.random())", false),
            "reads state every request on the VM shares (random)");
  EXPECT_EQ(repeatable_difference_excuse("collectgarbage('count')", false),
            "reads state every request on the VM shares (collectgarbage)");
  EXPECT_EQ(repeatable_difference_excuse("jit.off()", false),
            "reads state every request on the VM shares (jit)");
  EXPECT_EQ(repeatable_difference_excuse("local randomly, jitter, gcinfos = 1", false), "");
  EXPECT_EQ(repeatable_difference_excuse("ngx.say(os.time(), tostring({}))", true), "");
}

TEST(RepeatableDifferenceExcuse, NamesIntrospectionOnlyWhenTheChunkDiffers) {
  EXPECT_EQ(repeatable_difference_excuse("ngx.say(debug.getinfo(1).currentline)", false), "");
  EXPECT_EQ(repeatable_difference_excuse("ngx.say(debug.getinfo(1).currentline)", true),
            "introspects the chunk's shape (getinfo)");
  EXPECT_EQ(repeatable_difference_excuse("ngx.say(#string.dump(print))", true),
            "introspects the chunk's shape (dump)");
  EXPECT_EQ(repeatable_difference_excuse("local dumpster = 1", true), "");
}

// A difference is a violation only when it repeats on both sides and nothing the
// handler reads explains it; the runs are served again exactly once.
TEST(ExcuseForDifference, AViolationRepeatsAndIsNotExplained) {
  int served = 0;
  const auto same_again = [&] {
    ++served;
    return std::pair<std::string, std::string>("200\na", "200\nb");
  };
  EXPECT_EQ(fuzz::excuse_for_difference("200\na", "200\nb", same_again, "ngx.say(x)", false).reason, "");
  EXPECT_EQ(served, 1);
  const fuzz::Excuse explained = fuzz::excuse_for_difference("200\na", "200\nb", same_again, "math.random()", false);
  EXPECT_EQ(explained.reason, "a repeatable difference the handler explains");
  EXPECT_EQ(explained.example, "reads state every request on the VM shares (random)");
}

TEST(ExcuseForDifference, ADifferenceThatDoesNotRepeatOnEitherSideVaries) {
  for (const auto& served_again : std::vector<std::pair<std::string, std::string>>{
           {"200\nA", "200\nb"}, {"200\na", "200\nB"}, {"", "200\nb"}}) {
    const auto again = [&] { return served_again; };
    const fuzz::Excuse excuse = fuzz::excuse_for_difference("200\na", "200\nb", again, "ngx.say(x)", false);
    EXPECT_EQ(excuse.reason, "the output varies between identical runs");
    EXPECT_EQ(excuse.example, "ngx.say(x)");
  }
}

}  // namespace
}  // namespace codecache::test

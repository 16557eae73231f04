// The conformance patterns (conformance/pattern.h) and the checker's use of them
// (conformance/case_checker.h): a match is looked for over the whole subject, and a
// subject PCRE2 gives up on fails the expectation loudly instead of deciding it.
#include <gtest/gtest.h>

#include <string>

#include "case_checker.h"
#include "pattern.h"

namespace codecache::conformance {
namespace {

TEST(Pattern, FindsAMatchPastAnyLength) {
  const std::string subject = std::string(3 << 20, 'x') + " attempt to set status 999";
  EXPECT_TRUE(Pattern(R"(set status \d+$)").search(subject));
  EXPECT_FALSE(Pattern(R"(set status \d+x$)").search(subject));
}

TEST(Pattern, DollarIsTheVeryEnd) {
  EXPECT_FALSE(Pattern("abc$").search("abc\n"));
  EXPECT_TRUE(Pattern("abc$").search("x abc"));
}

TEST(Pattern, BadPatternIsNamed) {
  try {
    Pattern p("a(b");
    FAIL() << "compiled";
  } catch (const PatternError& e) {
    EXPECT_NE(std::string(e.what()).find("a(b"), std::string::npos) << e.what();
  }
}

TEST(Pattern, AllMatchesInOrderAndEmptyMatchesAdvance) {
  EXPECT_EQ(Pattern(R"(\d+)").all_matches("a1 b22 c333"), (std::vector<std::string>{"1", "22", "333"}));
  EXPECT_EQ(Pattern("x*").all_matches("ab").size(), 3u);
}

TEST(Pattern, FullMatchGivesGroups) {
  const Pattern p(R"(code cache (lookup|hit) \(key='([^']*)'\))");
  EXPECT_EQ(p.full_match("code cache hit (key='k1')"), (std::vector<std::string>{"code cache hit (key='k1')", "hit", "k1"}));
  EXPECT_TRUE(p.full_match("x code cache hit (key='k1')").empty());
  EXPECT_TRUE(p.full_match("code cache hit (key='k1') x").empty());
}

TEST(Pattern, QuoteMakesTextLiteral) {
  const std::string dir = "/tmp/a.b+(c)[d]";
  EXPECT_TRUE(Pattern("^" + Pattern::quote(dir) + "$").search(dir));
  EXPECT_FALSE(Pattern("^" + Pattern::quote(dir) + "$").search("/tmp/aXb+(c)[d]"));
}

TEST(Pattern, AnUndecidableSubjectThrows) {
  // Nested quantifiers against a near miss: exponential backtracking, so PCRE2
  // stops at its match limit. That must never read as "no match".
  const Pattern p("^(a+)+$");
  EXPECT_THROW(p.search(std::string(40, 'a') + "b"), PatternError);
}

Case case_expecting(Field field, const std::string& value) {
  Case c;
  c.file = "pattern_test.case";
  c.name = "pattern";
  c.requests = {"h"};
  c.expectations.push_back({field, 0, {value}, {}, 1});
  return c;
}

RunResult served(const std::vector<std::string>& log) {
  RunResult r;
  ServedRequest s;
  s.label = "h";
  s.outcome.status = 200;
  s.outcome.log = log;
  r.requests.push_back(s);
  return r;
}

const CheckTarget kTarget{"luajit2", "openresty", true, "/tmp/dir"};

TEST(CaseChecker, NoErrorLogLikeSeesAMatchPastTheOldCap) {
  // A match 300 KiB into an entry: the std::regex checker cut subjects at 256 KiB
  // and passed this expectation.
  RunResult r = served({"[error] " + std::string(300 << 10, '.') + " needle"});
  check_expectations(case_expecting(Field::no_error_log_like, "needle$"), kTarget, r);
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_EQ(r.mismatches[0].actual, "(a log entry matches)");
}

TEST(CaseChecker, ErrorLogLikeFindsAMatchPastTheOldCap) {
  RunResult r = served({"[error] " + std::string(300 << 10, '.') + " needle"});
  check_expectations(case_expecting(Field::error_log_like, "needle$"), kTarget, r);
  EXPECT_TRUE(r.mismatches.empty());
}

TEST(CaseChecker, AnUndecidedNoErrorLogLikeFails) {
  RunResult r = served({std::string(40, 'a') + "b"});
  check_expectations(case_expecting(Field::no_error_log_like, "^(a+)+$"), kTarget, r);
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_NE(r.mismatches[0].actual.find("could not be decided"), std::string::npos) << r.mismatches[0].actual;
}

TEST(CaseChecker, ABadPatternIsACaseError) {
  RunResult r = served({"x"});
  EXPECT_THROW(check_expectations(case_expecting(Field::error_log_like, "a(b"), kTarget, r), CaseError);
}

}  // namespace
}  // namespace codecache::conformance

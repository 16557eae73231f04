// The differential target's normaliser (fuzz/engine_difference_normaliser.h): each
// documented engine difference on the text it is for, and next to it a text that
// looks alike and must stay as it is.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "engine_difference_normaliser.h"

namespace codecache::fuzz {
namespace {

std::string body(std::string_view text) {
  const std::string out = normalise_engine_differences(200, false, text, "");
  return out.substr(4, out.size() - 4 - std::string_view("\n--log--\n").size());
}

std::string log(std::string_view text) {
  const std::string out = normalise_engine_differences(500, true, "", text);
  return out.substr(std::string_view("500 aborted\n\n--log--\n").size());
}

TEST(EngineDifferenceNormaliser, LayoutIsStatusAbortBodyLog) {
  EXPECT_EQ(normalise_engine_differences(200, false, "hi", "l"), "200\nhi\n--log--\nl");
  EXPECT_EQ(normalise_engine_differences(500, true, "", ""), "500 aborted\n\n--log--\n");
}

// Each rule's bit turns that rule, and only it, on: its example changes with the
// rule alone as with all rules, and stays raw without it.
TEST(EngineDifferenceNormaliser, EachRuleIsOneBit) {
  const struct {
    NormaliserRule rule;
    std::string_view body;
    std::string_view log;
  } examples[] = {
      {NormaliserRule::traceback, "", "[error] x\nstack traceback:\n\t[C]: in ?"},
      {NormaliserRule::argument_error, "", "bad argument #1 to 'floor' (number expected, got no value)"},
      {NormaliserRule::wrap_position, "",
       "content_by_lua(nginx.conf:40):9: content_by_lua(nginx.conf:40):9: boom"},
      {NormaliserRule::zero_sign, "-0", ""},
      {NormaliserRule::nan_sign, "-nan", ""},
      {NormaliserRule::digit_tie, "-934600.83007813", ""},
      {NormaliserRule::quoted_control, "\"\\2\"", ""},
      {NormaliserRule::variable_name, "", "attempt to perform arithmetic on local 'b' (a nil value)"},
  };
  for (const auto& e : examples) {
    const auto with = [&](unsigned rules) { return normalise_engine_differences(500, true, e.body, e.log, rules); };
    SCOPED_TRACE(std::string(rule_name(e.rule)));
    EXPECT_NE(with(kAllNormaliserRules), with(0));
    EXPECT_EQ(with(rule_bit(e.rule)), with(kAllNormaliserRules));
    EXPECT_EQ(with(kAllNormaliserRules & ~rule_bit(e.rule)), with(0));
  }
  EXPECT_EQ(normalise_engine_differences(200, false, "-0", "l"),
            normalise_engine_differences(200, false, "-0", "l", kAllNormaliserRules));
}

// corpus/regressions/differential/operand-name: LuaJIT names the operand of
// `- (x or b)`, PUC Lua does not; a name that differs reads the same too, and the
// rest of the message stays.
TEST(EngineDifferenceNormaliser, ErrorOperandNamesGo) {
  EXPECT_EQ(log("x.lua:22: attempt to perform arithmetic on local 'b' (a nil value)"),
            log("x.lua:22: attempt to perform arithmetic on a nil value"));
  EXPECT_EQ(log("attempt to index upvalue 'u' (a number value)"), log("attempt to index global 'v' (a number value)"));
  EXPECT_NE(log("attempt to index a nil value"), log("attempt to call a nil value"));
  EXPECT_EQ(log("a local 'b' without a value"), "a local 'b' without a value");
}

TEST(EngineDifferenceNormaliser, TracebacksGo) {
  EXPECT_EQ(log("[error] boom\nstack traceback:\n\t[C]: in function 'error'\ncoroutine 0:\n\tx\n"
                "[error] next"),
            "[error] boom\n[error] next");
  // A traceback heading not at a line start is kept.
  EXPECT_EQ(log("say stack traceback: here"), "say stack traceback: here");
}

TEST(EngineDifferenceNormaliser, NanLosesItsSign) {
  EXPECT_EQ(body("-nan nan"), "nan nan");
  EXPECT_EQ(body("-inf"), "-inf");
}

TEST(EngineDifferenceNormaliser, ZeroNumeralsLoseTheirSign) {
  EXPECT_EQ(body("-0"), "0");
  EXPECT_EQ(body("x -0.00 y"), "x 0.00 y");
  EXPECT_EQ(body("-0.000000e+00"), "0.000000e+00");
  // Concatenated: "10" .. -0 .. 21 (corpus/regressions/differential/minus-zero-concatenated).
  EXPECT_EQ(body("a-0"), "a0");
  EXPECT_EQ(body("Q100.510-021"), "Q100.510021");
  EXPECT_EQ(body("-0Q"), "0Q");
  // Not zero, an exponent's sign, or hex.
  EXPECT_EQ(body("-0.5"), "-0.5");
  EXPECT_EQ(body("-0.05"), "-0.05");
  EXPECT_EQ(body("-10"), "-10");
  EXPECT_EQ(body("1e-07 2.5E-05 1.e-08"), "1e-07 2.5E-05 1.e-08");
  EXPECT_EQ(body("-0x10"), "-0x10");
  EXPECT_EQ(body("-"), "-");
}

// 6.25^5 * 98 = 934600.830078125 and 2^-21 = 4.76837158203125e-07 are doubles
// exactly, each a tie at 14 significant digits (what each engine printed, found by
// the differential target: corpus/regressions/differential).
TEST(EngineDifferenceNormaliser, TiesAtTheFourteenthDigitRoundToEven) {
  EXPECT_EQ(body("-934600.83007813"), "-934600.83007812");
  EXPECT_EQ(body("x 934600.83007813\n"), "x 934600.83007812\n");
  EXPECT_EQ(log("[error] 934600.83007813"), "[error] 934600.83007812");
  EXPECT_EQ(body("4.7683715820313e-07"), "4.7683715820312e-07");
  EXPECT_EQ(body("10000000000001"), "10000000000000");  // 10000000000000.5
  EXPECT_EQ(body("1.0000000000001"), "1.0000000000001");  // 1.00000000000005 is no double
  // Already even, not 14 digits, no tie (…8145 is no double), inside a word.
  EXPECT_EQ(body("-934600.83007812"), "-934600.83007812");
  EXPECT_EQ(body("934600.8300781"), "934600.8300781");
  EXPECT_EQ(body("0.3 3 1.5"), "0.3 3 1.5");
  EXPECT_EQ(body("934600.83007815"), "934600.83007815");
  EXPECT_EQ(body("x934600.83007813 0x934600.83007813 1.934600.83007813"),
            "x934600.83007813 0x934600.83007813 1.934600.83007813");
}

// string.format("%q", "a\1b\0023\0z\r\t") on each engine
// (corpus/regressions/differential/quoted-control-character).
TEST(EngineDifferenceNormaliser, QuotedControlCharactersReadRaw) {
  const std::string raw = std::string("\"a\1b\0023") + '\0' + "z\r\t\"";
  EXPECT_EQ(body("\"a\\1b\\0023\\0z\\13\\9\""), raw);                  // LuaJIT
  EXPECT_EQ(body(std::string("\"a\1b\0023\\000z\\r\t\"")), raw);           // Lua 5.1
  // Not a control character, an escaped backslash, a lone backslash.
  EXPECT_EQ(body("\\65 \\200 \\\\1 x\\"), "\\65 \\200 \\\\1 x\\");
}

TEST(EngineDifferenceNormaliser, ArgumentErrorsKeepNumberOnly) {
  EXPECT_EQ(log("bad argument #2 to 'format' (number expected, got no value)"),
            "bad argument #2 to '?' (...)");
  EXPECT_EQ(log("bad argument #1 to '?' (value expected)"), "bad argument #1 to '?' (...)");
  // Another error's parenthesis stays.
  EXPECT_EQ(log("attempt to call a nil value (global 'f')"), "attempt to call a nil value (global 'f')");
}

TEST(EngineDifferenceNormaliser, CoroutineWrapRepeatedPositionGoes) {
  EXPECT_EQ(log("content_by_lua(nginx.conf:40):9: content_by_lua(nginx.conf:40):9: msg"),
            "content_by_lua(nginx.conf:40):9: msg");
  EXPECT_EQ(log("content_by_lua(nginx.conf:40):9: msg"), "content_by_lua(nginx.conf:40):9: msg");
  EXPECT_EQ(log("content_by_lua(nginx.conf:40):9: other.lua:9: msg"),
            "content_by_lua(nginx.conf:40):9: other.lua:9: msg");
}

}  // namespace
}  // namespace codecache::fuzz

// The stripped-dump normaliser of bytecode_roundtrip (fuzz/debug_info_normaliser.h):
// each rule on the text it is for, and next to it a text that looks alike and must
// stay as it is, so the rule is exactly as narrow as its header says.
#include <gtest/gtest.h>

#include <string>

#include "debug_info_normaliser.h"

namespace codecache::fuzz {
namespace {

TEST(DebugInfoNormaliser, PositionsInTheHandlerBecomePos) {
  EXPECT_EQ(without_debug_info("/codecache-fuzz/handler.lua:12: boom"), "<pos>: boom");
  EXPECT_EQ(without_debug_info("?:0: boom"), "<pos>: boom");
  EXPECT_EQ(without_debug_info("?: boom"), "<pos>: boom");
  EXPECT_EQ(without_debug_info("[lua] handler.lua:3: hello"), "<pos>: hello");
  // Another chunk's position is not debug info of the handler.
  EXPECT_EQ(without_debug_info("/other.lua:12: boom"), "/other.lua:12: boom");
  // Digits not followed by ':' are not a line number.
  EXPECT_EQ(without_debug_info("/codecache-fuzz/handler.lua:12 x"), "<pos>:12 x");
}

TEST(DebugInfoNormaliser, TracebackKeepsItsHeadingOnly) {
  EXPECT_EQ(without_debug_info("err\nstack traceback:\n\t[C]: in function 'error'\n"
                               "coroutine 0:\n\tx\nafter"),
            "err\nstack traceback:\nafter");
  // A line that does not start with a tab or "coroutine " ends the traceback.
  EXPECT_EQ(without_debug_info("stack traceback:\n[C] not a frame"), "stack traceback:\n[C] not a frame");
}

TEST(DebugInfoNormaliser, LogPrefixLosesTheFunctionName) {
  EXPECT_EQ(without_debug_info("[lua] handler.lua:2: helper(): msg"), "<pos>: msg");
  EXPECT_EQ(without_debug_info("[lua] handler.lua:2: t.f:g(): msg"), "<pos>: msg");
  // Without "(): " right after the name, the message is kept whole.
  EXPECT_EQ(without_debug_info("[lua] handler.lua:2: helper() msg"), "<pos>: helper() msg");
}

TEST(DebugInfoNormaliser, VariableNamesOfNilValueErrorsGo) {
  EXPECT_EQ(without_debug_info("attempt to call local 'f' (a nil value)"),
            "attempt to call a nil value");
  EXPECT_EQ(without_debug_info("attempt to index upvalue '' (a number value)"),
            "attempt to index a number value");
  EXPECT_EQ(without_debug_info("attempt to call global 'zz' (a nil value)"),
            "attempt to call a nil value");
  for (const char* kind : {"field", "method", "constant"})
    EXPECT_EQ(without_debug_info(std::string("attempt to call ") + kind + " 'x' (a nil value)"),
              "attempt to call a nil value");
  // The parenthesis must be on the same line.
  EXPECT_EQ(without_debug_info("local 'x'\n' (a nil value)"), "local 'x'\n' (a nil value)");
  EXPECT_EQ(without_debug_info("a parameter 'x' (a nil value)"), "a parameter 'x' (a nil value)");
}

TEST(DebugInfoNormaliser, ArgumentErrorsLoseTheCalleeName) {
  EXPECT_EQ(without_debug_info("bad argument #1 to 'f' (number expected, got no value)"),
            "bad argument #1 to '?' (number expected, got no value)");
  EXPECT_EQ(without_debug_info("bad argument #12 to '?' (x)"), "bad argument #12 to '?' (x)");
  // Only "bad argument #<digits> to '...'", the detail kept.
  EXPECT_EQ(without_debug_info("bad argument # to 'f'"), "bad argument # to 'f'");
  EXPECT_EQ(without_debug_info("bad argument #1 from 'f'"), "bad argument #1 from 'f'");
  EXPECT_EQ(without_debug_info("bad argument #1 to 'f\n'"), "bad argument #1 to 'f\n'");
}

TEST(DebugInfoNormaliser, OtherTextIsUntouched) {
  const std::string text = "500 aborted\nbody -0 nan\n[error] attempt to compare number with nil";
  EXPECT_EQ(without_debug_info(text), text);
}

TEST(DebugInfoNormaliser, OnlyTheWrappedHandlerFrameIsRenamed) {
  EXPECT_EQ(handler_frame_as_main("\tx: in function </codecache-fuzz/handler.lua:1>"),
            "\tx: in main chunk");
  EXPECT_EQ(handler_frame_as_main("in function </codecache-fuzz/handler.lua:2>"),
            "in function </codecache-fuzz/handler.lua:2>");
  EXPECT_EQ(handler_frame_as_main("in function 'f'"), "in function 'f'");
}

}  // namespace
}  // namespace codecache::fuzz

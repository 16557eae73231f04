// The trailing_comment target's oracle and input decoding (fuzz/trailing_comment_oracle.h,
// fuzz/trailing_comment_gen.h): a table of handlers and trailing comments with the
// load error each lexer gives, checked against the model for both lexers and against
// a real classic request on this binary's engine; and the saved regression input of
// the campaign's Lua 5.1 finding still decodes to the handler and comment it was.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "core/engine/engine.h"
#include "trailing_comment_gen.h"
#include "trailing_comment_oracle.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

using fuzz::trailing_comment_load_error;

constexpr const char* kChunk = "content_by_lua(nginx.conf:40)";

struct Case {
  std::string handler;
  std::string comment;
  std::optional<std::string> puc_lua51;  // the error after "<chunk>:", or nullopt: loads
  std::optional<std::string> luajit;
};

const std::string kNested = ": nesting of [[...]] is deprecated near '['";
const std::string kUnfinished = ": unfinished long comment near '<eof>'";

const Case kCases[] = {
    // The campaign's finding (corpus/regressions/trailing_comment/nested-long-bracket-lua51).
    {"ngx.say(\"ok\")", "--[[[[unclosed", "1" + kNested, "2" + kUnfinished},
    {"ngx.say(\"ok\")", "--[[ [[ ]]", "1" + kNested, std::nullopt},
    {"ngx.say(\"ok\")", "--[[ [[ ]]\n", "1" + kNested, std::nullopt},
    {"ngx.say(\"ok\")\n", "--[[\n\n[[ x ]]\r\n", "4" + kNested, std::nullopt},
    {"ngx.say(\"ok\")", "--[[ [=[ ]]", std::nullopt, std::nullopt},
    {"ngx.say(\"ok\")", "--[[ [=[[ ]]", "1" + kNested, std::nullopt},
    {"ngx.say(\"ok\")", "--[=[ [[ ]=]", std::nullopt, std::nullopt},
    {"ngx.say(\"ok\")", "--[==[ [==[ [[ ]==]\r", std::nullopt, std::nullopt},
    {"ngx.say(\"ok\")", "--[[ ]]", std::nullopt, std::nullopt},
    {"ngx.say(\"ok\")", "--[[ open", "2" + kUnfinished, "2" + kUnfinished},
    // The factory's suffix "\nend" is read on: a final CR pairs with its LF.
    {"ngx.say(\"ok\")", "--[=[ open\r", "2" + kUnfinished, "2" + kUnfinished},
    {"ngx.say(\"ok\")", "--[=[ open\n", "3" + kUnfinished, "3" + kUnfinished},
    {"ngx.say(\"ok\")", "--[=[ [[ open", "2" + kUnfinished, "2" + kUnfinished},
    {"local a = 1\r\nngx.say(a)\n", "--[[ ]\n", "5" + kUnfinished, "5" + kUnfinished},
    {"ngx.say(\"ok\")", "-- [[ a line comment", std::nullopt, std::nullopt},
    {"ngx.say(\"ok\")", "--[== not long [[", std::nullopt, std::nullopt},
    {"ngx.say(\"ok\")", "--", std::nullopt, std::nullopt},
};

std::optional<std::string> with_chunk(const std::optional<std::string>& error) {
  if (!error) return std::nullopt;
  return std::string(kChunk) + ":" + *error;
}

TEST(TrailingCommentOracle, TableOnEachLexer) {
  for (const Case& c : kCases) {
    EXPECT_EQ(trailing_comment_load_error(c.handler, c.comment, kChunk, engine::Id::lua51),
              with_chunk(c.puc_lua51))
        << "lua51: " << ::testing::PrintToString(c.handler + c.comment);
    for (const engine::Id jit : {engine::Id::luajit, engine::Id::luajit2}) {
      EXPECT_EQ(trailing_comment_load_error(c.handler, c.comment, kChunk, jit),
                with_chunk(c.luajit))
          << "luajit: " << ::testing::PrintToString(c.handler + c.comment);
    }
  }
}

// The prediction for this engine is what a classic request does: H..C fails to load
// with exactly that message, or behaves as H.
TEST(TrailingCommentOracle, MatchesAClassicRequest) {
  for (const Case& c : kCases) {
    const std::string code = c.handler + c.comment;
    const Outcome alone = run_inline(Profile::classic, c.handler);
    const Outcome out = run_inline(Profile::classic, code);
    const auto error = trailing_comment_load_error(c.handler, c.comment, kChunk, engine::id());
    if (error) {
      EXPECT_EQ(out.status, 500) << ::testing::PrintToString(code);
      ASSERT_EQ(out.log.size(), 1u) << ::testing::PrintToString(code) << dump_log(out);
      EXPECT_EQ(out.log[0], "[error] failed to load inlined Lua code: " + *error);
    } else {
      EXPECT_EQ(out.status, alone.status) << ::testing::PrintToString(code);
      EXPECT_EQ(out.body, alone.body) << ::testing::PrintToString(code);
      EXPECT_EQ(out.log, alone.log) << ::testing::PrintToString(code);
    }
  }
}

// The bytes the target decodes: see trailing_comment_gen.h for the layout.
TEST(TrailingCommentGen, DecodesTheRegressionInput) {
  const std::string bytes =
      read_file(CODECACHE_CORPUS_DIR "/regressions/trailing_comment/nested-long-bracket-lua51");
  const auto input = fuzz::decode_trailing_comment_input(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(input.handler, "ngx.say(\"ok\")");
  EXPECT_EQ(input.comment, "--[[[[unclosed");
}

TEST(TrailingCommentGen, LongCommentsHaveNoEarlyCloser) {
  // text "]]x]]" (level 0, closed, CRLF): cut back until no `]]` starts inside it.
  const std::string bytes = std::string("]]x]]\\|") + "h" + '\x03' + '\x01' + '\x00' + '\x01';
  const auto input = fuzz::decode_trailing_comment_input(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(input.handler, "h");
  EXPECT_EQ(input.comment, "--[[]]\r\n");
}

TEST(TrailingCommentGen, LineCommentsStayLineComments) {
  // text "[[a\nb" as a line comment (no line ending): a blank keeps it one.
  const std::string bytes = std::string("[[a\nb\\|") + "h" + '\x00' + '\x00' + '\x00';
  const auto input = fuzz::decode_trailing_comment_input(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(input.handler, "h");
  EXPECT_EQ(input.comment, "-- [[a b");
}

}  // namespace
}  // namespace codecache::test

// The long-bracket model of the fuzz oracles (fuzz/long_bracket.h) against the real
// lexer of this binary's engine: a table of long comments and long strings with what
// each lexer does (Lua 5.1's "nesting of [[...]] is deprecated" at a `[[` inside a
// level-0 bracket, LuaJIT's plain search for the closer), every prefix of each text,
// and every short text over the characters that matter, each loaded by the engine
// and compared with the model's verdict and error line.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"
#include "long_bracket.h"

namespace codecache::fuzz {
namespace {

using End = LongBracketEnd;

const char* name(End end) {
  switch (end) {
    case End::closed: return "closed";
    case End::unfinished: return "unfinished";
    case End::nested: return "nested";
  }
  return "?";
}

struct Case {
  std::string_view text;  // from the opening bracket on
  End puc_lua51;
  End luajit;
};

// Read as a long comment (after "--") and as a long string (after "return ").
const Case kCases[] = {
    {"[[ a ]]", End::closed, End::closed},
    {"[[ a [[ b ]]", End::nested, End::closed},
    {"[[[[un", End::nested, End::unfinished},  // the campaign's finding: `--[[[[un…`
    {"[[[[ ]]", End::nested, End::closed},
    {"[[ ]] [[", End::closed, End::closed},  // the closer comes first
    {"[[ a [=[ b ]]", End::closed, End::closed},    // another level's opener: fine
    {"[[ a [=[[ b ]]", End::nested, End::closed},   // ...but `[=[[` holds a `[[`
    {"[[ a [==[ b ]==] ]]", End::closed, End::closed},
    {"[[ [ [= [=] ]]", End::closed, End::closed},
    {"[[ ]=]]", End::closed, End::closed},  // `]=` is read, then `]]` closes
    {"[[ ]=][[", End::nested, End::unfinished},
    {"[[ ]", End::unfinished, End::unfinished},
    {"[[ a\n", End::unfinished, End::unfinished},
    {"[[\n[[", End::nested, End::unfinished},  // the skipped first line break counts
    {"[[\r\n\n\r\r[[ ]]", End::nested, End::closed},
    {"[=[ a [[ b ]=]", End::closed, End::closed},  // nothing nests at level 1 or more
    {"[=[ a [=[ b ]=]", End::closed, End::closed},
    {"[=[ [[ ]] ]=]", End::closed, End::closed},
    {"[=[ ]] ]=]", End::closed, End::closed},
    {"[=[ [[", End::unfinished, End::unfinished},
    {"[=[ ]]", End::unfinished, End::unfinished},
    {"[==[ [[ [=[ ]] ]=] ]==]", End::closed, End::closed},
    {"[==[ ]] [=[ ]=]", End::unfinished, End::unfinished},
    {"[==[ [==[ ]==]", End::closed, End::closed},
};

// Loads chunks with this binary's engine, in one plain VM.
class EngineLexer {
 public:
  EngineLexer() : L_(luaL_newstate(), lua_close) {}

  // "" when `chunk` loads, else the engine's message.
  std::string load(std::string_view chunk) {
    lua_State* L = L_.get();
    const int status = luaL_loadbuffer(L, chunk.data(), chunk.size(), "=t");
    std::string message = status == 0 ? "" : lua_tostring(L, -1);
    lua_settop(L, 0);
    return message;
  }

 private:
  std::unique_ptr<lua_State, void (*)(lua_State*)> L_;
};

// What the model says loading `bracket` as a comment or a string gives, as load()
// reports it; false when the bracket closes before the end of the text (what
// follows would be read as code).
bool predict(std::string_view bracket, bool comment, engine::Id engine, std::string& message) {
  const LongBracket b = read_long_bracket(bracket, engine);
  if (b.end == End::closed) {
    message.clear();
    return b.size == bracket.size();
  }
  message = "t:" + std::to_string(1 + b.line_breaks) + ": " + long_bracket_error(b.end, comment);
  return true;
}

// Compares the model with the engine on `bracket` as a comment and as a string.
void expect_engine_agrees(EngineLexer& lexer, std::string_view bracket) {
  for (const bool comment : {true, false}) {
    std::string predicted;
    if (!predict(bracket, comment, engine::id(), predicted)) continue;
    const std::string chunk = (comment ? "--" : "return ") + std::string(bracket);
    EXPECT_EQ(lexer.load(chunk), predicted) << "chunk: " << ::testing::PrintToString(chunk);
  }
}

TEST(LongBracket, LevelOfTheOpener) {
  EXPECT_EQ(long_bracket_level("[["), 0);
  EXPECT_EQ(long_bracket_level("[==[ x"), 2);
  EXPECT_EQ(long_bracket_level("[==x"), -1);
  EXPECT_EQ(long_bracket_level("[="), -1);
  EXPECT_EQ(long_bracket_level("["), -1);
  EXPECT_EQ(long_bracket_level(" [["), -1);
}

TEST(LongBracket, LineBreaksCountPairsOnce) {
  EXPECT_EQ(line_breaks(""), 0);
  EXPECT_EQ(line_breaks("a\nb"), 1);
  EXPECT_EQ(line_breaks("\r\n"), 1);
  EXPECT_EQ(line_breaks("\n\r"), 1);
  EXPECT_EQ(line_breaks("\n\n"), 2);
  EXPECT_EQ(line_breaks("\r\r"), 2);
  EXPECT_EQ(line_breaks("\r\n\r"), 2);
  EXPECT_EQ(line_breaks("\r\n\n\r\r"), 3);
}

// The table, for both lexers, whichever engine this binary links.
TEST(LongBracket, TableOnEachLexer) {
  for (const Case& c : kCases) {
    EXPECT_STREQ(name(read_long_bracket(c.text, engine::Id::lua51).end), name(c.puc_lua51))
        << "lua51: " << ::testing::PrintToString(std::string(c.text));
    for (const engine::Id jit : {engine::Id::luajit, engine::Id::luajit2}) {
      EXPECT_STREQ(name(read_long_bracket(c.text, jit).end), name(c.luajit))
          << "luajit: " << ::testing::PrintToString(std::string(c.text));
    }
  }
}

TEST(LongBracket, WhereTheLexerStops) {
  const LongBracket early = read_long_bracket("[[ ]] [[", engine::Id::lua51);
  EXPECT_EQ(early.size, 5u);
  const LongBracket nested = read_long_bracket("[[ a [[ b ]]", engine::Id::lua51);
  EXPECT_EQ(nested.size, 7u);  // through the second '[' of the inner opener
  const LongBracket lines = read_long_bracket("[[\r\n\n\r\r[[ ]]", engine::Id::lua51);
  EXPECT_EQ(lines.line_breaks, 3);
  EXPECT_EQ(read_long_bracket("[[\r\n\n\r\r[[ ]]", engine::Id::luajit).line_breaks, 3);
}

TEST(LongBracket, Messages) {
  EXPECT_EQ(long_bracket_error(End::unfinished, true), "unfinished long comment near '<eof>'");
  EXPECT_EQ(long_bracket_error(End::unfinished, false), "unfinished long string near '<eof>'");
  EXPECT_EQ(long_bracket_error(End::nested, true), "nesting of [[...]] is deprecated near '['");
  EXPECT_EQ(long_bracket_error(End::closed, true), "");
}

// The table and every prefix of its texts that still opens a bracket, loaded by
// this engine as a comment and as a string: its verdict, message and line are the
// model's.
TEST(LongBracket, ModelMatchesThisEngineOnTheTable) {
  EngineLexer lexer;
  for (const Case& c : kCases) {
    const End expected = engine::id() == engine::Id::lua51 ? c.puc_lua51 : c.luajit;
    ASSERT_EQ(read_long_bracket(c.text, engine::id()).end, expected) << c.text;
    for (std::size_t n = 2; n <= c.text.size(); ++n) {
      if (long_bracket_level(c.text.substr(0, n)) < 0) continue;
      expect_engine_agrees(lexer, c.text.substr(0, n));
    }
  }
}

// Every text of up to five characters over `[`, `]`, `=`, a letter and both line
// breaks, after openers of levels 0 to 2: the model is the engine's lexer there.
TEST(LongBracket, ModelMatchesThisEngineOnAllShortTexts) {
  EngineLexer lexer;
  constexpr std::string_view kAlphabet = "[]=a\n\r";
  std::vector<std::string> bodies = {""};
  for (std::size_t first = 0, length = 1; length <= 5; ++length) {
    const std::size_t last = bodies.size();
    for (std::size_t i = first; i < last; ++i)
      for (const char ch : kAlphabet) bodies.push_back(bodies[i] + ch);
    first = last;
  }
  for (const std::string_view opener : {"[[", "[=[", "[==["}) {
    for (const std::string& body : bodies) {
      expect_engine_agrees(lexer, std::string(opener) + body);
      if (HasFailure()) return;  // one report is enough
    }
  }
}

}  // namespace
}  // namespace codecache::fuzz

// How each engine's lexer reads a long bracket, `[==[ ... ]==]`: a long string, or
// after `--` a long comment. A model for the oracles, pinned against the real
// engines by tests/unit/long_bracket_test.cc.
//
// Both lexers stop at the first closer of the bracket's level (`]==]`) and raise
// "unfinished long string" / "unfinished long comment" (near '<eof>') when the text
// ends first. PUC Lua 5.1 (llex.c read_long_string, with luaconf.h's default
// LUA_COMPAT_LSTR == 1) also raises "nesting of [[...]] is deprecated" (near '[')
// at the first `[[` inside a level-0 bracket, before any closer: skip_sep reads a
// `[` and its `=`s, and only a level-0 opener inside a level-0 bracket is an error,
// so `[=[` inside `[[` is fine unless another `[` follows it (`[=[[` holds `[[`),
// and nothing nests inside a bracket of level 1 or more. LuaJIT's lexer (lj_lex.c
// lex_longstring, the same in both LuaJITs) only looks for the closer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/engine/engine.h"

namespace codecache::fuzz {

enum class LongBracketEnd {
  closed,      // at the first closer of its level
  unfinished,  // the text ended first
  nested,      // PUC Lua 5.1: a `[[` inside a level-0 bracket
};

struct LongBracket {
  LongBracketEnd end = LongBracketEnd::closed;
  std::size_t size = 0;  // bytes the lexer read: through the closer, through the `[[`, or all
  int line_breaks = 0;   // line breaks among them, counted as line_breaks() does
};

// The level of the long bracket opening `text` (`[`, level `=`s, `[`), or -1 when
// `text` does not open one ("[=x", "[", "x").
int long_bracket_level(std::string_view text);

// Reads the long bracket that opens `text` (long_bracket_level(text) >= 0) as the
// lexer of `engine` does. Comment or string makes no difference but to the message.
LongBracket read_long_bracket(std::string_view text, engine::Id engine);

// Line breaks as both lexers count them (llex.c inclinenumber, lj_lex.c
// lex_newline): "\n", "\r", "\r\n" and "\n\r" are one each.
int line_breaks(std::string_view text);

// The lexer's message for a bracket that did not close, as it follows
// "<chunk>:<line>: ": "unfinished long comment near '<eof>'", "nesting of [[...]]
// is deprecated near '['". Empty for `closed`.
std::string long_bracket_error(LongBracketEnd end, bool comment);

}  // namespace codecache::fuzz

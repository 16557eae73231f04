// What a trailing comment must do to a handler under the factory loader (property
// P4: the trailing_comment fuzz target and tests/property/trailing_comment_prop.cc).
// The classic build loads "return function() " .. H .. C .. "\nend", so a comment
// the lexer reads to its end leaves H as it was, and a long comment it does not read
// to its closer fails the load with the lexer's error (long_bracket.h): one left
// open swallows the suffix ("unfinished long comment" on the suffix's last line),
// and on Lua 5.1 one holding a `[[` at level 0 stops there ("nesting of [[...]] is
// deprecated"), closed or not.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/engine/engine.h"

namespace codecache::fuzz {

// `handler` loads under the factory and holds no comment; `comment` is `--` and its
// text, then at most one line break: a line comment has no other, a long comment no
// closer but perhaps one just before that line break. `chunk` names the chunk as
// messages do ("content_by_lua(nginx.conf:40)").
//
// Returns std::nullopt when H..C behaves as H, else the message ngx_lua logs after
// "failed to load inlined Lua code: ", e.g. "content_by_lua(nginx.conf:40):2:
// unfinished long comment near '<eof>'".
std::optional<std::string> trailing_comment_load_error(std::string_view handler,
                                                       std::string_view comment,
                                                       std::string_view chunk, engine::Id engine);

}  // namespace codecache::fuzz

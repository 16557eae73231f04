// The trailing_comment fuzz target's input: how its bytes decode into a handler H
// and a generated trailing comment C (FuzzedDataProvider). C is a line comment or
// a long comment of level 0-3, closed or not, then LF, CR, CRLF or nothing; its
// text is fuzzed bytes, cut so that a long comment has no closer before its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace codecache::fuzz {

struct TrailingCommentInput {
  std::string handler;
  std::string comment;
};

// From the end of the data: long or line (1 byte), level (1 byte), closed (1 byte,
// long comments only), then the line ending (1 byte); from the front: the comment's
// text (FuzzedDataProvider::ConsumeRandomLengthString, at most 64 bytes: a `\` and
// any other byte end it, `\\` is one `\`), and the rest is the handler.
TrailingCommentInput decode_trailing_comment_input(const std::uint8_t* data, std::size_t size);

}  // namespace codecache::fuzz

// The trailing_comment target's input decoding (see trailing_comment_gen.h).
#include "trailing_comment_gen.h"

#include <fuzzer/FuzzedDataProvider.h>

namespace codecache::fuzz {
namespace {

std::string comment(FuzzedDataProvider& in) {
  const bool long_form = in.ConsumeBool();
  const int level = in.ConsumeIntegralInRange(0, 3);
  const bool closed = !long_form || in.ConsumeBool();
  std::string text = in.ConsumeRandomLengthString(64);
  const std::string eq(static_cast<std::size_t>(level), '=');
  std::string c = "--";
  if (long_form) {
    const std::string close = "]" + eq + "]";
    // The body must not close the comment early, not even with its last bytes.
    while ((text + close).find(close) != text.size()) text.pop_back();
    c += "[" + eq + "[" + text + (closed ? close : "");
  } else {
    for (char& ch : text)
      if (ch == '\n' || ch == '\r') ch = ' ';
    if (text.starts_with("[")) text.insert(text.begin(), ' ');  // keep it a line comment
    c += text;
  }
  static const char* const kEndings[] = {"", "\n", "\r", "\r\n"};
  c += kEndings[in.ConsumeIntegralInRange(0, 3)];
  return c;
}

}  // namespace

TrailingCommentInput decode_trailing_comment_input(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  TrailingCommentInput input;
  input.comment = comment(in);
  input.handler = in.ConsumeRemainingBytesAsString();
  return input;
}

}  // namespace codecache::fuzz

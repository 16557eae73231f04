// The stripped-dump normaliser of bytecode_roundtrip (debug_info_normaliser.h).
// Plain string scanning, no std::regex: its recursion is unbounded on long bodies.
#include "debug_info_normaliser.h"

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace codecache::fuzz {
namespace {

// Every `what` followed by optional digits and ':' becomes "<pos>:".
void erase_positions(std::string& text, std::string_view what) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
    std::size_t end = at + what.size();
    std::size_t digits = end;
    if (digits < text.size() && text[digits] == '-') ++digits;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits > end && digits < text.size() && text[digits] == ':') end = digits + 1;
    text.replace(at, end - at, "<pos>:");
    at += 6;
  }
}

// "<kind>'x' (a nil value)" -> "a nil value", on one line.
void erase_names(std::string& text, std::string_view kind) {
  for (std::size_t at = text.find(kind); at != std::string::npos; at = text.find(kind, at + 1)) {
    const std::size_t open = text.find("' (", at + kind.size());
    const std::size_t eol = text.find('\n', at);
    if (open == std::string::npos || open > eol) continue;
    const std::size_t close = text.find(')', open);
    if (close == std::string::npos || close > eol) continue;
    text.replace(at, close + 1 - at, text.substr(open + 3, close - open - 3));
  }
}

void erase_traceback_frames(std::string& text) {
  constexpr std::string_view kTraceback = "stack traceback:";
  for (std::size_t at = text.find(kTraceback); at != std::string::npos;
       at = text.find(kTraceback, at + 1)) {
    std::size_t end = at + kTraceback.size();
    while (end + 1 < text.size() && text[end] == '\n' &&
           (text[end + 1] == '\t' || text.compare(end + 1, 10, "coroutine ") == 0)) {
      const std::size_t eol = text.find('\n', end + 1);
      end = eol == std::string::npos ? text.size() : eol;
    }
    text.replace(at, end - at, kTraceback);
  }
}

// After erase_positions: "<pos>: fn(): " -> "<pos>: ".
void erase_log_function_names(std::string& text) {
  constexpr std::string_view kLogPrefix = "<pos>: ";
  for (std::size_t at = text.find(kLogPrefix); at != std::string::npos;
       at = text.find(kLogPrefix, at + 1)) {
    const std::size_t from = at + kLogPrefix.size();
    std::size_t end = from;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_' || text[end] == '.' || text[end] == ':'))
      ++end;
    if (end > from && text.compare(end, 4, "(): ") == 0) text.erase(from, end + 4 - from);
  }
}

// "bad argument #<digits> to '<name>'" -> "bad argument #<digits> to '?'", where
// the name runs to the next quote on the same line.
void erase_argument_error_callee(std::string& text) {
  constexpr std::string_view kLead = "bad argument #";
  for (std::size_t at = text.find(kLead); at != std::string::npos; at = text.find(kLead, at + 1)) {
    std::size_t digit = at + kLead.size();
    const std::size_t first_digit = digit;
    while (digit < text.size() && text[digit] >= '0' && text[digit] <= '9') ++digit;
    if (digit == first_digit || text.compare(digit, 5, " to '") != 0) continue;
    const std::size_t name = digit + 5;
    const std::size_t quote = text.find('\'', name);
    const std::size_t eol = text.find('\n', name);
    if (quote == std::string::npos || quote > eol) continue;
    text.replace(name, quote - name, "?");
  }
}

}  // namespace

std::string without_debug_info(std::string text) {
  erase_traceback_frames(text);
  erase_positions(text, std::string(kRoundtripPath) + ":");
  erase_positions(text, "[lua] handler.lua:");
  erase_positions(text, "?:");
  erase_log_function_names(text);
  for (std::string_view kind : {"local '", "upvalue '", "global '", "field '", "method '", "constant '"})
    erase_names(text, kind);
  erase_argument_error_callee(text);
  return text;
}

std::string handler_frame_as_main(std::string text) {
  const std::string wrapped = "in function <" + std::string(kRoundtripPath) + ":1>";
  for (std::size_t at = text.find(wrapped); at != std::string::npos; at = text.find(wrapped, at))
    text.replace(at, wrapped.size(), "in main chunk");
  return text;
}

}  // namespace codecache::fuzz

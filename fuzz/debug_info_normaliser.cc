// The stripped-dump normaliser of bytecode_roundtrip (debug_info_normaliser.h).
// Plain string scanning, no std::regex: its recursion is unbounded on long bodies.
#include "debug_info_normaliser.h"

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

#include "text_edits.h"

namespace codecache::fuzz {
namespace {

// Every `what` followed by optional digits and ':' becomes "<pos>:".
void erase_positions(std::string& target, std::string_view what) {
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
    std::size_t end = at + what.size();
    std::size_t digits = end;
    if (digits < text.size() && text[digits] == '-') ++digits;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits > end && digits < text.size() && text[digits] == ':') end = digits + 1;
    edits.replace(at, end - at, "<pos>:");
    at = end;
  }
}

// "<kind>'x' (a nil value)" -> "a nil value", on one line.
void erase_names_in_line(std::string& line, std::string_view kind) {
  for (std::size_t at = line.find(kind); at != std::string::npos; at = line.find(kind, at + 1)) {
    const std::size_t open = line.find("' (", at + kind.size());
    if (open == std::string::npos) continue;
    const std::size_t close = line.find(')', open);
    if (close == std::string::npos) continue;
    line.replace(at, close + 1 - at, line.substr(open + 3, close - open - 3));
  }
}

void erase_names(std::string& text, std::string_view kind) {
  edit_lines_containing(text, kind, [kind](std::string& line) { erase_names_in_line(line, kind); });
}

void erase_traceback_frames(std::string& target) {
  constexpr std::string_view kTraceback = "stack traceback:";
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find(kTraceback); at != std::string::npos;
       at = text.find(kTraceback, at + 1)) {
    std::size_t end = at + kTraceback.size();
    while (end + 1 < text.size() && text[end] == '\n' &&
           (text[end + 1] == '\t' || text.compare(end + 1, 10, "coroutine ") == 0)) {
      const std::size_t eol = text.find('\n', end + 1);
      end = eol == std::string::npos ? text.size() : eol;
    }
    edits.replace(at, end - at, kTraceback);
    at = end - 1;
  }
}

// After erase_positions: "<pos>: fn(): " -> "<pos>: ".
void erase_log_function_names(std::string& target) {
  constexpr std::string_view kLogPrefix = "<pos>: ";
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find(kLogPrefix); at != std::string::npos;
       at = text.find(kLogPrefix, at + 1)) {
    const std::size_t from = at + kLogPrefix.size();
    std::size_t end = from;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_' || text[end] == '.' || text[end] == ':'))
      ++end;
    if (end > from && text.compare(end, 4, "(): ") == 0) {
      edits.replace(from, end + 4 - from, "");
      at = end + 4 - 1;
    }
  }
}

// "bad argument #<digits> to '<name>'" -> "bad argument #<digits> to '?'", where
// the name runs to the next quote on the same line.
constexpr std::string_view kArgumentErrorLead = "bad argument #";

void erase_argument_error_callee_in_line(std::string& line) {
  for (std::size_t at = line.find(kArgumentErrorLead); at != std::string::npos;
       at = line.find(kArgumentErrorLead, at + 1)) {
    std::size_t digit = at + kArgumentErrorLead.size();
    const std::size_t first_digit = digit;
    while (digit < line.size() && line[digit] >= '0' && line[digit] <= '9') ++digit;
    if (digit == first_digit || line.compare(digit, 5, " to '") != 0) continue;
    const std::size_t name = digit + 5;
    const std::size_t quote = line.find('\'', name);
    if (quote == std::string::npos) continue;
    line.replace(name, quote - name, "?");
  }
}

void erase_argument_error_callee(std::string& text) {
  edit_lines_containing(text, kArgumentErrorLead, erase_argument_error_callee_in_line);
}

}  // namespace

std::string without_debug_info(std::string text) {
  erase_traceback_frames(text);
  erase_positions(text, std::string(kRoundtripPath) + ":");
  erase_positions(text, "[lua] handler.lua:");
  erase_positions(text, "?:");
  erase_log_function_names(text);
  erase_variable_names(text);
  erase_argument_error_callee(text);
  return text;
}

void erase_variable_names(std::string& text) {
  for (std::string_view kind : {"local '", "upvalue '", "global '", "field '", "method '", "constant '"})
    erase_names(text, kind);
}

std::string handler_frame_as_main(std::string text) {
  const std::string wrapped = "in function <" + std::string(kRoundtripPath) + ":1>";
  {
    TextEdits edits(text);
    for (std::size_t at = text.find(wrapped); at != std::string::npos; at = text.find(wrapped, at + wrapped.size()))
      edits.replace(at, wrapped.size(), "in main chunk");
  }
  return text;
}

}  // namespace codecache::fuzz

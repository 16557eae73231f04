// The syntax of a .case file's lines, below what any section means (conformance/README.md,
// "The case format"): a `--- ` header taken apart, one-line values with their quotes and
// escapes, blocks with their modifiers, key=value lists and numbers. Every error names
// the file and line. Only the parser (case_file.cc) uses these.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "case_file.h"

namespace codecache::conformance {

std::string trim(const std::string& s);
// Blank-separated words.
std::vector<std::string> words(const std::string& s);

// Where the parser is: the file and the line, for messages.
struct Cursor {
  std::string file;
  int line = 0;
  [[noreturn]] void fail(const std::string& message) const { throw CaseError(file, line, message); }
};

// A `--- ...` line taken apart: `name[index] args...` and, after the first ": "
// (or a final ':'), a one-line value.
struct Header {
  std::string name;
  int index = 0;
  std::vector<std::string> args;
  bool has_value = false;
  std::string value;  // raw, untrimmed on the left only
};
Header split_header(const Cursor& at, const std::string& text);

// A one-line value: "quoted" (kept exactly) or bare (trimmed); escapes apply.
std::string one_line_text(const Cursor& at, const std::string& raw);

// Block modifiers: chomp (no final newline), escaped (escapes apply), eval (a Lua
// chunk that returns the content).
struct Modifiers {
  bool chomp = false, escaped = false, eval = false;
  // Takes the modifiers out of `args`.
  static Modifiers take(std::vector<std::string>& args);
  static bool is_modifier(const std::string& word) { return word == "chomp" || word == "escaped" || word == "eval"; }
};
// The content of a block: its lines, each ending in "\n", as the modifiers say.
Content block_content(const Cursor& at, const std::vector<std::string>& lines, Modifiers m);

// A number (decimal, 0x hex, 0 octal), whole: no sign, nothing after it, no wrap past
// 2^64 - 1; `what` names it in the message.
std::uint64_t parse_number(const Cursor& at, const std::string& text, const char* what);
// A decimal integer that fits an int, maybe negative (a status: ngx.status = ngx.ERROR
// is -1, runtime.case), as the checker compares it: the decimal text of the status served.
int parse_int(const Cursor& at, const std::string& text, const char* what);

// key=value key="quoted value" ... (values unescaped).
std::map<std::string, std::string> parse_params(const Cursor& at, const std::string& text);

}  // namespace codecache::conformance

// The engine-difference normaliser of the differential target
// (engine_difference_normaliser.h). Plain string scanning, no std::regex.
#include "engine_difference_normaliser.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "debug_info_normaliser.h"
#include "text_edits.h"

namespace codecache::fuzz {
namespace {

void replace_all(std::string& target, std::string_view from, std::string_view to) {
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + from.size()))
    edits.replace(at, from.size(), to);
}

// Erases the parenthesised detail of every message starting with `lead`, e.g.
// "bad argument #2 to 'format' (no value)" -> "bad argument #2 to 'format' (...)".
void erase_parenthesis_after_in_line(std::string& line, std::string_view lead) {
  for (std::size_t at = line.find(lead); at != std::string::npos; at = line.find(lead, at + 1)) {
    // The function's name comes from the call site's debug info: LuaJIT has none
    // for a tail call ('?'), PUC Lua often has.
    const std::size_t to = line.find(" to '", at);
    if (to != std::string::npos) {
      const std::size_t quote = line.find('\'', to + 5);
      if (quote != std::string::npos) line.replace(to + 5, quote - (to + 5), "?");
    }
    const std::size_t open = line.find(" (", at);
    if (open == std::string::npos) continue;
    const std::size_t close = line.find(')', open);
    if (close == std::string::npos) continue;
    line.replace(open, close + 1 - open, " (...)");
  }
}

// Line by line, since each edit stays within the line of its lead.
void erase_parenthesis_after(std::string& text, std::string_view lead) {
  edit_lines_containing(text, lead, [lead](std::string& line) { erase_parenthesis_after_in_line(line, lead); });
}

// "<chunk>:<n>: <chunk>:<m>: msg" -> "<chunk>:<m>: msg".
void erase_repeated_position(std::string& target) {
  constexpr std::string_view kChunk = "content_by_lua(nginx.conf:40):";
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find(kChunk); at != std::string::npos;) {
    std::size_t end = at + kChunk.size();
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (text.compare(end, 2, ": ") != 0 || text.compare(end + 2, kChunk.size(), kChunk) != 0) {
      at = text.find(kChunk, at + 1);
      continue;
    }
    edits.replace(at, end + 2 - at, "");
    at = end + 2;  // the position that follows may repeat too
  }
}

bool digit(char ch) { return ch >= '0' && ch <= '9'; }

// "-0", "-0.00", "-0.000000e+00" lose their sign, wherever they stand: a
// concatenation puts a number right after a letter or a digit and right before
// anything ("10" .. -0 .. 21 is "10-021"; no format writes a leading zero before
// another digit). An exponent's sign ("1e-07"), a fraction ("-0.05") and hex
// ("-0x10") keep theirs.
void erase_sign_of_zero(std::string& target) {
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find('-'); at != std::string::npos; at = text.find('-', at + 1)) {
    if (at >= 2 && (text[at - 1] == 'e' || text[at - 1] == 'E') && (digit(text[at - 2]) || text[at - 2] == '.'))
      continue;
    std::size_t end = at + 1;
    if (end >= text.size() || text[end] != '0') continue;
    ++end;
    if (end < text.size() && text[end] == '.') {
      ++end;
      while (end < text.size() && text[end] == '0') ++end;
      if (end < text.size() && digit(text[end])) continue;
    }
    if (end < text.size() && (text[end] == 'x' || text[end] == 'X')) continue;
    edits.replace(at, 1, "");
  }
}

// Whether the decimal numeral `text` (no sign) is a double exactly: its exact
// expansion, which C's printf writes in full at a precision of 800 (a double has at
// most 767 significant digits), is the numeral followed by zeros.
bool exact_double(const std::string& text) {
  const double value = std::strtod(text.c_str(), nullptr);
  std::string wanted;  // the numeral's significant digits
  for (char ch : text.substr(0, text.find_first_of("eE"))) {
    if (digit(ch) && !(wanted.empty() && ch == '0')) wanted += ch;
  }
  char exact[1000];
  std::snprintf(exact, sizeof exact, "%.800e", value);
  std::string digits;
  for (const char* p = exact; *p != '\0' && *p != 'e'; ++p) {
    if (digit(*p)) digits += *p;
  }
  if (digits.compare(0, wanted.size(), wanted) != 0) return false;
  return digits.find_first_not_of('0', wanted.size()) == std::string::npos;
}

// A 14-significant-digit numeral whose last digit is odd and that lies half a unit
// of that digit above a double, reads one unit lower: the value was a tie, which
// LuaJIT's number formatter (lj_strfmt_num.c, lj_strfmt_wfnum: adds 5 below the
// last digit kept) rounds away from zero, and C's printf, which PUC Lua formats
// with (luaconf.h, LUAI_NUMFFORMAT "%.14g"), to even. 14 digits is what tostring,
// concatenation and "%.14g" print; a shorter numeral is left alone, since
// its precision cannot be told from its text.
void round_ties_to_even(std::string& target) {
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (!digit(text[at])) continue;
    const char before = at > 0 ? text[at - 1] : ' ';
    if (digit(before) || before == '.' || (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
        before == '_') {
      while (at + 1 < text.size() && digit(text[at + 1])) ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() && digit(text[end])) ++end;
    if (end < text.size() && text[end] == '.') {
      ++end;
      while (end < text.size() && digit(text[end])) ++end;
    }
    const std::size_t mantissa_end = end;
    if (end + 1 < text.size() && (text[end] == 'e' || text[end] == 'E') &&
        (digit(text[end + 1]) || ((text[end + 1] == '+' || text[end + 1] == '-') && end + 2 < text.size() &&
                                  digit(text[end + 2])))) {
      end += 2;
      while (end < text.size() && digit(text[end])) ++end;
    }
    const std::string mantissa = text.substr(at, mantissa_end - at);
    int significant = 0;
    for (char ch : mantissa) {
      if (digit(ch) && (significant > 0 || ch != '0')) ++significant;
    }
    const char last = text[mantissa_end - 1];
    if (significant != 14 || !digit(last) || (last - '0') % 2 == 0) {
      at = end - 1;
      continue;
    }
    std::string even = mantissa;  // one unit lower; the tie lies half a unit above it
    even.back() = static_cast<char>(last - 1);
    const std::string tie = even + (even.find('.') == std::string::npos ? ".5" : "5");
    if (!exact_double(tie + text.substr(mantissa_end, end - mantissa_end))) {
      at = end - 1;
      continue;
    }
    if (even.find('.') != std::string::npos) {  // as %g writes it: no trailing zero
      even.erase(even.find_last_not_of('0') + 1);
      if (even.back() == '.') even.pop_back();
    }
    edits.replace(at, mantissa_end - at, even);
    at = end - 1;
  }
}

// string.format("%q") writes a control character (0-31, 127) as a decimal escape
// on LuaJIT (lj_strfmt.c, strfmt_putquotedlen: \2, \002 before a digit, \13 for
// a carriage return, \0 for NUL) and raw on PUC Lua 5.1 (lstrlib.c, addquoted),
// but for \r and \000: every such escape reads as the raw byte. An escaped
// backslash is skipped whole, so what follows it stays text.
void unescape_quoted_controls(std::string& target) {
  auto control = [](unsigned value) { return value < 32 || value == 127; };
  TextEdits edits(target);
  const std::string& text = edits.text();
  for (std::size_t at = text.find('\\'); at != std::string::npos && at + 1 < text.size();
       at = text.find('\\', at + 1)) {
    const char next = text[at + 1];
    if (next == '\\') {
      ++at;
      continue;
    }
    if (next == 'r') {
      edits.replace(at, 2, "\r");
      ++at;
      continue;
    }
    std::size_t end = at + 1;
    unsigned value = 0;
    while (end < text.size() && end < at + 4 && digit(text[end])) value = value * 10 + (text[end++] - '0');
    if (end == at + 1 || !control(value)) continue;
    const char raw = static_cast<char>(value);
    edits.replace(at, end - at, std::string_view(&raw, 1));
    at = end - 1;
  }
}

// Each "\nstack traceback:" and its frame lines go: the traceback runs to the end
// of its log line, and its own lines start with "coroutine N:" or a tab.
void erase_tracebacks(std::string& target) {
  TextEdits edits(target);
  const std::string& log = edits.text();
  for (std::size_t at = log.find("\nstack traceback:"); at != std::string::npos;
       at = log.find("\nstack traceback:", at)) {
    std::size_t end = at + 1;
    for (;;) {
      const std::size_t eol = log.find('\n', end);
      if (eol == std::string::npos) { end = log.size(); break; }
      end = eol + 1;
      if (end < log.size() && (log[end] == '\t' || log.compare(end, 10, "coroutine ") == 0)) continue;
      end = eol;
      break;
    }
    edits.replace(at, end - at, "");
    at = end;
  }
}

}  // namespace

std::string_view rule_name(NormaliserRule rule) {
  switch (rule) {
    case NormaliserRule::traceback: return "traceback";
    case NormaliserRule::argument_error: return "argument error";
    case NormaliserRule::wrap_position: return "coroutine.wrap position";
    case NormaliserRule::zero_sign: return "sign of zero";
    case NormaliserRule::nan_sign: return "sign of NaN";
    case NormaliserRule::digit_tie: return "tie at the 14th digit";
    case NormaliserRule::quoted_control: return "%q of a control character";
    case NormaliserRule::variable_name: return "name of an error's operand";
    case NormaliserRule::count: break;
  }
  return "?";
}

std::string normalise_engine_differences(int status, bool aborted, std::string_view body,
                                         std::string_view log_text) {
  return normalise_engine_differences(status, aborted, body, log_text, kAllNormaliserRules);
}

std::string normalise_engine_differences(int status, bool aborted, std::string_view body,
                                         std::string_view log_text, unsigned rules) {
  const auto on = [rules](NormaliserRule rule) { return (rules & rule_bit(rule)) != 0; };
  std::string log(log_text);
  if (on(NormaliserRule::traceback)) erase_tracebacks(log);
  std::string text = std::to_string(status) + (aborted ? " aborted\n" : "\n") + std::string(body) +
                     "\n--log--\n" + log;
  if (on(NormaliserRule::nan_sign)) replace_all(text, "-nan", "nan");
  if (on(NormaliserRule::zero_sign)) erase_sign_of_zero(text);
  if (on(NormaliserRule::digit_tie)) round_ties_to_even(text);
  if (on(NormaliserRule::quoted_control)) unescape_quoted_controls(text);
  if (on(NormaliserRule::argument_error)) erase_parenthesis_after(text, "bad argument #");
  if (on(NormaliserRule::wrap_position)) erase_repeated_position(text);
  if (on(NormaliserRule::variable_name)) erase_variable_names(text);
  return text;
}

}  // namespace codecache::fuzz

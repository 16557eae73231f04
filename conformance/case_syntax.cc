// The syntax of a .case file's lines (see case_syntax.h).
#include "case_syntax.h"

#include <cctype>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace codecache::conformance {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Header split_header(const Cursor& at, const std::string& text) {
  Header h;
  std::string head = text;
  std::size_t colon = text.find(": ");
  if (colon != std::string::npos) {
    head = text.substr(0, colon);
    h.has_value = true;
    h.value = text.substr(colon + 2);
  } else if (!text.empty() && text.back() == ':') {
    head = text.substr(0, text.size() - 1);
    h.has_value = true;
  }
  std::vector<std::string> w = words(head);
  if (w.empty()) at.fail("empty section header");
  std::string name = w.front();
  std::size_t bracket = name.find('[');
  if (bracket != std::string::npos) {
    if (name.back() != ']') at.fail("bad request index in '" + name + "'");
    const std::string number = name.substr(bracket + 1, name.size() - bracket - 2);
    const char* end = number.data() + number.size();
    const auto [stop, error] = std::from_chars(number.data(), end, h.index);
    if (error != std::errc() || stop != end || number.empty()) at.fail("bad request index in '" + name + "'");
    if (h.index < 1) at.fail("request indices start at 1");
    name = name.substr(0, bracket);
  }
  h.name = name;
  h.args.assign(w.begin() + 1, w.end());
  return h;
}

// A one-line value: "quoted" (kept exactly) or bare (trimmed); escapes apply.
std::string one_line_text(const Cursor& at, const std::string& raw) {
  std::string v = trim(raw);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  try {
    return unescape(v);
  } catch (const std::invalid_argument& e) {
    at.fail(e.what());
  }
}

Modifiers Modifiers::take(std::vector<std::string>& args) {
  Modifiers m;
  std::vector<std::string> rest;
  for (const auto& a : args) {
    if (a == "chomp") m.chomp = true;
    else if (a == "escaped") m.escaped = true;
    else if (a == "eval") m.eval = true;
    else rest.push_back(a);
  }
  args = rest;
  return m;
}

Content block_content(const Cursor& at, const std::vector<std::string>& lines, Modifiers m) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  if (m.chomp && !text.empty()) text.pop_back();
  Content c;
  if (m.eval) {
    c.kind = Content::Kind::eval;
    c.text = text;
    return c;
  }
  if (m.escaped) {
    try {
      text = unescape(text);
    } catch (const std::invalid_argument& e) {
      at.fail(e.what());
    }
  }
  c.text = text;
  return c;
}

std::uint64_t parse_number(const Cursor& at, const std::string& text, const char* what) {
  const std::string digits = trim(text);
  const std::string bad = std::string("bad number for ") + what + ": '" + digits + "'";
  // std::stoull alone would take a sign, and wrap "-1" to 2^64 - 1.
  if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits[0]))) at.fail(bad);
  try {
    std::size_t used = 0;
    const unsigned long long v = std::stoull(digits, &used, 0);
    if (used != digits.size()) at.fail(bad);
    return v;
  } catch (const std::out_of_range&) {
    at.fail(bad + " (too large)");
  } catch (const std::invalid_argument&) {
    at.fail(bad);
  }
}

int parse_int(const Cursor& at, const std::string& text, const char* what) {
  int v = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, v);
  if (error != std::errc() || stop != end || text.empty())
    at.fail(std::string("bad number for ") + what + ": '" + text + "' (a decimal integer)");
  return v;
}

// key=value key="quoted value" ... (values unescaped).
std::map<std::string, std::string> parse_params(const Cursor& at, const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    std::size_t eq = text.find('=', i);
    if (eq == std::string::npos) at.fail("expected key=value in '" + text + "'");
    std::string key = trim(text.substr(i, eq - i));
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      std::string raw;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) raw += text[i++];
        raw += text[i++];
      }
      if (i >= text.size()) at.fail("unterminated quoted value for '" + key + "'");
      ++i;
      try {
        value = unescape(raw);
      } catch (const std::invalid_argument& e) {
        at.fail(e.what());
      }
    } else {
      std::size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      value = text.substr(i, end - i);
      i = end;
    }
    out[key] = value;
  }
  return out;
}

}  // namespace codecache::conformance

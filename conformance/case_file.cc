// Reading .case files (conformance/README.md, "The case format"): the parser cuts a file
// into its preamble, its cases (`=== name`) and their sections (`--- ` lines and the
// blocks below them), hands each section to the table of case_sections.cc and checks
// each case as a whole; then the Case methods, load_cases, the escapes and slug.
#include "case_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "case_sections.h"
#include "case_syntax.h"

namespace codecache::conformance {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Cuts a file into its preamble (free text and `--- ` defaults), its cases (`=== name`,
// free text) and their sections (a `--- ` line and the lines below it).
class Parser {
 public:
  explicit Parser(const std::string& path) : at_{path, 0} {}

  std::vector<Case> parse() {
    std::ifstream in(at_.file, std::ios::binary);
    if (!in) throw CaseError(at_.file, 0, "cannot open");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    defaults_.c.file = at_.file;
    defaults_.c.file_stem = std::filesystem::path(at_.file).stem().string();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      at_.line = static_cast<int>(i + 1);
      if (line.starts_with("=== ")) {
        flush_section();
        if (in_case_) finish_case();
        start_case(line.substr(4));
      } else if (line.starts_with("--- ")) {
        flush_section();
        Header h = split_header(at_, trim(line.substr(4)));
        if (in_case_) open_ = OpenSection{at_.line, h, {}};
        else apply_default(defaults_, h, at_);
      } else if (open_) {
        open_->lines.push_back(line);
      } else if (in_case_ && !trim(line).empty()) {
        draft_.c.description += trim(line) + "\n";  // free text before the case's first section
      }
    }
    at_.line = static_cast<int>(lines.size());
    flush_section();
    if (in_case_) finish_case();
    return std::move(cases_);
  }

 private:
  struct OpenSection {
    int line = 0;
    Header header;
    std::vector<std::string> lines;
  };

  void start_case(const std::string& title) {
    draft_ = defaults_;
    in_case_ = true;
    std::string name = trim(title);
    if (name.starts_with("name:")) name = trim(name.substr(5));
    if (name.starts_with("TEST ") && name.find(':') != std::string::npos) name = trim(name.substr(name.find(':') + 1));
    if (name.empty()) at_.fail("a case needs a name");
    draft_.c.line = at_.line;
    draft_.c.name = name;
    draft_.c.id = draft_.c.file_stem + "/" + slug(name);
  }

  void flush_section() {
    if (!open_) return;
    OpenSection open = std::move(*open_);
    open_.reset();
    apply_section(draft_, open.header, open.lines, Cursor{at_.file, open.line});
  }

  // Checks the case as a whole and lists its requests. Errors name the case's own
  // `===` line, or the expectation's; at_ stays on the line being read.
  void finish_case() {
    Case& c = draft_.c;
    in_case_ = false;
    const Cursor at_case{at_.file, c.line};
    if (c.handlers.empty()) at_case.fail("case '" + c.name + "' has no handler");
    std::vector<std::string> base;
    if (draft_.requests) base = *draft_.requests;
    else for (const auto& h : c.handlers) base.push_back(h.label);
    for (const auto& r : base)
      if (c.handler(r) == nullptr && c.step(r) == nullptr)
        at_case.fail("case '" + c.name + "': request '" + r + "' names no handler or step");
    for (int i = 0; i < draft_.repeat; ++i) c.requests.insert(c.requests.end(), base.begin(), base.end());
    const int served = static_cast<int>(c.served().size());
    for (const auto& e : c.expectations) {
      const Cursor at_expectation{at_.file, e.line};
      const std::string served_text = std::to_string(served);
      if (e.request > served)
        at_expectation.fail("request [" + std::to_string(e.request) + "] but only " + served_text +
                            " requests are served");
      if (e.values.size() > 1 && e.request == 0 && static_cast<int>(e.values.size()) != served)
        at_expectation.fail(std::string(field_name(e.field)) + ": give one value, or one per request (" +
                            served_text + ")");
      if (e.values.size() > 1 && e.request != 0) at_expectation.fail("one value for one request");
    }
    const bool grep_out = std::any_of(c.expectations.begin(), c.expectations.end(),
                                      [](const Expectation& e) { return e.field == Field::grep_error_log_out; });
    if (c.grep_error_log.empty() == grep_out) at_case.fail("grep_error_log and grep_error_log_out go together");
    for (const auto& seen : cases_)
      if (seen.id == c.id) at_case.fail("two cases are named '" + c.name + "'");
    cases_.push_back(std::move(c));
  }

  Cursor at_;
  Draft defaults_;
  Draft draft_;
  bool in_case_ = false;
  std::optional<OpenSection> open_;
  std::vector<Case> cases_;
};

}  // namespace

bool Qualifier::matches(const std::string& engine, const std::string& profile, bool cache_on) const {
  if (!engines.empty() && !contains(engines, engine)) return false;
  if (!profiles.empty() && !contains(profiles, profile)) return false;
  if (!code_cache.empty() && !contains(code_cache, cache_on ? "on" : "off")) return false;
  return true;
}

std::string Qualifier::describe() const {
  std::string out;
  auto group = [&](const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    if (!out.empty()) out += ", ";
    out += what;
    for (const auto& n : names) out += " " + n;
  };
  group("engine", engines);
  group("profile", profiles);
  group("code_cache", code_cache);
  return out;
}

bool Case::hostile() const { return contains(labels, "hostile"); }

bool Case::applies(const std::string& engine, const std::string& profile, bool cache_on) const {
  return contains(engines, engine) && contains(profiles, profile) &&
         std::find(code_cache.begin(), code_cache.end(), cache_on) != code_cache.end();
}

std::vector<std::string> Case::served() const {
  std::vector<std::string> out;
  for (const auto& r : requests)
    if (handler(r) != nullptr) out.push_back(r);
  return out;
}

const HandlerSpec* Case::handler(const std::string& label) const {
  for (const auto& h : handlers)
    if (h.label == label) return &h;
  return nullptr;
}

const Step* Case::step(const std::string& step_name) const {
  for (const auto& s : steps)
    if (s.name == step_name) return &s;
  return nullptr;
}

bool Case::cache_dependent() const {
  return std::any_of(expectations.begin(), expectations.end(),
                     [](const Expectation& e) { return !e.when.code_cache.empty(); });
}

std::vector<Case> parse_case_file(const std::string& path) { return Parser(path).parse(); }

std::vector<Case> load_cases(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".case") files.push_back(entry.path().string());
  }
  if (ec) throw CaseError(dir, 0, "cannot read the case directory: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Case> all;
  std::map<std::string, std::string> seen;
  for (const auto& f : files) {
    for (auto& c : parse_case_file(f)) {
      auto [it, fresh] = seen.emplace(c.id, c.file + ":" + std::to_string(c.line));
      if (!fresh) throw CaseError(c.file, c.line, "case id '" + c.id + "' also at " + it->second);
      all.push_back(std::move(c));
    }
  }
  return all;
}

std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= text.size()) throw std::invalid_argument("a lone '\\' at the end of '" + text + "'");
    switch (text[i]) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x': {
        int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
        int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) throw std::invalid_argument("\\x needs two hex digits in '" + text + "'");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        throw std::invalid_argument(std::string("unknown escape '\\") + text[i] + "' in '" + text +
                                    "' (use \\n \\r \\t \\0 \\\\ \\\" \\xHH)");
    }
  }
  return out;
}

std::string escape(const std::string& bytes, std::size_t max, char quote) {
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (out.size() >= max) {
      out += "... (" + std::to_string(bytes.size()) + " bytes)";
      break;
    }
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += quote;
        } else if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace codecache::conformance

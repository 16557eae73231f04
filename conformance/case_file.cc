// Parser of the .case format (see case_file.h and conformance/README.md).
#include "case_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "case_syntax.h"

namespace codecache::conformance {
namespace {

// Each expectation's section name, the one list the parser and the messages use.
constexpr std::array<std::pair<Field, const char*>, 13> kFieldNames = {{
    {Field::status, "status"},
    {Field::body, "body"},
    {Field::body_like, "body_like"},
    {Field::error_log, "error_log"},
    {Field::error_log_like, "error_log_like"},
    {Field::no_error_log, "no_error_log"},
    {Field::no_error_log_like, "no_error_log_like"},
    {Field::limit, "limit"},
    {Field::limit_detail, "limit_detail"},
    {Field::aborted, "aborted"},
    {Field::cache, "cache"},
    {Field::cache_key, "cache_key"},
    {Field::grep_error_log_out, "grep_error_log_out"},
}};

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Qualifier parse_qualifier(const Cursor& at, const std::string& head) {
  Qualifier q;
  std::stringstream groups(head);
  for (std::string group; std::getline(groups, group, ',');) {
    std::vector<std::string> w = words(group);
    if (w.size() < 2) at.fail("qualifier '" + trim(group) + "' names nothing");
    std::vector<std::string> names(w.begin() + 1, w.end());
    if (w[0] == "engine") {
      for (const auto& n : names)
        if (!contains(kEngines, n)) at.fail("unknown engine '" + n + "'");
      q.engines = names;
    } else if (w[0] == "profile") {
      for (const auto& n : names)
        if (!contains(kProfiles, n)) at.fail("unknown profile '" + n + "'");
      q.profiles = names;
    } else if (w[0] == "code_cache") {
      for (const auto& n : names)
        if (n != "on" && n != "off") at.fail("code_cache is on or off, not '" + n + "'");
      q.code_cache = names;
    } else {
      at.fail("unknown qualifier '" + w[0] + "' (engine, profile or code_cache)");
    }
  }
  return q;
}

bool is_qualifier(const Header& h) {
  return !h.args.empty() && (h.name == "engine" || h.name == "profile" || h.name == "code_cache");
}

FileSpec parse_fill(const Cursor& at, const std::string& path, const std::string& params) {
  FileSpec f;
  f.kind = FileSpec::Kind::fill;
  f.path = path;
  f.line = at.line;
  for (const auto& [key, value] : parse_params(at, params)) {
    if (key == "size") f.size = parse_number(at, value, "size");
    else if (key == "fill") f.fill = value;
    else if (key == "prefix") f.prefix = value;
    else if (key == "suffix") f.suffix = value;
    else at.fail("file_fill takes size, fill, prefix and suffix, not '" + key + "'");
  }
  if (f.fill.empty()) at.fail("file_fill: fill must not be empty");
  if (f.size < f.prefix.size() + f.suffix.size()) at.fail("file_fill: size smaller than prefix + suffix");
  return f;
}

const std::set<std::string> kFileDefaults = {"engines", "profiles", "code_cache", "labels", "label",
                                             "property", "log_level", "max_instructions",
                                             "max_cpu_ms", "max_memory_mb", "nginx"};

class Parser {
 public:
  explicit Parser(const std::string& path) { at_.file = path; }

  std::vector<Case> parse() {
    std::ifstream in(at_.file, std::ios::binary);
    if (!in) throw CaseError(at_.file, 0, "cannot open");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);

    std::filesystem::path p(at_.file);
    defaults_.file = at_.file;
    defaults_.file_stem = p.stem().string();

    bool in_case = false;
    bool seen_section = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      at_.line = static_cast<int>(i + 1);
      if (starts_with(line, "=== ")) {
        flush_section();
        if (in_case) finish_case();
        start_case(line.substr(4));
        in_case = true;
        seen_section = false;
      } else if (starts_with(line, "--- ")) {
        flush_section();
        open_.header_line = at_.line;
        open_.header = split_header(at_, trim(line.substr(4)));
        open_.active = true;
        open_.lines.clear();
        seen_section = true;
        if (!in_case) {
          apply_default();
          open_.active = false;
        }
      } else if (!in_case) {
        // preamble: free text
      } else if (!seen_section) {
        if (!trim(line).empty()) current_.description += trim(line) + "\n";
      } else {
        open_.lines.push_back(line);
      }
    }
    at_.line = static_cast<int>(lines.size());
    flush_section();
    if (in_case) finish_case();
    return std::move(cases_);
  }

 private:
  struct OpenSection {
    bool active = false;
    int header_line = 0;
    Header header;
    std::vector<std::string> lines;
  };

  void start_case(const std::string& title) {
    current_ = defaults_;
    current_.line = at_.line;
    std::string name = trim(title);
    if (starts_with(name, "name:")) name = trim(name.substr(5));
    if (starts_with(name, "TEST ")) {
      std::size_t colon = name.find(':');
      if (colon != std::string::npos) name = trim(name.substr(colon + 1));
    }
    if (name.empty()) at_.fail("a case needs a name");
    current_.name = name;
    current_.id = current_.file_stem + "/" + slug(name);
    requests_given_ = false;
    repeat_ = 1;
  }

  void apply_default() {
    const Header& h = open_.header;
    if (!kFileDefaults.count(h.name) || !h.has_value) {
      at_.fail("before the first case only one-line defaults are allowed (engines, profiles, "
               "code_cache, labels, property, log_level, max_*), not '" + h.name + "'");
    }
    Case saved = current_;
    current_ = defaults_;
    setting(h);
    defaults_ = current_;
    current_ = saved;
  }

  // Block lines without trailing blank lines.
  std::vector<std::string> block() const {
    std::vector<std::string> lines = open_.lines;
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    return lines;
  }

  void flush_section() {
    if (!open_.active) return;
    open_.active = false;
    Cursor here = at_;
    at_.line = open_.header_line;
    Header h = open_.header;
    if (h.has_value && h.name != "step") {
      // One-line sections: what follows may only be blank lines or # comments.
      for (const auto& l : open_.lines) {
        std::string t = trim(l);
        if (!t.empty() && t[0] != '#') {
          at_.fail("'" + h.name + "' has a one-line value; unexpected text after it: '" + t + "'");
        }
      }
    }
    if (is_qualifier(h)) {
      if (!h.has_value) at_.fail("a qualifier is followed by ': <directive>'");
      Qualifier q = parse_qualifier(at_, h.name + " " + join_args(h.args));
      Header inner = split_header(at_, trim(h.value));
      if (inner.has_value) open_.lines.clear();
      expectation(inner, q);
    } else {
      section(h);
    }
    at_ = here;
  }

  static std::string join_args(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
    return out;
  }

  void section(const Header& h) {
    if (h.name == "handler") return handler(h);
    if (h.name == "file") return file(h);
    if (h.name == "file_from_dump") return dump(h);
    if (h.name == "file_fill") {
      if (h.args.size() != 1 || !h.has_value) at_.fail("usage: --- file_fill PATH: size=N [fill=..] [prefix=..] [suffix=..]");
      current_.files.push_back(parse_fill(at_, h.args[0], h.value));
      return;
    }
    if (h.name == "directory") {
      if (h.args.size() != 1) at_.fail("usage: --- directory PATH");
      FileSpec f;
      f.kind = FileSpec::Kind::directory;
      f.path = h.args[0];
      f.line = at_.line;
      current_.files.push_back(f);
      return;
    }
    if (h.name == "step") return step(h);
    if (h.name == "requests") {
      if (!h.has_value) at_.fail("usage: --- requests: LABEL...");
      base_requests_ = words(h.value);
      requests_given_ = true;
      return;
    }
    if (h.name == "repeat") {
      if (!h.has_value) at_.fail("usage: --- repeat: N");
      repeat_ = static_cast<int>(parse_number(at_, h.value, "repeat"));
      if (repeat_ < 1 || repeat_ > 1000) at_.fail("repeat: 1..1000");
      return;
    }
    if (h.name == "grep_error_log") {
      if (!h.has_value) at_.fail("usage: --- grep_error_log: REGEX");
      current_.grep_error_log = trim(h.value);
      return;
    }
    if (h.name == "description") {
      for (const auto& l : block()) current_.description += l + "\n";
      return;
    }
    if (kFileDefaults.count(h.name) || h.name == "module_path" || h.name == "conf_line") {
      if (!h.has_value) at_.fail("'" + h.name + "' takes a one-line value");
      return setting(h);
    }
    expectation(h, Qualifier{});
  }

  void setting(const Header& h) {
    std::vector<std::string> v = words(h.value);
    auto check = [&](const std::vector<std::string>& allowed) {
      if (v.empty()) at_.fail("'" + h.name + "' needs at least one value");
      for (const auto& x : v)
        if (!contains(allowed, x)) at_.fail("'" + x + "' is not valid for " + h.name);
    };
    if (h.name == "engines") {
      check(kEngines);
      current_.engines = v;
    } else if (h.name == "profiles") {
      check(kProfiles);
      current_.profiles = v;
    } else if (h.name == "code_cache") {
      check({"on", "off"});
      current_.code_cache.clear();
      for (const auto& x : v) current_.code_cache.push_back(x == "on");
    } else if (h.name == "labels" || h.name == "label") {
      current_.labels = v;
    } else if (h.name == "property") {
      if (v.size() != 1) at_.fail("one property per case");
      current_.property = v[0];
    } else if (h.name == "log_level") {
      check({"stderr", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"});
      current_.log_level = v[0];
    } else if (h.name == "max_instructions") {
      current_.max_instructions = parse_number(at_, h.value, "max_instructions");
    } else if (h.name == "max_cpu_ms") {
      current_.max_cpu_ms = static_cast<std::uint32_t>(parse_number(at_, h.value, "max_cpu_ms"));
    } else if (h.name == "max_memory_mb") {
      current_.max_memory_mb = parse_number(at_, h.value, "max_memory_mb");
    } else if (h.name == "module_path") {
      current_.module_path = v;
    } else if (h.name == "conf_line") {
      current_.conf_line = static_cast<int>(parse_number(at_, h.value, "conf_line"));
    } else if (h.name == "nginx") {
      // `--- nginx: no (reason)`: the real-nginx referee does not run this case.
      std::string reason = trim(h.value);
      if (reason.rfind("no", 0) != 0) at_.fail("usage: --- nginx: no (reason)");
      reason = trim(reason.substr(2));
      if (reason.size() >= 2 && reason.front() == '(' && reason.back() == ')') reason = reason.substr(1, reason.size() - 2);
      if (reason.empty()) at_.fail("--- nginx: no needs a reason: --- nginx: no (reason)");
      current_.nginx_excluded = reason;
    }
  }

  void handler(Header h) {
    HandlerSpec spec;
    spec.line = at_.line;
    if (h.args.empty()) at_.fail("usage: --- handler inline [LABEL] | --- handler file PATH [LABEL]");
    std::string kind = h.args[0];
    h.args.erase(h.args.begin());
    Modifiers m = Modifiers::take(h.args);
    const int position = static_cast<int>(current_.handlers.size()) + 1;
    if (kind == "inline") {
      if (h.args.size() > 1) at_.fail("--- handler inline takes one label");
      spec.label = h.args.empty() ? "h" + std::to_string(position) : h.args[0];
      spec.code = h.has_value ? Content{Content::Kind::literal, one_line_text(at_, h.value)}
                              : block_content(at_, block(), m);
    } else if (kind == "file") {
      if (h.args.empty() || h.args.size() > 2) at_.fail("usage: --- handler file PATH [LABEL]");
      spec.is_file = true;
      spec.path = h.args[0];
      spec.label = h.args.size() == 2 ? h.args[1] : h.args[0];
      if (h.has_value || !block().empty()) {
        FileSpec f;
        f.path = spec.path;
        f.line = at_.line;
        f.content = h.has_value ? Content{Content::Kind::literal, one_line_text(at_, h.value)}
                                : block_content(at_, block(), m);
        current_.files.push_back(f);
      }
    } else {
      at_.fail("a handler is 'inline' or 'file', not '" + kind + "'");
    }
    if (current_.handler(spec.label) != nullptr || current_.step(spec.label) != nullptr) {
      at_.fail("label '" + spec.label + "' is used twice");
    }
    current_.handlers.push_back(spec);
  }

  void file(Header h) {
    Modifiers m = Modifiers::take(h.args);
    if (h.args.size() != 1) at_.fail("usage: --- file PATH [chomp|escaped|eval]");
    FileSpec f;
    f.path = h.args[0];
    f.line = at_.line;
    f.content = h.has_value ? Content{Content::Kind::literal, one_line_text(at_, h.value)}
                            : block_content(at_, block(), m);
    current_.files.push_back(f);
  }

  void dump(Header h) {
    FileSpec f;
    f.kind = FileSpec::Kind::dump;
    f.line = at_.line;
    Modifiers m = Modifiers::take(h.args);
    if (h.args.empty()) at_.fail("usage: --- file_from_dump PATH [strip] [shebang] [truncate=N]");
    f.path = h.args[0];
    for (std::size_t i = 1; i < h.args.size(); ++i) {
      const std::string& a = h.args[i];
      if (a == "strip") f.strip = true;
      else if (a == "shebang") f.prepend = "#!/usr/bin/env luajit\n";
      else if (starts_with(a, "truncate=")) f.truncate = parse_number(at_, a.substr(9), "truncate");
      else at_.fail("file_from_dump takes strip, shebang and truncate=N, not '" + a + "'");
    }
    f.content = h.has_value ? Content{Content::Kind::literal, one_line_text(at_, h.value)}
                            : block_content(at_, block(), m);
    current_.files.push_back(f);
  }

  void step(const Header& h) {
    if (h.args.size() != 1 || !h.has_value) at_.fail("usage: --- step NAME: write PATH | remove PATH");
    Step s;
    s.name = h.args[0];
    std::vector<std::string> action = words(h.value);
    if (action.size() < 2) at_.fail("usage: --- step NAME: write PATH | remove PATH");
    s.action.path = action[1];
    s.action.line = at_.line;
    std::vector<std::string> rest(action.begin() + 2, action.end());
    Modifiers m = Modifiers::take(rest);
    if (!rest.empty()) at_.fail("unexpected '" + rest[0] + "' in step");
    if (action[0] == "write") {
      s.action.kind = FileSpec::Kind::content;
      s.action.content = block_content(at_, block(), m);
    } else if (action[0] == "remove") {
      s.action.kind = FileSpec::Kind::remove;
    } else {
      at_.fail("a step writes or removes a file, not '" + action[0] + "'");
    }
    if (current_.handler(s.name) != nullptr || current_.step(s.name) != nullptr) {
      at_.fail("label '" + s.name + "' is used twice");
    }
    current_.steps.push_back(s);
  }

  void expectation(const Header& h, const Qualifier& q) {
    auto it = std::find_if(kFieldNames.begin(), kFieldNames.end(),
                           [&](const auto& entry) { return h.name == entry.second; });
    if (it == kFieldNames.end()) at_.fail("unknown section '" + h.name + "'");
    Expectation e;
    e.field = it->first;
    e.request = h.index;
    e.when = q;
    e.line = at_.line;
    std::vector<std::string> args = h.args;
    Modifiers m = Modifiers::take(args);
    if (!args.empty()) at_.fail("unexpected '" + args[0] + "' after " + h.name);

    auto tokens = [&](const std::vector<std::string>& allowed) {
      if (!h.has_value) at_.fail("'" + h.name + "' takes a one-line value");
      e.values = words(h.value);
      if (e.values.empty()) at_.fail("'" + h.name + "' needs a value");
      for (const auto& v : e.values)
        if (!allowed.empty() && !contains(allowed, v)) at_.fail("'" + v + "' is not valid for " + h.name);
    };
    switch (e.field) {
      case Field::status:
        tokens({});
        for (const auto& v : e.values) parse_number(at_, v, "status");
        break;
      case Field::limit:
        tokens({"none", "instructions", "cpu_time", "memory", "stack", "sandbox"});
        break;
      case Field::aborted: tokens({"true", "false"}); break;
      case Field::cache: tokens({"miss", "hit", "off"}); break;
      case Field::body:
      case Field::grep_error_log_out:
      case Field::limit_detail:
      case Field::cache_key:
        if (h.has_value) {
          e.values = {one_line_text(at_, h.value)};
        } else {
          Content c = block_content(at_, block(), m);
          if (c.kind == Content::Kind::eval) at_.fail("eval is for handlers and files");
          e.values = {c.text};
        }
        break;
      case Field::body_like:
        if (!h.has_value) at_.fail("body_like takes a one-line regex");
        e.values = {trim(h.value)};
        break;
      case Field::error_log:
      case Field::no_error_log:
        if (h.has_value) {
          e.values = {one_line_text(at_, h.value)};
        } else {
          // One expectation per line of the block.
          for (const auto& l : block()) {
            if (trim(l).empty()) continue;
            Expectation each = e;
            each.values = {m.escaped ? one_line_text(at_, l) : trim(l)};
            current_.expectations.push_back(each);
          }
          return;
        }
        break;
      case Field::error_log_like:
      case Field::no_error_log_like:
        if (h.has_value) {
          e.values = {trim(h.value)};
        } else {
          for (const auto& l : block()) {
            if (trim(l).empty()) continue;
            Expectation each = e;
            each.values = {trim(l)};
            current_.expectations.push_back(each);
          }
          return;
        }
        break;
    }
    current_.expectations.push_back(e);
  }

  void finish_case() {
    Case& c = current_;
    if (c.handlers.empty()) at_.fail("case '" + c.name + "' has no handler");
    std::vector<std::string> base = base_requests_;
    if (!requests_given_) {
      base.clear();
      for (const auto& h : c.handlers) base.push_back(h.label);
    }
    for (const auto& r : base) {
      if (c.handler(r) == nullptr && c.step(r) == nullptr) {
        at_.line = c.line;
        at_.fail("case '" + c.name + "': request '" + r + "' names no handler or step");
      }
    }
    c.requests.clear();
    for (int i = 0; i < repeat_; ++i) c.requests.insert(c.requests.end(), base.begin(), base.end());
    const int served = static_cast<int>(c.served().size());
    for (const auto& e : c.expectations) {
      at_.line = e.line;
      if (e.request > served) at_.fail("request [" + std::to_string(e.request) + "] but only " +
                                       std::to_string(served) + " requests are served");
      if (e.values.size() > 1 && e.field != Field::body && e.request == 0 &&
          static_cast<int>(e.values.size()) != served) {
        at_.fail(std::string(field_name(e.field)) + ": give one value, or one per request (" +
                 std::to_string(served) + ")");
      }
      if (e.values.size() > 1 && e.request != 0) at_.fail("one value for one request");
    }
    if ((!c.grep_error_log.empty()) !=
        std::any_of(c.expectations.begin(), c.expectations.end(),
                    [](const Expectation& e) { return e.field == Field::grep_error_log_out; })) {
      at_.line = c.line;
      at_.fail("grep_error_log and grep_error_log_out go together");
    }
    for (const auto& seen : cases_) {
      if (seen.id == c.id) {
        at_.line = c.line;
        at_.fail("two cases are named '" + c.name + "'");
      }
    }
    cases_.push_back(std::move(current_));
    current_ = Case{};
    base_requests_.clear();
  }

  Cursor at_;
  Case defaults_;
  Case current_;
  OpenSection open_;
  std::vector<std::string> base_requests_;
  bool requests_given_ = false;
  int repeat_ = 1;
  std::vector<Case> cases_;
};

}  // namespace

const char* field_name(Field f) {
  for (const auto& [field, name] : kFieldNames)
    if (field == f) return name;
  return "?";
}

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

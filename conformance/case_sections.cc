// The table of a case's sections (see case_sections.h) and the routine that applies it.
#include "case_sections.h"

#include <algorithm>
#include <limits>
#include <sstream>
#include <string_view>

namespace codecache::conformance {
namespace {

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : separator) + items[i];
  return out;
}

void check_allowed(const Cursor& at, const std::string& what, const std::vector<std::string>& values,
                   const std::vector<std::string>& allowed) {
  for (const auto& v : values)
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
      at.fail("'" + v + "' is not valid for " + what + " (" + joined(allowed, " ") + ")");
}

// code_cache's values, as a setting and as a qualifier.
const std::vector<std::string> kOnOff = {"on", "off"};

// How a section's value is read: the one-line value after `name args: `, or the block
// (the lines below the header, without trailing blank lines).
enum class Shape {
  nothing,    // none: a one-line value or a block is an error
  words,      // one-line: blank-separated words, maybe none
  choices,    // one-line: one word or more, each one of the row's `allowed`
  one_word,   // one-line: exactly one word, one of the row's `allowed` if it lists any
  number,     // one-line: a number within the row's `range`
  numbers,    // one-line: one decimal integer or more, maybe negative (statuses)
  raw,        // one-line, trimmed, taken as written (a regex, key=value pairs)
  action,     // one-line words and the block (a step: `write PATH` and the new content)
  content,    // one-line (quotes, escapes) or the block, as its modifiers say
  lines,      // one-line (quotes, escapes) or each non-blank line of the block (escapes if `escaped`)
  raw_lines,  // one-line or each non-blank line of the block, trimmed, taken as written
  block,      // one-line, trimmed, or the block's lines as written
};

bool takes_one_line_value(Shape s) {
  return s != Shape::nothing && s != Shape::content && s != Shape::lines && s != Shape::raw_lines &&
         s != Shape::block;
}

// The words between a section's name and its ':', block modifiers aside.
struct Args {
  int min = 0, max = 0;    // how many; a row that gives no max takes none
  bool modifiers = false;  // chomp, escaped and eval may be among them
};
constexpr Args kModifiersOnly{.modifiers = true};

// The values a Shape::number row allows, both included.
struct Range {
  std::uint64_t min = 0, max = std::numeric_limits<std::uint64_t>::max();
};

struct Parsed;

// One row of kSections. Every member has a default, so that a row names only what it uses.
struct Section {
  const char* name = nullptr;          // two words: the first argument is the kind (`handler inline`)
  Shape shape = Shape::nothing;
  std::vector<std::string> allowed{};  // Shape::choices, Shape::one_word
  Range range{};                       // Shape::number
  Args args{};
  const char* usage = nullptr;         // what a bad section is told, after "usage: --- "
  bool file_default = false;           // may also stand before the first case, for every case of the file
  std::optional<Field> field{};        // an expectation: fills Expectation::values (and takes qualifiers)
  void (*fill)(Draft&, const Parsed&) = nullptr;  // otherwise: what the section sets or adds
};

// A section as its row reads it, for the row's fill.
struct Parsed {
  const Section& section;
  Header header{};                    // args without the kind (`handler inline`) and the modifiers
  std::vector<std::string> block{};
  Qualifier when{};
  Cursor at{};                        // at the header's line
  Modifiers modifiers{};
  std::vector<std::string> values{};  // the words, the lines, or the one value
  Content content{};                  // Shape::content
  std::uint64_t number = 0;           // Shape::number
};

std::string usage(const Section& s) {
  return std::string("usage: --- ") + (s.usage != nullptr ? s.usage : s.name);
}

// A number for a member of type Number: a row's range must keep within it, never wrap.
template <class Number>
Number narrowed(const Parsed& p) {
  if (p.number > static_cast<std::uint64_t>(std::numeric_limits<Number>::max()))
    p.at.fail(std::string(p.section.name) + ": " + std::to_string(p.number) + " is out of range");
  return static_cast<Number>(p.number);
}

// A setting's value, stored in the Case member its row names: set<&Case::member>. A string
// takes the one word (Shape::one_word) or the raw value.
void store(std::vector<std::string>& member, const Parsed& p) { member = p.values; }
void store(std::string& member, const Parsed& p) { member = p.values[0]; }
void store(int& member, const Parsed& p) { member = narrowed<int>(p); }
template <class Number>
void store(std::optional<Number>& member, const Parsed& p) { member = narrowed<Number>(p); }
template <auto member>
void set(Draft& d, const Parsed& p) { store(d.c.*member, p); }

void set_code_cache(Draft& d, const Parsed& p) {
  d.c.code_cache.clear();
  for (const auto& v : p.values) d.c.code_cache.push_back(v == "on");
}

// `--- nginx: no (reason)`: the real-nginx referee does not run this case. The value is
// the word `no`, then the reason in parentheses (printed in the referee's --table).
void set_nginx_excluded(Draft& d, const Parsed& p) {
  const std::string& value = p.values[0];
  const std::vector<std::string> w = words(value);
  if (w.empty() || w[0] != "no") p.at.fail(usage(p.section) + ", not '" + value + "'");
  std::string reason = trim(value.substr(2));
  if (reason.empty()) p.at.fail("'nginx: no' needs a reason: " + usage(p.section));
  if (reason.size() < 2 || reason.front() != '(' || reason.back() != ')')
    p.at.fail("the reason goes in parentheses: " + usage(p.section) + ", not '" + value + "'");
  reason = trim(reason.substr(1, reason.size() - 2));
  if (reason.empty()) p.at.fail("'nginx: no' needs a reason: " + usage(p.section));
  d.c.nginx_excluded = reason;
}

void add_description(Draft& d, const Parsed& p) {
  for (const auto& l : p.values) d.c.description += l + "\n";
}

void set_repeat(Draft& d, const Parsed& p) { d.repeat = narrowed<int>(p); }

// The first non-blank line of a block, for messages.
std::string first_text(const std::vector<std::string>& block) {
  for (const auto& l : block)
    if (!trim(l).empty()) return trim(l);
  return "";
}

// A label names one handler or step of the case.
void check_new_label(const Draft& d, const std::string& label, const Cursor& at) {
  if (d.c.handler(label) != nullptr || d.c.step(label) != nullptr) at.fail("label '" + label + "' is used twice");
}

void add_inline_handler(Draft& d, const Parsed& p) {
  HandlerSpec h;
  h.label = p.header.args.empty() ? "h" + std::to_string(d.c.handlers.size() + 1) : p.header.args[0];  // [LABEL]
  h.code = p.content;
  h.line = p.at.line;
  check_new_label(d, h.label, p.at);
  d.c.handlers.push_back(h);
}

// A file of the case, at the section's line, with the section's content (if it has one).
FileSpec file_spec(FileSpec::Kind kind, const std::string& path, const Parsed& p) {
  FileSpec f;
  f.kind = kind;
  f.path = path;
  f.content = p.content;
  f.line = p.at.line;
  return f;
}

void add_file(Draft& d, const Parsed& p) {
  d.c.files.push_back(file_spec(FileSpec::Kind::content, p.header.args[0], p));
}

void add_directory(Draft& d, const Parsed& p) {
  d.c.files.push_back(file_spec(FileSpec::Kind::directory, p.header.args[0], p));
}

// A file handler's content, when given, is written to its PATH.
void add_file_handler(Draft& d, const Parsed& p) {
  const auto& args = p.header.args;  // PATH [LABEL]
  if (p.header.has_value || !p.block.empty()) add_file(d, p);
  HandlerSpec h;
  h.label = args.size() == 2 ? args[1] : args[0];
  h.is_file = true;
  h.path = args[0];
  h.line = p.at.line;
  check_new_label(d, h.label, p.at);
  d.c.handlers.push_back(h);
}

void add_dump(Draft& d, const Parsed& p) {
  const auto& args = p.header.args;  // PATH [strip] [shebang] [truncate=N]
  FileSpec f = file_spec(FileSpec::Kind::dump, args[0], p);
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "strip") f.strip = true;
    else if (args[i] == "shebang") f.prepend = "#!/usr/bin/env luajit\n";
    else if (args[i].starts_with("truncate=")) f.truncate = parse_number(p.at, args[i].substr(9), "truncate");
    else p.at.fail("file_from_dump takes strip, shebang and truncate=N, not '" + args[i] + "'");
  }
  d.c.files.push_back(f);
}

void add_fill(Draft& d, const Parsed& p) {
  FileSpec f = file_spec(FileSpec::Kind::fill, p.header.args[0], p);
  for (const auto& [key, value] : parse_params(p.at, p.values[0])) {
    if (key == "size") f.size = parse_number(p.at, value, "size");
    else if (key == "fill") f.fill = value;
    else if (key == "prefix") f.prefix = value;
    else if (key == "suffix") f.suffix = value;
    else p.at.fail("file_fill takes size, fill, prefix and suffix, not '" + key + "'");
  }
  if (f.fill.empty()) p.at.fail("file_fill: fill must not be empty");
  if (f.size < f.prefix.size() + f.suffix.size()) p.at.fail("file_fill: size smaller than prefix + suffix");
  d.c.files.push_back(f);
}

// `--- step NAME: write PATH [modifiers]` with the new content as its block, or `remove PATH`.
void add_step(Draft& d, const Parsed& p) {
  const std::vector<std::string>& action = p.values;
  if (action.size() < 2) p.at.fail(usage(p.section));
  std::vector<std::string> rest(action.begin() + 2, action.end());
  FileSpec f = file_spec(FileSpec::Kind::content, action[1], p);
  if (action[0] == "write") {
    Modifiers m = Modifiers::take(rest);
    if (!rest.empty()) p.at.fail("unexpected '" + rest[0] + "' in step");
    f.content = block_content(p.at, p.block, m);
  } else if (action[0] == "remove") {
    if (!rest.empty()) p.at.fail("unexpected '" + rest[0] + "' in a remove step; " + usage(p.section));
    if (!p.block.empty()) p.at.fail("a remove step takes no block: '" + first_text(p.block) + "'");
    f.kind = FileSpec::Kind::remove;
  } else {
    p.at.fail("a step writes or removes a file, not '" + action[0] + "'");
  }
  check_new_label(d, p.header.args[0], p.at);
  d.c.steps.push_back({p.header.args[0], f});
}

// Every section a case file may hold. Those with a `field` are expectations: for every
// request, or request [index], and they alone take a qualifier.
const std::vector<Section> kSections = {
    // Where the case applies and how it runs.
    {.name = "engines", .shape = Shape::choices, .allowed = kEngines, .file_default = true,
     .fill = set<&Case::engines>},
    {.name = "profiles", .shape = Shape::choices, .allowed = kProfiles, .file_default = true,
     .fill = set<&Case::profiles>},
    {.name = "code_cache", .shape = Shape::choices, .allowed = kOnOff, .file_default = true, .fill = set_code_cache},
    {.name = "labels", .shape = Shape::words, .file_default = true, .fill = set<&Case::labels>},
    {.name = "label", .shape = Shape::words, .file_default = true, .fill = set<&Case::labels>},
    {.name = "property", .shape = Shape::one_word, .file_default = true, .fill = set<&Case::property>},
    {.name = "log_level", .shape = Shape::one_word,
     .allowed = as_words(log_level_names()),
     .file_default = true, .fill = set<&Case::log_level>},
    // The limits and conf_line take what `codecache run` takes (cli/main.cc), since a failing
    // run's reproduction command passes them on.
    {.name = "max_instructions", .shape = Shape::number, .range = {.min = 1}, .file_default = true,
     .fill = set<&Case::max_instructions>},
    {.name = "max_cpu_ms", .shape = Shape::number, .range = {1, 3600000}, .file_default = true,
     .fill = set<&Case::max_cpu_ms>},
    {.name = "max_memory_mb", .shape = Shape::number, .range = {1, 65536}, .file_default = true,
     .fill = set<&Case::max_memory_mb>},
    {.name = "nginx", .shape = Shape::raw, .usage = "nginx: no (reason)", .file_default = true,
     .fill = set_nginx_excluded},
    {.name = "module_path", .shape = Shape::words, .fill = set<&Case::module_path>},
    {.name = "conf_line", .shape = Shape::number, .range = {1, 1000000}, .fill = set<&Case::conf_line>},
    {.name = "description", .shape = Shape::block, .fill = add_description},

    // The handlers, files and steps, and the requests that serve them.
    {.name = "handler inline", .shape = Shape::content, .args = {.max = 1, .modifiers = true},
     .usage = "handler inline [LABEL]", .fill = add_inline_handler},
    {.name = "handler file", .shape = Shape::content, .args = {.min = 1, .max = 2, .modifiers = true},
     .usage = "handler file PATH [LABEL]", .fill = add_file_handler},
    {.name = "file", .shape = Shape::content, .args = {.min = 1, .max = 1, .modifiers = true},
     .usage = "file PATH [chomp|escaped|eval]", .fill = add_file},
    {.name = "file_from_dump", .shape = Shape::content, .args = {.min = 1, .max = 4, .modifiers = true},
     .usage = "file_from_dump PATH [strip] [shebang] [truncate=N]", .fill = add_dump},
    {.name = "file_fill", .shape = Shape::raw, .args = {.min = 1, .max = 1},
     .usage = "file_fill PATH: size=N [fill=..] [prefix=..] [suffix=..]", .fill = add_fill},
    {.name = "directory", .shape = Shape::nothing, .args = {.min = 1, .max = 1}, .usage = "directory PATH",
     .fill = add_directory},
    {.name = "step", .shape = Shape::action, .args = {.min = 1, .max = 1},
     .usage = "step NAME: write PATH | remove PATH", .fill = add_step},
    {.name = "requests", .shape = Shape::words, .usage = "requests: LABEL...",
     .fill = [](Draft& d, const Parsed& p) { d.requests = p.values; }},
    {.name = "repeat", .shape = Shape::number, .range = {1, 1000}, .usage = "repeat: N", .fill = set_repeat},
    {.name = "grep_error_log", .shape = Shape::raw, .usage = "grep_error_log: REGEX",
     .fill = set<&Case::grep_error_log>},

    // What the requests must produce.
    {.name = "status", .shape = Shape::numbers, .field = Field::status},
    {.name = "body", .shape = Shape::content, .args = kModifiersOnly, .field = Field::body},
    {.name = "body_like", .shape = Shape::raw, .usage = "body_like: REGEX",
     .field = Field::body_like},
    {.name = "error_log", .shape = Shape::lines, .args = kModifiersOnly, .field = Field::error_log},
    {.name = "error_log_like", .shape = Shape::raw_lines, .field = Field::error_log_like},
    {.name = "no_error_log", .shape = Shape::lines, .args = kModifiersOnly, .field = Field::no_error_log},
    {.name = "no_error_log_like", .shape = Shape::raw_lines, .field = Field::no_error_log_like},
    {.name = "limit", .shape = Shape::choices,
     .allowed = as_words(limit_kind_names()), .field = Field::limit},
    {.name = "limit_detail", .shape = Shape::content, .args = kModifiersOnly, .field = Field::limit_detail},
    {.name = "aborted", .shape = Shape::choices, .allowed = {"true", "false"}, .field = Field::aborted},
    {.name = "cache", .shape = Shape::choices, .allowed = as_words(cache_state_names()), .field = Field::cache},
    {.name = "cache_key", .shape = Shape::content, .args = kModifiersOnly, .field = Field::cache_key},
    {.name = "grep_error_log_out", .shape = Shape::content, .args = kModifiersOnly,
     .field = Field::grep_error_log_out},
};

// The row of a section; a two-word row (`handler inline`) takes its kind out of the args.
const Section* find_section(Header& h) {
  for (const Section& s : kSections) {
    if (h.name == s.name) return &s;
    if (!h.args.empty() && h.name + " " + h.args[0] == s.name) {
      h.args.erase(h.args.begin());
      return &s;
    }
  }
  return nullptr;
}

// No row: an unknown name, or the first word of two-word rows followed by another kind.
[[noreturn]] void unknown_section(const Cursor& at, const Header& h) {
  std::vector<std::string> kinds, usages;
  for (const Section& s : kSections) {
    if (!std::string_view(s.name).starts_with(h.name + " ")) continue;
    kinds.push_back("'" + std::string(s.name).substr(h.name.size() + 1) + "'");
    usages.push_back(s.usage);
  }
  if (kinds.empty()) at.fail("unknown section '" + h.name + "'");
  if (h.args.empty()) at.fail("usage: --- " + joined(usages, " | --- "));
  at.fail("a " + h.name + " is " + joined(kinds, " or ") + ", not '" + h.args[0] + "'");
}

// An expectation row fills one Expectation, the line shapes one per line of the block.
void add_expectations(Draft& d, const Parsed& p) {
  if (p.content.kind == Content::Kind::eval) p.at.fail("eval is for handlers and files");
  Expectation e{*p.section.field, p.header.index, p.values, p.when, p.at.line};
  if (p.section.shape != Shape::lines && p.section.shape != Shape::raw_lines) {
    d.c.expectations.push_back(e);
    return;
  }
  for (const auto& v : p.values) {
    e.values = {v};
    d.c.expectations.push_back(e);
  }
}

// Applies a row to a section: checks its words, reads its value in the row's shape,
// checks the value against the allowed ones, and fills the draft.
void read_section(Draft& d, Parsed p) {
  const Section& s = p.section;
  const std::string name = s.name;
  const Header& h = p.header;
  std::vector<std::string>& args = p.header.args;
  if (h.index != 0 && !s.field)
    p.at.fail("only expectations take a request index, not '" + name + "' ([" + std::to_string(h.index) + "])");
  if (s.args.modifiers) {
    // A modifier says how to read a block; a one-line value would silently ignore it.
    if (h.has_value)
      for (const auto& word : args)
        if (Modifiers::is_modifier(word))
          p.at.fail(word + " is a block modifier; '" + name + "' has a one-line value here");
    p.modifiers = Modifiers::take(args);
  }
  const int given = static_cast<int>(args.size());
  if (given > s.args.max) {
    const std::string takes = s.args.max != 0   ? ""
                              : s.args.modifiers ? " (it takes only chomp, escaped or eval)"
                                                 : " (it takes no words before its value)";
    p.at.fail("unexpected '" + args[s.args.max] + "' after " + name + takes +
              (s.usage != nullptr ? "; " + usage(s) : ""));
  }
  if (given < s.args.min) p.at.fail(usage(s));
  if (takes_one_line_value(s.shape) && !h.has_value)
    p.at.fail(s.usage != nullptr ? usage(s) : "'" + name + "' takes a one-line value");
  switch (s.shape) {
    case Shape::nothing:
      if (h.has_value) p.at.fail("'" + name + "' takes no value; " + usage(s));
      if (!p.block.empty()) p.at.fail("'" + name + "' takes no block: '" + first_text(p.block) + "'");
      break;
    case Shape::words:
    case Shape::action: p.values = words(h.value); break;
    case Shape::choices:
    case Shape::numbers:
      p.values = words(h.value);
      if (p.values.empty()) p.at.fail("'" + name + "' needs at least one value");
      if (s.shape == Shape::choices) check_allowed(p.at, name, p.values, s.allowed);
      else for (const auto& v : p.values) parse_int(p.at, v, s.name);
      break;
    case Shape::one_word:
      p.values = words(h.value);
      if (p.values.size() != 1)
        p.at.fail("'" + name + "' takes one word" + (p.values.empty() ? "" : ", not '" + trim(h.value) + "'"));
      if (!s.allowed.empty()) check_allowed(p.at, name, p.values, s.allowed);
      break;
    case Shape::number:
      p.number = parse_number(p.at, h.value, s.name);
      if (p.number < s.range.min || p.number > s.range.max)
        p.at.fail(name + ": " + trim(h.value) + " is out of range (" + std::to_string(s.range.min) + ".." +
                  std::to_string(s.range.max) + ")");
      break;
    case Shape::raw: p.values = {trim(h.value)}; break;
    case Shape::content:
      p.content = h.has_value ? Content{Content::Kind::literal, one_line_text(p.at, h.value)}
                              : block_content(p.at, p.block, p.modifiers);
      p.values = {p.content.text};
      break;
    case Shape::lines:
    case Shape::raw_lines: {
      const bool escapes = s.shape == Shape::lines;
      if (p.modifiers.chomp || p.modifiers.eval)
        p.at.fail(std::string(p.modifiers.chomp ? "chomp" : "eval") + " does not apply to '" + name +
                  "', whose block is one value per line (escaped is its only modifier)");
      if (h.has_value) {
        p.values = {escapes ? one_line_text(p.at, h.value) : trim(h.value)};
        break;
      }
      for (const auto& l : p.block)
        if (!trim(l).empty()) p.values.push_back(escapes && p.modifiers.escaped ? one_line_text(p.at, l) : trim(l));
      break;
    }
    case Shape::block: p.values = h.has_value ? std::vector<std::string>{trim(h.value)} : p.block; break;
  }
  if (s.field) add_expectations(d, p);
  else s.fill(d, p);
}

// `--- engine E.., profile P.., code_cache on|off: <expectation>`: each kind of
// qualifier narrows one member of Qualifier to some of the names it allows.
struct QualifierKind {
  const char* name;
  std::vector<std::string> Qualifier::*names;
  const std::vector<std::string>& allowed;
};
const QualifierKind kQualifierKinds[] = {
    {"engine", &Qualifier::engines, kEngines},
    {"profile", &Qualifier::profiles, kProfiles},
    {"code_cache", &Qualifier::code_cache, kOnOff},
};

const QualifierKind* qualifier_kind(const std::string& name) {
  for (const auto& kind : kQualifierKinds)
    if (name == kind.name) return &kind;
  return nullptr;
}

Qualifier parse_qualifier(const Cursor& at, const std::string& head) {
  Qualifier q;
  std::stringstream groups(head);
  for (std::string group; std::getline(groups, group, ',');) {
    std::vector<std::string> w = words(group);
    if (w.size() < 2) at.fail("qualifier '" + trim(group) + "' names nothing");
    const QualifierKind* kind = qualifier_kind(w[0]);
    if (kind == nullptr) {
      std::vector<std::string> kinds;
      for (const auto& each : kQualifierKinds) kinds.push_back(each.name);
      at.fail("unknown qualifier '" + w[0] + "' (" + joined(kinds, ", ") + ")");
    }
    q.*(kind->names) = std::vector<std::string>(w.begin() + 1, w.end());
    check_allowed(at, w[0], q.*(kind->names), kind->allowed);
  }
  return q;
}

}  // namespace

void apply_section(Draft& d, Header h, std::vector<std::string> lines, const Cursor& at) {
  // `--- <qualifier>: <section>`: the section after the qualifier is read as if it stood
  // alone, with a one-line value or with the block below (`--- profile openresty: body`).
  const bool qualified = !h.args.empty() && qualifier_kind(h.name) != nullptr;
  Qualifier when;
  if (qualified) {
    if (!h.has_value) at.fail("a qualifier is followed by ': <directive>'");
    const std::string qualifier = h.name + " " + joined(h.args, " ");
    const int misplaced_index = h.index;
    when = parse_qualifier(at, qualifier);
    h = split_header(at, trim(h.value));
    if (misplaced_index != 0)
      at.fail("a request index goes on the expectation: --- " + qualifier + ": " + h.name + "[" +
              std::to_string(misplaced_index) + "]");
  }
  const Section* s = find_section(h);
  if (s == nullptr) unknown_section(at, h);
  if (qualified && !s->field) at.fail("only expectations take a qualifier, not '" + h.name + "'");
  if (h.has_value && s->shape != Shape::action && s->shape != Shape::nothing) {
    // After a one-line value, only blank lines (a step's block is its content; a section that
    // takes nothing says so itself). A case has no comment lines: a `#` line would be content
    // in a block (a shebang, first_line.case), so it is no comment after a value either.
    for (const auto& l : lines) {
      std::string t = trim(l);
      if (!t.empty()) at.fail("'" + h.name + "' has a one-line value; unexpected text after it: '" + t + "'");
    }
  }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  read_section(d, {.section = *s, .header = h, .block = lines, .when = when, .at = at});
}

void apply_default(Draft& defaults, Header h, const Cursor& at) {
  const Section* s = find_section(h);
  if (s == nullptr || !s->file_default || !h.has_value) {
    std::vector<std::string> names;
    for (const Section& each : kSections)
      if (each.file_default) names.push_back(each.name);
    at.fail("before the first case only one-line defaults are allowed (" + joined(names, ", ") + "), not '" + h.name +
            "'");
  }
  read_section(defaults, {.section = *s, .header = h, .at = at});
}

// The section name of a field, from its row (declared in case_file.h).
const char* field_name(Field f) {
  for (const Section& s : kSections)
    if (s.field == f) return s.name;
  return "?";
}

}  // namespace codecache::conformance

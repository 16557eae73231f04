// The conformance case format: `conformance/cases/*.case`, read like Test::Nginx
// `.t` blocks. A case names its handlers (inline code or files), the files it
// needs, the requests to serve, and what each request must produce. The format
// is documented in conformance/README.md; this file only turns text into Case
// values (no engine, no core), so the parser is the same in every runner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/plumbing/outcome.h"
#include "core/plumbing/settings.h"

namespace codecache::conformance {

// The core's names (core/plumbing/settings.h, outcome.h) as the case format's words.
template <std::size_t N>
std::vector<std::string> as_words(const std::array<std::string_view, N>& names) {
  return std::vector<std::string>(names.begin(), names.end());
}
inline const std::vector<std::string> kEngines = as_words(engine_names());
inline const std::vector<std::string> kProfiles = as_words(profile_names());

// A problem in a case file, with the place it was found.
class CaseError : public std::runtime_error {
 public:
  CaseError(const std::string& file, int line, const std::string& message)
      : std::runtime_error(file + ":" + std::to_string(line) + ": " + message) {}
};

// How the bytes of a block are produced. `literal` bytes are final; `eval` is a
// Lua chunk run at test time in a plain VM of the engine under test, whose
// returned string is the content (Test::Nginx's `eval`, in Lua).
struct Content {
  enum class Kind { literal, eval };
  Kind kind = Kind::literal;
  std::string text;
};

// `--- engine E.., profile P.., code_cache on|off: <directive>`: where an
// expectation applies. Empty sets match everything.
struct Qualifier {
  std::vector<std::string> engines;
  std::vector<std::string> profiles;
  std::vector<std::string> code_cache;  // "on" / "off"

  bool empty() const { return engines.empty() && profiles.empty() && code_cache.empty(); }
  bool matches(const std::string& engine, const std::string& profile, bool cache_on) const;
  std::string describe() const;
};

struct HandlerSpec {
  std::string label;     // what `--- requests` calls it
  bool is_file = false;
  std::string path;      // file handlers: the path as written in nginx.conf
  Content code;          // inline handlers
  int line = 0;
};

// A file written into the case's scratch directory before the first request
// (or by a step between requests).
struct FileSpec {
  enum class Kind { content, dump, fill, directory, remove };
  Kind kind = Kind::content;
  std::string path;
  Content content;             // content: the bytes; dump: the Lua source
  bool strip = false;          // dump: string.dump(f, true)
  std::string prepend;         // dump: bytes written before the bytecode (a '#' line)
  std::optional<std::size_t> truncate;  // dump: keep only the first N bytes
  std::uint64_t size = 0;      // fill: total size in bytes
  std::string prefix, fill = " ", suffix;  // fill: prefix + fill... + suffix
  int line = 0;
};

enum class Field {
  status,
  body,
  body_like,
  error_log,
  error_log_like,
  no_error_log,
  no_error_log_like,
  limit,
  limit_detail,
  aborted,
  cache,
  cache_key,
  grep_error_log_out,
};
// The section that gives a field ("status", "body_like", ...), from case_sections.cc's table.
const char* field_name(Field);

struct Expectation {
  Field field;
  int request = 0;                  // 1-based; 0: every request (or the whole run)
  std::vector<std::string> values;  // several: one per request, in order
  Qualifier when;
  int line = 0;

  const std::string& value() const { return values.front(); }
  // Qualified beats unqualified, then indexed beats every-request.
  int rank() const { return (when.empty() ? 0 : 2) + (request != 0 ? 1 : 0); }
};

// One entry of `--- requests`: a handler label, or a step's name.
struct Step {
  std::string name;
  FileSpec action;  // write (content / dump / fill) or remove
};

struct Case {
  std::string file;       // path of the .case file
  std::string file_stem;  // "loader" for cases/loader.case
  int line = 0;           // of the `=== name:` line
  std::string name;
  std::string id;         // "<file stem>/<slug of the name>"
  std::string description;

  std::vector<std::string> engines = kEngines;
  std::vector<std::string> profiles = kProfiles;
  std::vector<bool> code_cache = {true, false};
  std::vector<std::string> labels;  // besides `conformance`: e.g. `hostile`
  std::string property;             // the report column: loader, isolation, ...

  // Settings of the run.
  std::string log_level = "info";
  std::optional<std::uint64_t> max_instructions;
  std::optional<std::uint32_t> max_cpu_ms;
  std::optional<std::size_t> max_memory_mb;
  std::vector<std::string> module_path;  // relative to the scratch directory
  int conf_line = 40;
  std::string nginx_excluded;  // `--- nginx: no (reason)`: why the real-nginx referee skips it

  std::vector<HandlerSpec> handlers;
  std::vector<FileSpec> files;
  std::vector<Step> steps;
  std::vector<std::string> requests;  // expanded: repeat applied
  std::string grep_error_log;         // ECMAScript regex

  std::vector<Expectation> expectations;

  bool hostile() const;
  bool applies(const std::string& engine, const std::string& profile, bool cache_on) const;
  // The requests actually served (steps excluded), in order.
  std::vector<std::string> served() const;
  const HandlerSpec* handler(const std::string& label) const;
  const Step* step(const std::string& step_name) const;
  // True when some expectation is qualified by code_cache (on and off differ on purpose).
  bool cache_dependent() const;
};

// Parses one .case file. Throws CaseError.
std::vector<Case> parse_case_file(const std::string& path);

// Every *.case file of `dir`, sorted by name; case ids are checked to be unique.
std::vector<Case> load_cases(const std::string& dir);

// Escapes: \n \r \t \0 \\ \" \xHH. Throws std::invalid_argument.
std::string unescape(const std::string& text);
// Printable form of arbitrary bytes, the inverse of unescape: \n \r \t \\, `quote`
// as \<quote>, other control and non-ASCII bytes as \xHH; cut after `max` characters.
// With quote '\'' it is also the body of a bash $'…' string.
std::string escape(const std::string& bytes, std::size_t max = std::string::npos, char quote = '"');

std::string slug(const std::string& name);

}  // namespace codecache::conformance

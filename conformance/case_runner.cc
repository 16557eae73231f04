// Running and checking one case (see case_runner.h).
#include "case_runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "core/handler.h"
#include "core/worker.h"
#include "engine/engine.h"
#include "engine/lua_headers.h"

namespace codecache::conformance {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Producing bytes at test time: `eval` blocks and string.dump, both in a plain
// (unsandboxed, unbudgeted) VM of the engine under test.

class PlainVm {
 public:
  PlainVm() : L_(luaL_newstate()) {
    if (L_ == nullptr) throw std::runtime_error("luaL_newstate failed");
    luaL_openlibs(L_);
  }
  ~PlainVm() { lua_close(L_); }
  PlainVm(const PlainVm&) = delete;
  PlainVm& operator=(const PlainVm&) = delete;

  // Runs `chunk`; its first result must be a string.
  std::string eval(const std::string& chunk) {
    if (luaL_loadbuffer(L_, chunk.data(), chunk.size(), "=eval") != 0 ||
        lua_pcall(L_, 0, 1, 0) != 0) {
      throw std::runtime_error(std::string("eval: ") + lua_tostring(L_, -1));
    }
    if (lua_type(L_, -1) != LUA_TSTRING) throw std::runtime_error("eval: the chunk must return a string");
    std::string out = result();
    lua_settop(L_, 0);
    return out;
  }

  // string.dump(loadstring(source, "=code"), strip)
  std::string dump(const std::string& source, bool strip) {
    lua_getfield(L_, LUA_GLOBALSINDEX, "string");
    lua_getfield(L_, -1, "dump");
    if (luaL_loadbuffer(L_, source.data(), source.size(), "=code") != 0) {
      throw std::runtime_error(std::string("file_from_dump: ") + lua_tostring(L_, -1));
    }
    lua_pushboolean(L_, strip ? 1 : 0);
    if (lua_pcall(L_, 2, 1, 0) != 0) {
      throw std::runtime_error(std::string("file_from_dump: ") + lua_tostring(L_, -1));
    }
    std::string out = result();
    lua_settop(L_, 0);
    return out;
  }

 private:
  std::string result() {
    size_t len = 0;
    const char* s = lua_tolstring(L_, -1, &len);
    return std::string(s, len);
  }
  lua_State* L_;
};

std::string resolve(const Content& c) {
  if (c.kind == Content::Kind::literal) return c.text;
  PlainVm vm;
  return vm.eval(c.text);
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Streams prefix, fill..., suffix: a file of exactly f.size bytes, never held in memory.
void write_fill(const fs::path& path, const FileSpec& f) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(f.prefix.data(), static_cast<std::streamsize>(f.prefix.size()));
  std::uint64_t left = f.size - f.prefix.size() - f.suffix.size();
  std::string chunk;
  while (chunk.size() < (1u << 20)) chunk += f.fill;
  chunk.resize((1u << 20) - (1u << 20) % f.fill.size());
  while (left > 0) {
    std::uint64_t n = std::min<std::uint64_t>(left, chunk.size());
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    left -= n;
  }
  out.write(f.suffix.data(), static_cast<std::streamsize>(f.suffix.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void materialize(const fs::path& dir, const FileSpec& f) {
  const fs::path path = dir / f.path;
  switch (f.kind) {
    case FileSpec::Kind::content: write_bytes(path, resolve(f.content)); break;
    case FileSpec::Kind::dump: {
      PlainVm vm;
      std::string bytes = f.prepend + vm.dump(resolve(f.content), f.strip);
      if (f.truncate && *f.truncate < bytes.size()) bytes.resize(*f.truncate);
      write_bytes(path, bytes);
      break;
    }
    case FileSpec::Kind::fill: write_fill(path, f); break;
    case FileSpec::Kind::directory: fs::create_directories(path); break;
    case FileSpec::Kind::remove: {
      std::error_code ec;
      fs::remove_all(path, ec);
      break;
    }
  }
}

fs::path make_scratch_dir() {
  std::string tmpl = (fs::temp_directory_path() / "codecache-conform-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return fs::canonical(tmpl);
}

class CwdGuard {
 public:
  explicit CwdGuard(const fs::path& dir) : previous_(fs::current_path()) { fs::current_path(dir); }
  ~CwdGuard() {
    std::error_code ec;
    fs::current_path(previous_, ec);
  }
  CwdGuard(const CwdGuard&) = delete;
  CwdGuard& operator=(const CwdGuard&) = delete;

 private:
  fs::path previous_;
};

// ---------------------------------------------------------------------------
// The reproduction command.

std::string shell_quote(const std::string& s) {
  bool plain = !s.empty();
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '\'') plain = false;
  }
  if (plain) return "'" + s + "'";
  std::string out = "$'";
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "'";
}

std::string repro_command(const Case& c, const RunConfig& cfg, const fs::path& dir,
                          const std::vector<std::string>& inline_code) {
  std::string cmd = "cd " + shell_quote(dir.string()) + " && " + (cfg.cli.empty() ? "codecache" : cfg.cli) +
                    " run --engine " + std::string(engine::name()) + " --profile " + cfg.profile +
                    " --code-cache " + (cfg.code_cache ? "on" : "off");
  if (c.log_level != "info") cmd += " --log-level " + c.log_level;
  if (c.max_instructions) cmd += " --max-instructions " + std::to_string(*c.max_instructions);
  if (c.max_cpu_ms) cmd += " --max-cpu-ms " + std::to_string(*c.max_cpu_ms);
  if (c.max_memory_mb) cmd += " --max-memory-mb " + std::to_string(*c.max_memory_mb);
  for (const auto& m : c.module_path) cmd += " --module-path " + shell_quote(m);
  if (c.conf_line != 40) cmd += " --conf-line " + std::to_string(c.conf_line);
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < c.handlers.size(); ++i) {
    const HandlerSpec& h = c.handlers[i];
    if (h.is_file) {
      cmd += " " + shell_quote(h.path);
    } else {
      if (inline_code[i].size() > 4096) {
        notes.push_back("handler " + h.label + " is " + std::to_string(inline_code[i].size()) +
                        " bytes of generated code; see the case's eval block");
        cmd += " -e '<" + h.label + ">'";
      } else {
        if (inline_code[i].find('\0') != std::string::npos) {
          notes.push_back("handler " + h.label + " contains NUL bytes, which no command line can carry");
        }
        cmd += " -e " + shell_quote(inline_code[i]);
      }
    }
  }
  // `run` serves every handler once per round; say so when the case does otherwise.
  std::vector<std::string> round;
  for (const auto& h : c.handlers) round.push_back(h.label);
  const std::vector<std::string>& asked = c.requests;
  bool rounds = !asked.empty() && asked.size() % round.size() == 0;
  for (std::size_t i = 0; rounds && i < asked.size(); ++i) rounds = asked[i] == round[i % round.size()];
  if (rounds) {
    if (asked.size() > round.size()) cmd += " --requests " + std::to_string(asked.size() / round.size());
  } else {
    std::string seq;
    for (const auto& r : asked) seq += (seq.empty() ? "" : " ") + r;
    notes.push_back("the case serves '" + seq + "'" +
                    (c.steps.empty() ? std::string() : std::string(" (its steps edit files in between)")) +
                    "; `run` serves each handler once per round, so replay that order by hand");
  }
  for (const auto& n : notes) cmd += "\n    # note: " + n;
  return cmd;
}

// ---------------------------------------------------------------------------
// Checking.

std::string join_log(const Outcome& o) {
  std::string out;
  for (const auto& line : o.log) out += line + "\n";
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::string regex_escape(const std::string& s) {
  static const std::string special = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : s) {
    if (special.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

// Regexes run per log entry, each capped, so that libstdc++'s recursive matcher
// never meets a multi-megabyte subject.
constexpr std::size_t kRegexSubjectCap = 256 * 1024;

bool regex_in_log(const std::regex& re, const Outcome& o) {
  for (const auto& line : o.log) {
    std::string subject = line.size() > kRegexSubjectCap ? line.substr(0, kRegexSubjectCap) : line;
    if (std::regex_search(subject, re)) return true;
  }
  return false;
}

std::string grep_log(const std::regex& re, const Outcome& o) {
  std::string out;
  for (const auto& line : o.log) {
    std::string subject = line.size() > kRegexSubjectCap ? line.substr(0, kRegexSubjectCap) : line;
    for (auto it = std::sregex_iterator(subject.begin(), subject.end(), re); it != std::sregex_iterator(); ++it) {
      out += it->str() + "\n";
    }
  }
  return out;
}

std::string shown(const std::string& s) { return "\"" + escape(s, 600) + "\""; }

// "status", or "status [profile openresty]" for a qualified expectation.
std::string what_of(const Expectation& e) {
  std::string what = field_name(e.field);
  if (!e.when.empty()) what += " [" + e.when.describe() + "]";
  return what;
}

class Checker {
 public:
  Checker(const Case& c, const RunConfig& cfg, const fs::path& dir, RunResult& result)
      : case_(c), cfg_(cfg), dir_(dir.string()), result_(result) {}

  void check() {
    const auto& reqs = result_.requests;
    for (int i = 1; i <= static_cast<int>(reqs.size()); ++i) check_request(i, reqs[i - 1].outcome);
    check_run();
  }

 private:
  bool applies(const Expectation& e, int request) const {
    if (e.request != 0 && e.request != request) return false;
    return e.when.matches(std::string(engine::name()), cfg_.profile, cfg_.code_cache);
  }

  // The expectation of the highest rank among `fields` (the last one on ties).
  const Expectation* best(std::initializer_list<Field> fields, int request) const {
    const Expectation* chosen = nullptr;
    for (const auto& e : case_.expectations) {
      if (std::find(fields.begin(), fields.end(), e.field) == fields.end()) continue;
      if (!applies(e, request)) continue;
      if (chosen == nullptr || e.rank() >= chosen->rank()) chosen = &e;
    }
    return chosen;
  }

  std::string value_for(const Expectation& e, int request) const {
    std::string v = e.values.size() > 1 ? e.values.at(request - 1) : e.values.front();
    return replace_all(v, "${dir}", dir_);
  }

  std::regex regex_for(const Expectation& e, int request) const {
    std::string pattern = e.values.size() > 1 ? e.values.at(request - 1) : e.values.front();
    pattern = replace_all(pattern, "${dir}", regex_escape(dir_));
    try {
      return std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& err) {
      throw CaseError(case_.file, e.line, "bad regex '" + pattern + "': " + err.what());
    }
  }

  void mismatch(int request, std::string what, std::string expected, std::string actual) {
    result_.mismatches.push_back({request, std::move(what), std::move(expected), std::move(actual)});
  }

  void scalar(int request, Field field, const std::string& actual, const std::string& fallback) {
    const Expectation* e = best({field}, request);
    std::string expected = e != nullptr ? value_for(*e, request) : fallback;
    if (expected.empty() && e == nullptr) return;  // unchecked
    if (expected != actual) mismatch(request, e != nullptr ? what_of(*e) : field_name(field), expected, actual);
  }

  void check_request(int i, const Outcome& o) {
    scalar(i, Field::status, std::to_string(o.status), "200");
    scalar(i, Field::limit, std::string(to_string(o.limit)), "none");
    scalar(i, Field::aborted, o.aborted ? "true" : "false", "false");
    scalar(i, Field::cache, std::string(to_string(o.cache)), "");
    scalar(i, Field::limit_detail, o.limit_detail, "");
    scalar(i, Field::cache_key, o.cache_key, "");

    if (const Expectation* e = best({Field::body, Field::body_like}, i)) {
      if (e->field == Field::body) {
        std::string expected = value_for(*e, i);
        if (expected != o.body) mismatch(i, what_of(*e), shown(expected), shown(o.body));
      } else {
        std::string subject = o.body.size() > kRegexSubjectCap ? o.body.substr(0, kRegexSubjectCap) : o.body;
        if (!std::regex_search(subject, regex_for(*e, i))) {
          mismatch(i, what_of(*e), "/" + e->values.front() + "/", shown(o.body));
        }
      }
    }

    const std::string log = join_log(o);
    for (const auto& e : case_.expectations) {
      if (e.request != i || !applies(e, i)) continue;
      log_expectation(i, e, o, log);
    }
    const Expectation* grep = nullptr;  // grep_error_log_out[i]: this request's matches only
    for (const auto& e : case_.expectations) {
      if (e.field != Field::grep_error_log_out || e.request != i || !applies(e, i)) continue;
      if (grep == nullptr || e.rank() >= grep->rank()) grep = &e;
    }
    if (grep != nullptr) {
      std::string got = grep_log(std::regex(case_.grep_error_log), o);
      std::string expected = value_for(*grep, i);
      if (got != expected) mismatch(i, what_of(*grep), expected, got);
    }
  }

  void log_expectation(int i, const Expectation& e, const Outcome& o, const std::string& log) {
    switch (e.field) {
      case Field::error_log:
        if (log.find(value_for(e, i)) == std::string::npos)
          mismatch(i, what_of(e), "contains " + shown(value_for(e, i)), "(not in the log)");
        break;
      case Field::no_error_log:
        if (log.find(value_for(e, i)) != std::string::npos)
          mismatch(i, what_of(e), "no " + shown(value_for(e, i)), "(found in the log)");
        break;
      case Field::error_log_like:
        if (!regex_in_log(regex_for(e, i), o))
          mismatch(i, what_of(e), "matches /" + e.values.front() + "/", "(no log entry matches)");
        break;
      case Field::no_error_log_like:
        if (regex_in_log(regex_for(e, i), o))
          mismatch(i, what_of(e), "no match of /" + e.values.front() + "/", "(a log entry matches)");
        break;
      default: break;
    }
  }

  // Log expectations without an index hold for the run: error_log somewhere in
  // it, no_error_log nowhere; grep_error_log_out over the whole log in order.
  void check_run() {
    Outcome all;
    for (const auto& r : result_.requests) all.log.insert(all.log.end(), r.outcome.log.begin(), r.outcome.log.end());
    const std::string log = join_log(all);
    for (const auto& e : case_.expectations) {
      if (e.request != 0 || !applies(e, 0)) continue;
      log_expectation(0, e, all, log);
    }
    const Expectation* chosen = nullptr;
    for (const auto& e : case_.expectations) {
      if (e.field != Field::grep_error_log_out || e.request != 0 || !applies(e, 0)) continue;
      if (chosen == nullptr || e.rank() >= chosen->rank()) chosen = &e;
    }
    if (chosen != nullptr) {
      std::string got = grep_log(std::regex(case_.grep_error_log), all);
      std::string expected = replace_all(chosen->values.front(), "${dir}", dir_);
      if (got != expected) mismatch(0, what_of(*chosen), expected, got);
    }
  }

  const Case& case_;
  const RunConfig& cfg_;
  std::string dir_;
  RunResult& result_;
};

std::string fingerprint(const Case& c, const RunConfig& cfg, const RunResult& r) {
  std::string out;
  for (std::size_t i = 0; i < r.requests.size(); ++i) {
    const Outcome& o = r.requests[i].outcome;
    out += std::to_string(o.status) + "/" + std::string(to_string(o.limit)) + "/" +
           (o.aborted ? "aborted" : "complete");
    bool body_checked = false;
    for (const auto& e : c.expectations) {
      if (e.field == Field::body && (e.request == 0 || e.request == static_cast<int>(i + 1)) &&
          e.when.matches(std::string(engine::name()), cfg.profile, cfg.code_cache)) {
        body_checked = true;
      }
    }
    if (body_checked) {
      std::ostringstream h;
      h << std::hex << std::hash<std::string>{}(o.body);
      out += "/" + h.str();
    }
    out += ";";
  }
  return out;
}

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // kilobytes on Linux
}

}  // namespace

RunResult run_case(const Case& c, const RunConfig& cfg) {
  RunResult result;
  const auto started = std::chrono::steady_clock::now();
  fs::path dir;
  try {
    dir = make_scratch_dir();
    result.scratch_dir = dir.string();
    for (const auto& f : c.files) materialize(dir, f);

    Settings settings;
    settings.profile = *parse_profile(cfg.profile);
    settings.code_cache = cfg.code_cache;
    settings.log_level = *parse_log_level(c.log_level);
    if (c.max_instructions) settings.limits.instructions = *c.max_instructions;
    if (c.max_cpu_ms) settings.limits.cpu_ms = *c.max_cpu_ms;
    if (c.max_memory_mb) settings.limits.memory_bytes = *c.max_memory_mb << 20;
    for (const auto& m : c.module_path) settings.module_path.push_back((dir / m).string());

    std::vector<std::string> inline_code(c.handlers.size());
    std::vector<Handler> handlers;
    for (std::size_t i = 0; i < c.handlers.size(); ++i) {
      const HandlerSpec& h = c.handlers[i];
      if (h.is_file) {
        handlers.push_back(Handler::file(h.path));
      } else {
        inline_code[i] = resolve(h.code);
        handlers.push_back(Handler::inline_code(inline_code[i], c.conf_line + static_cast<int>(i)));
      }
    }
    result.repro = repro_command(c, cfg, dir, inline_code);

    CwdGuard in_scratch(dir);
    Worker worker(settings);
    for (const auto& label : c.requests) {
      if (const Step* s = c.step(label)) {
        materialize(dir, s->action);
        continue;
      }
      const auto index = static_cast<std::size_t>(c.handler(label) - c.handlers.data());
      Handler& handler = handlers[index];
      result.requests.push_back({label, handler.label(), worker.run(handler)});
    }
    Checker(c, cfg, dir, result).check();
    if (c.hostile()) {
      // The harness stays within its caps: the VM's live heap never passed the
      // memory limit, and the process did not balloon.
      if (Vm* vm = worker.main_vm()) {
        if (vm->state() != nullptr && vm->context().peak_bytes > settings.limits.memory_bytes) {
          result.mismatches.push_back({0, "vm heap peak", "<= " + std::to_string(settings.limits.memory_bytes) + " bytes",
                                       std::to_string(vm->context().peak_bytes) + " bytes"});
        }
      }
      if (cfg.check_harness_rss) {
        const long cap = static_cast<long>(settings.limits.memory_bytes >> 20) + 192;
        if (peak_rss_mb() > cap) {
          result.mismatches.push_back({0, "harness peak RSS", "<= " + std::to_string(cap) + " MB",
                                       std::to_string(peak_rss_mb()) + " MB"});
        }
      }
    }
  } catch (const CaseError& e) {
    result.setup_error = e.what();
  } catch (const std::exception& e) {
    result.setup_error = e.what();
  }
  result.passed = result.setup_error.empty() && result.mismatches.empty();
  result.fingerprint = fingerprint(c, cfg, result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!dir.empty() && result.passed && !cfg.keep_scratch) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    result.scratch_dir.clear();
  }
  return result;
}

namespace {

// Wraps `text` into lines of at most `width` characters.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) out.push_back("");
    for (std::size_t at = 0; at < line.size(); at += width) out.push_back(line.substr(at, width));
  }
  if (out.empty()) out.push_back("");
  return out;
}

}  // namespace

std::string format_failure(const Case& c, const RunConfig& cfg, const RunResult& r) {
  std::ostringstream out;
  out << "FAIL " << c.file << ":" << c.line << "  \"" << c.name << "\"  [" << engine::name() << " "
      << cfg.profile << " code_cache " << (cfg.code_cache ? "on" : "off") << "]\n";
  if (!c.description.empty()) {
    std::istringstream text(c.description);
    for (std::string line; std::getline(text, line);) out << "  | " << line << "\n";
  }
  if (!r.setup_error.empty()) out << "  the case could not run: " << r.setup_error << "\n";
  constexpr std::size_t kWhat = 20, kCol = 56;
  auto row = [&](const std::string& what, const std::string& expected, const std::string& actual) {
    std::vector<std::string> left = wrap(expected, kCol), right = wrap(actual, kCol);
    std::size_t n = std::max(left.size(), right.size());
    // A long label (a qualified expectation) gets a line of its own.
    if (what.size() >= kWhat) out << "    " << what << "\n";
    for (std::size_t i = 0; i < n; ++i) {
      std::string l = i < left.size() ? left[i] : "";
      std::string rr = i < right.size() ? right[i] : "";
      std::string w = i == 0 && what.size() < kWhat ? what : "";
      out << "    " << w << std::string(kWhat - w.size(), ' ') << l
          << std::string(kCol > l.size() ? kCol - l.size() : 1, ' ') << "| " << rr << "\n";
    }
  };
  std::map<int, std::vector<const Mismatch*>> by_request;
  for (const auto& m : r.mismatches) by_request[m.request].push_back(&m);
  for (const auto& [request, list] : by_request) {
    if (request == 0) {
      out << "  whole run (" << r.requests.size() << " requests):\n";
    } else {
      const ServedRequest& s = r.requests[request - 1];
      out << "  request " << request << " of " << r.requests.size() << " (handler " << s.label << ": "
          << s.handler << "):\n";
    }
    row("", "expected", "actual");
    for (const Mismatch* m : list) row(m->what, m->expected, m->actual);
  }
  bool logs_needed = false;
  for (const auto& m : r.mismatches)
    if (m.what.find("log") != std::string::npos) logs_needed = true;
  for (std::size_t i = 0; i < r.requests.size(); ++i) {
    bool failing = by_request.count(static_cast<int>(i + 1)) || (logs_needed && by_request.count(0));
    if (!failing) continue;
    const Outcome& o = r.requests[i].outcome;
    out << "  request " << i + 1 << ": status " << o.status << ", limit " << to_string(o.limit)
        << (o.limit_detail.empty() ? "" : " (" + o.limit_detail + ")") << ", cache " << to_string(o.cache)
        << (o.aborted ? ", aborted" : "") << ", body " << shown(o.body) << "\n";
    out << "  log of request " << i + 1 << (o.log.empty() ? ": (empty)\n" : ":\n");
    std::size_t shown = 0;
    for (const auto& line : o.log) {
      if (++shown > 40) {
        out << "    ... (" << o.log.size() - 40 << " more entries)\n";
        break;
      }
      std::string text = line.size() > 2000 ? line.substr(0, 2000) + "..." : line;
      out << "    " << replace_all(text, "\n", "\n      ") << "\n";
    }
  }
  if (!r.repro.empty()) {
    out << "  reproduce (" << (r.scratch_dir.empty() ? "scratch directory removed" : "scratch directory kept")
        << "):\n    " << r.repro << "\n";
  }
  return out.str();
}

std::vector<std::string> summarize_mismatches(const RunResult& r) {
  std::vector<std::string> out;
  if (!r.setup_error.empty()) out.push_back("could not run: " + r.setup_error);
  for (const auto& m : r.mismatches) {
    std::string where = m.request == 0 ? "run" : "request " + std::to_string(m.request);
    std::string expected = m.expected.size() > 160 ? m.expected.substr(0, 160) + "..." : m.expected;
    std::string actual = m.actual.size() > 160 ? m.actual.substr(0, 160) + "..." : m.actual;
    // Values are already printable except the raw multi-line ones (grep output).
    auto one_line = [](std::string v) { return replace_all(std::move(v), "\n", "\\n"); };
    out.push_back(where + ": " + m.what + " expected " + one_line(expected) + ", actual " + one_line(actual));
  }
  return out;
}

}  // namespace codecache::conformance

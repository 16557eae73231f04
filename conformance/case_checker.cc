// Checking a case's expectations (see case_checker.h).
#include "case_checker.h"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "pattern.h"

namespace codecache::conformance {

std::string CheckTarget::describe() const {
  return engine + " " + profile + " code_cache " + (code_cache ? "on" : "off");
}

namespace {

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

bool in_any_entry(const Pattern& p, const Outcome& o) {
  return std::any_of(o.log.begin(), o.log.end(), [&](const std::string& entry) { return p.search(entry); });
}

// Every match in every entry, one per line: Test::Nginx's grep_error_log.
std::string grep_log(const Pattern& p, const Outcome& o) {
  std::string out;
  for (const auto& entry : o.log)
    for (const auto& m : p.all_matches(entry)) out += m + "\n";
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
  Checker(const Case& c, const CheckTarget& target, RunResult& result)
      : case_(c), target_(target), dir_(target.dir), result_(result) {}

  void check() {
    const auto& reqs = result_.requests;
    for (int i = 1; i <= static_cast<int>(reqs.size()); ++i) check_request(i, reqs[i - 1].outcome);
    check_run();
  }

 private:
  bool applies(const Expectation& e, int request) const {
    if (e.request != 0 && e.request != request) return false;
    return e.when.matches(target_.engine, target_.profile, target_.code_cache);
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

  Pattern pattern_for(const Expectation& e, int request) const {
    std::string text = e.values.size() > 1 ? e.values.at(request - 1) : e.values.front();
    return compiled(replace_all(text, "${dir}", Pattern::quote(dir_)), e.line);
  }

  Pattern compiled(const std::string& text, int line) const {
    try {
      return Pattern(text);
    } catch (const PatternError& err) {
      throw CaseError(case_.file, line, err.what());
    }
  }

  // What `decide` answers; a subject PCRE2 gave up on is recorded as a mismatch of
  // its own and answers nothing, never a silent pass or fail of the expectation.
  template <typename Decide>
  auto decided(int request, const Expectation& e, Decide decide) -> std::optional<decltype(decide())> {
    try {
      return decide();
    } catch (const PatternError& err) {
      mismatch(request, what_of(e), "a decided match", err.what());
      return std::nullopt;
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
    scalar(i, Field::cache_key, o.cache_key.str(), "");

    if (const Expectation* e = best({Field::body, Field::body_like}, i)) {
      if (e->field == Field::body) {
        std::string expected = value_for(*e, i);
        if (expected != o.body) mismatch(i, what_of(*e), shown(expected), shown(o.body));
      } else {
        const Pattern p = pattern_for(*e, i);
        if (decided(i, *e, [&] { return p.search(o.body); }) == false)
          mismatch(i, what_of(*e), "/" + e->values.front() + "/", shown(o.body));
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
      grep_out(i, *grep, o, value_for(*grep, i));
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
      case Field::error_log_like: {
        const Pattern p = pattern_for(e, i);
        if (decided(i, e, [&] { return in_any_entry(p, o); }) == false)
          mismatch(i, what_of(e), "matches /" + e.values.front() + "/", "(no log entry matches)");
        break;
      }
      case Field::no_error_log_like: {
        const Pattern p = pattern_for(e, i);
        if (decided(i, e, [&] { return in_any_entry(p, o); }) == true)
          mismatch(i, what_of(e), "no match of /" + e.values.front() + "/", "(a log entry matches)");
        break;
      }
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
      grep_out(0, *chosen, all, replace_all(chosen->values.front(), "${dir}", dir_));
    }
  }

  // grep_error_log_out: the matches of the case's grep_error_log, one per line.
  void grep_out(int request, const Expectation& e, const Outcome& o, const std::string& expected) {
    const Pattern p = compiled(case_.grep_error_log, e.line);
    const auto got = decided(request, e, [&] { return grep_log(p, o); });
    if (got && *got != expected) mismatch(request, what_of(e), expected, *got);
  }

  const Case& case_;
  const CheckTarget& target_;
  std::string dir_;
  RunResult& result_;
};

}  // namespace

void check_expectations(const Case& c, const CheckTarget& target, RunResult& result) {
  Checker(c, target, result).check();
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

std::string format_failure(const Case& c, const CheckTarget& target, const RunResult& r) {
  std::ostringstream out;
  out << "FAIL " << c.file << ":" << c.line << "  \"" << c.name << "\"  [" << target.describe() << "]\n";
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

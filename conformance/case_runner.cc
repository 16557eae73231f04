// Running one case through the core (see case_runner.h).
#include "case_runner.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "case_files.h"
#include "core/plumbing/address_text.h"
#include "core/hardening/execution_budget.h"
#include "core/model/handler.h"
#include "core/model/shared_state.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"

namespace codecache::conformance {
namespace {

namespace fs = std::filesystem;

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
  return "$'" + escape(s, std::string::npos, '\'') + "'";
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
  if (c.conf_line != kDefaultConfLine) cmd += " --conf-line " + std::to_string(c.conf_line);
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

CheckTarget target_of(const RunConfig& cfg, const fs::path& dir) {
  return {std::string(engine::name()), cfg.profile, cfg.code_cache, dir.string()};
}

// What differs between two runs of one case by construction: addresses
// (core/plumbing/address_text.h) and the run's scratch directory, which file handlers are
// loaded and logged by (each run has its own). Everything else is deterministic.
std::string without_run_identity(const std::string& text, const std::string& scratch_dir) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = scratch_dir.empty() ? std::string::npos : text.find(scratch_dir, i);
    out.append(text, i, (at == std::string::npos ? text.size() : at) - i);
    if (at == std::string::npos) break;
    out += "${dir}";
    i = at + scratch_dir.size();
  }
  return without_addresses(out);
}

// The whole outcome of every request (status, limit and its detail, aborted, the
// load failure and its message, body, every log line), except what the code cache setting changes by definition: the
// cache state and its events. The report compares it between the `on` and `off`
// runs of a case whose expectations do not depend on the setting, so a difference
// that no expectation checks (an unchecked body, a log line) still shows.
// Left out, and only here: addresses and the scratch directory (without_run_identity),
// and the body and log of a request the CPU budget cut off, because where the cut
// lands is a matter of timing: in a Lua instruction (the count hook's error) or in
// a library loop (the interrupt's error, with a "[C]: in function 'rep'" frame), after
// more or less output (hostile_loops.case, "string.rep of a string with no
// instructions", gave both on one machine). Its status, abort and limit still count.
std::string fingerprint(const RunResult& r, const std::string& scratch_dir) {
  std::string out;
  for (const auto& request : r.requests) {
    const Outcome& o = request.outcome;
    out += std::to_string(o.status) + "|" + std::string(to_string(o.limit)) + "|" + o.limit_detail + "|" +
           (o.aborted ? "aborted" : "complete") + "|" + std::string(to_string(o.load_failure)) + "|" +
           without_run_identity(o.load_error, scratch_dir);
    if (o.limit != LimitKind::cpu_time) {
      out += "|" + without_run_identity(o.body, scratch_dir);
      for (const auto& line : o.log) out += "|" + without_run_identity(line, scratch_dir);
    }
    out += "\n";
  }
  std::ostringstream h;
  h << std::hex << std::hash<std::string>{}(out);
  return h.str();
}

// Every path under `dir`, relative to it.
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> paths;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    paths.insert(fs::relative(it->path(), dir, ec).string());
  }
  return paths;
}

// The calling thread's CPU time in milliseconds, on the budgets' clock.
std::int64_t thread_cpu_ms() { return thread_cpu_ns() / 1'000'000; }

// How much slower than its own CPU time a thread runs here: the 1-minute load
// average per online core, at least 1.
double busy_machine_factor() {
  double load = 0;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (getloadavg(&load, 1) != 1 || cores < 1) return 1.0;
  return std::max(1.0, load / static_cast<double>(cores));
}

// CPU a request may spend outside its budget: making or closing a VM, copying out.
constexpr std::int64_t kServingCpuMs = 500;

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
        inline_code[i] = resolve_content(h.code);
        handlers.push_back(Handler::inline_code(inline_code[i], c.conf_line + static_cast<int>(i)));
      }
    }
    result.repro = repro_command(c, cfg, dir, inline_code);

    CwdGuard in_scratch(dir);
    Worker worker(settings);
    // P6: a sealed request never changes what the classic build shares between
    // requests (core/model/shared_state.h), whatever the case expects of its replies.
    const bool sealed = settings.profile == Profile::sealed;
    std::optional<SharedStateSnapshot> shared = sealed ? worker.shared_state() : std::nullopt;
    const auto serving = std::chrono::steady_clock::now();
    std::vector<std::int64_t> cpu_ms;  // CPU time of each request, serving included
    for (const auto& label : c.requests) {
      if (const Step* s = c.step(label)) {
        materialize(dir, s->action);
        continue;
      }
      const auto index = static_cast<std::size_t>(c.handler(label) - c.handlers.data());
      Handler& handler = handlers[index];
      const std::set<std::string> files_before = c.hostile() ? files_under(dir) : std::set<std::string>{};
      const std::int64_t cpu_before = thread_cpu_ms();
      result.requests.push_back({label, handler.label(), worker.run(handler)});
      cpu_ms.push_back(thread_cpu_ms() - cpu_before);
      if (c.hostile()) {
        // Hostile code touches no file: the request left the scratch directory as it was.
        for (const std::string& f : files_under(dir)) {
          if (files_before.count(f) == 0) {
            result.mismatches.push_back({static_cast<int>(result.requests.size()), "files created",
                                         "none", f});
            break;
          }
        }
      }
      if (!sealed) continue;
      std::optional<SharedStateSnapshot> now = worker.shared_state();
      if (shared && now) {
        if (std::string change = shared_state_change(*shared, *now); !change.empty())
          result.mismatches.push_back({static_cast<int>(result.requests.size()), "sealed shared state", "unchanged",
                                       std::move(change)});
      }
      shared = std::move(now);
    }
    const auto served_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - serving).count();
    check_expectations(c, target_of(cfg, dir), result);
    if (c.hostile()) {
      // Nor did it run away: each request ends within its CPU budget plus the hard
      // deadline, with room for a machine whose other core is busy too (twice that,
      // plus two seconds for setting up and closing VMs).
      // On a machine busier than that (more runnable threads than cores over the last
      // minute), each thread gets its share of a core, and the cap grows by as much.
      const long long wall_cap_ms = static_cast<long long>(
          busy_machine_factor() * static_cast<double>(result.requests.size()) *
          static_cast<double>(2 * (static_cast<long long>(settings.limits.cpu_ms) + kHardDeadlineMs) + 2000));
      if (served_ms > wall_cap_ms) {
        result.mismatches.push_back({0, "harness wall time", "<= " + std::to_string(wall_cap_ms) + " ms",
                                     std::to_string(served_ms) + " ms"});
      }
      // It started no process: the runner has no child.
      if (waitpid(-1, nullptr, WNOHANG) != -1 || errno != ECHILD) {
        result.mismatches.push_back({0, "processes started", "none", "a child process"});
      }
      // And each request's CPU time honours the budget: a quarter over it at most
      // (the watchdog charges per tick), or the hard deadline's second where that
      // cut it off, plus what serving costs outside the budget (a VM made or closed).
      for (std::size_t i = 0; i < cpu_ms.size(); ++i) {
        const Outcome& o = result.requests[i].outcome;
        const std::int64_t budget = settings.limits.cpu_ms;
        const std::int64_t cap = (o.limit_detail == "hard deadline" ? budget + kHardDeadlineMs
                                                                    : budget + budget / 4) +
                                 kServingCpuMs;
        if (cpu_ms[i] > cap) {
          result.mismatches.push_back({static_cast<int>(i) + 1, "harness CPU time",
                                       "<= " + std::to_string(cap) + " ms",
                                       std::to_string(cpu_ms[i]) + " ms"});
        }
      }
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
  result.fingerprint = fingerprint(result, dir.string());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!dir.empty() && result.passed && !cfg.keep_scratch) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    result.scratch_dir.clear();
  }
  return result;
}

std::string format_failure(const Case& c, const RunConfig& cfg, const RunResult& r) {
  return format_failure(c, target_of(cfg, r.scratch_dir), r);
}

}  // namespace codecache::conformance

// What the two case runners share: `conform_<engine>` (the core, in process) and
// `nginx_referee_<build>` (a real nginx + ngx_lua). Both register their ctest tests
// (`--write-ctest`, run by the build), run one case by id (what ctest runs) or all of
// them, and print the same PASS and FAIL lines. A Runner says only which runs a case
// has, how one is served, and whether ctest gets one test per run or per case.
#pragma once

#include <string>
#include <vector>

#include "case_checker.h"
#include "case_file.h"

namespace codecache::conformance {

// One run of a case: a profile and a code-cache setting.
struct Setting {
  std::string profile;
  bool code_cache = true;
  std::string code_cache_name() const { return code_cache ? "on" : "off"; }
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual std::string program() const = 0;  // "conform_luajit2", "nginx_referee_classic"
  virtual std::string engine() const = 0;
  virtual std::vector<std::string> profiles() const = 0;
  // What a run's ctest name starts with ("conform.luajit2.classic.on"); test_name()
  // appends the case id. And a case's labels (";"-separated).
  virtual std::string test_name_prefix(const Setting& s) const = 0;
  virtual std::string labels(const Case& c) const = 0;
  // The arguments that select this run, after `--case ID`.
  virtual std::vector<std::string> run_arguments(const Setting& s) const = 0;
  // Why the runner does not serve this run ("" when it does). Never counted as passing.
  virtual std::string not_served(const Case&, const Setting&) const { return ""; }
  // "luajit2 openresty code_cache on" (and where).
  virtual std::string where(const Setting& s) const = 0;
  // Serves the run and checks it; `failure` gets the text printed when it failed.
  virtual RunResult run(const Case& c, const Setting& s, bool keep, std::string& failure) = 0;
  // What a case's ctest name starts with ("conform.luajit2") when ctest gets one test
  // per case, running every served setting of the case in one process (run_case); ""
  // for one test per run. The core in process has a prefix: a run costs less than a
  // test's own start. The referee has none: each of its runs starts an nginx anyway.
  virtual std::string case_test_prefix() const { return ""; }
  bool one_test_per_case() const { return !case_test_prefix().empty(); }
};

// "<prefix>.<case id with dots for slashes>".
std::string test_name(const Runner& runner, const Case& c, const Setting& s);

// The runs of `c` this runner serves, in order.
std::vector<Setting> served_settings(const Runner& runner, const Case& c);

// Writes the ctest script registering every served run (with `extra` first: more
// add_test lines). Prints the count. Returns the exit status.
int write_ctest(const Runner& runner, const std::vector<Case>& cases, const std::string& cases_dir,
                const std::string& file, const std::string& extra = "");

// Runs the case `id` under `s` (what ctest runs): PASS or FAIL with the differences.
int run_one(Runner& runner, const std::vector<Case>& cases, const std::string& id, const Setting& s, bool keep);

// Runs the case `id` under every setting the runner serves (what ctest runs with
// one_test_per_case), a PASS or FAIL line for each; then, unless the case's
// expectations depend on the code cache, each profile's cached and uncached runs must
// give the same whole outcomes (RunResult::fingerprint), as the report's "cached
// equals uncached" column asks. Fails when any run or comparison fails.
int run_case(Runner& runner, const std::vector<Case>& cases, const std::string& id, bool keep);

// A CMake bracket argument, safe for any text without "]==]".
std::string cmake_arg(const std::string& s);
// This binary's path (for the ctest script), or `fallback`.
std::string self_path(const std::string& fallback);

}  // namespace codecache::conformance

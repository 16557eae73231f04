// Checking a case's expectations against what its requests produced, and
// printing what differed. The one checker every runner uses: the in-process
// runner (case_runner, the core on one engine) and the real-nginx referee
// (nginx_referee), so both judge the same expectations the same way.
#pragma once

#include <string>
#include <vector>

#include "case_file.h"
#include "core/plumbing/outcome.h"

namespace codecache::conformance {

// Which qualified expectations apply, and what `${dir}` stands for.
struct CheckTarget {
  std::string engine;   // lua51, luajit or luajit2
  std::string profile;  // classic, openresty or sealed
  bool code_cache = true;
  std::string dir;      // the case's scratch directory (absolute)

  // "luajit2 openresty code_cache on"
  std::string describe() const;
};

struct ServedRequest {
  std::string label;
  std::string handler;  // the chunk name or the path
  Outcome outcome;
};

// One expectation that did not hold.
struct Mismatch {
  int request = 0;  // 0: the whole run
  std::string what;      // "status", "error_log", ...
  std::string expected;
  std::string actual;
};

struct RunResult {
  bool passed = false;
  std::string setup_error;  // the case could not be run at all
  std::vector<ServedRequest> requests;
  std::vector<Mismatch> mismatches;
  std::string scratch_dir;  // kept when the case failed
  std::string repro;        // a shell command that reproduces the run
  // status/limit/body per request, to compare code cache on with off.
  std::string fingerprint;
  double seconds = 0;
};

// Appends a Mismatch to `result` for every expectation of `c` that the served
// requests do not meet. Throws CaseError for a bad regex in the case.
void check_expectations(const Case& c, const CheckTarget& target, RunResult& result);

// Expected vs actual side by side, the logs of the failing requests, the repro.
std::string format_failure(const Case& c, const CheckTarget& target, const RunResult& r);

// One line per mismatch, for the report.
std::vector<std::string> summarize_mismatches(const RunResult& r);

}  // namespace codecache::conformance

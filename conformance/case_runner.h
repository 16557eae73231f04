// Runs one conformance case on the engine this binary is built for, under one
// profile and one code-cache setting: writes its files into a scratch
// directory, serves its requests through a codecache::Worker (as `codecache run`
// does), and checks every expectation. The result says what differed, side by
// side, and how to reproduce the run with the CLI.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "case_file.h"
#include "core/outcome.h"

namespace codecache::conformance {

struct RunConfig {
  std::string profile;         // classic, openresty or sealed
  bool code_cache = true;
  std::string cli;             // path of the `codecache` launcher, for the repro command
  bool keep_scratch = false;   // keep the scratch directory even when the case passes
  bool check_harness_rss = false;  // hostile cases: the process's peak RSS stays bounded
};

struct ServedRequest {
  std::string label;
  std::string handler;  // Handler::label(): the chunk name or the path
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

RunResult run_case(const Case& c, const RunConfig& config);

// Expected vs actual side by side, the logs of the failing requests, the repro.
std::string format_failure(const Case& c, const RunConfig& config, const RunResult& r);

// One line per mismatch, for the report.
std::vector<std::string> summarize_mismatches(const RunResult& r);

}  // namespace codecache::conformance

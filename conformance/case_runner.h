// Runs one conformance case on the engine this binary is built for, under one
// profile and one code-cache setting: writes its files into a scratch
// directory, serves its requests through a codecache::Worker (as `codecache run`
// does), and checks every expectation. The result says what differed, side by
// side, and how to reproduce the run with the CLI.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "case_checker.h"
#include "case_file.h"
#include "core/plumbing/outcome.h"

namespace codecache::conformance {

struct RunConfig {
  std::string profile;         // classic, openresty or sealed
  bool code_cache = true;
  std::string cli;             // path of the `codecache` launcher, for the repro command
  bool keep_scratch = false;   // keep the scratch directory even when the case passes
  bool check_harness_rss = false;  // hostile cases: the process's peak RSS stays bounded
};

RunResult run_case(const Case& c, const RunConfig& config);

// Expected vs actual side by side, the logs of the failing requests, the repro.
std::string format_failure(const Case& c, const RunConfig& config, const RunResult& r);

}  // namespace codecache::conformance

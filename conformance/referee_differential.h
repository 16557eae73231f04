// The generated differential against the real module: one batch of handler files
// served by one real nginx + ngx_lua (nginx_referee.h, one worker, many locations)
// and by the model (case_runner.h) under the build's engine and profile, each file
// requested in turn a few times, and every request's outcome compared: status,
// whether the reply was cut short, body, and the error-log lines at `info` and
// above, with each run's directory read as "${dir}" and addresses as "0x?". A
// request nginx answered with no reply at all (it closed the connection) has
// status 0, "no reply". A handler nginx dies on (or does not answer) is excused
// when the model's own budget cut it off, and the rest of the batch goes on.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "case_file.h"
#include "core/plumbing/outcome.h"
#include "nginx_build.h"
#include "referee_disagreement.h"

namespace codecache::conformance {

struct BatchResult {
  std::size_t requests = 0;  // compared
  std::size_t agreed = 0;
  std::size_t excused = 0;   // the model's own budget cut the request off (nginx has none), or:
  std::size_t excused_cut_log_lines = 0;  // the logs differ only where nginx cut an entry at its 2048-byte buffer
  std::vector<Disagreement> disagreements;  // the first per handler
  // What nginx answered to each request served, in order, with its directory read
  // as "${dir}" and addresses as "0x?" in body and log (referee_case_writer.h).
  std::vector<Outcome> nginx_outcomes;
  std::string setup_error;                  // the batch could not be served (to its end)
  // With a setup error: the handler nginx was serving when it failed (it died, or
  // the request got no reply in time), -1 when the failure came before any request.
  int failed_handler = -1;
  bool failed_beyond_budget = false;  // a failed_handler that the model's budget cut off
  // Handlers nginx failed on (it died, or gave no reply in time) that the model's
  // budget cut off: excused, and the rest of the batch served by a new nginx.
  std::vector<std::size_t> excused_failures;
};

// The batch as a conformance case (no expectations): handler i is the file
// `h<i>.lua`, served `rounds` times in a row before the next.
Case batch_case(const std::vector<std::string>& sources, const NginxBuild& build, bool code_cache, int rounds);

BatchResult compare_batch(const std::vector<std::string>& sources, const NginxBuild& build, bool code_cache,
                          int rounds, const std::string& work_root);

}  // namespace codecache::conformance

// A disagreement of the generated differential written as a conformance case
// (the `.case` format of conformance/README.md): the handler as file `h.lua`,
// served as often as in the run, on the build's engine and profile and the run's
// code-cache setting, expecting what the real module answered: each request's
// status, cut reply, body, and the first line of each log entry at `info` and
// above (the parts around the handler's path, which Lua may shorten), and no
// `[error]` when it logged none. The model
// fails it until it is fixed; the referee passes it. Pinned by
// conformance/referee_gen_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/plumbing/outcome.h"
#include "nginx_build.h"

namespace codecache::conformance {

struct GeneratedCase {
  std::string source;                  // the handler file, minimised
  std::string handler_path_in_log;     // how nginx's log named it: "${dir}/h17.lua"
  std::vector<Outcome> nginx_requests; // nginx's outcome of each request, "${dir}" read as above
  std::string build, engine, profile;
  bool code_cache = true;
  std::uint64_t seed = 0;
  std::string dress, disagreement_class;
};

std::string generated_case_text(const GeneratedCase& g);

}  // namespace codecache::conformance

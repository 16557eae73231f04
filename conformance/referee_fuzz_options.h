// The command line of `referee_fuzz_<build>`, parsed without an engine or a build:
// CLI11 is compiled once for both (referee_fuzz_options.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace codecache::conformance {

struct RefereeFuzzOptions {
  std::string root;  // default: the builds conformance/nginx/prepare.sh made for this tree
  // Short: chunk names hold the path, and Lua cuts them at 60 bytes ("...h0.lua").
  // Default: a fresh directory of its own (/tmp/crf-XXXXXX), removed at the end,
  // so that runs side by side (ctest's smoke, a user's run) never share one.
  std::string work;
  std::string out = "referee-fuzz";
  std::size_t handlers = 200;
  std::size_t batch = 50;
  int rounds = 2;
  std::uint64_t seed = 0;
  std::string code_cache = "both";
  double minutes = 0;
  std::size_t show = 3;
  bool write_cases = true;
};

// The options of referee_fuzz_<build>, or nothing when it is to exit with
// `exit_status` (help printed, or bad arguments reported by CLI11).
std::optional<RefereeFuzzOptions> parse_referee_fuzz_options(int argc, char** argv, const std::string& build,
                                                             int& exit_status);

}  // namespace codecache::conformance

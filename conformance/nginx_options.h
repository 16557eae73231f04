// The command line of `nginx_referee_<build>`, parsed without an engine or a build:
// CLI11 is compiled once for both referees (nginx_options.cc).
#pragma once

#include <optional>
#include <string>

namespace codecache::conformance {

struct RefereeOptions {
  std::string cases_dir;  // default: conformance/cases of this source tree
  std::string root;       // default: the builds conformance/nginx/prepare.sh made for this tree
  std::string work;       // default: where this build tree keeps run directories
  std::string case_id;
  std::string code_cache = "on";
  std::string ctest_file;
  bool all = false;
  bool table = false;
  bool keep = false;
  bool check_build = false;
};

// The options of nginx_referee_<build>, or nothing when it is to exit with
// `exit_status` (help printed, or bad arguments reported by CLI11).
std::optional<RefereeOptions> parse_referee_options(int argc, char** argv, const std::string& build,
                                                    int& exit_status);

}  // namespace codecache::conformance

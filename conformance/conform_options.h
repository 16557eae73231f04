// The command line of `conform_<engine>`, parsed without an engine: CLI11 is
// compiled once for the three runners (conform_options.cc).
#pragma once

#include <optional>
#include <string>

namespace codecache::conformance {

struct ConformOptions {
  std::string cases_dir;  // default: conformance/cases of this source tree
  std::string cli;        // default: the codecache launcher of this build
  std::string case_id;
  std::string profile;
  std::string code_cache = "on";
  bool all = false;
  bool json = false;
  bool list = false;
  bool keep = false;
  std::string filter;
  std::string ctest_file;
  std::string export_dir;
  bool export_hostile = false;
};

// The options of `program` (conform_<engine>), or nothing when it is to exit with
// `exit_status` (help printed, or bad arguments reported by CLI11).
std::optional<ConformOptions> parse_conform_options(int argc, char** argv, const std::string& program,
                                                    const std::string& engine, int& exit_status);

}  // namespace codecache::conformance

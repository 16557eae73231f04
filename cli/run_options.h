// The command line of `codecache run` (the binary of one engine), parsed without
// an engine: CLI11 is compiled once for the three engine binaries (run_options.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace codecache::cli {

// One handler of the command line, in the order given: -e CODE or FILE.
struct HandlerArgument {
  bool inline_code = true;  // -e CODE; otherwise FILE
  std::string text;         // the code, or the file's path
};

// What `codecache run` was asked; main.cc fills in the core's defaults first.
struct RunOptions {
  std::string engine;
  std::string profile;
  std::string code_cache = "on";
  int requests = 1;
  std::string log_level = "info";
  std::size_t max_memory_mb = 64;
  std::uint64_t max_instructions = 0;
  std::uint32_t max_cpu_ms = 0;
  std::vector<std::string> module_path;
  int conf_line = 0;
  std::vector<HandlerArgument> handlers;
};

// The options of `codecache run ...` over `defaults`, or nothing when the program
// is to exit with `exit_status` (help printed: 0; bad arguments reported: 2).
std::optional<RunOptions> parse_run_options(int argc, char** argv, RunOptions defaults, int& exit_status);

// Reports bad arguments on stderr, with the pointer to --help; returns 2.
int bad_arguments(const std::string& message);

}  // namespace codecache::cli

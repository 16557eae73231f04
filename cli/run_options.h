// The command line of `codecache run` (the binary of one engine), parsed without
// an engine: CLI11 is compiled once for the three engine binaries (run_options.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/plumbing/settings.h"

namespace codecache::cli {

// One handler of the command line, in the order given: -e CODE or FILE.
struct HandlerArgument {
  bool inline_code = true;  // -e CODE; otherwise FILE
  std::string text;         // the code, or the file's path
};

// What `codecache run` was asked, over the core's defaults (the conf line's is in
// core/model/handler.h, which needs an engine's headers: main.cc sets it).
struct RunOptions {
  std::string engine;
  std::string profile;
  std::string code_cache = "on";
  int requests = 1;
  std::string log_level = "info";
  std::size_t max_memory_mb = Limits{}.memory_bytes >> 20;
  std::uint64_t max_instructions = Limits{}.instructions;
  std::uint32_t max_cpu_ms = Limits{}.cpu_ms;
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

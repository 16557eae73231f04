// The report's input: every run of every case on one engine, read from that
// engine's runner (`conform_<engine> --all --json`, one JSON object per line).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace codecache::conformance {

struct EngineRuns {
  std::string engine;
  std::vector<nlohmann::json> runs;
  std::string error;  // set when the runner could not run or did not finish cleanly
};

// Runs `bin_dir`/conform_<engine> over `cases` (the source tree's when empty), or
// only over the case ids containing `filter` when it is not empty. A
// runner that dies, exits with a status its own runs do not explain, or reports
// no run leaves `error` set: its list is incomplete and must not be reported.
EngineRuns run_engine(const std::filesystem::path& bin_dir, const std::string& engine,
                      const std::string& cases, const std::string& filter);

// The runners of `engines`, one process each, side by side.
std::vector<EngineRuns> run_engines(const std::filesystem::path& bin_dir,
                                    const std::vector<std::string>& engines, const std::string& cases,
                                    const std::string& filter);

}  // namespace codecache::conformance

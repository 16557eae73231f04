// Shared helpers for the unit tests: settings per profile, running inline code,
// and a scratch directory for handler files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/outcome.h"
#include "core/settings.h"
#include "core/worker.h"

namespace codecache::test {

Settings settings_for(Profile profile, bool code_cache = true);

// Serves `code` once on a fresh worker.
Outcome run_inline(Profile profile, std::string_view code);

// Lines of the log that contain `needle`.
int count_log_lines(const Outcome& outcome, std::string_view needle);
bool log_contains(const Outcome& outcome, std::string_view needle);

// A fresh directory under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, std::string_view bytes) const;

 private:
  std::filesystem::path path_;
};

}  // namespace codecache::test

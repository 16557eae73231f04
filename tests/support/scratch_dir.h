// A scratch directory for tests that write handler files: fresh under the system
// temp dir, unique per process and instance, removed with everything in it on
// destruction. Shared by the unit and the property tests.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace codecache::test_support {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // Canonical, as getcwd() reports it after a chdir into it.
  const std::filesystem::path& path() const { return path_; }
  // Writes `bytes` to path()/name (creating parent directories); returns the
  // absolute path.
  std::string write(const std::string& name, std::string_view bytes) const;

 private:
  std::filesystem::path path_;
};

}  // namespace codecache::test_support

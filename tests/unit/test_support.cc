// Shared helpers for the unit tests (see test_support.h).
#include "unit/test_support.h"

#include <unistd.h>

#include <fstream>
#include <random>

namespace codecache::test {

Settings settings_for(Profile profile, bool code_cache) {
  Settings s;
  s.profile = profile;
  s.code_cache = code_cache;
  s.limits.instructions = 5'000'000;
  s.limits.cpu_ms = 1000;
  s.limits.memory_bytes = 32u << 20;
  return s;
}

Outcome run_inline(Profile profile, std::string_view code) {
  Worker worker(settings_for(profile));
  Handler handler = Handler::inline_code(std::string(code));
  return worker.run(handler);
}

int count_log_lines(const Outcome& outcome, std::string_view needle) {
  int n = 0;
  for (const auto& line : outcome.log)
    if (line.find(needle) != std::string::npos) ++n;
  return n;
}

bool log_contains(const Outcome& outcome, std::string_view needle) {
  return count_log_lines(outcome, needle) > 0;
}

ScratchDir::ScratchDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("codecache-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ScratchDir::write(const std::string& name, std::string_view bytes) const {
  auto file = path_ / name;
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return file.string();
}

}  // namespace codecache::test

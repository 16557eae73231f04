// Shared helpers for the unit tests: settings per profile, running inline code,
// and a scratch directory for handler files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/plumbing/outcome.h"
#include "core/plumbing/settings.h"
#include "core/model/worker.h"
#include "support/scratch_dir.h"

namespace codecache {

// Readable values in GoogleTest failure messages (found by ADL).
inline void PrintTo(Profile p, std::ostream* os) { *os << to_string(p); }
inline void PrintTo(LimitKind k, std::ostream* os) { *os << to_string(k); }
inline void PrintTo(CacheState c, std::ostream* os) { *os << to_string(c); }
inline void PrintTo(const CacheEvent& e, std::ostream* os) {
  *os << to_string(e.kind) << " (ref=" << e.ref << ")";
}

}  // namespace codecache

namespace codecache::test {

Settings settings_for(Profile profile, bool code_cache = true);

// Serves `code` once on a fresh worker.
Outcome run_inline(Profile profile, std::string_view code);

// Serves `handler` `times` times in a row on `worker`.
std::vector<Outcome> run_times(Worker& worker, Handler& handler, int times);

// Lines of the log that contain `needle`.
int count_log_lines(const Outcome& outcome, std::string_view needle);
bool log_contains(const Outcome& outcome, std::string_view needle);
// The whole log, one line per entry, for failure messages.
std::string dump_log(const Outcome& outcome);

// Up to `max_size` bytes from `rng`, of a length drawn uniformly: input for the
// fuzz targets' generators.
std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t max_size);

// The whole file at `path`, bytes as they are; a test failure if it cannot be read.
std::string read_file(const std::string& path);

// The engine this test binary was built for (CODECACHE_TEST_ENGINE).
std::string_view test_engine();
bool engine_is_luajit();  // stock LuaJIT or OpenResty's LuaJIT2

// The profile name, for parameterised test names.
std::string profile_name(Profile profile);

using codecache::test_support::ScratchDir;  // support/scratch_dir.h

// Makes `dir` the working directory for one scope, so that handler paths can be
// written relative, as in nginx.conf.
class CwdGuard {
 public:
  explicit CwdGuard(const std::filesystem::path& dir);
  ~CwdGuard();
  CwdGuard(const CwdGuard&) = delete;
  CwdGuard& operator=(const CwdGuard&) = delete;

 private:
  std::filesystem::path previous_;
};

// string.dump of `source` (loaded with chunk name `chunkname`) in a plain VM of
// this engine: the engine's own bytecode format. `strip` asks LuaJIT to strip
// debug info (PUC 5.1's string.dump has no such option and ignores it).
std::string dump_bytecode(std::string_view source, bool strip,
                          std::string_view chunkname = "=code");

}  // namespace codecache::test

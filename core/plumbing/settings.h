// What a run is configured with: the ngx_lua build being modelled (profile),
// `lua_code_cache`, the limits that keep hostile handlers in check, and the log
// level. Plain values; their names (and those of the engines), with their parsing
// and printing, live here and nowhere else: the CLI, the launcher, the fuzzers
// and the tests read these lists.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/plumbing/file_source.h"

namespace codecache {

// The engines a core is built for (engine::id() says which one; the launcher,
// which links none, picks the binary by name).
enum class Engine { lua51, luajit, luajit2 };
constexpr std::array<std::string_view, 3> engine_names() { return {"lua51", "luajit", "luajit2"}; }
constexpr std::string_view to_string(Engine e) { return engine_names()[static_cast<std::size_t>(e)]; }
constexpr std::optional<Engine> parse_engine(std::string_view s) {
  for (std::size_t i = 0; i < engine_names().size(); ++i)
    if (engine_names()[i] == s) return static_cast<Engine>(i);
  return std::nullopt;
}

// classic   : ngx_lua built against stock LuaJIT (closure factory, per-request _G)
// openresty : ngx_lua built against OpenResty's LuaJIT (direct load, one shared _G)
// sealed    : classic plus our hardened isolation (nothing a request does is visible
//             to another request)
enum class Profile { classic, openresty, sealed };
constexpr std::array<std::string_view, 3> profile_names() { return {"classic", "openresty", "sealed"}; }

std::string_view to_string(Profile);
std::optional<Profile> parse_profile(std::string_view);

// The profile ngx_lua itself would use on this engine: OpenResty's LuaJIT (which
// defines OPENRESTY_LUAJIT, engine::defines_openresty_luajit) gets the OpenResty
// build, everything else the classic one.
Profile default_profile();

// nginx's error-log levels, numbered as ngx.STDERR .. ngx.DEBUG.
enum class LogLevel : int { stderr_ = 0, emerg, alert, crit, err, warn, notice, info, debug };
constexpr std::array<std::string_view, 9> log_level_names() { return {
    "stderr", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"}; }

std::string_view to_string(LogLevel);  // "stderr", "emerg", ..., "error", ..., "debug"
std::optional<LogLevel> parse_log_level(std::string_view);

struct Limits {
  std::size_t memory_bytes = 64u << 20;       // live bytes a VM may hold
  // VM instructions per request. Must run out well before cpu_ms on every engine,
  // so that a runaway loop is classified `instructions`: a hooked LuaJIT
  // instruction costs some 25-50 ns (the count hook dispatches each one).
  std::uint64_t instructions = 10'000'000;
  std::uint32_t cpu_ms = 2000;                // process CPU time per request step
};

struct Settings {
  Profile profile = default_profile();
  bool code_cache = true;
  Limits limits;
  // Error-log lines kept; `debug` adds the code cache lines Test::Nginx greps for.
  LogLevel log_level = LogLevel::info;
  // Directories `require` may load Lua modules from (nothing else is reachable).
  std::vector<std::string> module_path;
  // Where file handlers are read from; empty means the file system.
  FileSource files;
};

}  // namespace codecache

// Names of profiles and log levels, and the default profile (ngx_lua's build on
// this engine).
#include "core/plumbing/settings.h"

#include <array>

#include "core/engine/engine.h"

namespace codecache {
namespace {
constexpr std::array<std::string_view, 3> kProfileNames = {"classic", "openresty", "sealed"};
constexpr std::array<std::string_view, 9> kLevelNames = {
    "stderr", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};
}  // namespace

std::string_view to_string(Profile p) { return kProfileNames[static_cast<std::size_t>(p)]; }

std::optional<Profile> parse_profile(std::string_view s) {
  for (std::size_t i = 0; i < kProfileNames.size(); ++i)
    if (kProfileNames[i] == s) return static_cast<Profile>(i);
  return std::nullopt;
}

Profile default_profile() {
  return engine::defines_openresty_luajit() ? Profile::openresty : Profile::classic;
}

std::string_view to_string(LogLevel l) { return kLevelNames[static_cast<std::size_t>(l)]; }

std::optional<LogLevel> parse_log_level(std::string_view s) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == s) return static_cast<LogLevel>(i);
  return std::nullopt;
}

}  // namespace codecache

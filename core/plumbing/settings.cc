// Names of profiles and log levels, and the default profile (ngx_lua's build on
// this engine).
#include "core/plumbing/settings.h"

#include "core/engine/engine.h"

namespace codecache {

std::string_view to_string(Profile p) { return profile_names()[static_cast<std::size_t>(p)]; }

std::optional<Profile> parse_profile(std::string_view s) {
  for (std::size_t i = 0; i < profile_names().size(); ++i)
    if (profile_names()[i] == s) return static_cast<Profile>(i);
  return std::nullopt;
}

Profile default_profile() {
  return engine::defines_openresty_luajit() ? Profile::openresty : Profile::classic;
}

std::string_view to_string(LogLevel l) { return log_level_names()[static_cast<std::size_t>(l)]; }

std::optional<LogLevel> parse_log_level(std::string_view s) {
  for (std::size_t i = 0; i < log_level_names().size(); ++i)
    if (log_level_names()[i] == s) return static_cast<LogLevel>(i);
  return std::nullopt;
}

}  // namespace codecache

// Names for outcome enums (their lists are outcome.h's) and the verbatim text of
// ngx_lua's code cache debug lines.
#include "core/plumbing/outcome.h"

namespace codecache {

std::string_view to_string(CacheState s) { return cache_state_names()[static_cast<std::size_t>(s)]; }

std::string_view to_string(LimitKind k) { return limit_kind_names()[static_cast<std::size_t>(k)]; }

std::optional<LimitKind> parse_limit_kind(std::string_view s) {
  for (std::size_t i = 0; i < limit_kind_names().size(); ++i)
    if (limit_kind_names()[i] == s) return static_cast<LimitKind>(i);
  return std::nullopt;
}

std::string_view to_string(LoadFailure f) {
  switch (f) {
    case LoadFailure::none: return "none";
    case LoadFailure::read: return "read";
    case LoadFailure::compile: return "compile";
    case LoadFailure::factory: return "factory";
  }
  return "?";
}

std::string_view to_string(CacheEvent::Kind k) {
  switch (k) {
    case CacheEvent::Kind::lookup: return "lookup";
    case CacheEvent::Kind::miss: return "miss";
    case CacheEvent::Kind::hit: return "hit";
    case CacheEvent::Kind::setting_ref: return "setting ref";
  }
  return "?";
}

std::string describe(const CacheEvent& e, std::string_view key) {
  return "code cache " + std::string(to_string(e.kind)) + " (key='" + std::string(key) +
         "', ref=" + std::to_string(e.ref) + ")";
}

}  // namespace codecache

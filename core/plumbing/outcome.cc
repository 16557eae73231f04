// Names for outcome enums and the verbatim text of ngx_lua's code cache debug lines.
#include "core/plumbing/outcome.h"

namespace codecache {

std::string_view to_string(CacheState s) {
  switch (s) {
    case CacheState::miss: return "miss";
    case CacheState::hit: return "hit";
    case CacheState::off: return "off";
  }
  return "?";
}

std::string_view to_string(LimitKind k) {
  switch (k) {
    case LimitKind::none: return "none";
    case LimitKind::instructions: return "instructions";
    case LimitKind::cpu_time: return "cpu_time";
    case LimitKind::memory: return "memory";
    case LimitKind::stack: return "stack";
    case LimitKind::sandbox: return "sandbox";
  }
  return "?";
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

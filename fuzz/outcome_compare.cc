// Outcome comparison for the differential fuzz targets (see outcome_compare.h).
#include "outcome_compare.h"

#include <algorithm>

namespace codecache::fuzz {

bool has_unstable_output(std::string_view source) {
  for (const char* unstable : {"random", "clock", "time", "collectgarbage", "gcinfo", "getinfo",
                               "traceback", "tostring", "print", "format", "%p", "date",
                               "getlocal", "getupvalue", "jit", "coroutine.running"}) {
    if (source.find(unstable) != std::string_view::npos) return true;
  }
  return false;
}

std::string inline_code_of(const uint8_t* data, std::size_t size) {
  std::string code(reinterpret_cast<const char*>(data), size);
  std::replace(code.begin(), code.end(), '\0', ' ');
  return code;
}

std::string comparable(const Outcome& o) {
  std::string text = std::to_string(o.status) + (o.aborted ? " aborted" : "") + " limit " +
                     std::string(to_string(o.limit)) + (o.limit_detail.empty() ? "" : " (" + o.limit_detail + ")") +
                     " load " + std::string(to_string(o.load_failure)) +
                     (o.load_error.empty() ? "" : " (" + o.load_error + ")") + "\n" + o.body;
  for (const auto& line : o.log) {
    if (line.starts_with("[debug]")) continue;
    text += "\n";
    text += line;
  }
  return text;
}

bool touches_classic_shared_state(std::string_view source) {
  for (const char* shared : {"string", "table", "math", "os", "coroutine", "package", "require",
                             "module", "metatable", "fenv", "debug", "rawset", "ngx.", "bit",
                             "_G", "load", ":", "[", "io", "jit"}) {
    if (source.find(shared) != std::string_view::npos) return true;
  }
  return false;
}

Settings differential_settings(Profile profile, bool code_cache) {
  Settings s;
  s.profile = profile;
  s.code_cache = code_cache;
  s.limits.instructions = 200'000;
  s.limits.cpu_ms = 500;
  s.limits.memory_bytes = 32u << 20;
  return s;
}

bool factory_failed(const Outcome& o) { return o.load_failure == LoadFailure::factory; }

bool cut_off(const Outcome& o) {
  return o.limit == LimitKind::cpu_time || o.limit == LimitKind::memory;
}

}  // namespace codecache::fuzz

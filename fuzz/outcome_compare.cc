// Outcome comparison for the differential fuzz targets (see outcome_compare.h).
#include "outcome_compare.h"

#include <algorithm>
#include <initializer_list>

namespace codecache::fuzz {

namespace {

bool identifier_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// The first of `names` that `source` holds as a whole word, or "".
std::string_view first_word(std::string_view source, std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    for (std::size_t at = source.find(name); at != std::string_view::npos; at = source.find(name, at + 1)) {
      const std::size_t end = at + name.size();
      if ((at == 0 || !identifier_char(source[at - 1])) &&
          (end == source.size() || !identifier_char(source[end])))
        return name;
    }
  }
  return {};
}

}  // namespace

std::string repeatable_difference_excuse(std::string_view source, bool chunk_differs) {
  if (const auto name = first_word(source, {"random", "randomseed", "collectgarbage", "gcinfo", "jit"});
      !name.empty())
    return "reads state every request on the VM shares (" + std::string(name) + ")";
  if (!chunk_differs) return {};
  if (const auto name = first_word(source, {"getinfo", "traceback", "getlocal", "setlocal", "getupvalue",
                                            "setupvalue", "upvalueid", "dump"});
      !name.empty())
    return "introspects the chunk's shape (" + std::string(name) + ")";
  return {};
}

Excuse excuse_for_difference(const std::string& first, const std::string& second, const ServeAgain& serve_again,
                             std::string_view source, bool chunk_differs) {
  const auto [first_again, second_again] = serve_again();
  if (first_again != first || second_again != second)
    return {"the output varies between identical runs", std::string(source)};
  if (std::string why = repeatable_difference_excuse(source, chunk_differs); !why.empty())
    return {"a repeatable difference the handler explains", why};
  return {};
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
  return without_addresses(text);
}

Settings differential_settings(Profile profile, bool code_cache) {
  Settings s;
  s.profile = profile;
  s.code_cache = code_cache;
  s.limits.instructions = 200'000;
  s.limits.cpu_ms = 100;
  s.limits.memory_bytes = 32u << 20;
  return s;
}

bool factory_failed(const Outcome& o) { return o.load_failure == LoadFailure::factory; }

bool cut_off(const Outcome& o) {
  return o.limit == LimitKind::cpu_time || o.limit == LimitKind::memory;
}

}  // namespace codecache::fuzz

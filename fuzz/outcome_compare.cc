// Outcome comparison for the differential fuzz targets (see outcome_compare.h).
#include "outcome_compare.h"

namespace codecache::fuzz {

bool has_unstable_output(std::string_view source) {
  for (const char* unstable : {"random", "clock", "time", "collectgarbage", "gcinfo", "getinfo",
                               "traceback", "tostring", "print", "format", "%p", "date",
                               "getlocal", "getupvalue", "jit", "coroutine.running"}) {
    if (source.find(unstable) != std::string_view::npos) return true;
  }
  return false;
}

std::string comparable(const Outcome& o) {
  std::string text = std::to_string(o.status) + (o.aborted ? " aborted\n" : "\n") + o.body;
  for (const auto& line : o.log) {
    if (line.starts_with("[debug]")) continue;
    text += "\n";
    text += line;
  }
  return text;
}

}  // namespace codecache::fuzz

// Traceback text for aborted entry threads (see traceback.h).
#include "core/traceback.h"

namespace codecache {

std::string thread_traceback(lua_State* co) {
  constexpr int kHead = 12, kTail = 10;  // frames kept around a "..." gap, as Lua does
  std::string out = "stack traceback:\ncoroutine 0:";
  lua_Debug ar{};
  int depth = 0;
  while (lua_getstack(co, depth, &ar)) ++depth;
  for (int level = 0; level < depth; ++level) {
    if (level == kHead && depth > kHead + kTail) {
      out += "\n\t...";
      level = depth - kTail;
    }
    if (!lua_getstack(co, level, &ar) || !lua_getinfo(co, "Snl", &ar)) continue;
    out += "\n\t";
    out += ar.short_src;
    out += ':';
    if (ar.currentline > 0) out += std::to_string(ar.currentline) + ":";
    if (ar.namewhat != nullptr && *ar.namewhat != '\0') {
      out += std::string(" in function '") + (ar.name ? ar.name : "?") + "'";
    } else if (ar.what != nullptr && *ar.what == 'm') {
      out += " in main chunk";
    } else if (ar.what != nullptr && (*ar.what == 'C' || *ar.what == 't')) {
      out += " ?";
    } else {
      out += std::string(" in function <") + ar.short_src + ":" + std::to_string(ar.linedefined) + ">";
    }
  }
  return out;
}

}  // namespace codecache

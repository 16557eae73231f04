// Traceback text for aborted entry threads (see traceback.h).
#include "core/traceback.h"

namespace codecache {
namespace {

// Number of frames on `co`'s stack. lua_getstack(level) walks `level` frames on
// LuaJIT, so counting one by one is quadratic: seconds after a stack overflow.
// Levels are contiguous, so probe exponentially, then bisect.
int stack_depth(lua_State* co) {
  lua_Debug ar{};
  if (!lua_getstack(co, 0, &ar)) return 0;
  int present = 0, absent = 1;
  while (lua_getstack(co, absent, &ar)) {
    present = absent;
    absent *= 2;
  }
  while (absent - present > 1) {
    const int mid = present + (absent - present) / 2;
    if (lua_getstack(co, mid, &ar)) {
      present = mid;
    } else {
      absent = mid;
    }
  }
  return present + 1;
}

}  // namespace

std::string thread_traceback(lua_State* co) {
  constexpr int kHead = 12, kTail = 10;  // frames kept around a "..." gap, as Lua does
  std::string out = "stack traceback:\ncoroutine 0:";
  lua_Debug ar{};
  const int depth = stack_depth(co);
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

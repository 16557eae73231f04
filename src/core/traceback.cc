// Traceback text for aborted entry threads (see traceback.h).
#include "core/traceback.h"

namespace codecache {
namespace {

constexpr int kMaxFrames = 22;  // ngx_http_lua_util.c NGX_HTTP_LUA_BT_DEPTH

}  // namespace

std::string thread_traceback(lua_State* co) {
  std::string out = "stack traceback:\ncoroutine 0:";
  lua_Debug ar{};
  for (int level = 0; lua_getstack(co, level, &ar); ++level) {
    if (level == kMaxFrames) {  // ngx_lua stops at the first frame past its depth
      out += "\n\t...";
      break;
    }
    if (!lua_getinfo(co, "Snl", &ar)) continue;
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

// Traceback text for aborted entry threads (see traceback.h).
#include "core/model/traceback.h"

#include <string>

namespace codecache {
namespace {

constexpr int kMaxFrames = 22;  // ngx_http_lua_util.c NGX_HTTP_LUA_BT_DEPTH

}  // namespace

void append_thread_traceback(lua_State* co, CappedText& out) {
  out.append("stack traceback:\ncoroutine 0:");
  lua_Debug ar{};
  for (int level = 0; lua_getstack(co, level, &ar) && !out.full(); ++level) {
    if (level == kMaxFrames) {  // ngx_lua stops at the first frame past its depth
      out.append("\n\t...");
      break;
    }
    if (!lua_getinfo(co, "Snl", &ar)) continue;
    out.append("\n\t");
    out.append(ar.short_src);
    out.append(":");
    if (ar.currentline > 0) {
      out.append(std::to_string(ar.currentline));
      out.append(":");
    }
    if (ar.namewhat != nullptr && *ar.namewhat != '\0') {
      out.append(" in function '");
      out.append(ar.name != nullptr ? ar.name : "?");
      out.append("'");
    } else if (ar.what != nullptr && *ar.what == 'm') {
      out.append(" in main chunk");
    } else if (ar.what != nullptr && (*ar.what == 'C' || *ar.what == 't')) {
      out.append(" ?");
    } else {
      out.append(" in function <");
      out.append(ar.short_src);
      out.append(":");
      out.append(std::to_string(ar.linedefined));
      out.append(">");
    }
  }
}

}  // namespace codecache

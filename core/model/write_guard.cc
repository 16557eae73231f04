// The _G write guard chunk (see write_guard.h). Line numbers matter: the ngx.log
// call must stay on line 12.
#include "core/model/write_guard.h"

#include <stdexcept>
#include <string>

#include "core/plumbing/compiled_chunk.h"

namespace codecache {
namespace {

constexpr const char kGuard[] =
    "local rawset, tostring, setmetatable = rawset, tostring, setmetatable\n"    //  1
    "local log, WARN, get_phase = ngx.log, ngx.WARN, ngx.get_phase\n"           //  2
    "local traceback = debug.traceback\n"                                       //  3
    "local quiet_phases = { init = true, init_worker = true }\n"                //  4
    "\n"                                                                        //  5
    "local function warn_on_new_global(globals, key, value)\n"                  //  6
    "    rawset(globals, key, value)\n"                                         //  7
    "    if quiet_phases[get_phase()] then\n"                                   //  8
    "        return\n"                                                          //  9
    "    end\n"                                                                 // 10
    "    -- same text as ngx_lua; the traceback starts at the writer\n"         // 11
    "    log(WARN, \"writing a global Lua variable ('\", tostring(key), \"') which may lead to "
    "race conditions between concurrent requests, so prefer the use of 'local' variables\", "
    "traceback('', 2))\n"                                                       // 12
    "end\n"                                                                     // 13
    "\n"                                                                        // 14
    "setmetatable(_G, { __newindex = warn_on_new_global })\n";                  // 15

CompiledChunk g_guard(std::string_view(kGuard, sizeof kGuard - 1), "=_G write guard");

}  // namespace

void install_write_guard(lua_State* L) {
  if (g_guard.load(L) != 0 ||
      lua_pcall(L, 0, 0, 0) != 0) {
    std::string err = lua_tostring(L, -1) ? lua_tostring(L, -1) : "unknown error";
    lua_pop(L, 1);
    throw std::runtime_error("failed to install the _G write guard: " + err);
  }
}

}  // namespace codecache

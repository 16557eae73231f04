// The fuzz targets' plain VM (see plain_vm.h).
#include "plain_vm.h"

#include <cstdlib>

namespace codecache::fuzz {
namespace {

// Opened on first use, with LuaJIT's compiler off, and closed when the process exits.
//
// The compiler is off because this VM has no budget: nothing may hang in it. With it
// on, the template comparison (table_template.cc), run over bytecode_roundtrip's
// regression inputs one after another, ended in a compiled trace that never left its
// loop on stock LuaJIT (the two `table-template-*-luajit` inputs after about 75
// others; either alone took milliseconds). Interpreted, the comparison is the same.
//
// Closed, not left to the exit: LuaJIT holds its JIT IR buffer through a pointer
// biased below the block (lj_ir.c, lj_ir_growbot: irbuf = newbase - irbotlim), so
// LeakSanitizer's check at exit took the buffer of a VM still open then for a leak
// (a campaign reported it as a crash of bytecode_roundtrip with the empty input).
struct PlainVm {
  lua_State* const L = luaL_newstate();
  PlainVm() {
    luaL_openlibs(L);
    if (luaL_dostring(L, "if jit then jit.off() jit.flush() end") != 0) std::abort();
  }
  ~PlainVm() { lua_close(L); }
};

}  // namespace

lua_State* plain_vm() {
  static PlainVm vm;
  return vm.L;
}

std::string dump_in_plain_vm(std::string_view source, std::string_view chunkname, bool strip) {
  lua_State* L = plain_vm();
  const std::string name(chunkname);
  std::string bytes;
  lua_settop(L, 0);
  lua_getfield(L, LUA_GLOBALSINDEX, "string");
  lua_getfield(L, -1, "dump");
  if (luaL_loadbuffer(L, source.data(), source.size(), name.c_str()) == 0) {
    lua_pushboolean(L, strip ? 1 : 0);
    if (lua_pcall(L, 2, 1, 0) == 0) {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      bytes.assign(s, len);
    }
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return bytes;
}

}  // namespace codecache::fuzz

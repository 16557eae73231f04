// The fuzz targets' plain VM (see plain_vm.h).
#include "plain_vm.h"

namespace codecache::fuzz {

lua_State* plain_vm() {
  static lua_State* const L = [] {
    lua_State* s = luaL_newstate();
    luaL_openlibs(s);
    return s;
  }();
  return L;
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

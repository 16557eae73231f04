// The harness's own chunks, parsed once per process (see compiled_chunk.h).
#include "core/plumbing/compiled_chunk.h"

namespace codecache {
namespace {

int append_to_string(lua_State*, const void* bytes, size_t size, void* out) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(bytes), size);
  return 0;
}

}  // namespace

int CompiledChunk::load(lua_State* L) {
  std::call_once(compiled_, [&] {
    if (luaL_loadbuffer(L, text_.data(), text_.size(), chunkname_) != 0) {
      lua_pop(L, 1);  // loaded from the text below, which pushes the error again
      return;
    }
    std::string bytecode;
    if (lua_dump(L, append_to_string, &bytecode) == 0) bytecode_ = std::move(bytecode);
    lua_pop(L, 1);
  });
  if (bytecode_.empty()) return luaL_loadbuffer(L, text_.data(), text_.size(), chunkname_);
  return luaL_loadbuffer(L, bytecode_.data(), bytecode_.size(), chunkname_);
}

}  // namespace codecache

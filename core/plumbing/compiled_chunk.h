// A chunk of the harness's own Lua (the sealed env builder, the _G write guard)
// parsed once per process: the first VM that loads it compiles its text and keeps
// the bytecode (lua_dump, debug info and chunk name included), every later VM
// loads that bytecode, which costs a fraction of parsing the text again. Only for
// text compiled into the harness: handler code never reaches this path, and the
// loaders handler code can call refuse bytecode (sandbox.cc, engine::load_text_only).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "core/engine/lua_headers.h"

namespace codecache {

class CompiledChunk {
 public:
  CompiledChunk(std::string_view text, const char* chunkname) : text_(text), chunkname_(chunkname) {}
  CompiledChunk(const CompiledChunk&) = delete;
  CompiledChunk& operator=(const CompiledChunk&) = delete;

  // Pushes the chunk's function onto L's stack, or its error message; the status
  // is luaL_loadbuffer's.
  int load(lua_State* L);

 private:
  std::string_view text_;
  const char* chunkname_;
  std::once_flag compiled_;
  std::string bytecode_;  // empty until compiled, or when the text does not compile
};

}  // namespace codecache

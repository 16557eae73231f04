// Classic ngx_lua does not run a precompiled file's main function directly: it
// rewrites the bytecode into a closure factory, a synthetic outer function whose
// only child is the file's main proto and which returns a closure of it
// (ngx_http_lua_clfactory.c, ngx_http_lua_clfactory_bytecode_prepare).
// These functions do that rewrite on the bytes of a file, starting at its ESC byte.
#pragma once

#include <string>
#include <string_view>

namespace codecache {

struct BytecodeFactory {
  bool ok = false;
  std::string bytes;  // the rewritten chunk, when ok
  std::string error;  // ngx_lua's message, e.g. "bad byte-code header", when not
};

// LuaJIT bytecode ("\x1bLJ" + version 1 or 2 + flags ...).
BytecodeFactory wrap_luajit_bytecode(std::string_view file_bytes);
// PUC Lua 5.1 bytecode ("\x1bLua" 0x51 ...), checked against this host's header.
BytecodeFactory wrap_puc_bytecode(std::string_view file_bytes);

}  // namespace codecache

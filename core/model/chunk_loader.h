// Turns handler source into a Lua function, the two ways ngx_lua does
// (ngx_http_lua_clfactory.c, ngx_http_lua_clfactory_loadbuffer and
// ngx_http_lua_clfactory_loadfile):
//   factory: the classic build streams "return function() " .. src .. "\nend", so
//            the loaded chunk is a closure factory;
//   direct : the OpenResty build loads the source as it is.
// Files are read like ngx_lua reads them: a '#' first line skipped with its line
// kept, 4096-byte blocks, bytecode (first byte ESC) rewritten into a factory or
// passed through. Errors carry ngx_lua's text and map to its HTTP statuses.
#pragma once

#include <string>
#include <string_view>

#include "core/plumbing/file_source.h"
#include "core/engine/lua_headers.h"

namespace codecache {

enum class LoaderKind { factory, direct };

struct LoadResult {
  int lua_status = 0;    // 0, LUA_ERRSYNTAX, LUA_ERRMEM or LUA_ERRFILE
  int file_errno = 0;    // errno behind a LUA_ERRFILE, when there was one
  std::string message;   // the error text ngx_lua logs after "failed to load ...: "

  bool ok() const { return lua_status == 0; }
  // 404 for a missing file, 503 for other file errors, 500 otherwise
  // (ngx_http_lua_cache.c, ngx_http_lua_cache_loadfile; ngx_http_lua_contentby.c,
  // ngx_http_lua_content_handler_inline).
  int http_status() const;
};

// On success the function is pushed; on failure nothing is pushed.
LoadResult load_inline(lua_State* L, LoaderKind kind, std::string_view source,
                       const char* chunkname);
// `stale_errno` is the errno ngx_lua finds when a file error set none (a refused
// or malformed bytecode header): it decides 404 (ENOENT) or 503 and ends the
// "cannot read header: <strerror>" text. `files` opens the path (default: the file
// system; fuzzers pass in_memory files).
LoadResult load_file(lua_State* L, LoaderKind kind, const std::string& path, int stale_errno = 0,
                     const FileSource& files = file_system());

}  // namespace codecache

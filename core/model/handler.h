// One content handler as configured in nginx: a `content_by_lua_block` /
// `content_by_lua` directive with inline code, or a `content_by_lua_file`. It
// carries the directive's cache key and its integer cache ref (the `ref` of
// ngx_http_lua_cache.c, ngx_http_lua_cache_load_code), which is
// why it is passed by reference to every request that runs it.
#pragma once

#include <cstdint>
#include <string>

#include "core/model/cache_key.h"
#include "core/model/code_cache.h"

namespace codecache {

// The nginx.conf line of a handler's directive when nothing says otherwise: the
// chunk name of inline code names it, so every runner and the CLI must agree.
constexpr int kDefaultConfLine = 40;

struct Handler {
  enum class Kind { inline_code, file };

  // Inline code, with the chunk name ngx_lua would give a directive on `conf_line`
  // of nginx.conf: "=content_by_lua(nginx.conf:<line>)".
  static Handler inline_code(std::string source, int conf_line = kDefaultConfLine);
  // A file, by the path as written in the configuration.
  static Handler file(std::string path);

  Kind kind = Kind::inline_code;
  std::string source;     // inline: the exact code; file: the path as written
  std::string chunkname;  // inline only
  CacheKey cache_key;     // content_by_lua_nhli_<md5> or nhlf_<md5>
  int cache_ref = kRefNil;
  std::uint64_t cache_vm = 0;  // VmContext::id the ref belongs to

  // How outcomes name it: "content_by_lua(nginx.conf:40)" or the path.
  std::string label() const;
};

}  // namespace codecache

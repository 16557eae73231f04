// Handler construction and naming (see handler.h).
#include "core/model/handler.h"

#include "core/model/cache_key.h"

namespace codecache {

Handler Handler::inline_code(std::string source, int conf_line) {
  Handler h;
  h.kind = Kind::inline_code;
  h.chunkname = "=content_by_lua(nginx.conf:" + std::to_string(conf_line) + ")";
  h.cache_key = inline_cache_key("content_by_lua", source);
  h.source = std::move(source);
  return h;
}

Handler Handler::file(std::string path) {
  Handler h;
  h.kind = Kind::file;
  h.cache_key = file_cache_key(path);
  h.source = std::move(path);
  return h;
}

std::string Handler::label() const {
  return kind == Kind::file ? source : chunkname.substr(1);
}

}  // namespace codecache

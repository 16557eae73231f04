// ngx_lua's code cache keys (§3.1): "<tag>_nhli_<md5 hex of the exact source>" for
// inline code, "nhlf_<md5 hex of the path as written>" for files.
#pragma once

#include <string>
#include <string_view>

namespace codecache {

std::string md5_hex(std::string_view bytes);
std::string inline_cache_key(std::string_view tag, std::string_view source);
std::string file_cache_key(std::string_view path_as_written);

}  // namespace codecache

// ngx_lua's code cache keys (ngx_http_lua_cache.c, ngx_http_lua_gen_chunk_cache_key
// and ngx_http_lua_gen_file_cache_key): "<tag>_nhli_<md5 hex of the exact source>" for
// inline code, "nhlf_<md5 hex of the path as written>" for files.
//
// A key is a directive tag and a digest, so it is short and bounded: CacheKey
// holds it inline, and each request's Outcome carries a copy of its handler's key
// without allocating: no allocation per request that the work does not need.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace codecache {

class CacheKey {
 public:
  // The longest ngx_lua tag, "ssl_session_fetch_by_lua", with "_nhli_" and 32 hex
  // digits is 62 bytes.
  static constexpr std::size_t kMaxSize = 63;

  CacheKey() = default;
  // Throws std::length_error when `text` is longer than kMaxSize.
  explicit CacheKey(std::string_view text);

  std::string_view view() const { return {chars_.data(), size_}; }
  const char* c_str() const { return chars_.data(); }  // NUL-terminated
  std::string str() const { return std::string(view()); }
  bool empty() const { return size_ == 0; }

  friend bool operator==(const CacheKey& a, const CacheKey& b) { return a.view() == b.view(); }
  friend bool operator==(const CacheKey& a, std::string_view b) { return a.view() == b; }

 private:
  std::array<char, kMaxSize + 1> chars_{};
  std::uint8_t size_ = 0;
};

std::ostream& operator<<(std::ostream& out, const CacheKey& key);

std::string md5_hex(std::string_view bytes);
CacheKey inline_cache_key(std::string_view tag, std::string_view source);
CacheKey file_cache_key(std::string_view path_as_written);

}  // namespace codecache

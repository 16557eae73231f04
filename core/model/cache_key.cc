// Cache keys with OpenSSL's MD5 (see cache_key.h).
#include "core/model/cache_key.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <stdexcept>

namespace codecache {

CacheKey::CacheKey(std::string_view text) {
  if (text.size() > kMaxSize) {
    throw std::length_error("cache key longer than " + std::to_string(kMaxSize) + " bytes: " +
                            std::string(text.substr(0, 80)));
  }
  std::copy(text.begin(), text.end(), chars_.begin());
  size_ = static_cast<std::uint8_t>(text.size());
}

std::ostream& operator<<(std::ostream& out, const CacheKey& key) { return out << key.view(); }

std::string md5_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("OpenSSL MD5 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

CacheKey inline_cache_key(std::string_view tag, std::string_view source) {
  return CacheKey(std::string(tag) + "_nhli_" + md5_hex(source));
}

CacheKey file_cache_key(std::string_view path_as_written) {
  return CacheKey("nhlf_" + md5_hex(path_as_written));
}

}  // namespace codecache

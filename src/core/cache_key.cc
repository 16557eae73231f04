// Cache keys with OpenSSL's MD5 (see cache_key.h).
#include "core/cache_key.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace codecache {

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

std::string inline_cache_key(std::string_view tag, std::string_view source) {
  return std::string(tag) + "_nhli_" + md5_hex(source);
}

std::string file_cache_key(std::string_view path_as_written) {
  return "nhlf_" + md5_hex(path_as_written);
}

}  // namespace codecache

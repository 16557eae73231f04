// Addresses in text, read as one (see address_text.h).
#include "core/plumbing/address_text.h"

namespace codecache {

namespace {

bool hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool identifier_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

std::string without_addresses(std::string_view text) {
  constexpr std::size_t kMinDigits = 8;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 2) == "0x" && (i == 0 || !identifier_char(text[i - 1]))) {
      std::size_t end = i + 2;
      while (end < text.size() && hex_digit(text[end])) ++end;
      if (end - i - 2 >= kMinDigits) {
        out += "0x?";
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace codecache

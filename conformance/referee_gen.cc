// The handler files of the generated differential (see referee_gen.h).
#include "referee_gen.h"

#include <random>
#include <vector>

#include "handler_grammar.h"
#include "trailing_comment_gen.h"

namespace codecache::conformance {
namespace {

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t lo, std::size_t hi) {
  std::vector<std::uint8_t> bytes(std::uniform_int_distribution<std::size_t>(lo, hi)(rng));
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return bytes;
}

// True with probability 1/n.
bool one_in(std::mt19937_64& rng, unsigned n) { return rng() % n == 0; }

void add(std::string& dress, const char* what) { dress += (dress.empty() ? "" : "+") + std::string(what); }

}  // namespace

GeneratedHandler generate_referee_handler(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::uint8_t> grammar = random_bytes(rng, 8, 400);
  GeneratedHandler out;
  out.source = fuzz::generated_handler(grammar.data(), grammar.size());
  std::string dress;
  if (one_in(rng, 12)) {
    out.source += "\nreturn ";
    add(dress, "top-level return");
  }
  if (one_in(rng, 16)) {
    out.source += "\nend, ngx.say(\"escaped\"), function()";
    add(dress, "factory escape");
  }
  if (one_in(rng, 16)) {
    const std::size_t at = out.source.find('\n', std::uniform_int_distribution<std::size_t>(0, out.source.size())(rng));
    out.source.insert(at == std::string::npos ? out.source.size() : at, " ) ");
    add(dress, "syntax error");
  }
  if (one_in(rng, 4)) {
    const std::vector<std::uint8_t> comment = random_bytes(rng, 4, 40);
    out.source += fuzz::decode_trailing_comment_input(comment.data(), comment.size()).comment;
    add(dress, "trailing comment");
  }
  if (one_in(rng, 10)) {
    out.source = "#!/usr/bin/env luajit\n" + out.source;
    add(dress, "shebang");
  }
  if (one_in(rng, 16)) {
    out.source = "\xEF\xBB\xBF" + out.source;
    add(dress, "bom");
  }
  out.dress = dress.empty() ? "plain" : dress;
  return out;
}

}  // namespace codecache::conformance

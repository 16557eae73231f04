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
  // Drawn last, so that the dresses above stay what they were for every seed.
  if (one_in(rng, 8)) {
    // Function environments: the request's globals table reached and replaced
    // through setfenv/getfenv, levels 0, 1 and 2 and a C function's environment
    // (in classic the main globals, shared by every request).
    static const char* const kEnvironment[] = {
        "setfenv(1, setmetatable({}, {__index = _G}))\n",
        "getfenv(1).G1 = \"fenv\"\n",
        "ngx.say(getfenv(0) == _G, \" \", getfenv(1) == _G, \" \", rawget(_G, \"G2\"))\n",
        "setfenv(1, getfenv(0))\n",
        "getfenv(print).G3 = \"shared\"\n",
        "ngx.say(pcall(getfenv, 2))\n",
        "setfenv(0, setmetatable({G2 = \"thread\"}, {__index = _G}))\n",
        "ngx.say(G1, \" \", G2, \" \", G3, \" \", getfenv(print) == _G)\n",
    };
    const std::string line = kEnvironment[rng() % (sizeof kEnvironment / sizeof *kEnvironment)];
    std::size_t at = out.source.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
    if (out.source.compare(at, 2, "#!") == 0) at = out.source.find('\n', at) + 1;
    out.source.insert(at, line);
    add(dress, "environment");
  }
  out.dress = dress.empty() ? "plain" : dress;
  return out;
}

}  // namespace codecache::conformance

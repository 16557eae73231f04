// The generated differential's pure pieces: the handler generator (referee_gen.h)
// is deterministic per seed and reaches every dress it names, and a disagreement's
// class (referee_disagreement.h) reads numbers and quoted text as one, so that
// disagreements of one kind count once.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "referee_disagreement.h"
#include "referee_gen.h"

namespace codecache::conformance {
namespace {

TEST(RefereeGen, TheSameSeedGivesTheSameHandler) {
  for (std::uint64_t seed : {1ULL, 2ULL, 977ULL, 1ULL << 40}) {
    EXPECT_EQ(generate_referee_handler(seed).source, generate_referee_handler(seed).source);
    EXPECT_EQ(generate_referee_handler(seed).dress, generate_referee_handler(seed).dress);
  }
  EXPECT_NE(generate_referee_handler(1).source, generate_referee_handler(2).source);
}

TEST(RefereeGen, ReachesEveryDress) {
  std::map<std::string, int> seen;
  int plain = 0;
  for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
    const GeneratedHandler h = generate_referee_handler(seed);
    if (h.dress == "plain") ++plain;
    std::size_t from = 0;
    for (std::size_t plus = h.dress.find('+'); from <= h.dress.size(); plus = h.dress.find('+', from)) {
      ++seen[h.dress.substr(from, plus == std::string::npos ? std::string::npos : plus - from)];
      if (plus == std::string::npos) break;
      from = plus + 1;
    }
  }
  for (const char* dress : {"plain", "top-level return", "factory escape", "syntax error", "trailing comment",
                            "shebang", "bom"})
    EXPECT_GT(seen[dress], 40) << dress;
  EXPECT_GT(plain, 700);  // most handlers are the grammar's alone
}

TEST(RefereeGen, DressesAreWhatTheyClaim) {
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const GeneratedHandler h = generate_referee_handler(seed);
    const bool bom = h.source.rfind("\xEF\xBB\xBF", 0) == 0;
    EXPECT_EQ(bom, h.dress.find("bom") != std::string::npos) << seed;
    EXPECT_EQ(h.source.find("#!/usr/bin/env luajit\n") == (bom ? 3 : 0),
              h.dress.find("shebang") != std::string::npos)
        << seed;
    EXPECT_EQ(h.source.find("end, ngx.say(\"escaped\"), function()") != std::string::npos,
              h.dress.find("factory escape") != std::string::npos)
        << seed;
  }
}

Disagreement log_difference(const std::string& model, const std::string& nginx) {
  return {0, 1, "log", model, nginx, "", ""};
}

TEST(DisagreementClass, NamesAStatusAsItIs) {
  EXPECT_EQ(disagreement_class({0, 3, "status", "200", "500", "", ""}), "status: 200 in the model, 500 in nginx");
  EXPECT_EQ(disagreement_class({0, 3, "aborted", "cut short", "complete", "", ""}),
            "aborted: cut short in the model, complete in nginx");
}

TEST(DisagreementClass, ReadsNumbersAndQuotedTextAsOne) {
  const std::string a = disagreement_class(
      log_difference("[error] same\n[error] ${dir}/h3.lua:12: bad argument #1 to 'sub'\n",
                     "[error] same\n[error] ${dir}/h3.lua:12: bad argument #1 to 'sub' (x)\n"));
  EXPECT_EQ(a, "log: [error] ${dir}/hN.lua:N: bad argument #N to '...'");
  const std::string b = disagreement_class(
      log_difference("[error] ${dir}/h40.lua:2: bad argument #2 to \"rep\"\n", "[warn] other\n"));
  EXPECT_EQ(b, "log: [error] ${dir}/hN.lua:N: bad argument #N to \"...\"");
  // The first line that differs, from the side that has it.
  EXPECT_EQ(disagreement_class(log_difference("a\n", "a\nb 1\n")), "log: b N");
}

}  // namespace
}  // namespace codecache::conformance

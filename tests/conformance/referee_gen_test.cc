// The generated differential's pure pieces: the handler generator (referee_gen.h)
// is deterministic per seed and reaches every dress it names, and a disagreement's
// class (referee_disagreement.h) reads numbers and quoted text as one, so that
// disagreements of one kind count once, and the case a disagreement is written as
// (referee_case_writer.h) reads back as the real module's outcome.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "case_file.h"
#include "referee_case_writer.h"
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
                            "shebang", "bom", "environment"})
    EXPECT_GT(seen[dress], 40) << dress;
  EXPECT_GT(plain, 600);  // most handlers are the grammar's alone
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

// The case a disagreement is written as reads back as what nginx answered.
TEST(GeneratedCase, ReadsBackAsTheRealModulesOutcome) {
  Outcome first;
  first.status = 200;
  first.aborted = true;
  first.body = "a\n\"quoted\"\x01";
  first.log = {"[error] lua entry thread aborted: runtime error: ${dir}/h0.lua:2: boom\nstack traceback:\n..."};
  Outcome second;
  second.status = 0;
  second.body = "table: 0x?";
  const GeneratedCase g{"ngx.say(\"a\")\r\n--- x\nerror(\"boom\")\n", "${dir}/h0.lua", {first, second},
                        "classic", "luajit", "classic", false, 42, "plain", "aborted: complete in the model"};
  const std::string path = ::testing::TempDir() + "generated.case";
  std::ofstream(path, std::ios::binary) << generated_case_text(g);
  const std::vector<Case> cases = parse_case_file(path);
  ASSERT_EQ(cases.size(), 1u);
  const Case& c = cases[0];
  EXPECT_EQ(c.engines, std::vector<std::string>{"luajit"});
  EXPECT_EQ(c.profiles, std::vector<std::string>{"classic"});
  EXPECT_EQ(c.code_cache, std::vector<bool>{false});
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].content.text, g.source);  // byte for byte, CR and a "--- " line included
  EXPECT_EQ(c.requests, (std::vector<std::string>{"h.lua", "h.lua"}));
  std::map<std::string, std::vector<std::string>> seen;
  for (const Expectation& e : c.expectations)
    seen[std::string(field_name(e.field)) + "[" + std::to_string(e.request) + "]"].push_back(e.value());
  EXPECT_EQ(seen["status[0]"], (std::vector<std::string>{"200"}));
  EXPECT_EQ(seen["aborted[1]"], (std::vector<std::string>{"true"}));
  EXPECT_EQ(seen["body[1]"], (std::vector<std::string>{first.body}));
  // The handler's path is left out: Lua may shorten it.
  EXPECT_EQ(seen["error_log[1]"],
            (std::vector<std::string>{"[error] lua entry thread aborted: runtime error: ", ":2: boom"}));
  // An address read as "0x?" is no text to expect; no [error] is.
  EXPECT_EQ(seen.count("body[2]"), 0u);
  EXPECT_EQ(seen["no_error_log[2]"], (std::vector<std::string>{"[error]"}));
}

}  // namespace
}  // namespace codecache::conformance

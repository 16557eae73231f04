// Fuzz target `differential`: one generated handler served by PUC Lua 5.1, stock
// LuaJIT and OpenResty's LuaJIT2 in one process (each engine build of the core is
// one symbol-localized object, see localize_engine.sh), all under the `classic`
// profile on a fresh worker.
//
// Property: the three outcomes (status, abort, body, error log) are the same once
// the documented engine differences are normalised away
// (engine_difference_normaliser.h lists them: the traceback's shape, the sign of
// NaN and of zero, argument-error details). The input bytes drive a narrow
// generator of programs (differential_gen.h) because raw bytes would be dominated
// by syntax errors. Runs that hit a limit on any
// engine are excused, and counted in the "#check-rate" line printed at exit:
// instruction counts and heap sizes differ. The same line counts, rule by rule,
// the checked inputs that agreed only through a normaliser rule.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check_tally.h"
#include "core/plumbing/settings.h"
#include "differential_entry.h"
#include "differential_gen.h"
#include "engine_difference_normaliser.h"

namespace {

using codecache::fuzz::NormaliserRule;

std::string normalise(const CodecacheDifferentialOutcome& o,
                      unsigned rules = codecache::fuzz::kAllNormaliserRules) {
  return codecache::fuzz::normalise_engine_differences(
      o.status, o.aborted != 0, std::string_view(o.body, o.body_size),
      std::string_view(o.log, o.log_size), rules);
}

struct Result {
  const char* name;
  CodecacheDifferentialOutcome outcome;
  int rc;
};

template <std::size_t N>
bool agree(const Result (&results)[N], unsigned rules) {
  const std::string reference = normalise(results[0].outcome, rules);
  for (std::size_t i = 1; i < N; ++i)
    if (normalise(results[i].outcome, rules) != reference) return false;
  return true;
}

// For outcomes that agree with every rule: each rule without which they would not.
// Counted per rule, so the check-rate line shows how much each rule excuses.
template <std::size_t N>
void count_rules_needed(const Result (&results)[N], codecache::fuzz::CheckTally& tally) {
  if (agree(results, 0)) return;
  for (unsigned r = 0; r < static_cast<unsigned>(NormaliserRule::count); ++r) {
    const auto rule = static_cast<NormaliserRule>(r);
    if (!agree(results, codecache::fuzz::kAllNormaliserRules & ~codecache::fuzz::rule_bit(rule)))
      tally.agreed_through(codecache::fuzz::rule_name(rule));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string code = codecache::fuzz::differential_program(data, size);

  using codecache::Engine;
  Result results[] = {{to_string(Engine::lua51).data(), {}, 0},
                      {to_string(Engine::luajit).data(), {}, 0},
                      {to_string(Engine::luajit2).data(), {}, 0}};
  results[0].rc = codecache_differential_lua51(code.data(), code.size(), 0, &results[0].outcome);
  results[1].rc = codecache_differential_luajit(code.data(), code.size(), 0, &results[1].outcome);
  results[2].rc = codecache_differential_luajit2(code.data(), code.size(), 0, &results[2].outcome);
  bool comparable = true;
  for (const auto& r : results) {
    if (r.rc != 0) {
      std::fprintf(stderr, "differential: the harness failed on %s\n", r.name);
      std::abort();
    }
    if (r.outcome.limit != 0) comparable = false;
  }
  static codecache::fuzz::CheckTally tally("differential");
  if (!comparable) tally.excused("cut off by a limit on some engine");
  if (comparable) {
    if (!agree(results, codecache::fuzz::kAllNormaliserRules)) {
      std::fprintf(stderr, "differential: engines disagree\n--- handler ---\n%s\n", code.c_str());
      for (const auto& x : results) {
        std::string text = normalise(x.outcome);
        for (std::size_t at = text.find('\0'); at != std::string::npos; at = text.find('\0', at))
          text.replace(at, 1, "\\0");
        std::fprintf(stderr, "--- %s ---\n%s\n", x.name, text.c_str());
      }
      std::abort();
    }
    tally.checked();
    count_rules_needed(results, tally);
  }
  for (auto& r : results) {
    std::free(r.outcome.body);
    std::free(r.outcome.log);
  }
  return 0;
}

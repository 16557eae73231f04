// Fuzz target `isolation`: two handlers A and B (the input split at its first
// "\n--[[B]]\n" marker, or A = B = the whole input when it has none). A runs on a
// worker, then B on the same worker; B alone runs on a fresh worker.
//
// Property (P1): B's outcome is the same either way, in `sealed` always (nothing
// A does to globals, library tables, metatables, package.loaded, getfenv or the
// string metatable is visible to B), in `classic` unless A changed the state the
// real classic build shares between requests (core/model/shared_state.h: everything
// reachable from the main globals and the basic types' metatables), which is
// ngx_lua's documented leak and the only excuse, decided from what A did, not
// from how its source looks. And (P6) a sealed request never changes that state:
// its digest is taken before A, between A and B, and after B (a change is named
// from snapshots of the input served again). Classic compares B first and asks
// what A changed only of a difference.
//
// Also excused, each profile's excuses counted in a "#check-rate" line at exit
// (check_tally.h): a difference that does not repeat when A and B are served again
// (output that varies between runs), or that repeats but A or B reads what
// outcome_compare.h's repeatable_difference_excuse names (state every request on a
// VM shares that no snapshot holds), runs cut off by the CPU or memory budget,
// and runs where the closure factory itself failed (worded differently on a cache
// hit, see outcome_compare.h).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <string_view>

#include "core/model/worker.h"
#include "check_tally.h"
#include "outcome_compare.h"
#include "shared_state_watch.h"

namespace {

using namespace codecache;

constexpr std::string_view kSplit = "\n--[[B]]\n";

[[noreturn]] void sealed_leak(const char* which, const std::string& what, const std::string& a,
                              const std::string& b) {
  std::fprintf(stderr, "isolation violated (sealed): %s changed the shared state: %s\n  A: %s\n  B: %s\n",
               which, what.c_str(), a.c_str(), b.c_str());
  std::abort();
}

// B served after A on one worker, and B alone on a fresh worker; what A and B
// changed of the shared state, as far as `watch` asked (shared_state_watch.h).
struct Runs {
  Outcome after_a, b_after_a, b_alone;
  std::optional<std::string> by_a, by_b;
};

Runs serve(Profile profile, const std::string& a, const std::string& b, fuzz::Watch watch) {
  Runs runs;
  Worker shared(fuzz::differential_settings(profile));
  // One conf line for all: identical code shares a cache entry, whose chunk name is
  // the first loader's (cache_keys.case "a shared entry keeps the chunk name of the
  // location that loaded it"), and that must not count as a leak.
  Handler first = Handler::inline_code(a);
  Handler second = Handler::inline_code(b);
  const fuzz::StateMark initial = fuzz::mark(shared, watch);
  runs.after_a = shared.run(first);
  const fuzz::StateMark between = fuzz::mark(shared, watch);
  runs.b_after_a = shared.run(second);
  runs.by_a = fuzz::change_between(initial, between);
  runs.by_b = fuzz::change_between(between, fuzz::mark(shared, watch));
  Worker fresh(fuzz::differential_settings(profile));
  Handler alone = Handler::inline_code(b);
  runs.b_alone = fresh.run(alone);
  return runs;
}

// Checks one profile; returns why the check was not complete (reason "" when it
// was), with what an earlier request changed when that is the excuse.
fuzz::Excuse check(Profile profile, const std::string& a, const std::string& b) {
  const bool sealed = profile == Profile::sealed;
  // Sealed watches every input by digests for P6; classic needs to know what A
  // changed only to judge a difference, and serves again to find out.
  const Runs runs = serve(profile, a, b, sealed ? fuzz::Watch::digests : fuzz::Watch::nothing);
  if (fuzz::cut_off(runs.after_a) || fuzz::cut_off(runs.b_after_a) || fuzz::cut_off(runs.b_alone))
    return {"cut off by the CPU or memory budget", ""};
  if (sealed) {
    if (!runs.by_a || !runs.by_b) return fuzz::abandoned_vm();
    // P6: a sealed request never changes what the classic build shares.
    if (!runs.by_a->empty() || !runs.by_b->empty()) {
      const Runs named = serve(profile, a, b, fuzz::Watch::snapshots);
      if (!runs.by_a->empty()) sealed_leak("A", fuzz::name_of_change(named.by_a), a, b);
      sealed_leak("B", fuzz::name_of_change(named.by_b), a, b);
    }
  }
  if (fuzz::factory_failed(runs.b_after_a) || fuzz::factory_failed(runs.b_alone))
    return {"the closure factory failed", ""};
  const std::string x = fuzz::comparable(runs.b_after_a), y = fuzz::comparable(runs.b_alone);
  if (x == y) return {};
  // Classic: B may see what A changed of the shared state (ngx_lua's documented
  // leak); that, and only that, excuses a difference.
  if (!sealed) {
    const Runs named = serve(profile, a, b, fuzz::Watch::snapshots);
    if (!named.by_a) return fuzz::abandoned_vm();
    if (!named.by_a->empty()) return {"A changed the shared state", *named.by_a};
  }
  const auto again = [&] {
    const Runs runs_again = serve(profile, a, b, fuzz::Watch::nothing);
    return std::pair(fuzz::comparable(runs_again.b_after_a), fuzz::comparable(runs_again.b_alone));
  };
  if (fuzz::Excuse excuse = fuzz::excuse_for_difference(x, y, again, a + "\n" + b, false); !excuse.reason.empty())
    return excuse;
  std::fprintf(stderr,
               "isolation violated (%s)\n  A: %s\n  B: %s\n  B after A: %s\n  B alone  : %s\n",
               std::string(to_string(profile)).c_str(), a.c_str(), b.c_str(), x.c_str(), y.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::CheckTally sealed("isolation/sealed"), classic("isolation/classic");
  const std::string input = fuzz::inline_code_of(data, size);
  const auto split = input.find(kSplit);
  const std::string a = split == std::string::npos ? input : input.substr(0, split);
  const std::string b = split == std::string::npos ? input : input.substr(split + kSplit.size());
  fuzz::count(sealed, check(Profile::sealed, a, b));
  fuzz::count(classic, check(Profile::classic, a, b));
  return 0;
}

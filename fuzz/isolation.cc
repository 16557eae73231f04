// Fuzz target `isolation`: two handlers A and B (the input split at its first
// "\n--[[B]]\n" marker, or A = B = the whole input when it has none). A runs on a
// worker, then B on the same worker; B alone runs on a fresh worker.
//
// Property (P1): in the `sealed` profile B's outcome is the same either way —
// nothing A does (globals, library tables, metatables, package.loaded, getfenv,
// the string metatable) is visible to B. In `classic` the same holds when neither
// handler touches the state the real classic build shares (documented leaks, see
// README "Profiles"). Handlers whose output varies from run to run, runs cut
// off by the CPU or memory budget, and runs where the closure factory itself
// failed (worded differently on a cache hit, see outcome_compare.h) are left out.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/worker.h"
#include "outcome_compare.h"

namespace {

using namespace codecache;

constexpr std::string_view kSplit = "\n--[[B]]\n";

void check(Profile profile, const std::string& a, const std::string& b) {
  Worker shared(fuzz::differential_settings(profile));
  // One conf line for all: identical code shares a cache entry, whose chunk name is
  // the first loader's (§3.1), and that must not count as a leak.
  Handler first = Handler::inline_code(a, 40);
  Handler second = Handler::inline_code(b, 40);
  const Outcome after_a = shared.run(first);
  const Outcome b_after_a = shared.run(second);
  Worker fresh(fuzz::differential_settings(profile));
  Handler alone = Handler::inline_code(b, 40);
  const Outcome b_alone = fresh.run(alone);
  if (fuzz::cut_off(after_a) || fuzz::cut_off(b_after_a) || fuzz::cut_off(b_alone)) return;
  if (fuzz::factory_failed(b_after_a) || fuzz::factory_failed(b_alone)) return;
  const std::string x = fuzz::comparable(b_after_a), y = fuzz::comparable(b_alone);
  if (x == y) return;
  std::fprintf(stderr,
               "isolation violated (%s)\n  A: %s\n  B: %s\n  B after A: %s\n  B alone  : %s\n",
               std::string(to_string(profile)).c_str(), a.c_str(), b.c_str(), x.c_str(), y.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (input.find('\0') != std::string::npos || fuzz::has_unstable_output(input)) return 0;
  const auto split = input.find(kSplit);
  const std::string a = split == std::string::npos ? input : input.substr(0, split);
  const std::string b = split == std::string::npos ? input : input.substr(split + kSplit.size());
  check(Profile::sealed, a, b);
  if (!fuzz::touches_classic_shared_state(input)) check(Profile::classic, a, b);
  return 0;
}

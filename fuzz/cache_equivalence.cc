// Fuzz target `cache_equivalence`: one handler (the input bytes, inline code) run
// three times on one worker with the code cache on, and three times with it off.
//
// Property (P2): in the `sealed` profile the two runs give the same outcome request
// by request (status, abort, body, error log without the code cache debug lines);
// in `classic` the same holds for handlers that do not touch the state classic
// really shares between requests (library tables, metatables, package.loaded,
// getfenv/setfenv, debug), which the isolation target and the property tests cover.
// Handlers whose output varies from run to run, runs cut off by the CPU
// budget, and runs where the closure factory itself failed (ngx_lua words that
// error differently on a first load and on a cache hit) are left out.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/worker.h"
#include "outcome_compare.h"

namespace {

using namespace codecache;

constexpr int kRounds = 3;

std::vector<Outcome> serve(Profile profile, bool code_cache, const std::string& code) {
  Worker worker(fuzz::differential_settings(profile, code_cache));
  Handler handler = Handler::inline_code(code);
  std::vector<Outcome> outcomes;
  for (int i = 0; i < kRounds; ++i) outcomes.push_back(worker.run(handler));
  return outcomes;
}

bool cut_off(const std::vector<Outcome>& outcomes) {
  for (const auto& o : outcomes)
    if (fuzz::cut_off(o) || fuzz::factory_failed(o)) return true;
  return false;
}

void check(Profile profile, const std::string& code) {
  const auto on = serve(profile, true, code);
  const auto off = serve(profile, false, code);
  if (cut_off(on) || cut_off(off)) return;
  for (int i = 0; i < kRounds; ++i) {
    const std::string a = fuzz::comparable(on[i]), b = fuzz::comparable(off[i]);
    if (a == b) continue;
    std::fprintf(stderr,
                 "cache_equivalence violated (%s, request %d)\n  handler: %s\n"
                 "  cache on : %s\n  cache off: %s\n",
                 std::string(to_string(profile)).c_str(), i + 1, code.c_str(), a.c_str(), b.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string code(reinterpret_cast<const char*>(data), size);
  if (code.find('\0') != std::string::npos || fuzz::has_unstable_output(code)) return 0;
  check(Profile::sealed, code);
  if (!fuzz::touches_classic_shared_state(code)) check(Profile::classic, code);
  return 0;
}

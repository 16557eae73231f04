// Fuzz target `cache_equivalence`: one handler (the input bytes, inline code) run
// three times on one worker with the code cache on, and three times with it off.
//
// Property (P2): the two runs give the same outcome request by request (status,
// abort, body, error log without the code cache debug lines), in `sealed` always,
// in `classic` unless a request before the last changed the state the real
// classic build shares between requests (core/model/shared_state.h), which a later
// request may then see with the code cache on and not with it off: ngx_lua's
// documented leak, and the only excuse, decided from what the request did. And
// (P6) a sealed request never changes that state.
//
// Also excused, each profile's excuses counted in a "#check-rate" line at exit
// (check_tally.h): a difference that does not repeat when both sequences are served
// again (output that varies between runs), or that repeats but the handler reads
// what outcome_compare.h's repeatable_difference_excuse names (state every request
// on a VM shares that no snapshot holds: with the code cache on a later request
// sees it, with it off each request has a fresh VM), runs cut off by
// the CPU budget, and runs where the closure factory itself failed (ngx_lua words
// that error differently on a first load and on a cache hit).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "core/model/shared_state.h"
#include "core/model/worker.h"
#include "check_tally.h"
#include "outcome_compare.h"

namespace {

using namespace codecache;

constexpr int kRounds = 3;

struct Served {
  std::vector<Outcome> outcomes;
  // With the code cache on: what each request changed of the shared
  // state (core/model/shared_state.h); unknown once a hard deadline abandoned the VM.
  std::vector<std::optional<std::string>> changes;
};

Served serve(Profile profile, bool code_cache, const std::string& code) {
  Worker worker(fuzz::differential_settings(profile, code_cache));
  Handler handler = Handler::inline_code(code);
  Served served;
  auto before = worker.shared_state();
  for (int i = 0; i < kRounds; ++i) {
    served.outcomes.push_back(worker.run(handler));
    // A request a limit cut off ends the sequence: the input is excused anyway, and
    // each such request may cost the budget plus the hard deadline.
    if (fuzz::cut_off(served.outcomes.back())) break;
    if (!code_cache) continue;
    auto after = worker.shared_state();
    served.changes.push_back(before && after ? std::optional(shared_state_change(*before, *after))
                                             : std::nullopt);
    before = std::move(after);
  }
  return served;
}

bool cut_off(const std::vector<Outcome>& outcomes) {
  for (const auto& o : outcomes)
    if (fuzz::cut_off(o) || fuzz::factory_failed(o)) return true;
  return false;
}

// Checks one profile; returns why the check was not complete (reason "" when it
// was), with what a request changed when that is the excuse.
fuzz::Excuse check(Profile profile, const std::string& code) {
  const Served on = serve(profile, true, code);
  const Served off = cut_off(on.outcomes) ? Served{} : serve(profile, false, code);
  if (cut_off(on.outcomes) || cut_off(off.outcomes))
    return {"cut off by the CPU budget, or the closure factory failed", ""};
  for (std::size_t i = 0; i < on.changes.size(); ++i) {
    if (!on.changes[i]) return {"the VM was abandoned after a hard deadline", ""};
    if (on.changes[i]->empty()) continue;
    if (profile == Profile::sealed) {  // P6
      std::fprintf(stderr,
                   "cache_equivalence violated (sealed, request %zu): it changed the shared state: %s\n"
                   "  handler: %s\n", i + 1, on.changes[i]->c_str(), code.c_str());
      std::abort();
    }
    // Classic: a later request may see it (ngx_lua's documented leak), and with the
    // code cache off it would not.
    if (i + 1 < static_cast<std::size_t>(kRounds))
      return {"a request changed the shared state", *on.changes[i]};
  }
  for (int i = 0; i < kRounds; ++i) {
    const std::string a = fuzz::comparable(on.outcomes[i]), b = fuzz::comparable(off.outcomes[i]);
    if (a == b) continue;
    const auto again = [&] {
      const auto request_i = [i](const Served& served) {
        return static_cast<std::size_t>(i) < served.outcomes.size() ? fuzz::comparable(served.outcomes[i]) : "";
      };
      return std::pair(request_i(serve(profile, true, code)), request_i(serve(profile, false, code)));
    };
    if (fuzz::Excuse excuse = fuzz::excuse_for_difference(a, b, again, code, false); !excuse.reason.empty())
      return excuse;
    std::fprintf(stderr,
                 "cache_equivalence violated (%s, request %d)\n  handler: %s\n"
                 "  cache on : %s\n  cache off: %s\n",
                 std::string(to_string(profile)).c_str(), i + 1, code.c_str(), a.c_str(), b.c_str());
    std::abort();
  }
  return {};
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::CheckTally sealed("cache_equivalence/sealed"), classic("cache_equivalence/classic");
  const std::string code = fuzz::inline_code_of(data, size);
  fuzz::count(sealed, check(Profile::sealed, code));
  fuzz::count(classic, check(Profile::classic, code));
  return 0;
}

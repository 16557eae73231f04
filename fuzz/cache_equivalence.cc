// Fuzz target `cache_equivalence`: one handler (the input bytes, inline code) run
// three times on one worker with the code cache on, and three times with it off.
//
// Property (P2): the two runs give the same outcome request by request (status,
// abort, body, error log without the code cache debug lines), in `sealed` always,
// in `classic` unless a request before the last changed the state the real
// classic build shares between requests (core/model/shared_state.h), which a later
// request may then see with the code cache on and not with it off: ngx_lua's
// documented leak, and the only excuse, decided from what the request did (known
// by serving the input again with snapshots, and asked only of a difference). And
// (P6) a sealed request never changes that state (digests after every request).
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

#include "core/model/worker.h"
#include "check_tally.h"
#include "outcome_compare.h"
#include "shared_state_watch.h"

namespace {

using namespace codecache;

constexpr int kRounds = 3;

struct Served {
  std::vector<Outcome> outcomes;
  // With the code cache on: what each request changed of the shared state, as far
  // as `watch` asked (shared_state_watch.h).
  std::vector<std::optional<std::string>> changes;
};

Served serve(Profile profile, bool code_cache, const std::string& code, fuzz::Watch watch) {
  Worker worker(fuzz::differential_settings(profile, code_cache));
  Handler handler = Handler::inline_code(code);
  Served served;
  if (!code_cache) watch = fuzz::Watch::nothing;  // a VM per request: nothing is shared
  fuzz::StateMark before = fuzz::mark(worker, watch);
  for (int i = 0; i < kRounds; ++i) {
    served.outcomes.push_back(worker.run(handler));
    // A request a limit cut off ends the sequence: the input is excused anyway, and
    // each such request may cost the budget plus the hard deadline.
    if (fuzz::cut_off(served.outcomes.back())) break;
    fuzz::StateMark after = fuzz::mark(worker, watch);
    served.changes.push_back(fuzz::change_between(before, after));
    before = std::move(after);
  }
  return served;
}

bool cut_off(const std::vector<Outcome>& outcomes) {
  for (const auto& o : outcomes)
    if (fuzz::cut_off(o) || fuzz::factory_failed(o)) return true;
  return false;
}

// P6: no sealed request changed the shared state (digests); a change is named from
// snapshots of the sequence served again. Aborts on a change; an excuse when the
// VM was abandoned (nothing known).
fuzz::Excuse check_sealed_changed_nothing(const Served& on, const std::string& code) {
  for (std::size_t i = 0; i < on.changes.size(); ++i) {
    if (!on.changes[i]) return fuzz::abandoned_vm();
    if (on.changes[i]->empty()) continue;
    const Served named = serve(Profile::sealed, true, code, fuzz::Watch::snapshots);
    std::fprintf(stderr,
                 "cache_equivalence violated (sealed, request %zu): it changed the shared state: %s\n"
                 "  handler: %s\n",
                 i + 1, fuzz::name_of_change(i < named.changes.size() ? named.changes[i] : std::nullopt).c_str(),
                 code.c_str());
    std::abort();
  }
  return {};
}

// Classic: a request before the last that changed the shared state, which a later
// request may see with the code cache on and not with it off (ngx_lua's documented
// leak), excuses a difference; found by serving the sequence again with snapshots.
fuzz::Excuse classic_leak(const std::string& code) {
  const Served named = serve(Profile::classic, true, code, fuzz::Watch::snapshots);
  for (std::size_t i = 0; i + 1 < named.changes.size(); ++i) {
    if (!named.changes[i]) return fuzz::abandoned_vm();
    if (!named.changes[i]->empty()) return {"a request changed the shared state", *named.changes[i]};
  }
  return {};
}

// Checks one profile; returns why the check was not complete (reason "" when it
// was), with what a request changed when that is the excuse.
fuzz::Excuse check(Profile profile, const std::string& code) {
  const bool sealed = profile == Profile::sealed;
  const Served on = serve(profile, true, code, sealed ? fuzz::Watch::digests : fuzz::Watch::nothing);
  const Served off = cut_off(on.outcomes) ? Served{} : serve(profile, false, code, fuzz::Watch::nothing);
  if (cut_off(on.outcomes) || cut_off(off.outcomes))
    return {"cut off by the CPU budget, or the closure factory failed", ""};
  if (sealed) {
    if (fuzz::Excuse excuse = check_sealed_changed_nothing(on, code); !excuse.reason.empty()) return excuse;
  }
  for (int i = 0; i < kRounds; ++i) {
    const std::string a = fuzz::comparable(on.outcomes[i]), b = fuzz::comparable(off.outcomes[i]);
    if (a == b) continue;
    if (!sealed) {
      if (fuzz::Excuse excuse = classic_leak(code); !excuse.reason.empty()) return excuse;
    }
    const auto again = [&] {
      const auto request_i = [i](const Served& served) {
        return static_cast<std::size_t>(i) < served.outcomes.size() ? fuzz::comparable(served.outcomes[i]) : "";
      };
      return std::pair(request_i(serve(profile, true, code, fuzz::Watch::nothing)),
                       request_i(serve(profile, false, code, fuzz::Watch::nothing)));
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

// What the differential fuzz targets compare of two outcomes, and which handlers
// they leave out because their output legitimately differs from run to run (time,
// randomness, addresses, GC state, debug introspection of the chunk's shape).
#pragma once

#include <string>
#include <string_view>

#include "core/outcome.h"
#include "core/settings.h"

namespace codecache::fuzz {

// True when `source` mentions a function whose result varies between runs.
bool has_unstable_output(std::string_view source);

// Status, abort flag, body and the non-debug log lines, as one comparable text.
std::string comparable(const Outcome& outcome);

// True when `source` may touch state the classic build really shares between
// requests (library tables, metatables, package.loaded, getfenv/setfenv, debug...).
bool touches_classic_shared_state(std::string_view source);

// Settings for differential runs: small budgets, so hostile inputs end quickly.
Settings differential_settings(Profile profile, bool code_cache = true);

// A run the CPU or memory budget cut off: not comparable with another run.
bool cut_off(const Outcome& outcome);

// The classic closure factory itself failed (code escaping the wrapper, §2.5):
// ngx_lua words that error differently on a first load ("fail to generate new
// closure from the closure factory") and on a cache hit ("failed to run factory
// at key ..."), so such runs are not comparable across cache states.
bool factory_failed(const Outcome& outcome);

// The message ngx_lua logs, after its "failed to load" prefix, when the closure
// factory loaded but calling it failed (a first load; a cache hit words it as
// "failed to run factory at key ...").
inline constexpr std::string_view kClosureFactoryFailed =
    "fail to generate new closure from the closure factory";

}  // namespace codecache::fuzz

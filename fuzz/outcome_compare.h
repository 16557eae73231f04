// What the differential fuzz targets compare of two outcomes, and which handlers
// they leave out because their output legitimately differs from run to run (time,
// randomness, addresses, GC state, debug introspection of the chunk's shape).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/outcome.h"
#include "core/settings.h"

namespace codecache::fuzz {

// True when `source` mentions a function whose result varies between runs.
bool has_unstable_output(std::string_view source);

// The input bytes as inline handler code: nginx.conf cannot carry a NUL byte in
// inline code, so each is read as a space (the input is still a handler, and
// still checked).
std::string inline_code_of(const uint8_t* data, std::size_t size);

// The whole outcome as one comparable text: status, abort flag, limit and its
// detail, load failure and its message, body and log lines. Left out, and only
// here: the cache state and its events (what the code cache setting and the
// request's place in the sequence change by definition: a first load misses, a
// later one hits) and the debug log lines, which are those events' log.
std::string comparable(const Outcome& outcome);

// True when `source` may touch state the classic build really shares between
// requests (library tables, metatables, package.loaded, getfenv/setfenv, debug...).
bool touches_classic_shared_state(std::string_view source);

// Settings for differential runs: small budgets, so hostile inputs end quickly.
Settings differential_settings(Profile profile, bool code_cache = true);

// A run the CPU or memory budget cut off: not comparable with another run.
bool cut_off(const Outcome& outcome);

// The classic closure factory itself failed (code escaping the wrapper, §2.5;
// Outcome::load_failure): ngx_lua words that error differently on a first load
// and on a cache hit, so such runs are not comparable across cache states.
bool factory_failed(const Outcome& outcome);

}  // namespace codecache::fuzz

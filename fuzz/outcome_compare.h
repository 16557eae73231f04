// What the differential fuzz targets compare of two outcomes (addresses read as
// "0x?"), and when a difference that repeats run after run may still be legitimate
// (state every request on a VM shares that no snapshot holds; introspection of a
// chunk whose text or bytecode differs between the two runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "check_tally.h"
#include "core/plumbing/address_text.h"
#include "core/plumbing/outcome.h"
#include "core/plumbing/settings.h"

namespace codecache::fuzz {

using codecache::without_addresses;  // core/plumbing/address_text.h

// Why a difference between two runs may be legitimate although it repeats exactly
// when both runs are repeated (a difference that does not repeat is the output
// varying, and is told apart by running again): the handler reads state that every
// request on a VM shares and no snapshot holds -- the PRNG (random, randomseed), the
// GC's counters (collectgarbage, gcinfo), the JIT (jit) -- or, when `chunk_differs`
// (the two runs load different text or bytecode of the same handler), introspects
// the chunk's shape (getinfo, traceback, getlocal, setlocal, getupvalue, setupvalue,
// upvalueid, dump). Names are matched as whole words. Empty when none applies.
std::string repeatable_difference_excuse(std::string_view source, bool chunk_differs);

// The comparable outcomes (comparable()) of two runs served again; "" for a run
// that did not happen again (its sequence was cut off earlier).
using ServeAgain = std::function<std::pair<std::string, std::string>()>;

// Why the difference between two runs' comparable outcomes `first` and `second`
// is no violation; an empty reason when it is one. The two runs are served again:
// a difference that does not repeat exactly is the output varying between
// identical runs (example: `source`); one that repeats is excused only by
// repeatable_difference_excuse(source, chunk_differs).
Excuse excuse_for_difference(const std::string& first, const std::string& second, const ServeAgain& serve_again,
                             std::string_view source, bool chunk_differs);

// The input bytes as inline handler code: nginx.conf cannot carry a NUL byte in
// inline code, so each is read as a space (the input is still a handler, and
// still checked).
std::string inline_code_of(const uint8_t* data, std::size_t size);

// The whole outcome as one comparable text: status, abort flag, limit and its
// detail, load failure and its message, body and log lines, addresses read as
// "0x?" (without_addresses). Left out, and only here: the cache state and its events (what the code cache setting and the
// request's place in the sequence change by definition: a first load misses, a
// later one hits) and the debug log lines, which are those events' log.
std::string comparable(const Outcome& outcome);

// Settings for differential runs: small budgets, so hostile inputs end quickly. An
// input may be served a dozen times (both profiles, both cache settings, a rerun of
// a difference): at 100 ms CPU each it stays far inside libFuzzer's 10 s -timeout,
// which counts wall time, on a machine whose cores are shared four ways.
Settings differential_settings(Profile profile, bool code_cache = true);

// A run the CPU or memory budget cut off: not comparable with another run.
bool cut_off(const Outcome& outcome);

// The classic closure factory itself failed (code escaping the wrapper;
// Outcome::load_failure): ngx_lua words that error differently on a first load
// (ngx_http_lua_cache_loadbuffer) and on a cache hit (ngx_http_lua_cache_load_code),
// so such runs are not comparable across cache states (factory.case, "factory
// error on the first load and on a cache hit").
bool factory_failed(const Outcome& outcome);

}  // namespace codecache::fuzz

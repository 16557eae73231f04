// RapidCheck generators of well-formed content handlers that read and write
// globals in the many ways Lua allows (plain and `_G` assignments, rawset/rawget,
// getfenv/setfenv at levels 0 and 1, `function g() end`, user coroutines and
// top-level `coroutine.yield()` pauses, library tables, package.loaded, the
// globals' metatable), print what they read with ngx.say and always terminate.
//
// Global names come from a pool of five (g1..g5) so that requests interact.
// Every helper local and loop guard is named `__cc_*`, a prefix no generated
// name uses, so nothing a handler does can shadow them. Loops are bounded by
// their guard whatever the globals hold.
//
// Each generated handler carries the features it uses (a bit set), so a property
// can exclude what it must not generate (e.g. the documented classic leaks) or
// reason about what an earlier request may have changed.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <rapidcheck.h>

namespace codecache::prop {

enum Feature : unsigned {
  kGlobalWrite = 1u << 0,          // x = v, _G.x, _G["x"], rawset, getfenv(n|print).x, function x()
  kSetfenv = 1u << 1,              // setfenv(1, ...) / setfenv(0, ...)
  kLibraryWrite = 1u << 2,         // string.x / table.x / math.x, string metatable (classic leak)
  kMetatableWrite = 1u << 3,       // getmetatable(_G).__index.x = v         (classic leak)
  kPackageLoadedWrite = 1u << 4,   // package.loaded.x = v                   (classic leak)
  kTopLevelYield = 1u << 5,        // coroutine.yield() in the entry thread: pauses the request
  kVararg = 1u << 6,               // `...` at the top level of the handler
  kReturn = 1u << 7,               // `do return end` at the top level of the handler
  kCoroutine = 1u << 8,            // coroutine.create / coroutine.wrap
  kRuntimeError = 1u << 9,         // may raise a runtime error
  kExit = 1u << 10,                // may call ngx.exit
  kLoop = 1u << 11,                // for / while / repeat with a guard
  kMetatableRead = 1u << 12,       // reads through getmetatable(_G).__index
  kCFunctionEnvWrite = 1u << 13,   // debug.getfenv(print).x = v: a C function's env (classic leak)
  kLastFeature = kCFunctionEnvWrite,
};

// The writes ngx_lua's classic build leaks to other requests (README "Profiles",
// ngx_http_lua_new_thread: whatever a request reaches through __index is the
// main VM's; and debug.getfenv of a C function is the main _G, isolation.case).
constexpr unsigned kClassicLeaks =
    kLibraryWrite | kMetatableWrite | kPackageLoadedWrite | kCFunctionEnvWrite;
// Everything that can change state a later request may observe when globals are
// shared (openresty): globals, the handler's env, library tables, package.loaded.
constexpr unsigned kSharedStateWrites = kGlobalWrite | kSetfenv | kLibraryWrite |
                                        kMetatableWrite | kPackageLoadedWrite | kCFunctionEnvWrite;

struct GenOptions {
  unsigned exclude = 0;  // features never generated
};

struct GeneratedHandler {
  std::string source;
  unsigned features = 0;
  std::size_t statements = 0;  // top-level statements after the prelude

  bool has(unsigned feature) const { return (features & feature) != 0; }
};

// Names of the feature bits, e.g. "global-write,coroutine".
std::string describe_features(unsigned features);

// How RapidCheck prints a handler in a counterexample: the source verbatim
// between markers, plus its features.
void showValue(const GeneratedHandler& handler, std::ostream& os);

// Handlers of up to 12 top-level statements, in proportion to RapidCheck's size
// (0..100); every choice inside is made at full size, so all kinds of statement
// appear from the first cases on.
rc::Gen<GeneratedHandler> gen_handler(GenOptions options = {});

// RapidCheck scales gen::inRange and gen::element* by the current size; this
// makes a choice at full size (uniform), still shrinking towards the first value.
template <typename T>
rc::Gen<T> full_size(rc::Gen<T> gen) {
  return rc::gen::resize(100, std::move(gen));
}

// The pool of global names generated handlers use.
const std::vector<std::string>& global_name_pool();

}  // namespace codecache::prop

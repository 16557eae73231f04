// Fuzz target `corrupted_bytecode` (LuaJIT engines only): a valid bytecode dump,
// corrupted, served as a `content_by_lua_file` handler. The input picks one of a
// set of handlers written to reach every kind of instruction (loops of each kind,
// pairs/ipairs, varargs, multiple results, closures and upvalues, table
// constructors with a call at the end, method calls, nested functions, cdata
// literals), string.dumps it (full or stripped) in a plain VM of this engine, then
// flips, sets, inserts or deletes bytes of it, or cuts it short, where the input
// says, and serves it under `classic` (rewritten into a closure factory) or
// `openresty` (handed to lua_load as is).
//
// Property: nothing crashes (ASan and UBSan watch the engine and the core, and the
// fuzz build's LuaJIT asserts), and the outcome is the one the bytecode verifier
// (engine/luajit_bytecode_verifier.h) gives for the exact bytes lua_load would get:
// `unsafe`, a compile-phase load error "bad byte-code in <path>: <its problem>";
// `refused_by_engine`, a load error from the engine itself; `safe`, loaded (or out
// of memory while loading) and run to a classified outcome. Under `classic` a file
// whose header the factory rewrite refuses is a read error with its message, as
// ngx_lua's. So the verifier's model of lj_bcread (what the engine refuses by
// itself, what it would load) is checked against lj_bcread on every input, and
// every dump it lets through runs under the sanitizers. All inputs are checked.
#include <fuzzer/FuzzedDataProvider.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/model/bytecode_factory.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"
#include "core/engine/luajit_bytecode_verifier.h"
#include "check_tally.h"
#include "outcome_compare.h"
#include "plain_vm.h"

namespace {

using namespace codecache;
namespace verifier = engine::luajit_bytecode;

// Handlers that between them use every instruction the parser writes.
constexpr const char* kHandlers[] = {
    // numeric for, ipairs, pairs, while, repeat, goto
    "local t = {} for i = 1, 10 do t[i] = i * 2 end\n"
    "local s = 0 for _, v in ipairs(t) do s = s + v end\n"
    "for k, v in pairs({a = 1, b = 2}) do s = s + v end\n"
    "local n = 0 while n < 5 do n = n + 1 end repeat n = n - 1 until n == 0\n"
    "for i = 10, 1, -3 do if i == 4 then goto done end s = s - i end ::done::\n"
    "ngx.say(s, ' ', n)",
    // varargs, multiple results, tail calls, select
    "local function f(...) return select('#', ...), ... end\n"
    "local function g(a, b, ...) local x, y = ... return a, b, x, y end\n"
    "local function h(...) return f(...) end\n"
    "ngx.say(f(1, 2, 3)) ngx.say(g(1, 2, 3, 4)) ngx.say(h(g(5, 6, 7)))\n"
    "ngx.say(table.concat({f(4, 5)}, ','))",
    // closures, upvalues, UCLO on loop exits and returns
    "local fs = {}\n"
    "for i = 1, 3 do local j = i * 10 fs[i] = function(d) j = j + d return j end end\n"
    "local function counter() local c = 0 return function() c = c + 1 return c end end\n"
    "local c = counter() c() ngx.say(fs[1](1), fs[2](2), fs[3](3), c())\n"
    "do local x = 5 local function get() return x end x = 6 ngx.say(get()) end",
    // table constructors (templates, TSETM), methods, strings, concatenation
    "local obj = {n = 1, list = {1, 2, 3, [10] = 'ten'}, ['k' .. 1] = true}\n"
    "function obj:add(d) self.n = self.n + d return self end\n"
    "local t = {obj:add(2).n, (('x'):rep(3)), string.format('%d-%s', 7, 'y'), unpack({8, 9})}\n"
    "ngx.say(#t, ' ', t[1], t[2], t[3], t[4], t[5], ' ', obj.list[10], ' ', tostring(obj.k1))",
    // arithmetic, comparisons, and/or, not, length, numbers of every form
    "local a, b = 7, 2.5 local r = {a + b, a - b, a * b, a / b, a % b, a ^ 2, -a, #'abc'}\n"
    "local x = a > b and 'gt' or 'le' local y = not (a == b) local z = nil\n"
    "if a >= 7 and b <= 2.5 and a ~= b then z = 1e300 * 0 end\n"
    "ngx.say(table.concat(r, ' '), ' ', x, ' ', tostring(y), ' ', tostring(z), ' ', 0x10, ' ', 1e-3)",
    // errors, pcall, metatables, coroutines
    "local mt = {__index = function(_, k) return k .. '!' end, __add = function() return 42 end}\n"
    "local v = setmetatable({}, mt) ngx.say(v.hi, ' ', v + 1)\n"
    "local ok, err = pcall(function() local n = nil return n.x end) ngx.say(ok, ' ', err)\n"
    "local co = coroutine.wrap(function(p) local q = coroutine.yield(p + 1) return q * 2 end)\n"
    "ngx.say(co(1), ' ', co(5))",
    // loops long enough for the JIT to compile them
    "local s, t, n, j = 0, {}, 0, 0 for i = 1, 300 do s = s + i % 7 end\n"
    "for i = 1, 120 do t[i] = i end for _, v in pairs(t) do n = n + v end\n"
    "for _, v in ipairs(t) do n = n - v end while j < 100 do j = j + 1 end\n"
    "ngx.say(s, ' ', n, ' ', j)",
    // cdata literals (the FFI is open in the harness's VMs) and nested functions
    "local big = 1LL + 2ULL local im = 3i\n"
    "local function outer(n) local function inner(m) return m + n end return inner(n) end\n"
    "ngx.say(tostring(big), ' ', tostring(im), ' ', outer(21))",
};
constexpr int kHandlerCount = sizeof(kHandlers) / sizeof(kHandlers[0]);

// string.dump of a handler, compiled as a main chunk in a plain VM of this engine
// and named by its own text (as luaL_loadstring names it: the saved inputs' edits
// are offsets into these dumps).
std::string dump(int handler, bool strip) {
  std::string bytes = fuzz::dump_in_plain_vm(kHandlers[handler], kHandlers[handler], strip);
  if (bytes.empty()) std::abort();  // the handlers compile
  return bytes;
}

// At most this many edits, each anywhere after the leading ESC (which keeps the
// file a bytecode file for the loader).
constexpr int kMaxEdits = 8;

void corrupt(FuzzedDataProvider& in, std::string& bytes) {
  const int edits = in.ConsumeIntegralInRange(0, kMaxEdits);
  for (int i = 0; i < edits && in.remaining_bytes() > 0 && bytes.size() > 1; ++i) {
    const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(1, bytes.size() - 1);
    switch (in.ConsumeIntegralInRange(0, 4)) {
      case 0: bytes[at] = static_cast<char>(bytes[at] ^ (1 << in.ConsumeIntegralInRange(0, 7))); break;
      case 1: bytes[at] = static_cast<char>(in.ConsumeIntegral<std::uint8_t>()); break;
      case 2: bytes.insert(at, 1, static_cast<char>(in.ConsumeIntegral<std::uint8_t>())); break;
      case 3: bytes.erase(at, 1); break;
      default: bytes.resize(at); break;
    }
  }
}

// The file being served (one at a time).
struct Served {
  std::string path;
  std::string bytes;
};
Served served;

std::FILE* open_served(const std::string& path, const char*) {
  if (path != served.path) {
    errno = ENOENT;
    return nullptr;
  }
  static char empty[1];
  char* data = served.bytes.empty() ? empty : served.bytes.data();
  return fmemopen(data, served.bytes.size(), "r");
}

// A reused worker per profile (small budgets; a new one every 128 requests), each
// request a new path, so that no request is a cache hit.
constexpr int kRequestsPerWorker = 128;

Outcome serve(Profile profile, const std::string& bytes) {
  static std::unique_ptr<Worker> workers[2];
  static int served_count[2] = {0, 0};
  static std::uint64_t serial = 0;
  const int w = profile == Profile::classic ? 0 : 1;
  if (workers[w] == nullptr || ++served_count[w] % kRequestsPerWorker == 0) {
    workers[w].reset();
    Settings settings = fuzz::differential_settings(profile);
    settings.limits.instructions = 20'000;
    settings.files = open_served;
    workers[w] = std::make_unique<Worker>(settings);
  }
  served.path = "/html/h" + std::to_string(++serial) + ".luac";
  served.bytes = bytes;
  Handler handler = Handler::file(served.path);
  return workers[w]->run(handler);
}

[[noreturn]] void violation(const char* what, Profile profile, const std::string& bytes, const Outcome& out,
                            const std::string& expected) {
  std::fprintf(stderr, "corrupted_bytecode property violated: %s (%s, %s)\n  expected: %s\n  outcome: %s\n",
               what, std::string(to_string(profile)).c_str(), std::string(engine::name()).c_str(),
               expected.c_str(), fuzz::comparable(out).c_str());
  std::fprintf(stderr, "  dump (%zu bytes):", bytes.size());
  for (unsigned char c : bytes.substr(0, 400)) std::fprintf(stderr, " %02x", c);
  std::fprintf(stderr, "\n");
  std::abort();
}

void check(Profile profile, const std::string& bytes, const Outcome& out) {
  std::string loaded = bytes;
  if (profile == Profile::classic) {
    const BytecodeFactory wrapped = wrap_luajit_bytecode(bytes);
    if (!wrapped.ok) {  // the factory rewrite refuses the header, as ngx_lua does
      if (out.load_failure != LoadFailure::read || out.load_error != wrapped.error)
        violation("a header the factory refuses was not a read error", profile, bytes, out, wrapped.error);
      return;
    }
    loaded = wrapped.bytes;
  }
  const verifier::Result verdict = verifier::verify(loaded);
  const std::string refusal = "bad byte-code in " + served.path + ": " + verdict.problem;
  switch (verdict.verdict) {
    case verifier::Verdict::unsafe:
      if (out.load_failure != LoadFailure::compile || out.load_error != refusal || out.status != 500)
        violation("an unsafe dump was not refused by the verifier", profile, bytes, out, refusal);
      return;
    case verifier::Verdict::refused_by_engine:
      if (out.load_failure != LoadFailure::compile || out.load_error.starts_with("bad byte-code in "))
        violation("a dump the engine refuses was not refused by the engine", profile, bytes, out,
                  "the engine's refusal (" + verdict.problem + ")");
      return;
    case verifier::Verdict::safe:
      if (out.load_failure == LoadFailure::read ||
          (out.load_failure == LoadFailure::compile && out.limit != LimitKind::memory))
        violation("a dump the verifier lets through did not load", profile, bytes, out, "loaded");
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::CheckTally tally("corrupted_bytecode");
  FuzzedDataProvider in(data, size);
  const int handler = in.ConsumeIntegralInRange(0, kHandlerCount - 1);
  const bool strip = in.ConsumeBool();
  const Profile profile = in.ConsumeBool() ? Profile::classic : Profile::openresty;
  std::string bytes = dump(handler, strip);
  corrupt(in, bytes);
  const Outcome out = serve(profile, bytes);
  check(profile, bytes, out);
  tally.checked();
  return 0;
}

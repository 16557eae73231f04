// Fuzz target `chunk_loader`: arbitrary bytes as inline handler code through both
// of ngx_lua's loaders: the factory, as a classic request served by a reused
// worker (which then also runs what loaded), and the direct loader on a reused VM.
//
// Property: loading never crashes (the sanitizers watch the engine and the core);
// every load error is well formed ("content_by_lua(nginx.conf:40):<line>: ..." with
// a line inside the chunk, or "memory allocation error"); and the factory accepts
// exactly when the direct loader accepts, except for the classes of source the
// wrapper changes, which loader_oracle.h recognises (top-level `...`, a BOM or
// '#' first line, an `end` escaping the wrapper: conformance/cases/loader_table.case
// and first_line.case; a chunk at a nesting limit), each excused only with its
// evidence re-derived by the direct loader (loader_oracle.h evidence_against:
// the factory is ngx_lua's wrapper, and the class applies), and counted in the
// "#check-rate" line at exit. Inputs the direct loader would read as bytecode
// are loaded by the factory only: bytecode is unsafe by design and the
// bytecode_roundtrip target covers valid bytecode.
//
// Running what loads reaches the runtime (the libraries, the ngx API, the limits)
// without a fresh VM per input, which is what plain Lua fuzzers pay for
// (fuzz/compare_throughput.sh measures the difference against plain_vm_baseline);
// the request must end with a classified outcome, never a crash or a hang.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/model/chunk_loader.h"
#include "core/hardening/execution_budget.h"
#include "core/model/handler.h"
#include "core/model/vm.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"
#include "check_tally.h"
#include "loader_oracle.h"
#include "outcome_compare.h"

namespace {

using namespace codecache;

constexpr const char* kChunkname = "=content_by_lua(nginx.conf:40)";
constexpr std::string_view kShortChunk = "content_by_lua(nginx.conf:40)";

bool read_as_bytecode(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  if (s.starts_with("#")) {  // LuaJIT skips the line and its end (\n, \r, \r\n or \n\r)
    auto eol = s.find_first_of("\r\n");
    if (eol == std::string_view::npos) return false;
    const bool pair = eol + 1 < s.size() && (s[eol + 1] == '\r' || s[eol + 1] == '\n') &&
                      s[eol + 1] != s[eol];
    s.remove_prefix(eol + (pair ? 2 : 1));
  }
  return s.starts_with("\x1b");
}

int max_line(std::string_view s) {
  int lines = 2;
  for (char c : s) lines += (c == '\n' || c == '\r');
  return lines;
}

LoadResult load(Vm& vm, LoaderKind kind, std::string_view source) {
  ExecutionBudget budget;
  lua_State* L = vm.state();
  LoadResult result;
  {
    BudgetScope scope(vm.context(), budget, L);
    result = load_inline(L, kind, source, kChunkname);
  }
  if (result.ok()) lua_pop(L, 1);
  return result;
}

[[noreturn]] void violation(const char* what, std::string_view source, const LoadResult& f,
                            const LoadResult& d) {
  std::fprintf(stderr, "chunk_loader property violated: %s\n  factory: %d %s\n  direct: %d %s\n",
               what, f.lua_status, f.message.c_str(), d.lua_status, d.message.c_str());
  std::fprintf(stderr, "  source (%zu bytes): %.*s\n", source.size(),
               static_cast<int>(source.size() > 400 ? 400 : source.size()), source.data());
  std::abort();
}

void check_error(const LoadResult& r, std::string_view source, const LoadResult& f,
                 const LoadResult& d) {
  if (r.ok()) return;
  if (r.lua_status == LUA_ERRMEM) {
    if (r.message != "memory allocation error") violation("bad memory error text", source, f, d);
    return;
  }
  if (!fuzz::well_formed_syntax_error(r.message, kShortChunk, max_line(source)))
    violation("malformed load error", source, f, d);
}

// The worker is replaced after this many requests: every input is a new cache
// entry, and what one handler leaves in the shared libraries should not outlive
// a short history (a finding replays from a fresh worker).
constexpr int kRequestsPerWorker = 128;

// The input served once as a classic request (the factory loader) on the reused
// worker, with small budgets: looping inputs end after 20k instructions, and C
// loops (a table walked by ngx.say, a backtracking pattern: the hostile seeds) after
// 50 ms of CPU; with the usual 500 ms, replaying a campaign's corpus took minutes.
Outcome serve(std::string_view source) {
  static std::unique_ptr<Worker> worker;
  static int served = 0;
  if (worker == nullptr || ++served % kRequestsPerWorker == 0) {
    worker.reset();  // the old VM is closed before the new one is built
    Settings settings = fuzz::differential_settings(Profile::classic);
    settings.limits.instructions = 20'000;
    settings.limits.cpu_ms = 50;
    worker = std::make_unique<Worker>(settings);
  }
  Handler handler = Handler::inline_code(std::string(source));
  return worker->run(handler);
}

// The factory's load as the request reports it (Outcome::load_failure): the
// loader's message, or success when the chunk loaded, including when only the
// closure factory's call failed (ngx_http_lua_cache_store_code; factory.case).
LoadResult factory_load_of(const Outcome& out) {
  LoadResult r;
  if (out.load_failure != LoadFailure::compile && out.load_failure != LoadFailure::read) return r;
  r.lua_status = out.limit == LimitKind::memory ? LUA_ERRMEM : LUA_ERRSYNTAX;
  r.message = out.load_error;
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Vm* const vm = [] {
    Settings settings;
    settings.profile = Profile::openresty;  // the direct loader's profile
    settings.limits.memory_bytes = 256u << 20;
    return new Vm(settings);
  }();
  const std::string_view source(reinterpret_cast<const char*>(data), size);

  const Outcome served = serve(source);
  const LoadResult factory = factory_load_of(served);
  LoadResult direct;
  const bool bytecode = read_as_bytecode(source);
  if (!bytecode) direct = load(*vm, LoaderKind::direct, source);

  static fuzz::CheckTally tally("chunk_loader");
  check_error(factory, source, factory, direct);
  check_error(direct, source, factory, direct);
  if (bytecode) {
    tally.excused("bytecode (the direct loader is not compared)");
  } else if (factory.lua_status == LUA_ERRMEM || direct.lua_status == LUA_ERRMEM) {
    tally.excused("a loader ran out of memory");
  } else if (factory.ok() != direct.ok()) {
    const LoadResult& rejected = factory.ok() ? direct : factory;
    const fuzz::Disagreement why = fuzz::classify(source, factory.ok(), rejected.message);
    if (why == fuzz::Disagreement::unexplained)
      violation("loaders disagree outside the documented classes", source, factory, direct);
    const auto load_direct = [](std::string_view text) { return load(*vm, LoaderKind::direct, text); };
    const std::string missing = fuzz::evidence_against(
        why, source, factory, direct, load_direct,
        engine::bytecode_format() == engine::BytecodeFormat::luajit);
    if (!missing.empty()) {
      const std::string what = std::string("a ") + fuzz::to_string(why) +
                               " disagreement without its evidence: " + missing;
      violation(what.c_str(), source, factory, direct);
    }
    tally.excused(std::string("documented disagreement, with its evidence: ") + fuzz::to_string(why));
  } else {
    tally.checked();
  }
  vm->settle();
  return 0;
}

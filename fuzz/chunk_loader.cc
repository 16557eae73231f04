// Fuzz target `chunk_loader`: arbitrary bytes as inline handler code through both
// of ngx_lua's loaders (factory and direct) on one reused VM.
//
// Property: loading never crashes (the sanitizers watch the engine and the core);
// every load error is well formed ("content_by_lua(nginx.conf:40):<line>: ..." with
// a line inside the chunk, or "memory allocation error"); and the factory accepts
// exactly when the direct loader accepts, except for the documented classes of
// §2.5 that loader_oracle.h recognises (top-level `...`, a BOM or '#' first line,
// an `end` escaping the wrapper, a chunk at a nesting limit). Inputs the direct
// loader would read as bytecode are loaded by the factory only: bytecode is unsafe
// by design and the bytecode_roundtrip target covers valid bytecode.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/chunk_loader.h"
#include "core/execution_budget.h"
#include "core/vm.h"
#include "loader_oracle.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Vm* vm = [] {
    Settings settings;
    settings.profile = Profile::classic;  // loading only: the profile does not matter
    settings.limits.memory_bytes = 256u << 20;
    return new Vm(settings);
  }();
  const std::string_view source(reinterpret_cast<const char*>(data), size);

  LoadResult factory = load(*vm, LoaderKind::factory, source);
  LoadResult direct;
  const bool bytecode = read_as_bytecode(source);
  if (!bytecode) direct = load(*vm, LoaderKind::direct, source);

  check_error(factory, source, factory, direct);
  check_error(direct, source, factory, direct);
  if (!bytecode && factory.ok() != direct.ok() && factory.lua_status != LUA_ERRMEM &&
      direct.lua_status != LUA_ERRMEM) {
    const LoadResult& rejected = factory.ok() ? direct : factory;
    if (fuzz::classify(source, factory.ok(), rejected.message) == fuzz::Disagreement::unexplained)
      violation("loaders disagree outside the documented classes", source, factory, direct);
  }
  vm->settle();
  return 0;
}

// Fuzz target `plain_vm_baseline`: the baseline chunk_loader's throughput is
// measured against, not one of the campaign's targets. It fuzzes the engine the
// way common Lua fuzzers do: every input gets a fresh lua_State with the
// standard libraries, luaL_loadbuffer, and a pcall under an instruction-count
// hook. fuzz/compare_throughput.sh runs it beside
// `chunk_loader` on the same engine and seeds and compares exec/s and coverage.
//
// Property: none beyond the sanitizers' (no crash, no undefined behaviour). It is
// built exactly like the targets (same compiler, sanitizers and engine library).
// Like every target it keeps fuzzed code away from the host: only the base, table,
// string and math libraries (plus LuaJIT's bit and jit), without dofile, loadfile,
// load, loadstring or bytecode input (corrupt bytecode crashes the engines by
// design), a 64 MiB heap cap, a 1M-instruction budget and, as embedders do, a
// 500 ms CPU deadline whose timer makes the count hook fire at once (a JIT-compiled
// loop runs no hook otherwise); a C function that never returns is left to
// libFuzzer's -timeout, as those fuzzers do.
#include <csignal>
#include <cstdint>
#include <cstdlib>

#include <sys/time.h>

#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"

namespace {

constexpr std::size_t kHeapCap = 64u << 20;
constexpr int kHookPeriod = 1000;
constexpr int kInstructionBudget = 1'000'000;
constexpr int kCpuDeadlineMs = 500;  // chunk_loader's requests get the same

struct Heap {
  std::size_t live = 0;
  int instructions = 0;
};

lua_State* volatile g_running = nullptr;
volatile std::sig_atomic_t g_deadline_passed = 0;

void* capped_alloc(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
  auto* heap = static_cast<Heap*>(ud);
  if (new_size == 0) {
    std::free(ptr);
    heap->live -= ptr != nullptr ? old_size : 0;
    return nullptr;
  }
  const std::size_t old_live = ptr != nullptr ? old_size : 0;
  if (new_size > old_live && heap->live - old_live + new_size > kHeapCap) return nullptr;
  void* fresh = std::realloc(ptr, new_size);
  if (fresh != nullptr) heap->live = heap->live - old_live + new_size;
  return fresh;
}

void count_instructions(lua_State* L, lua_Debug*) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  auto* heap = static_cast<Heap*>(ud);
  heap->instructions += kHookPeriod;
  if (heap->instructions > kInstructionBudget) luaL_error(L, "instruction budget exhausted");
  if (g_deadline_passed) luaL_error(L, "CPU deadline passed");
}

void deadline_passed(int) {
  g_deadline_passed = 1;
  if (lua_State* L = g_running) lua_sethook(L, count_instructions, LUA_MASKCOUNT, 1);
}

// Arms a one-shot CPU timer (SIGVTALRM: libFuzzer owns SIGALRM) for one pcall.
class CpuDeadline {
 public:
  explicit CpuDeadline(lua_State* L) {
    static const bool installed = [] {
      struct sigaction sa {};
      sa.sa_handler = deadline_passed;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESTART;
      return sigaction(SIGVTALRM, &sa, nullptr) == 0;
    }();
    (void)installed;
    g_deadline_passed = 0;
    g_running = L;
    set(kCpuDeadlineMs);
  }
  ~CpuDeadline() {
    set(0);
    g_running = nullptr;
  }
  CpuDeadline(const CpuDeadline&) = delete;
  CpuDeadline& operator=(const CpuDeadline&) = delete;

 private:
  static void set(int ms) {
    itimerval t{};
    t.it_value.tv_sec = ms / 1000;
    t.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_VIRTUAL, &t, nullptr);
  }
};

int open_libraries(lua_State* L) {
  struct Library {
    lua_CFunction open;
    const char* name;
  };
  for (const Library& lib : {Library{luaopen_base, ""}, Library{luaopen_table, LUA_TABLIBNAME},
                             Library{luaopen_string, LUA_STRLIBNAME},
                             Library{luaopen_math, LUA_MATHLIBNAME}}) {
    lua_pushcfunction(L, lib.open);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 0);
  }
  codecache::engine::open_extra_libraries(L);
  for (const char* unsafe : {"dofile", "loadfile", "load", "loadstring"}) {
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, unsafe);
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == 0x1b) return -1;  // bytecode: not text, not kept
  Heap heap;
  lua_State* L = lua_newstate(capped_alloc, &heap);
  if (L == nullptr) return 0;
  if (lua_cpcall(L, open_libraries, nullptr) == 0) {
    lua_sethook(L, count_instructions, LUA_MASKCOUNT, kHookPeriod);
    if (luaL_loadbuffer(L, reinterpret_cast<const char*>(data), size, "=fuzz") == 0) {
      CpuDeadline deadline(L);
      lua_pcall(L, 0, 0, 0);
    }
  }
  lua_close(L);
  return 0;
}

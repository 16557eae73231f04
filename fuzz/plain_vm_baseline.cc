// Fuzz target `plain_vm_baseline`: the yardstick of issue 6, not one of the
// campaign's targets. It fuzzes the engine the way common Lua fuzzers do: every
// input gets a fresh lua_State with the standard libraries, luaL_loadbuffer, and a
// pcall under an instruction-count hook. fuzz/compare_throughput.sh runs it beside
// `chunk_loader` on the same engine and seeds and compares exec/s and coverage.
//
// Property: none beyond the sanitizers' (no crash, no undefined behaviour). It is
// built exactly like the targets (same compiler, sanitizers and engine library).
// Like every target it keeps fuzzed code away from the host: only the base, table,
// string and math libraries (plus LuaJIT's bit and jit), without dofile, loadfile,
// load, loadstring or bytecode input (corrupt bytecode crashes the engines by
// design), a 64 MiB heap cap and a 1M-instruction budget (a C function that never
// returns is left to libFuzzer's -timeout, as those fuzzers do).
#include <cstdint>
#include <cstdlib>

#include "engine/engine.h"
#include "engine/lua_headers.h"

namespace {

constexpr std::size_t kHeapCap = 64u << 20;
constexpr int kHookPeriod = 1000;
constexpr int kInstructionBudget = 1'000'000;

struct Heap {
  std::size_t live = 0;
  int instructions = 0;
};

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
}

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
      lua_pcall(L, 0, 0, 0);
    }
  }
  lua_close(L);
  return 0;
}

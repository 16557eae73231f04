// The C interface between the `differential` fuzz target and the three engine
// builds it runs in one process. Each engine build of the core is linked into one
// relocatable object whose only global symbol is its entry point,
// codecache_differential_<engine> (see fuzz/CMakeLists.txt, "differential"), so
// the engines' identical lua_* and C++ symbols never meet.
#pragma once

#include <cstddef>

extern "C" {

// One request's outcome, as plain bytes the caller frees with std::free.
struct CodecacheDifferentialOutcome {
  int status;
  int aborted;
  int limit;        // codecache::LimitKind as an int; 0 is none
  char* body;       // body_size bytes
  std::size_t body_size;
  char* log;        // the error-log lines, each ending in '\n' (debug lines left out)
  std::size_t log_size;
};

// Serves `code` as one inline handler on a fresh worker (`profile` 0 classic,
// 1 openresty, 2 sealed) with the differential targets' small budgets.
// Returns 0, or -1 when the harness itself failed (the outcome is then empty).
typedef int (*CodecacheDifferentialEntry)(const char* code, std::size_t size, int profile,
                                           CodecacheDifferentialOutcome* out);

int codecache_differential_lua51(const char*, std::size_t, int, CodecacheDifferentialOutcome*);
int codecache_differential_luajit(const char*, std::size_t, int, CodecacheDifferentialOutcome*);
int codecache_differential_luajit2(const char*, std::size_t, int, CodecacheDifferentialOutcome*);
}

// A snapshot of the state ngx_lua's classic build shares between the requests one
// worker serves with the code cache on: everything reachable from the main
// thread's globals (library tables, package.loaded, the ngx table) and from the
// metatables of the basic types (the string metatable, and any that
// debug.setmetatable gave nil, booleans, numbers, functions or threads), following
// every table's entries and metatable, every function's environment and upvalues,
// and every userdata's metatable and environment. Tables are known by identity,
// so a snapshot does not depend on the order lua_next visits them.
//
// Read raw (lua_next, lua_getmetatable, lua_getfenv, lua_getupvalue) between
// requests: no metamethod and no Lua code runs, nothing is allocated in the Lua
// heap. The snapshot itself is harness memory and has caps (entries, bytes,
// depth); a snapshot that reached one is partial and compares with nothing.
// Weak tables are recorded without their entries (the collector empties them).
//
// Its uses: the fuzz targets excuse a classic comparison only when an earlier
// request changed this state (the leak the real classic build has, request_env.h),
// and a sealed request must never change it (tests/property, the conformance
// runner, the fuzz targets).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>

#include "engine/lua_headers.h"

namespace codecache {

struct SharedStateSnapshot {
  struct Node {
    std::string path;                            // where it was first reached, to name it
    std::map<std::string, std::string> entries;  // key -> value, plus "<metatable>" & co.
  };
  std::map<std::string, std::string> roots;          // "_G", "<string metatable>", ...
  std::unordered_map<const void*, Node> nodes;        // every table, function, userdata
  bool complete = true;                               // false: a cap was reached
  std::size_t bytes = 0;                              // what the snapshot holds, counted
};

inline constexpr std::size_t kSharedStateMaxNodes = 20'000;
inline constexpr std::size_t kSharedStateMaxBytes = std::size_t{8} << 20;
inline constexpr int kSharedStateMaxDepth = 64;

// Of the main thread `L` (any thread of the VM reads the same globals index only
// for the main thread: pass the VM's main state).
SharedStateSnapshot snapshot_shared_state(lua_State* L);

// What changed from `before` to `after`: "" when nothing did; else the first
// difference, e.g. "string.x added", "<string metatable>.__index changed",
// "package.loaded.m added"; "the shared state exceeds the snapshot's caps" when
// either snapshot is partial.
std::string shared_state_change(const SharedStateSnapshot& before, const SharedStateSnapshot& after);

}  // namespace codecache

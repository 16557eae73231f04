// A snapshot of the state ngx_lua's classic build shares between the requests one
// worker serves with the code cache on: everything reachable from the main
// thread's globals (library tables, package.loaded, the ngx table) and from the
// metatables of the basic types (the string metatable, and any that
// debug.setmetatable gave nil, booleans, numbers, functions or threads), following
// every table's entries and metatable, every function's environment and upvalues,
// and every userdata's metatable and environment. Tables are known by identity,
// and a table's entries are compared as a set, so a snapshot does not depend on
// the order lua_next visits them.
//
// Read raw (lua_next, lua_getmetatable, lua_getfenv, lua_getupvalue) between
// requests: no metamethod and no Lua code runs, nothing is allocated in the Lua
// heap. Values are kept as 64-bit hashes (strings by content, numbers by value,
// tables, functions and userdata by identity) and string keys by text, to name a
// change; paths are worked out only when there is one to name. The snapshot is
// harness memory with caps (objects, entries, depth); one that reached a cap is
// partial and compares with nothing. Weak tables are recorded without their
// entries (the collector empties them).
//
// A digest is the same walk summed into one 64-bit value, nothing kept per entry:
// about a third of a snapshot's cost, for when only "did anything change?" is asked
// (P6 on every input of the fuzz targets); a snapshot then names what did.
//
// Its uses: the fuzz targets excuse a classic comparison only when an earlier
// request changed this state (the leak the real classic build has, request_env.h),
// and a sealed request must never change it (P6: tests/property, the conformance
// runner, the fuzz targets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/lua_headers.h"

namespace codecache {

struct SharedStateSnapshot {
  struct Entry {
    std::uint64_t key = 0;         // hash of the key (type and value or identity)
    std::uint64_t value = 0;       // hash of the value
    const void* child = nullptr;   // the value's identity: a table, function or userdata
    std::string name;              // the key as a path element: "x", "[1]", "<metatable>"
  };
  struct Node {
    const void* identity = nullptr;
    std::uint32_t first = 0;       // its entries: entries[first, first + count)
    std::uint32_t count = 0;
    std::uint64_t digest = 0;      // of its entries as a set
  };
  std::vector<Entry> roots;        // "_G", "package.loaded", "<string metatable>", ...
  std::vector<Node> nodes;         // every table, function, userdata reached
  std::vector<Entry> entries;      // each node's entries, then "<metatable>", "<env>", "<upvalue n>"
  bool complete = true;            // false: a cap was reached

  // The node of `identity`, or nullptr (an open-addressing index over `nodes`).
  const Node* find(const void* identity) const;
  std::vector<std::uint32_t> index;  // slots: node number + 1, 0 when empty
};

inline constexpr std::size_t kSharedStateMaxNodes = 20'000;
inline constexpr std::size_t kSharedStateMaxEntries = 200'000;
inline constexpr int kSharedStateMaxDepth = 64;

// Of the VM's main state `L`, between requests.
SharedStateSnapshot snapshot_shared_state(lua_State* L);

// The snapshot's walk, summed: two digests differ exactly when the snapshots taken
// at the same points would (shared_state_change non-empty), up to 64-bit hash
// collisions; a partial one (a cap reached) compares with nothing.
struct SharedStateDigest {
  std::uint64_t value = 0;
  bool complete = true;
};

// Of the VM's main state `L`, between requests.
SharedStateDigest digest_shared_state(lua_State* L);

// Whether the state changed from `before` to `after`; true when either is partial.
bool shared_state_changed(const SharedStateDigest& before, const SharedStateDigest& after);

// What changed from `before` to `after`: "" when nothing did; else the first
// difference by its shortest path, e.g. "string.x added", "table.insert removed",
// "package.loaded.m.a[1] added", "<string metatable>.__index changed";
// "the shared state exceeds the snapshot's caps" when either snapshot is partial.
std::string shared_state_change(const SharedStateSnapshot& before, const SharedStateSnapshot& after);

}  // namespace codecache

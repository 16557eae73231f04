// The shared-state snapshot and digest (see shared_state.h): one depth-first walk
// over raw reads, each table, function and userdata recorded once by identity, its
// entries as hashes, kept (a snapshot) or only summed into the node's digest (a
// digest); names are worked out breadth first, and only for a change.
#include "core/model/shared_state.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace codecache {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t combine(std::uint64_t type, std::uint64_t bits) { return mix(bits ^ mix(type + 1)); }

bool identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The slot of `identity` in an index of `mask + 1` slots: its own or the empty one
// where it belongs.
std::size_t slot_of(const std::vector<std::uint32_t>& index, const std::vector<SharedStateSnapshot::Node>& nodes,
                    const void* identity) {
  const std::size_t mask = index.size() - 1;
  std::size_t slot = mix(reinterpret_cast<std::uintptr_t>(identity)) & mask;
  while (index[slot] != 0 && nodes[index[slot] - 1].identity != identity) slot = (slot + 1) & mask;
  return slot;
}

// Visits what shared_state.h describes. With `keep_entries` off, a node's entries
// go only into its digest (no name is made, nothing is stored per entry): the same
// walk, the same caps and the same digests as a snapshot's, so that two digests
// differ exactly where shared_state_change finds a change.
class Walker {
 public:
  Walker(lua_State* L, SharedStateSnapshot& out, bool keep_entries)
      : L_(L), out_(out), keep_entries_(keep_entries) {}

  // The hash of the value at absolute stack index `idx`, and `child` set to its
  // identity when it is a table, function or userdata (recorded by record()).
  std::uint64_t hash(int idx, const void** child) {
    const int type = lua_type(L_, idx);
    switch (type) {
      case LUA_TNIL: return combine(type, 0);
      case LUA_TBOOLEAN: return combine(type, lua_toboolean(L_, idx) != 0);
      case LUA_TNUMBER: {
        const double n = static_cast<double>(lua_tonumber(L_, idx));
        std::uint64_t bits = 0;
        std::memcpy(&bits, &n, sizeof bits);
        return combine(type, bits);
      }
      case LUA_TSTRING: {
        std::size_t len = 0;
        const char* s = lua_tolstring(L_, idx, &len);  // a string: no conversion
        return combine(type, std::hash<std::string_view>{}(std::string_view(s, len)));
      }
      case LUA_TTABLE:
      case LUA_TFUNCTION:
      case LUA_TUSERDATA: {
        const void* identity = lua_topointer(L_, idx);
        if (child != nullptr) *child = identity;
        return combine(type, reinterpret_cast<std::uintptr_t>(identity));
      }
      default:  // light userdata, thread: by identity, not followed
        return combine(type, reinterpret_cast<std::uintptr_t>(lua_topointer(L_, idx)));
    }
  }

  // Records the table, function or userdata at absolute index `idx` (anything
  // else is ignored) with its entries, then what they reach: two passes, so that
  // a node's entries are contiguous.
  void record(int idx, int depth) {
    const int type = lua_type(L_, idx);
    if (type != LUA_TTABLE && type != LUA_TFUNCTION && type != LUA_TUSERDATA) return;
    if (!out_.complete) return;
    const void* identity = lua_topointer(L_, idx);
    std::size_t slot = slot_of(out_.index, out_.nodes, identity);
    if (out_.index[slot] != 0) return;
    if (depth >= kSharedStateMaxDepth || out_.nodes.size() >= kSharedStateMaxNodes ||
        !lua_checkstack(L_, 4)) {
      out_.complete = false;
      return;
    }
    if (2 * (out_.nodes.size() + 1) > out_.index.size()) {
      grow();
      slot = slot_of(out_.index, out_.nodes, identity);
    }
    out_.nodes.push_back({identity, static_cast<std::uint32_t>(out_.entries.size()), 0, 0});
    out_.index[slot] = static_cast<std::uint32_t>(out_.nodes.size());
    const std::size_t number = out_.nodes.size() - 1;
    const bool weak_table = type == LUA_TTABLE && weak(idx);

    // Pass 1: the entries.
    node_count_ = 0;
    node_sum_ = 0;
    if (weak_table) {
      add(combine(0, 1), [] { return std::string("<weak>"); }, combine(0, 2), nullptr);
    } else if (type == LUA_TTABLE) {
      lua_pushnil(L_);
      while (lua_next(L_, idx) != 0) {
        const int key = lua_gettop(L_) - 1;
        const void* child = nullptr;
        const std::uint64_t key_hash = hash(key, nullptr);
        const std::uint64_t value_hash = hash(key + 1, &child);
        add(key_hash, [&] { return key_name(key); }, value_hash, child);
        lua_pop(L_, 1);
      }
    }
    for_each_link(idx, type, [&](const char* name, int n) {
      const void* child = nullptr;
      const std::uint64_t value_hash = hash(lua_gettop(L_), &child);
      add(combine(2 + static_cast<std::uint64_t>(name[1]), static_cast<std::uint64_t>(n)),
          [&] { return n == 0 ? std::string(name) : "<upvalue " + std::to_string(n) + ">"; },
          value_hash, child);
    });
    SharedStateSnapshot::Node& node = out_.nodes[number];
    node.count = node_count_;
    node.digest = mix(node.count) + node_sum_;

    // Pass 2: what the entries reach.
    if (type == LUA_TTABLE && !weak_table) {
      lua_pushnil(L_);
      while (lua_next(L_, idx) != 0) {
        const int key = lua_gettop(L_) - 1;
        record(key, depth + 1);
        record(key + 1, depth + 1);
        lua_pop(L_, 1);
      }
    }
    for_each_link(idx, type, [&](const char*, int) { record(lua_gettop(L_), depth + 1); });
  }

 private:
  // Calls f(name, n) with the metatable, environment or n-th upvalue on top of the
  // stack (n = 0 but for upvalues), and pops it.
  template <typename F>
  void for_each_link(int idx, int type, F&& f) {
    if (lua_getmetatable(L_, idx) != 0) {
      f("<metatable>", 0);
      lua_pop(L_, 1);
    }
    if (type != LUA_TTABLE) {
      lua_getfenv(L_, idx);
      f("<env>", 0);
      lua_pop(L_, 1);
    }
    if (type == LUA_TFUNCTION) {
      for (int n = 1; lua_getupvalue(L_, idx, n) != nullptr; ++n) {
        f("<upvalue>", n);
        lua_pop(L_, 1);
      }
    }
  }

  void grow() {
    out_.index.assign(out_.index.size() * 2, 0);
    for (std::size_t i = 0; i < out_.nodes.size(); ++i)
      out_.index[slot_of(out_.index, out_.nodes, out_.nodes[i].identity)] = static_cast<std::uint32_t>(i + 1);
  }

  // "x" for an identifier, "[\"a b\"]", "[1]", "[true]", "[table]" otherwise.
  std::string key_name(int idx) {
    switch (lua_type(L_, idx)) {
      case LUA_TSTRING: {
        std::size_t len = 0;
        const char* s = lua_tolstring(L_, idx, &len);
        const std::string_view text(s, len);
        if (identifier(text)) return std::string(text);
        return "[\"" + std::string(text.substr(0, 40)) + (len > 40 ? "...\"]" : "\"]");
      }
      case LUA_TNUMBER: {
        char text[40];
        std::snprintf(text, sizeof text, "[%.17g]", static_cast<double>(lua_tonumber(L_, idx)));
        return text;
      }
      case LUA_TBOOLEAN: return lua_toboolean(L_, idx) ? "[true]" : "[false]";
      default: return std::string("[") + lua_typename(L_, lua_type(L_, idx)) + "]";
    }
  }

  bool weak(int idx) {
    if (lua_getmetatable(L_, idx) == 0) return false;
    lua_pushliteral(L_, "__mode");
    lua_rawget(L_, -2);
    const bool has_mode = !lua_isnil(L_, -1);
    lua_pop(L_, 2);
    return has_mode;
  }

  // One entry of the node being recorded: into its digest (a set: the sum is
  // order-free), and kept with its name when the walk keeps entries.
  template <typename Name>
  void add(std::uint64_t key, Name&& name, std::uint64_t value, const void* child) {
    if (entries_ >= kSharedStateMaxEntries) {
      out_.complete = false;
      return;
    }
    ++entries_;
    ++node_count_;
    node_sum_ += mix(key ^ mix(value));
    if (keep_entries_) out_.entries.push_back({key, value, child, name()});
  }

  lua_State* L_;
  SharedStateSnapshot& out_;
  const bool keep_entries_;
  std::size_t entries_ = 0;         // entries seen, kept or not (the cap)
  std::uint32_t node_count_ = 0;    // of the node being recorded
  std::uint64_t node_sum_ = 0;
};

int no_op(lua_State*) { return 0; }

std::string child_path(const std::string& parent, const std::string& name) {
  if (name.starts_with("[")) return parent + name;
  return parent == "_G" ? name : parent + "." + name;
}

// The path of each node of `s` by its shortest path from the roots (breadth first,
// roots in order, entries in the order recorded).
std::unordered_map<const void*, std::string> paths_of(const SharedStateSnapshot& s) {
  std::unordered_map<const void*, std::string> path;
  std::vector<const SharedStateSnapshot::Node*> queue;
  auto reach = [&](const void* identity, std::string p) {
    const SharedStateSnapshot::Node* node = identity == nullptr ? nullptr : s.find(identity);
    if (node == nullptr || path.count(identity) != 0) return;
    path.emplace(identity, std::move(p));
    queue.push_back(node);
  };
  for (const auto& root : s.roots) reach(root.child, root.name);
  for (std::size_t next = 0; next < queue.size(); ++next) {
    const std::string parent = path.at(queue[next]->identity);
    for (std::size_t i = queue[next]->first; i < queue[next]->first + queue[next]->count; ++i)
      reach(s.entries[i].child, child_path(parent, s.entries[i].name));
  }
  return path;
}

}  // namespace

const SharedStateSnapshot::Node* SharedStateSnapshot::find(const void* identity) const {
  if (index.empty()) return nullptr;
  const std::uint32_t number = index[slot_of(index, nodes, identity)];
  return number == 0 ? nullptr : &nodes[number - 1];
}

namespace {

// The walk of shared_state.h into `out`, its entries kept or not.
void walk_shared_state(lua_State* L, SharedStateSnapshot& out, bool keep_entries) {
  out.index.assign(1024, 0);
  out.nodes.reserve(256);
  if (keep_entries) out.entries.reserve(1024);
  const int top = lua_gettop(L);
  if (!lua_checkstack(L, 8)) {
    out.complete = false;
    return;
  }
  Walker walker(L, out, keep_entries);
  auto root = [&](const char* name) {
    SharedStateSnapshot::Entry e;
    e.key = std::hash<std::string_view>{}(name);
    e.name = name;
    e.value = walker.hash(lua_gettop(L), &e.child);
    walker.record(lua_gettop(L), 0);
    out.roots.push_back(std::move(e));
    lua_settop(L, top);
  };
  // The globals first, then package.loaded, then the types' metatables, so that
  // names come out as "string.x", not "<string metatable>.__index.x".
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  root("_G");
  lua_pushliteral(L, "_LOADED");
  lua_rawget(L, LUA_REGISTRYINDEX);
  root("package.loaded");
  const std::pair<const char*, void (*)(lua_State*)> kTypes[] = {
      {"<nil metatable>", [](lua_State* s) { lua_pushnil(s); }},
      {"<boolean metatable>", [](lua_State* s) { lua_pushboolean(s, 0); }},
      {"<number metatable>", [](lua_State* s) { lua_pushnumber(s, 0); }},
      {"<string metatable>", [](lua_State* s) { lua_pushliteral(s, ""); }},
      {"<function metatable>", [](lua_State* s) { lua_pushcfunction(s, no_op); }},
      {"<thread metatable>", [](lua_State* s) { lua_pushthread(s); }},
      {"<lightuserdata metatable>", [](lua_State* s) { lua_pushlightuserdata(s, nullptr); }},
  };
  for (const auto& [name, push] : kTypes) {
    push(L);
    if (lua_getmetatable(L, -1) != 0)
      root(name);
    else
      lua_settop(L, top);
  }
}

}  // namespace

SharedStateSnapshot snapshot_shared_state(lua_State* L) {
  SharedStateSnapshot out;
  walk_shared_state(L, out, true);
  return out;
}

SharedStateDigest digest_shared_state(lua_State* L) {
  SharedStateSnapshot walked;
  walk_shared_state(L, walked, false);
  SharedStateDigest digest;
  digest.complete = walked.complete;
  for (const auto& root : walked.roots) digest.value += mix(root.key ^ mix(root.value));
  for (const auto& node : walked.nodes)
    digest.value += mix(reinterpret_cast<std::uintptr_t>(node.identity) ^ mix(node.digest));
  return digest;
}

bool shared_state_changed(const SharedStateDigest& before, const SharedStateDigest& after) {
  return !before.complete || !after.complete || before.value != after.value;
}

std::string shared_state_change(const SharedStateSnapshot& before, const SharedStateSnapshot& after) {
  if (!before.complete || !after.complete) return "the shared state exceeds the snapshot's caps";
  // Differences as (node, entry name, what), named only once one is found.
  struct Difference {
    const void* node;  // nullptr: a root
    std::string name;
    const char* what;
    bool in_before;    // the node's path is to be read in `before`
  };
  std::vector<Difference> found;
  using Entry = SharedStateSnapshot::Entry;
  auto compare = [&found](const void* node, const Entry* old_begin, const Entry* old_end,
                          const Entry* new_begin, const Entry* new_end) {
    std::unordered_map<std::uint64_t, const Entry*> old_by_key;
    for (const Entry* e = old_begin; e != old_end; ++e) old_by_key.emplace(e->key, e);
    for (const Entry* e = new_begin; e != new_end; ++e) {
      const auto old = old_by_key.find(e->key);
      if (old == old_by_key.end()) {
        found.push_back({node, e->name, "added", false});
      } else {
        if (old->second->value != e->value) found.push_back({node, e->name, "changed", false});
        old_by_key.erase(old);
      }
    }
    for (const auto& [key, e] : old_by_key) found.push_back({node, e->name, "removed", true});
  };
  compare(nullptr, before.roots.data(), before.roots.data() + before.roots.size(), after.roots.data(),
          after.roots.data() + after.roots.size());
  for (const auto& node : after.nodes) {
    const SharedStateSnapshot::Node* was = before.find(node.identity);
    if (was == nullptr) continue;  // new: its referrer's entry changed
    if (was->digest == node.digest && was->count == node.count) continue;
    compare(node.identity, before.entries.data() + was->first, before.entries.data() + was->first + was->count,
            after.entries.data() + node.first, after.entries.data() + node.first + node.count);
  }
  if (found.empty()) return "";
  const auto before_paths = paths_of(before);
  const auto after_paths = paths_of(after);
  std::string first;
  for (const Difference& d : found) {
    std::string text;
    if (d.node == nullptr) {
      text = d.name + " " + d.what;
    } else {
      const auto& paths = d.in_before ? before_paths : after_paths;
      const auto path = paths.find(d.node);
      text = child_path(path == paths.end() ? "?" : path->second, d.name) + " " + d.what;
    }
    // The shortest description, then the first in text order: the change nearest
    // the roots.
    if (first.empty() || text.size() < first.size() || (text.size() == first.size() && text < first))
      first = std::move(text);
  }
  return first;
}

}  // namespace codecache

// The shared-state snapshot (see shared_state.h): a depth-first walk over raw
// reads, each table, function and userdata recorded once by identity.
#include "core/shared_state.h"

#include <cstdio>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace codecache {
namespace {

constexpr std::size_t kShortString = 64;

bool identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

std::string pointer_text(const char* type, const void* p) {
  char text[64];
  std::snprintf(text, sizeof text, "%s %p", type, p);
  return text;
}

std::string string_text(lua_State* L, int idx) {
  std::size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);  // a string: converted in place, never
  const std::string_view view(s, len);         // a number (numbers take number_text)
  if (len > kShortString) {
    char text[96];
    std::snprintf(text, sizeof text, "string of %zu bytes, hash %zx", len,
                  std::hash<std::string_view>{}(view));
    return text;
  }
  std::string out = "\"";
  for (unsigned char c : view) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\%03u", c);
      out += esc;
    }
  }
  return out + "\"";
}

// The path of the entry `key` (a value's text, or "<metatable>" & co.) of the node
// at `parent` ("_G" for the globals): "string.x", "<string metatable>.__index",
// "_G[1]", "t[\"a b\"]", "f.<upvalue 1>".
std::string child_name(const std::string& parent, const std::string& key) {
  const bool quoted = key.size() >= 2 && key.front() == '"' && key.back() == '"';
  if (quoted && identifier(std::string_view(key).substr(1, key.size() - 2)))
    return (parent == "_G" ? "" : parent + ".") + key.substr(1, key.size() - 2);
  if (key.starts_with("<")) return parent + "." + key;
  return parent + "[" + key + "]";
}

class Walker {
 public:
  Walker(lua_State* L, SharedStateSnapshot& out) : L_(L), out_(out) {}

  // The value at absolute stack index `idx`, first reached at `path`: its text,
  // and for a table, function or userdata not seen before, its node.
  std::string visit(int idx, const std::string& path, int depth) {
    switch (lua_type(L_, idx)) {
      case LUA_TNIL: return "nil";
      case LUA_TBOOLEAN: return lua_toboolean(L_, idx) ? "true" : "false";
      case LUA_TNUMBER: {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", static_cast<double>(lua_tonumber(L_, idx)));
        return text;
      }
      case LUA_TSTRING: return string_text(L_, idx);
      case LUA_TLIGHTUSERDATA: return pointer_text("lightuserdata", lua_touserdata(L_, idx));
      case LUA_TTHREAD: return pointer_text("thread", lua_topointer(L_, idx));
      case LUA_TTABLE: return node(idx, "table", path, depth);
      case LUA_TFUNCTION: return node(idx, "function", path, depth);
      case LUA_TUSERDATA: return node(idx, "userdata", path, depth);
      default: return "?";
    }
  }

 private:
  std::string node(int idx, const char* type, const std::string& path, int depth) {
    const void* identity = lua_topointer(L_, idx);
    std::string text = pointer_text(type, identity);
    if (out_.nodes.count(identity) != 0) return text;
    if (depth >= kSharedStateMaxDepth || out_.nodes.size() >= kSharedStateMaxNodes ||
        !lua_checkstack(L_, 6)) {
      out_.complete = false;
      return text;
    }
    const std::string& here = path;
    out_.nodes[identity].path = here;  // marks it seen first
    identity_of.emplace(text, identity);
    std::map<std::string, std::string> entries;
    if (lua_type(L_, idx) == LUA_TTABLE) {
      if (weak(idx)) {
        entries["<weak>"] = "entries not recorded";
      } else {
        // Tables first, then the rest: a table reached through a function's
        // environment is then named by its path through tables where it has one
        // ("package.loaded", not "require.<env>.loaded").
        for (const bool tables : {true, false}) {
          lua_pushnil(L_);
          while (lua_next(L_, idx) != 0) {
            const int key = lua_gettop(L_) - 1;
            if ((lua_type(L_, key + 1) == LUA_TTABLE) == tables) {
              const bool named = lua_type(L_, key) == LUA_TSTRING;
              std::string key_text = named ? string_text(L_, key) : visit(key, here + "[key]", depth + 1);
              std::string value_text = visit(key + 1, child_name(here, key_text), depth + 1);
              add(entries, std::move(key_text), std::move(value_text));
            }
            lua_pop(L_, 1);
          }
        }
      }
    }
    if (lua_getmetatable(L_, idx) != 0) {
      add(entries, "<metatable>", visit(lua_gettop(L_), here + ".<metatable>", depth + 1));
      lua_pop(L_, 1);
    }
    if (lua_type(L_, idx) != LUA_TTABLE) {
      lua_getfenv(L_, idx);
      add(entries, "<env>", visit(lua_gettop(L_), here + ".<env>", depth + 1));
      lua_pop(L_, 1);
    }
    if (lua_type(L_, idx) == LUA_TFUNCTION) {
      for (int n = 1; lua_getupvalue(L_, idx, n) != nullptr; ++n) {
        const std::string name = "<upvalue " + std::to_string(n) + ">";
        add(entries, name, visit(lua_gettop(L_), here + "." + name, depth + 1));
        lua_pop(L_, 1);
      }
    }
    out_.nodes[identity].entries = std::move(entries);
    return text;
  }

  bool weak(int idx) {
    if (lua_getmetatable(L_, idx) == 0) return false;
    lua_pushliteral(L_, "__mode");
    lua_rawget(L_, -2);
    const bool has_mode = !lua_isnil(L_, -1);
    lua_pop(L_, 2);
    return has_mode;
  }

  void add(std::map<std::string, std::string>& entries, std::string key, std::string value) {
    out_.bytes += key.size() + value.size();
    if (out_.bytes > kSharedStateMaxBytes) {
      out_.complete = false;
      return;
    }
    entries.emplace(std::move(key), std::move(value));
  }

  lua_State* L_;
  SharedStateSnapshot& out_;

 public:
  std::unordered_map<std::string, const void*> identity_of;  // a node's text -> identity
};

// Renames every node by its shortest path from the roots (breadth first, entries
// in key order): the walk is depth first, and "package.loaded.string.x" reads
// worse than "string.x".
void name_by_shortest_paths(SharedStateSnapshot& out,
                            const std::unordered_map<std::string, const void*>& identity_of) {
  std::vector<const void*> queue;
  std::unordered_map<const void*, bool> named;
  auto reach = [&](const std::string& text, std::string path) {
    const auto found = identity_of.find(text);
    if (found == identity_of.end() || named[found->second]) return;
    named[found->second] = true;
    out.nodes[found->second].path = std::move(path);
    queue.push_back(found->second);
  };
  // The globals first, then package.loaded, then the types' metatables: the string
  // table is "string", not "<string metatable>.__index".
  for (const char* first : {"_G", "package.loaded"})
    if (const auto root = out.roots.find(first); root != out.roots.end()) reach(root->second, first);
  for (const auto& [root, text] : out.roots) reach(text, root);
  for (std::size_t next = 0; next < queue.size(); ++next) {
    const auto& node = out.nodes[queue[next]];
    for (const auto& [key, value] : node.entries) reach(value, child_name(node.path, key));
  }
}

int no_op(lua_State*) { return 0; }

}  // namespace

SharedStateSnapshot snapshot_shared_state(lua_State* L) {
  SharedStateSnapshot out;
  const int top = lua_gettop(L);
  if (!lua_checkstack(L, 8)) {
    out.complete = false;
    return out;
  }
  Walker walker(L, out);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  out.roots["_G"] = walker.visit(lua_gettop(L), "_G", 0);
  lua_settop(L, top);
  lua_pushliteral(L, "_LOADED");
  lua_rawget(L, LUA_REGISTRYINDEX);
  out.roots["package.loaded"] = walker.visit(lua_gettop(L), "package.loaded", 0);
  lua_settop(L, top);
  // One value of each basic type, for the type's metatable.
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
      out.roots[name] = walker.visit(lua_gettop(L), name, 0);
    lua_settop(L, top);
  }
  name_by_shortest_paths(out, walker.identity_of);
  return out;
}

std::string shared_state_change(const SharedStateSnapshot& before, const SharedStateSnapshot& after) {
  if (!before.complete || !after.complete) return "the shared state exceeds the snapshot's caps";
  std::string first;
  auto note = [&first](std::string what) {
    if (first.empty() || what < first) first = std::move(what);
  };
  for (const auto& [name, value] : after.roots) {
    const auto was = before.roots.find(name);
    if (was == before.roots.end()) note(name + " added");
    else if (was->second != value) note(name + " changed");
  }
  for (const auto& [name, value] : before.roots)
    if (after.roots.count(name) == 0) note(name + " removed");
  for (const auto& [identity, node] : after.nodes) {
    const auto was = before.nodes.find(identity);
    if (was == before.nodes.end()) continue;  // new: its referrer's entry changed
    const auto& old_entries = was->second.entries;
    const auto& new_entries = node.entries;
    auto name = [&node](const std::string& key) { return child_name(node.path, key); };
    for (const auto& [key, value] : new_entries) {
      const auto old = old_entries.find(key);
      if (old == old_entries.end()) note(name(key) + " added");
      else if (old->second != value) note(name(key) + " changed");
    }
    for (const auto& [key, value] : old_entries)
      if (new_entries.count(key) == 0) note(name(key) + " removed");
  }
  return first;
}

}  // namespace codecache

// Producing and writing a case's files (see case_files.h).
#include "case_files.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <stdexcept>

#include "core/engine/lua_headers.h"

namespace codecache::conformance {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Producing bytes at test time: `eval` blocks and string.dump, both in a plain
// (unsandboxed, unbudgeted) VM of the engine under test.

class PlainVm {
 public:
  PlainVm() : L_(luaL_newstate()) {
    if (L_ == nullptr) throw std::runtime_error("luaL_newstate failed");
    luaL_openlibs(L_);
  }
  ~PlainVm() { lua_close(L_); }
  PlainVm(const PlainVm&) = delete;
  PlainVm& operator=(const PlainVm&) = delete;

  // Runs `chunk`; its first result must be a string.
  std::string eval(const std::string& chunk) {
    if (luaL_loadbuffer(L_, chunk.data(), chunk.size(), "=eval") != 0 ||
        lua_pcall(L_, 0, 1, 0) != 0) {
      throw std::runtime_error(std::string("eval: ") + lua_tostring(L_, -1));
    }
    if (lua_type(L_, -1) != LUA_TSTRING) throw std::runtime_error("eval: the chunk must return a string");
    std::string out = result();
    lua_settop(L_, 0);
    return out;
  }

  // string.dump(loadstring(source, "=code"), strip)
  std::string dump(const std::string& source, bool strip) {
    lua_getfield(L_, LUA_GLOBALSINDEX, "string");
    lua_getfield(L_, -1, "dump");
    if (luaL_loadbuffer(L_, source.data(), source.size(), "=code") != 0) {
      throw std::runtime_error(std::string("file_from_dump: ") + lua_tostring(L_, -1));
    }
    lua_pushboolean(L_, strip ? 1 : 0);
    if (lua_pcall(L_, 2, 1, 0) != 0) {
      throw std::runtime_error(std::string("file_from_dump: ") + lua_tostring(L_, -1));
    }
    std::string out = result();
    lua_settop(L_, 0);
    return out;
  }

 private:
  std::string result() {
    size_t len = 0;
    const char* s = lua_tolstring(L_, -1, &len);
    return std::string(s, len);
  }
  lua_State* L_;
};

}  // namespace

std::string resolve_content(const Content& c) {
  if (c.kind == Content::Kind::literal) return c.text;
  PlainVm vm;
  return vm.eval(c.text);
}

namespace {

void write_bytes(const fs::path& path, const std::string& bytes) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Streams prefix, fill..., suffix: a file of exactly f.size bytes, never held in memory.
void write_fill(const fs::path& path, const FileSpec& f) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(f.prefix.data(), static_cast<std::streamsize>(f.prefix.size()));
  std::uint64_t left = f.size - f.prefix.size() - f.suffix.size();
  std::string chunk;
  while (chunk.size() < (1u << 20)) chunk += f.fill;
  chunk.resize((1u << 20) - (1u << 20) % f.fill.size());
  while (left > 0) {
    std::uint64_t n = std::min<std::uint64_t>(left, chunk.size());
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    left -= n;
  }
  out.write(f.suffix.data(), static_cast<std::streamsize>(f.suffix.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

void materialize(const fs::path& dir, const FileSpec& f) {
  const fs::path path = dir / f.path;
  switch (f.kind) {
    case FileSpec::Kind::content: write_bytes(path, resolve_content(f.content)); break;
    case FileSpec::Kind::dump: {
      PlainVm vm;
      std::string bytes = f.prepend + vm.dump(resolve_content(f.content), f.strip);
      if (f.truncate && *f.truncate < bytes.size()) bytes.resize(*f.truncate);
      write_bytes(path, bytes);
      break;
    }
    case FileSpec::Kind::fill: write_fill(path, f); break;
    case FileSpec::Kind::directory: fs::create_directories(path); break;
    case FileSpec::Kind::remove: {
      std::error_code ec;
      fs::remove_all(path, ec);
      break;
    }
  }
}

}  // namespace codecache::conformance

// The factory and direct loaders (see chunk_loader.h).
#include "core/model/chunk_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/model/bytecode_factory.h"
#include "core/engine/engine.h"

namespace codecache {
namespace {

constexpr std::string_view kFactoryBegin = "return function() ";
constexpr std::string_view kFactoryEnd = "\nend";
constexpr std::size_t kReadBlock = 4096;

// Streams prefix, source, suffix as three pieces, like ngx_lua's buffer reader.
struct BufferReader {
  std::string_view pieces[3];
  int next = 0;
};

const char* read_buffer(lua_State*, void* ud, size_t* size) {
  auto* r = static_cast<BufferReader*>(ud);
  while (r->next < 3) {
    std::string_view piece = r->pieces[r->next++];
    if (piece.empty()) continue;
    *size = piece.size();
    return piece.data();
  }
  *size = 0;
  return nullptr;
}

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// Streams a text file: optional "\n" for a skipped '#' line, prefix, 4096-byte
// blocks, suffix.
struct FileReader {
  std::FILE* file;
  bool extraline;
  std::string_view begin;
  std::string_view end;
  bool sent_begin = false;
  bool sent_end = false;
  char block[kReadBlock];
};

const char* read_file(lua_State*, void* ud, size_t* size) {
  auto* r = static_cast<FileReader*>(ud);
  if (r->extraline) {
    r->extraline = false;
    *size = 1;
    return "\n";
  }
  if (!r->sent_begin) {
    r->sent_begin = true;
    if (!r->begin.empty()) {
      *size = r->begin.size();
      return r->begin.data();
    }
  }
  std::size_t n = std::fread(r->block, 1, sizeof r->block, r->file);
  if (n > 0) {
    *size = n;
    return r->block;
  }
  if (!r->sent_end && !r->end.empty()) {
    r->sent_end = true;
    *size = r->end.size();
    return r->end.data();
  }
  *size = 0;
  return nullptr;
}

LoadResult file_error(const char* what, const std::string& path, int err) {
  LoadResult r;
  r.lua_status = LUA_ERRFILE;
  r.file_errno = err;
  r.message = std::string("cannot ") + what + " " + path;
  if (err != 0) r.message += std::string(": ") + std::strerror(err);
  return r;
}

// Takes the result of lua_load: on error moves the message off the stack.
LoadResult finish_load(lua_State* L, int status) {
  LoadResult r;
  r.lua_status = status;
  if (status == 0) return r;
  if (status == LUA_ERRMEM) {
    r.message = "memory allocation error";
  } else if (lua_isstring(L, -1)) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    r.message.assign(s, len);
  } else {
    r.message = "unknown error";
  }
  lua_pop(L, 1);
  return r;
}

// Whether the VM has LuaJIT's `jit` library loaded: how ngx_lua tells LuaJIT from
// PUC Lua at run time before it reads a bytecode file (ngx_http_lua_clfactory.c,
// ngx_http_lua_clfactory_loadfile: `_LOADED["jit"]` a table gives NGX_LUA_BT_LJ,
// anything else NGX_LUA_BT_LUA). Mirrored as ngx_lua does it, not asked of the
// engine seam: it decides the "bad byte-code header" refusal and the rewrite.
bool luajit_is_loaded(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  bool jit = false;
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "jit");
    jit = lua_istable(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return jit;
}

std::string read_rest(std::FILE* f) {
  std::string bytes;
  char block[kReadBlock];
  std::size_t n;
  while ((n = std::fread(block, 1, sizeof block, f)) > 0) bytes.append(block, n);
  return bytes;
}

// A file whose first byte (after an optional '#' line) is ESC. `f` is positioned
// just after that ESC.
// A file error that set no errno: ngx_lua reads the errno left by earlier calls.
LoadResult stale_file_error(std::string message, int stale_errno) {
  LoadResult r;
  r.lua_status = LUA_ERRFILE;
  r.file_errno = stale_errno;
  r.message = std::move(message);
  // bytecode_factory ends a short header read with strerror(0); say the stale one.
  const std::string success = ": Success";
  if (stale_errno != 0 && r.message.size() >= success.size() &&
      r.message.compare(r.message.size() - success.size(), success.size(), success) == 0) {
    r.message.replace(r.message.size() - success.size() + 2, std::string::npos, std::strerror(stale_errno));
  }
  return r;
}

// A dump the engine would load although it could break the engine's memory safety
// (engine::unsafe_bytecode): refused as the engine refuses malformed bytecode, a
// load error (500), with what is wrong. ngx_lua has no such check (its worker would
// crash): a deliberate difference (README, "Hostile code").
LoadResult bad_bytecode(std::string_view chunk, const std::string& problem) {
  LoadResult r;
  r.lua_status = LUA_ERRSYNTAX;
  r.message = "bad byte-code in " + std::string(chunk) + ": " + problem;
  return r;
}

LoadResult load_bytecode(lua_State* L, LoaderKind kind, std::FILE* f, bool sharp,
                         const std::string& path, const std::string& chunkname, int stale_errno) {
  const bool luajit = luajit_is_loaded(L);
  if (luajit && sharp) return stale_file_error("bad byte-code header in " + path, stale_errno);
  std::string bytes = "\x1b" + read_rest(f);
  if (std::ferror(f)) return file_error("read", path, errno);
  if (kind == LoaderKind::factory) {
    BytecodeFactory wrapped = luajit ? wrap_luajit_bytecode(bytes) : wrap_puc_bytecode(bytes);
    if (!wrapped.ok) return stale_file_error(wrapped.error, stale_errno);
    bytes = std::move(wrapped.bytes);
  }
  if (auto problem = engine::unsafe_bytecode(bytes)) return bad_bytecode(path, *problem);
  BufferReader reader{{std::string_view(bytes), {}, {}}};
  return finish_load(L, lua_load(L, read_buffer, &reader, chunkname.c_str()));
}

}  // namespace

int LoadResult::http_status() const {
  if (lua_status == LUA_ERRFILE) return file_errno == ENOENT ? 404 : 503;
  return 500;
}

LoadResult load_inline(lua_State* L, LoaderKind kind, std::string_view source,
                       const char* chunkname) {
  BufferReader reader;
  if (kind == LoaderKind::factory) {
    reader = BufferReader{{kFactoryBegin, source, kFactoryEnd}};
  } else {
    // The direct loader hands inline code to lua_load as is: the engine reads it as
    // bytecode when it starts with ESC (after a BOM or '#' line it refuses it).
    if (source.starts_with(LUA_SIGNATURE[0])) {
      if (auto problem = engine::unsafe_bytecode(source)) {
        std::string_view name(chunkname);
        if (name.starts_with('=') || name.starts_with('@')) name.remove_prefix(1);
        return bad_bytecode(name, *problem);
      }
    }
    reader = BufferReader{{source, {}, {}}};
  }
  return finish_load(L, lua_load(L, read_buffer, &reader, chunkname));
}

LoadResult load_file(lua_State* L, LoaderKind kind, const std::string& path, int stale_errno,
                     const FileSource& files) {
  const std::string chunkname = "@" + path;
  errno = 0;
  File file(files(path, "r"), std::fclose);
  if (!file) return file_error("open", path, errno);

  int c = std::getc(file.get());
  bool sharp = false;
  if (c == '#') {  // a shebang-style first line: skipped, its line kept
    sharp = true;
    while ((c = std::getc(file.get())) != EOF && c != '\n') {
    }
    if (c == '\n') c = std::getc(file.get());
  }
  if (c == LUA_SIGNATURE[0]) {
    // ngx_lua freopen()s the file in mode "rb": the same as closing and opening it.
    file.reset();
    errno = 0;
    File binary(files(path, "rb"), std::fclose);
    if (!binary) return file_error("reopen", path, errno);
    while ((c = std::getc(binary.get())) != EOF && c != LUA_SIGNATURE[0]) {
    }
    return load_bytecode(L, kind, binary.get(), sharp, path, chunkname, stale_errno);
  }
  if (c != EOF) std::ungetc(c, file.get());

  auto reader = std::make_unique<FileReader>();
  reader->file = file.get();
  reader->extraline = sharp;
  if (kind == LoaderKind::factory) {
    reader->begin = kFactoryBegin;
    reader->end = kFactoryEnd;
  }
  errno = 0;
  int status = lua_load(L, read_file, reader.get(), chunkname.c_str());
  if (std::ferror(file.get())) {
    int err = errno;
    lua_pop(L, 1);  // the function or message lua_load left behind
    return file_error("read", path, err);
  }
  return finish_load(L, status);
}

}  // namespace codecache

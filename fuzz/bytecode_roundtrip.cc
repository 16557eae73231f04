// Fuzz target `bytecode_roundtrip`: valid handler source (the input bytes) compiled
// in a plain VM of the same engine, dumped with string.dump — full and stripped —
// and served as a `content_by_lua_file` handler through the file loader's bytecode
// path (first byte ESC: rewritten into a closure factory under `classic`, passed to
// lua_load as is under `openresty`). Files come from memory (core/file_source.h):
// nothing touches the file system.
//
// Property: for source that compiles as a main chunk (chunk name "@<path>", no
// BOM or '#' first line), the bytecode file gives the same outcome as the source
// file, profile by profile (status, abort, body, error log): the full dump exactly;
// (under `classic` the source's frame is the wrapper's inner function, "in function
// <path:1>" in a traceback, while the bytecode's main proto keeps its identity,
// "in main chunk": that one name is normalised); the stripped dump after removing
// what stripping documentedly removes, namely
// positions ("<chunk>:<line>:", LuaJIT names a stripped chunk "?" and has no line
// info), the names of variables in error messages ("local 'x' (a nil value)"
// reads "a nil value"; LuaJIT names what it can from the debug info, and without
// it names upvalues '' and sometimes finds a global name the full dump did not),
// the position and function name in ngx.log's "[lua] file:line: fn(): " prefix,
// and the traceback below "stack traceback:". Lua 5.1 has no strip (string.dump
// takes one argument), so its "stripped" dump is the full one and is compared
// exactly. A '#' line before bytecode: LuaJIT refuses it with "bad byte-code
// header" (ngx_lua's own check), Lua 5.1 runs it like the plain dump. Source the
// classic factory cannot load (top-level `...`, a chunk at a nesting limit: the
// chunk_loader target's documented classes), handlers whose output varies from run
// to run, and runs cut off by a limit (instruction counts differ between the
// wrapped source and the rewritten bytecode) are left out.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/file_source.h"
#include "core/worker.h"
#include "engine/engine.h"
#include "outcome_compare.h"

namespace {

using namespace codecache;

constexpr const char* kPath = "/codecache-fuzz/handler.lua";
constexpr const char* kChunkname = "@/codecache-fuzz/handler.lua";

bool luajit() { return engine::bytecode_format() == engine::BytecodeFormat::luajit; }

// string.dump of `source` compiled as a main chunk in a plain VM of this engine;
// empty when the source does not compile.
std::string dump(std::string_view source, bool strip) {
  static lua_State* L = [] {
    lua_State* s = luaL_newstate();
    luaL_openlibs(s);
    return s;
  }();
  std::string bytes;
  lua_settop(L, 0);
  lua_getfield(L, LUA_GLOBALSINDEX, "string");
  lua_getfield(L, -1, "dump");
  if (luaL_loadbuffer(L, source.data(), source.size(), kChunkname) == 0) {
    lua_pushboolean(L, strip ? 1 : 0);
    if (lua_pcall(L, 2, 1, 0) == 0) {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      bytes.assign(s, len);
    }
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return bytes;
}

Outcome serve_file(Profile profile, const std::string& bytes) {
  Settings settings = fuzz::differential_settings(profile);
  settings.files = in_memory({{kPath, bytes}});
  Worker worker(settings);
  Handler handler = Handler::file(kPath);
  return worker.run(handler);
}

bool failed_to_load(const Outcome& o) {
  return !o.log.empty() && o.log.front().find("failed to load") != std::string::npos;
}

// Erases every `what` followed by optional digits and ':' ("<chunk>:<line>:"),
// leaving "<pos>:".
void erase_positions(std::string& text, std::string_view what) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
    std::size_t end = at + what.size();
    std::size_t digits = end;
    if (digits < text.size() && text[digits] == '-') ++digits;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits > end && digits < text.size() && text[digits] == ':') end = digits + 1;
    text.replace(at, end - at, "<pos>:");
    at += 6;
  }
}

// "<kind> 'x' (a nil value)" -> "a nil value" for local, upvalue, global, field,
// method and constant names (see the header comment).
void erase_names(std::string& text, std::string_view kind) {
  for (std::size_t at = text.find(kind); at != std::string::npos; at = text.find(kind, at + 1)) {
    const std::size_t open = text.find("' (", at + kind.size());
    const std::size_t eol = text.find('\n', at);
    if (open == std::string::npos || open > eol) continue;
    const std::size_t close = text.find(')', open);
    if (close == std::string::npos || close > eol) continue;
    text.replace(at, close + 1 - at, text.substr(open + 3, close - open - 3));
  }
}

// What stripping a LuaJIT dump removes, taken out of an outcome's comparable text
// (no std::regex: its recursion is unbounded on long bodies).
std::string without_debug_info(std::string text) {
  constexpr std::string_view kTraceback = "stack traceback:";
  for (std::size_t at = text.find(kTraceback); at != std::string::npos;
       at = text.find(kTraceback, at + 1)) {
    std::size_t end = at + kTraceback.size();
    while (end + 1 < text.size() && text[end] == '\n' &&
           (text[end + 1] == '\t' || text.compare(end + 1, 10, "coroutine ") == 0)) {
      const std::size_t eol = text.find('\n', end + 1);
      end = eol == std::string::npos ? text.size() : eol;
    }
    text.replace(at, end - at, kTraceback);
  }
  erase_positions(text, "/codecache-fuzz/handler.lua:");
  erase_positions(text, "[lua] handler.lua:");  // ngx.log's prefix: basename and line
  erase_positions(text, "?:");
  // ngx.log's prefix names the calling function ("[lua] f.lua:2: helper(): msg"),
  // from debug info a stripped dump no longer has.
  constexpr std::string_view kLogPrefix = "<pos>: ";
  for (std::size_t at = text.find(kLogPrefix); at != std::string::npos;
       at = text.find(kLogPrefix, at + 1)) {
    std::size_t end = at + kLogPrefix.size();
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_' || text[end] == '.' || text[end] == ':'))
      ++end;
    if (end > at + kLogPrefix.size() && text.compare(end, 4, "(): ") == 0)
      text.erase(at + kLogPrefix.size(), end + 4 - (at + kLogPrefix.size()));
  }
  for (const char* kind : {"local '", "upvalue '", "global '", "field '", "method '", "constant '"})
    erase_names(text, kind);
  return text;
}

// Under `classic` the handler's own frame is named differently (header comment).
std::string handler_frame_as_main(std::string text) {
  constexpr std::string_view kWrapped = "in function </codecache-fuzz/handler.lua:1>";
  for (std::size_t at = text.find(kWrapped); at != std::string::npos; at = text.find(kWrapped, at))
    text.replace(at, kWrapped.size(), "in main chunk");
  return text;
}

[[noreturn]] void violation(const char* what, Profile profile, std::string_view source,
                            const std::string& a, const std::string& b) {
  std::fprintf(stderr,
               "bytecode_roundtrip violated: %s (%s, %s)\n  source: %.*s\n"
               "  source file  : %s\n  bytecode file: %s\n",
               what, std::string(to_string(profile)).c_str(), std::string(engine::name()).c_str(),
               static_cast<int>(source.size() > 400 ? 400 : source.size()), source.data(),
               a.c_str(), b.c_str());
  std::abort();
}

void check(Profile profile, std::string_view source, const std::string& full,
           const std::string& stripped) {
  const Outcome from_source = serve_file(profile, std::string(source));
  if (failed_to_load(from_source)) {
    // Only the factory may refuse what compiled as a main chunk (chunk_loader's
    // documented classes); the direct loader reads exactly what was compiled.
    if (profile == Profile::openresty)
      violation("the source file does not load", profile, source, fuzz::comparable(from_source), "");
    return;
  }
  if (from_source.limit != LimitKind::none) return;
  const std::string expected = handler_frame_as_main(fuzz::comparable(from_source));

  const Outcome from_full = serve_file(profile, full);
  if (from_full.limit == LimitKind::none && handler_frame_as_main(fuzz::comparable(from_full)) != expected)
    violation("full dump differs", profile, source, expected, fuzz::comparable(from_full));

  const Outcome from_stripped = serve_file(profile, stripped);
  if (from_stripped.limit == LimitKind::none) {
    const std::string got = handler_frame_as_main(fuzz::comparable(from_stripped));
    if (luajit() ? without_debug_info(got) != without_debug_info(expected) : got != expected)
      violation("stripped dump differs (normalised)", profile, source,
                without_debug_info(expected), without_debug_info(got));
  }

  const Outcome after_sharp = serve_file(profile, "#!/usr/bin/env luajit\n" + full);
  if (luajit()) {
    if (after_sharp.status != 503 || after_sharp.log.empty() ||
        after_sharp.log.front().find("bad byte-code header") == std::string::npos)
      violation("bytecode after a '#' line was not refused", profile, source, expected,
                fuzz::comparable(after_sharp));
  } else if (after_sharp.limit == LimitKind::none &&
             handler_frame_as_main(fuzz::comparable(after_sharp)) != expected) {
    violation("bytecode after a '#' line differs", profile, source, expected,
              fuzz::comparable(after_sharp));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  if (source.starts_with("#") || source.starts_with("\xEF\xBB\xBF") || source.starts_with("\x1b"))
    return 0;
  if (fuzz::has_unstable_output(source)) return 0;
  const std::string full = dump(source, false);
  if (full.empty()) return 0;  // does not compile: the chunk_loader target's ground
  const std::string stripped = dump(source, true);
  check(Profile::classic, source, full, stripped);
  check(Profile::openresty, source, full, stripped);
  return 0;
}

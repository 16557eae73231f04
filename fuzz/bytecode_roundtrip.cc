// Fuzz target `bytecode_roundtrip`: valid handler source (the input bytes) compiled
// in a plain VM of the same engine, dumped with string.dump — full and stripped —
// and served as a `content_by_lua_file` handler through the file loader's bytecode
// path (first byte ESC: rewritten into a closure factory under `classic`, passed to
// lua_load as is under `openresty`). Files come from memory (core/plumbing/file_source.h):
// nothing touches the file system.
//
// Property: for source that compiles as a main chunk (chunk name "@<path>", no
// BOM or '#' first line), the bytecode file gives the same outcome as the source
// file, profile by profile (status, abort, body, error log): the full dump exactly
// (under `classic` the source's frame is the wrapper's inner function, "in function
// <path:1>" in a traceback, while the bytecode's main proto keeps its identity,
// "in main chunk": that one name is normalised); the stripped dump after removing
// what stripping documentedly removes (debug_info_normaliser.h lists it). Lua 5.1
// has no strip (string.dump takes one argument), so its "stripped" dump is the
// full one and is compared exactly. A '#' line before bytecode: LuaJIT refuses it
// with "bad byte-code header" (ngx_lua's own check), Lua 5.1 runs it like the plain
// dump.
//
// The source is the input's bytes when they compile and have no '#' line, BOM or
// ESC first byte; otherwise the handler those bytes generate (handler_grammar.h),
// which always qualifies.
//
// Excused, each counted by reason in the "#check-rate" line printed at exit
// (check_tally.h): a difference that does not repeat when both files are served
// again (output that varies between runs), or that repeats but the handler reads
// what outcome_compare.h's repeatable_difference_excuse names; source the classic factory cannot load (top-level `...`,
// a chunk at a nesting limit: the chunk_loader target's documented classes), runs
// cut off by a limit (instruction counts differ between the wrapped source and the
// rewritten bytecode), and, on LuaJIT, a difference where the round trip moved a
// table constructor's template (its border or key order, table_template.h) -- only
// when that template is found to differ, never by the look of the source.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <string_view>

#include "core/plumbing/file_source.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"
#include "check_tally.h"
#include "debug_info_normaliser.h"
#include "handler_grammar.h"
#include "outcome_compare.h"
#include "plain_vm.h"
#include "table_template.h"

namespace {

using namespace codecache;

const std::string kPath(fuzz::kRoundtripPath);
const std::string kChunkname = "@" + kPath;

bool luajit() { return engine::bytecode_format() == engine::BytecodeFormat::luajit; }

std::string dump(std::string_view source, bool strip) {
  return fuzz::dump_in_plain_vm(source, kChunkname, strip);
}

Outcome serve_file(Profile profile, const std::string& bytes) {
  Settings settings = fuzz::differential_settings(profile);
  settings.files = in_memory({{kPath, bytes}});
  Worker worker(settings);
  Handler handler = Handler::file(kPath);
  return worker.run(handler);
}

constexpr const char* kCutOff = "cut off by a limit";

bool failed_to_load(const Outcome& o) { return o.load_failure != LoadFailure::none; }

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

// How a run's outcome is compared: the whole outcome, the handler's frame named as
// the main chunk's, and after stripping's documented losses when `stripped`.
std::string compared(const Outcome& o, bool stripped) {
  const std::string text = fuzz::handler_frame_as_main(fuzz::comparable(o));
  return stripped && luajit() ? fuzz::without_debug_info(text) : text;
}

// The excuse for a bytecode file whose outcome `b` differs from the source file's
// `a`, or a violation. On LuaJIT the round trip may have rebuilt a table template
// with another border or key order; else the difference must repeat when both
// files are served again and not be explained (outcome_compare.h's
// excuse_for_difference).
std::string excuse_or_violation(const char* what, Profile profile, std::string_view source,
                                const std::string& dumped, bool stripped, const std::string& a,
                                const std::string& b) {
  if (!fuzz::template_moved_by_roundtrip(source, dumped, kChunkname).empty())
    return "the round trip moved a table template";
  const auto again = [&] {
    return std::pair(compared(serve_file(profile, std::string(source)), stripped),
                     compared(serve_file(profile, dumped), stripped));
  };
  if (fuzz::Excuse excuse = fuzz::excuse_for_difference(a, b, again, source, true); !excuse.reason.empty())
    return excuse.reason;
  violation(what, profile, source, a, b);
}

// Checks one profile; returns why the check was not complete, or "".
std::string check(Profile profile, std::string_view source, const std::string& full,
                  const std::string& stripped) {
  const Outcome from_source = serve_file(profile, std::string(source));
  if (failed_to_load(from_source)) {
    // Only the factory may refuse what compiled as a main chunk (chunk_loader's
    // documented classes); the direct loader reads exactly what was compiled.
    if (profile == Profile::openresty)
      violation("the source file does not load", profile, source, fuzz::comparable(from_source), "");
    return "the classic factory refused the source";
  }
  if (from_source.limit != LimitKind::none) return kCutOff;
  const std::string expected = compared(from_source, false);
  std::string excuse;

  // A run cut off by a limit ends the input's check: each such run may cost the
  // CPU budget and the hard deadline, and an input's runs must stay well inside
  // libFuzzer's -timeout on a busy machine.
  const Outcome from_full = serve_file(profile, full);
  if (from_full.limit != LimitKind::none) {
    return kCutOff;
  } else if (const std::string got = compared(from_full, false); got != expected) {
    excuse = excuse_or_violation("full dump differs", profile, source, full, false, expected, got);
  }

  const Outcome from_stripped = serve_file(profile, stripped);
  if (from_stripped.limit != LimitKind::none) {
    return kCutOff;
  } else {
    const std::string want = compared(from_source, true), got = compared(from_stripped, true);
    if (got != want)
      excuse = excuse_or_violation("stripped dump differs (normalised)", profile, source, stripped,
                                   true, want, got);
  }

  const Outcome after_sharp = serve_file(profile, "#!/usr/bin/env luajit\n" + full);
  if (luajit()) {
    if (after_sharp.status != 503 || after_sharp.load_failure != LoadFailure::read ||
        after_sharp.load_error.find("bad byte-code header") == std::string::npos)
      violation("bytecode after a '#' line was not refused", profile, source, expected,
                fuzz::comparable(after_sharp));
  } else if (after_sharp.limit != LimitKind::none) {
    excuse = kCutOff;
  } else if (const std::string got = compared(after_sharp, false); got != expected) {
    excuse = excuse_or_violation("bytecode after a '#' line differs", profile, source,
                                 "#!/usr/bin/env luajit\n" + full, false, expected, got);
  }
  return excuse;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::CheckTally tally("bytecode_roundtrip");
  // The input's bytes as source when they qualify, else the handler they generate
  // (handler_grammar.h: always compiles, no '#' line).
  std::string source(reinterpret_cast<const char*>(data), size);
  std::string full;
  if (!source.starts_with("#") && !source.starts_with("\xEF\xBB\xBF") && !source.starts_with("\x1b"))
    full = dump(source, false);
  if (full.empty()) {
    source = fuzz::generated_handler(data, size);
    full = dump(source, false);
  }
  if (full.empty()) {
    // Never (tests/unit/handler_grammar_test.cc).
    tally.excused("the generated handler does not compile", source);
    return 0;
  }
  const std::string stripped = dump(source, true);
  std::string excuse = check(Profile::classic, source, full, stripped);
  if (excuse != kCutOff) {
    if (std::string other = check(Profile::openresty, source, full, stripped); excuse.empty())
      excuse = other;
  }
  fuzz::count(tally, {excuse, ""});
  return 0;
}

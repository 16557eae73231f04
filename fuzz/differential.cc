// Fuzz target `differential`: one generated handler served by PUC Lua 5.1, stock
// LuaJIT and OpenResty's LuaJIT2 in one process (each engine build of the core is
// one symbol-localized object, see localize_engine.sh), all under the `classic`
// profile on a fresh worker.
//
// Property: the three outcomes (status, abort, body, error log) are the same once
// the documented engine differences are normalised away (normalise() lists them:
// the traceback's shape, the sign of NaN, number-to-string details). The input
// bytes drive a narrow generator of programs — arithmetic, strings, tables and
// control flow over a few locals, printed with ngx.say — because raw bytes would be
// dominated by syntax errors; it never generates what the engines document as
// different (goto, bit, jit, FFI, pairs order, the border of a table with holes,
// addresses, hex/\x escapes, Lua 5.1-only compat functions). Runs that hit a
// limit on any engine are left out: instruction counts and heap sizes differ.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "differential_entry.h"

namespace {

constexpr int kMaxDepth = 3;

struct Generator {
  FuzzedDataProvider& in;

  template <std::size_t N>
  const char* pick(const char* const (&items)[N]) {
    return items[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
  }

  std::string num(int depth) {
    static const char* const kLiterals[] = {"0", "1", "2", "3", "-1", "0.5", "10", "100",
                                            "1e15", "2^53", "1e300", "-0", "(0/0)", "7.25",
                                            "math.huge", "-math.huge", "255", "1/3"};
    static const char* const kVars[] = {"a", "b", "c"};
    static const char* const kOps[] = {"+", "-", "*", "/", "%", "^"};
    if (depth >= kMaxDepth) return in.ConsumeBool() ? pick(kLiterals) : pick(kVars);
    switch (in.ConsumeIntegralInRange(0, 12)) {
      case 0: case 1: return pick(kLiterals);
      case 2: case 3: return pick(kVars);
      case 4: case 5: return "(" + num(depth + 1) + " " + pick(kOps) + " " + num(depth + 1) + ")";
      case 6: return "-" + num(depth + 1);
      case 7: {
        static const char* const kMath1[] = {"math.floor", "math.ceil", "math.abs", "math.sqrt"};
        return std::string(pick(kMath1)) + "(" + num(depth + 1) + ")";
      }
      case 8: {
        static const char* const kMath2[] = {"math.max", "math.min", "math.fmod"};
        return std::string(pick(kMath2)) + "(" + num(depth + 1) + ", " + num(depth + 1) + ")";
      }
      case 9: return in.ConsumeBool() ? "#s" : "#t";
      case 10: return "(tonumber(" + str(depth + 1) + ") or " + num(depth + 1) + ")";
      case 11: return "string.byte(" + str(depth + 1) + ", " + num(depth + 1) + ")";
      default: return "(" + cond(depth + 1) + " and " + num(depth + 1) + " or " + num(depth + 1) + ")";
    }
  }

  std::string str(int depth) {
    static const char* const kLiterals[] = {"\"\"", "\"abc\"", "\"x y\"", "\"10\"", "\"0x10\"",
                                            "\"1e2\"", "\" 5 \"", "\"nan\"", "\"inf\"", "\"a.b\"",
                                            "\"-0\"", "\"1e\"", "\"AbC\"", "\"3.0\""};
    if (depth >= kMaxDepth) return in.ConsumeBool() ? pick(kLiterals) : "s";
    switch (in.ConsumeIntegralInRange(0, 12)) {
      case 0: case 1: return pick(kLiterals);
      case 2: return "s";
      case 3: return "(" + str(depth + 1) + " .. " + str(depth + 1) + ")";
      case 4: return "(" + num(depth + 1) + " .. \"\")";
      case 5: {
        static const char* const kMethods[] = {"upper", "lower", "reverse", "len"};
        return "string." + std::string(pick(kMethods)) + "(" + str(depth + 1) + ")";
      }
      case 6: return "string.rep(" + str(depth + 1) + ", " + std::to_string(in.ConsumeIntegralInRange(0, 4)) + ")";
      case 7: return "string.sub(" + str(depth + 1) + ", " + num(depth + 1) + ", " + num(depth + 1) + ")";
      case 8: {
        static const char* const kFormats[] = {"%d", "%5.2f", "%g", "%x", "%s", "%q", "%5s",
                                               "%-3d", "%.3f", "%e", "%o", "%c", "%5.1s"};
        return "string.format(\"" + std::string(pick(kFormats)) + "\", " + num(depth + 1) + ")";
      }
      case 9: return "string.char(" + std::to_string(in.ConsumeIntegralInRange(48, 122)) + ")";
      case 10: {
        static const char* const kPatterns[] = {"a", "%a", "%d+", "(.)", "[%s]", "^%s*", "b*", "%.", "x?"};
        return "(string.gsub(" + str(depth + 1) + ", \"" + pick(kPatterns) + "\", " + str(depth + 1) + "))";
      }
      case 11: return "table.concat(t, " + str(depth + 1) + ")";
      default: return "tostring(" + cond(depth + 1) + ")";
    }
  }

  std::string cond(int depth) {
    static const char* const kCompare[] = {"<", "<=", "==", "~=", ">", ">="};
    if (depth >= kMaxDepth) return in.ConsumeBool() ? "true" : "(a < b)";
    switch (in.ConsumeIntegralInRange(0, 5)) {
      case 0: return "(" + num(depth + 1) + " " + pick(kCompare) + " " + num(depth + 1) + ")";
      case 1: return "(" + str(depth + 1) + " " + pick(kCompare) + " " + str(depth + 1) + ")";
      case 2: return "not " + cond(depth + 1);
      case 3: return "(" + cond(depth + 1) + (in.ConsumeBool() ? " and " : " or ") + cond(depth + 1) + ")";
      case 4: return "(string.find(" + str(depth + 1) + ", " + str(depth + 1) + ", 1, true) ~= nil)";
      default: return "(u." + std::string(in.ConsumeBool() ? "x" : "y") + " ~= nil)";
    }
  }

  std::string any(int depth) {
    switch (in.ConsumeIntegralInRange(0, 2)) {
      case 0: return num(depth);
      case 1: return str(depth);
      default: return cond(depth);
    }
  }

  std::string block(int depth) {
    std::string code;
    const int n = in.ConsumeIntegralInRange(depth == 0 ? 1 : 0, depth == 0 ? 12 : 3);
    for (int i = 0; i < n && in.remaining_bytes() > 0; ++i) code += stmt(depth) + "\n";
    return code;
  }

  std::string stmt(int depth) {
    static const char* const kVars[] = {"a", "b", "c"};
    static const char* const kKeys[] = {"x", "y", "z"};
    const bool nest = depth < 2;
    switch (in.ConsumeIntegralInRange(0, nest ? 15 : 9)) {
      case 0: return std::string(pick(kVars)) + " = " + num(0);
      case 1: return "s = " + str(0);
      case 2: case 3: return "ngx.say(show(" + any(0) + "))";
      case 4: return "t[#t + 1] = " + any(1);
      case 5: return in.ConsumeBool() ? "table.insert(t, " + any(1) + ")" : "table.remove(t)";
      case 6: return "u." + std::string(pick(kKeys)) + " = " + any(1);
      case 7: return "do local n = 0 for _ in pairs(u) do n = n + 1 end ngx.say(\"keys \", n) end";
      case 8: return "ngx.say(show(u." + std::string(pick(kKeys)) + "), \" \", #t)";
      case 9: return in.ConsumeBool() ? "error(" + str(1) + ")" : "ngx.say(show(" + any(0) + "), \" \", show(" + any(0) + "))";
      case 10: return "if " + cond(0) + " then\n" + block(depth + 1) + "else\n" + block(depth + 1) + "end";
      case 11: return "for i = 1, " + std::to_string(in.ConsumeIntegralInRange(0, 4)) + " do\n" +
                      block(depth + 1) + "end";
      case 12: return "do local ok, e = pcall(function()\n" + block(depth + 1) +
                      "end) ngx.say(\"pcall \", show(ok), \" \", show(e)) end";
      case 13: return "do local f = function(a, b) return " + any(0) +
                      " end ngx.say(\"f \", show(f(b, a))) end";
      case 14: return "do local co = coroutine.wrap(function() coroutine.yield(" + any(1) +
                      ") return " + any(1) + " end) ngx.say(\"co \", show(co()), \" \", show(co())) end";
      default: return "do local g = 0 while g < " + std::to_string(in.ConsumeIntegralInRange(1, 4)) +
                      " and " + cond(1) + " do g = g + 1\n" + block(depth + 1) + "end end";
    }
  }
};

constexpr const char kPrelude[] =
    "local a, b, c, s, t, u = 1, 2, 3, \"abc\", {1, 2, 3}, {x = 1}\n"
    "local function show(v) local ty = type(v) if ty == \"table\" or ty == \"function\" "
    "then return ty end return tostring(v) end\n";

struct Result {
  const char* name;
  CodecacheDifferentialOutcome outcome;
  int rc;
};

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// The documented engine differences, normalised away (README "Fuzzing"):
//   - tracebacks: LuaJIT prints no current line for some frames and names frames
//     differently ("in function <...>" vs "in main chunk"); only the error is kept;
//   - NaN: PUC Lua formats numbers with printf("%.14g") and prints the sign of a
//     NaN ("-nan" for 0/0 on x86), LuaJIT's own formatter always prints "nan".
std::string normalise(const CodecacheDifferentialOutcome& o) {
  std::string log(o.log, o.log_size);
  for (std::size_t at = log.find("\nstack traceback:"); at != std::string::npos;
       at = log.find("\nstack traceback:", at)) {
    // The traceback runs to the end of its log line: its own lines start with
    // "coroutine N:" or a tab.
    std::size_t end = at + 1;
    for (;;) {
      const std::size_t eol = log.find('\n', end);
      if (eol == std::string::npos) { end = log.size(); break; }
      end = eol + 1;
      if (end < log.size() && (log[end] == '\t' || log.compare(end, 10, "coroutine ") == 0)) continue;
      end = eol;
      break;
    }
    log.erase(at, end - at);
  }
  std::string text = std::to_string(o.status) + (o.aborted ? " aborted\n" : "\n") +
                     std::string(o.body, o.body_size) + "\n--log--\n" + log;
  replace_all(text, "-nan", "nan");
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Generator gen{in};
  const std::string code = kPrelude + gen.block(0);

  Result results[] = {{"lua51", {}, 0}, {"luajit", {}, 0}, {"luajit2", {}, 0}};
  results[0].rc = codecache_differential_lua51(code.data(), code.size(), 0, &results[0].outcome);
  results[1].rc = codecache_differential_luajit(code.data(), code.size(), 0, &results[1].outcome);
  results[2].rc = codecache_differential_luajit2(code.data(), code.size(), 0, &results[2].outcome);
  bool comparable = true;
  for (const auto& r : results) {
    if (r.rc != 0) {
      std::fprintf(stderr, "differential: the harness failed on %s\n", r.name);
      std::abort();
    }
    if (r.outcome.limit != 0) comparable = false;
  }
  if (comparable) {
    const std::string reference = normalise(results[0].outcome);
    for (const auto& r : results) {
      if (normalise(r.outcome) == reference) continue;
      std::fprintf(stderr, "differential: engines disagree\n--- handler ---\n%s\n", code.c_str());
      for (const auto& x : results)
        std::fprintf(stderr, "--- %s ---\n%s\n", x.name, normalise(x.outcome).c_str());
      std::abort();
    }
  }
  for (auto& r : results) {
    std::free(r.outcome.body);
    std::free(r.outcome.log);
    std::free(r.outcome.engine);
  }
  return 0;
}

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
// addresses, hex/\x escapes, Lua 5.1-only compat functions, string positions
// beyond int32, a NaN into math.max/min). Runs that hit a
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

  // A string position or count: PUC Lua takes these as ptrdiff_t, LuaJIT as int32_t
  // (a number like 1e15 wraps to a negative position there), so they stay small.
  std::string index() { return std::to_string(in.ConsumeIntegralInRange(-5, 6)); }

  std::string num(int depth) {
    static const char* const kLiterals[] = {"0", "1", "2", "3", "-1", "0.5", "10", "100",
                                            "1e15", "2^53", "1e300", "(0/0)", "7.25",
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
        // nn(): math.max/min of a NaN differ (PUC compares, LuaJIT uses maxsd/minsd).
        return std::string(pick(kMath2)) + "(nn(" + num(depth + 1) + "), nn(" + num(depth + 1) + "))";
      }
      case 9: return in.ConsumeBool() ? "#s" : "#t";
      case 10: {
        // Strings only from this pool: PUC Lua's tonumber is strtod (which also
        // reads "inf", "nan" and hex floats), LuaJIT's is its own scanner.
        static const char* const kNumerals[] = {"\"10\"", "\"0x10\"", "\"1e2\"", "\" 5 \"", "\"-0\"",
                                                "\"1e\"", "\"3.0\"", "\"a.b\"", "\"\"", "\"0x\"",
                                                "\".5\"", "\"5.\"", "\"  0x1F  \"", "\"1e+\""};
        return "(tonumber(" + std::string(pick(kNumerals)) + ") or " + num(depth + 1) + ")";
      }
      case 11: return "string.byte(" + str(depth + 1) + ", " + index() + ")";
      default: return "(" + cond(depth + 1) + " and " + num(depth + 1) + " or " + num(depth + 1) + ")";
    }
  }

  std::string str(int depth) {
    static const char* const kLiterals[] = {"\"\"", "\"abc\"", "\"x y\"", "\"10\"", "\"0x10\"",
                                            "\"1e2\"", "\" 5 \"", "\"a.b\"",
                                            "\"-0\"", "\"1e\"", "\"AbC\"", "\"3.0\""};
    if (depth >= kMaxDepth) return in.ConsumeBool() ? pick(kLiterals) : "s";
    switch (in.ConsumeIntegralInRange(0, 12)) {
      case 0: case 1: return pick(kLiterals);
      case 2: return "s";
      case 3: return "(" + str(depth + 1) + " .. " + str(depth + 1) + ")";
      // nn(): a NaN never becomes a string that flows on ("-nan" on PUC Lua).
      case 4: return "(nn(" + num(depth + 1) + ") .. \"\")";
      case 5: {
        static const char* const kMethods[] = {"upper", "lower", "reverse", "len"};
        return "string." + std::string(pick(kMethods)) + "(" + str(depth + 1) + ")";
      }
      case 6: return "string.rep(" + str(depth + 1) + ", " + std::to_string(in.ConsumeIntegralInRange(0, 4)) + ")";
      case 7: return "string.sub(" + str(depth + 1) + ", " + index() + ", " + index() + ")";
      case 8: {
        // Integer conversions get an integer in range: PUC Lua casts the double
        // (undefined beyond the type's range), LuaJIT converts its own way.
        // String conversions get a string: LuaJIT 2.1's %s takes any value through
        // tostring and its %q writes numbers as hex floats (its documented
        // extensions); PUC Lua wants a string or number.
        static const char* const kFloatFormats[] = {"%5.2f", "%g", "%.3f", "%e", "%.14g"};
        static const char* const kStringFormats[] = {"%s", "%q", "%5s", "%5.1s", "%-4s"};
        if (in.ConsumeBool())
          return "string.format(\"" + std::string(pick(kStringFormats)) + "\", " + str(depth + 1) + ")";
        // "%c" of 0: PUC Lua 5.1 appends sprintf's buffer up to strlen, so it drops the
        // NUL (fixed in 5.2); LuaJIT writes it. Our %c never gets 0.
        static const char* const kIntFormats[] = {"%d", "%x", "%o", "%-3d", "%5d", "%X"};
        if (in.ConsumeBool())
          return "string.format(\"%c\", 1 + nn(math.floor(nn(" + num(depth + 1) + ")) % 255))";
        if (in.ConsumeBool())
          return "string.format(\"" + std::string(pick(kFloatFormats)) + "\", nn(" + num(depth + 1) + "))";
        return "string.format(\"" + std::string(pick(kIntFormats)) + "\", nn(math.floor(nn(" +
               num(depth + 1) + ")) % 256))";
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
      // `return (e)`, never a tail call: both LuaJITs return a stale stack slot for
      // `return math.floor()` with no argument (corpus/engine-bugs/luajit/
      // tailcall-floor-no-argument.md); the generator keeps away from it.
      case 13: return "do local f = function(a, b) return (" + any(0) +
                      ") end ngx.say(\"f \", show(f(b, a))) end";
      case 14: return "do local co = coroutine.wrap(function() coroutine.yield(" + any(1) +
                      ") return (" + any(1) + ") end) ngx.say(\"co \", show(co()), \" \", show(co())) end";
      default: return "do local g = 0 while g < " + std::to_string(in.ConsumeIntegralInRange(1, 4)) +
                      " and " + cond(1) + " do g = g + 1\n" + block(depth + 1) + "end end";
    }
  }
};

constexpr const char kPrelude[] =
    "local a, b, c, s, t, u = 1, 2, 3, \"abc\", {1, 2, 3}, {x = 1}\n"
    "local function show(v) local ty = type(v) if ty == \"table\" or ty == \"function\" "
    "then return ty end return tostring(v) end\n"
    "local function nn(v) if v ~= v then return 0 end return v end\n";

struct Result {
  const char* name;
  CodecacheDifferentialOutcome outcome;
  int rc;
};

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// Erases the parenthesised detail of every message starting with `lead`, e.g.
// "bad argument #2 to 'format' (no value)" -> "bad argument #2 to 'format' (...)".
void erase_parenthesis_after(std::string& text, std::string_view lead) {
  for (std::size_t at = text.find(lead); at != std::string::npos; at = text.find(lead, at + 1)) {
    // The function's name comes from the call site's debug info: LuaJIT has none
    // for a tail call ('?'), PUC Lua often has.
    const std::size_t to = text.find(" to '", at);
    const std::size_t eol0 = text.find('\n', at);
    if (to != std::string::npos && to < eol0) {
      const std::size_t quote = text.find('\'', to + 5);
      if (quote != std::string::npos && quote < eol0) text.replace(to + 5, quote - (to + 5), "?");
    }
    const std::size_t open = text.find(" (", at);
    const std::size_t eol = text.find('\n', at);
    if (open == std::string::npos || open > eol) continue;
    const std::size_t close = text.find(')', open);
    if (close == std::string::npos || close > eol) continue;
    text.replace(open, close + 1 - open, " (...)");
  }
}

// "<chunk>:<n>: <chunk>:<m>: msg" -> "<chunk>:<m>: msg".
void erase_repeated_position(std::string& text) {
  constexpr std::string_view kChunk = "content_by_lua(nginx.conf:40):";
  for (std::size_t at = text.find(kChunk); at != std::string::npos; at = text.find(kChunk, at + 1)) {
    std::size_t end = at + kChunk.size();
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (text.compare(end, 2, ": ") != 0 || text.compare(end + 2, kChunk.size(), kChunk) != 0) continue;
    text.erase(at, end + 2 - at);
    at = at == 0 ? 0 : at - 1;
  }
}

// "-0", "-0.00", "-0.000000e+00" (not after a letter or digit) lose their sign.
void erase_sign_of_zero(std::string& text) {
  auto alnum = [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  };
  for (std::size_t at = text.find('-'); at != std::string::npos; at = text.find('-', at + 1)) {
    if (at > 0 && alnum(text[at - 1])) continue;
    std::size_t end = at + 1;
    bool zero = false, other = false;
    for (; end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.'); ++end) {
      zero = zero || text[end] == '0';
      other = other || (text[end] >= '1' && text[end] <= '9');
    }
    if (zero && !other) text.erase(at, 1);
  }
}

// The documented engine differences, normalised away (README "Fuzzing"):
//   - tracebacks: LuaJIT prints no current line for some frames and names frames
//     differently ("in function <...>" vs "in main chunk"); only the error is kept;
//   - the detail of a library function's argument error: PUC Lua's luaL_argerror
//     texts ("no value", "number expected, got no value") differ from LuaJIT's
//     lj_err_arg texts ("value expected", ...), and the function's name comes
//     from the call site (LuaJIT says '?' for a tail call); "bad argument #N" is kept;
//   - an error raised through coroutine.wrap: PUC Lua's auxwrap prefixes the
//     position again ("<chunk>:9: <chunk>:9: msg"), LuaJIT passes it unchanged;
//   - the sign of zero: PUC Lua 5.1 folds constant expressions whose value is -0
//     and then shares one constant slot for 0 and -0 (lcode.c), so `0 * -1` may
//     print 0; LuaJIT never folds to -0 (lj_parse.c). Zeros lose their sign;
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
  erase_sign_of_zero(text);
  erase_parenthesis_after(text, "bad argument #");
  erase_repeated_position(text);
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
      for (const auto& x : results) {
        std::string text = normalise(x.outcome);
        replace_all(text, std::string_view("\0", 1), "\\0");
        std::fprintf(stderr, "--- %s ---\n%s\n", x.name, text.c_str());
      }
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

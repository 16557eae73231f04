// The differential target's program generator (see differential_gen.h).
#include "differential_gen.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <utility>

namespace codecache::fuzz {
namespace {

constexpr int kMaxDepth = 3;

struct Generator {
  FuzzedDataProvider& in;

  // Concatenates in order. Every generated piece that reads input goes through
  // here or a statement of its own: the operands of a chain of + are not
  // sequenced (GCC and Clang order them differently), and a kept input must
  // decode to the same program in every build that replays it.
  static std::string join(std::initializer_list<std::string> parts) {
    std::string out;
    for (const std::string& part : parts) out += part;
    return out;
  }

  template <std::size_t N>
  const char* pick(const char* const (&items)[N]) {
    return items[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
  }

  // A string position or count: PUC Lua takes these as ptrdiff_t, LuaJIT as int32_t
  // (a number like 1e15 wraps to a negative position there), so they stay small.
  std::string index() { return std::to_string(in.ConsumeIntegralInRange(-5, 6)); }

  // A numeric expression and, when PUC Lua 5.1 would fold it into one constant
  // (lcode.c, constfolding: numerals and +-*/%^ and unary minus over them, except a
  // division or modulo by zero and a NaN result), the value it folds to.
  struct Num {
    std::string code;
    std::optional<double> folded;
  };

  std::string num(int depth) { return num_folded(depth).code; }

  // A folded -0 is never generated. PUC Lua's constant table is keyed by value, so
  // 0 and -0 share one slot (lcode.c, addk): after `c = - 0` every later constant 0
  // of the function is -0 there (1 / 0 is -inf), while LuaJIT never folds to -0
  // (lj_parse.c, expr_fold). No normaliser can bound that, so the generator moves the
  // operation to run time, where both engines compute -0: `- nn(0)`, `(nn(0) * -1)`
  // (nn is the identity on numbers other than NaN and zero).
  //
  // Returns `n`, or `minus_zero` (the same operation, written to run at run time)
  // when `n` folds to -0. No string is compared here: libFuzzer's comparison hooks
  // would take the generator's own operators for input to aim at.
  static Num runtime_if_minus_zero(Num n, std::string minus_zero) {
    if (!n.folded || *n.folded != 0 || !std::signbit(*n.folded)) return n;
    return {std::move(minus_zero), std::nullopt};
  }

  enum class Op { add, sub, mul, div, mod, pow };

  static std::optional<double> fold(Op op, double x, double y) {
    double r = 0;
    switch (op) {
      case Op::add: r = x + y; break;
      case Op::sub: r = x - y; break;
      case Op::mul: r = x * y; break;
      case Op::div: if (y == 0) return std::nullopt; r = x / y; break;
      case Op::mod: if (y == 0) return std::nullopt; r = x - std::floor(x / y) * y; break;
      case Op::pow: r = std::pow(x, y); break;
    }
    if (std::isnan(r)) return std::nullopt;
    return r;
  }

  Num num_folded(int depth) {
    // Each literal with the value PUC Lua folds it to; "(0/0)" and math.huge are not
    // constants there.
    struct Literal {
      const char* code;
      std::optional<double> folded;
    };
    static const Literal kLiterals[] = {
        {"0", 0.0},       {"1", 1.0},       {"2", 2.0},      {"3", 3.0},
        {"-1", -1.0},     {"0.5", 0.5},     {"10", 10.0},    {"100", 100.0},
        {"1e15", 1e15},   {"2^53", 9007199254740992.0},      {"1e300", 1e300},
        {"(0/0)", std::nullopt},            {"7.25", 7.25},  {"math.huge", std::nullopt},
        {"-math.huge", std::nullopt},       {"255", 255.0},  {"1/3", 1.0 / 3.0}};
    static const char* const kVars[] = {"a", "b", "c"};
    static const char* const kOps[] = {"+", "-", "*", "/", "%", "^"};  // in the order of Op
    const auto literal = [&]() -> Num {
      const Literal& l = kLiterals[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kLiterals) - 1)];
      return {l.code, l.folded};
    };
    if (depth >= kMaxDepth) return in.ConsumeBool() ? literal() : Num{pick(kVars), std::nullopt};
    switch (in.ConsumeIntegralInRange(0, 12)) {
      case 0: case 1: return literal();
      case 2: case 3: return {pick(kVars), std::nullopt};
      case 4: case 5: {
        const Num x = num_folded(depth + 1);
        const auto op = in.ConsumeIntegralInRange<std::size_t>(0, std::size(kOps) - 1);
        const Num y = num_folded(depth + 1);
        const std::string tail = std::string(" ") + kOps[op] + " " + y.code + ")";
        Num n{"(" + x.code + tail, std::nullopt};
        if (x.folded && y.folded) n.folded = fold(static_cast<Op>(op), *x.folded, *y.folded);
        return runtime_if_minus_zero(std::move(n), "(nn(" + x.code + ")" + tail);
      }
      // A space: "-" right before a negative literal ("-1") would start a comment.
      case 6: {
        const Num x = num_folded(depth + 1);
        Num n{"- " + x.code, std::nullopt};
        if (x.folded) n.folded = -*x.folded;
        return runtime_if_minus_zero(std::move(n), "- nn(" + x.code + ")");
      }
      case 7: {
        static const char* const kMath1[] = {"math.floor", "math.ceil", "math.abs", "math.sqrt"};
        return {join({pick(kMath1), "(", num(depth + 1), ")"}), std::nullopt};
      }
      case 8: {
        static const char* const kMath2[] = {"math.max", "math.min", "math.fmod"};
        // nn(): math.max/min of a NaN, and of 0 and -0, differ (PUC compares,
        // LuaJIT uses maxsd/minsd: math.max(0, -0) is 0 on one and -0 on the other,
        // and a string made of it can lose the sign where no normaliser sees it,
        // corpus/regressions/differential/max-of-zeros-after-a-dash).
        return {join({pick(kMath2), "(nn(", num(depth + 1), "), nn(", num(depth + 1), "))"}), std::nullopt};
      }
      case 9: return {in.ConsumeBool() ? "#s" : "#t", std::nullopt};
      case 10: {
        // Strings only from this pool: PUC Lua's tonumber is strtod (which also
        // reads "inf", "nan" and hex floats), LuaJIT's is its own scanner.
        static const char* const kNumerals[] = {"\"10\"", "\"0x10\"", "\"1e2\"", "\" 5 \"", "\"-0\"",
                                                "\"1e\"", "\"3.0\"", "\"a.b\"", "\"\"", "\"0x\"",
                                                "\".5\"", "\"5.\"", "\"  0x1F  \"", "\"1e+\""};
        return {join({"(tonumber(", pick(kNumerals), ") or ", num(depth + 1), ")"}), std::nullopt};
      }
      // In parentheses: one value, nil past the end. With the JIT on, both LuaJITs
      // can return a number for math.floor over a call that returns nothing, where
      // PUC Lua and jit.off() raise the error (corpus/engine-bugs/luajit/
      // jit-floor-of-no-value.md); the generator keeps away from it.
      case 11: return {join({"(string.byte(", str(depth + 1), ", ", index(), "))"}), std::nullopt};
      default:
        return {join({"(", cond(depth + 1), " and ", num(depth + 1), " or ", num(depth + 1), ")"}), std::nullopt};
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
      case 3: return join({"(", str(depth + 1), " .. ", str(depth + 1), ")"});
      // nn(): a NaN never becomes a string that flows on ("-nan" on PUC Lua).
      case 4: return "(nn(" + num(depth + 1) + ") .. \"\")";
      case 5: {
        static const char* const kMethods[] = {"upper", "lower", "reverse", "len"};
        return join({"string.", pick(kMethods), "(", str(depth + 1), ")"});
      }
      case 6: return join({"string.rep(", str(depth + 1), ", ", std::to_string(in.ConsumeIntegralInRange(0, 4)), ")"});
      case 7: return join({"string.sub(", str(depth + 1), ", ", index(), ", ", index(), ")"});
      case 8: {
        // Integer conversions get an integer in range: PUC Lua casts the double
        // (undefined beyond the type's range), LuaJIT converts its own way.
        // String conversions get a string: LuaJIT 2.1's %s takes any value through
        // tostring and its %q writes numbers as hex floats (its documented
        // extensions); PUC Lua wants a string or number.
        static const char* const kFloatFormats[] = {"%5.2f", "%g", "%.3f", "%e", "%.14g"};
        static const char* const kStringFormats[] = {"%s", "%q", "%5s", "%5.1s", "%-4s"};
        constexpr std::size_t kQuoted = 1;
        if (in.ConsumeBool()) {
          const auto format = in.ConsumeIntegralInRange<std::size_t>(0, std::size(kStringFormats) - 1);
          // %q gets no control character: LuaJIT writes one as a decimal escape ("\2"),
          // PUC Lua 5.1 raw, and a later gsub can split the escape where no normaliser
          // can rejoin it (corpus/regressions/differential/quoted-control-character-split).
          if (format == kQuoted)
            return join({"string.format(\"%q\", (string.gsub(", str(depth + 1), ", \"%c\", \"\")))"});
          return join({"string.format(\"", kStringFormats[format], "\", ", str(depth + 1), ")"});
        }
        // "%c" of 0: PUC Lua 5.1 appends sprintf's buffer up to strlen, so it drops the
        // NUL (fixed in 5.2); LuaJIT writes it. Our %c never gets 0.
        static const char* const kIntFormats[] = {"%d", "%x", "%o", "%-3d", "%5d", "%X"};
        if (in.ConsumeBool())
          return "string.format(\"%c\", 1 + nn(math.floor(nn(" + num(depth + 1) + ")) % 255))";
        if (in.ConsumeBool())
          return join({"string.format(\"", pick(kFloatFormats), "\", nn(", num(depth + 1), "))"});
        return join({"string.format(\"", pick(kIntFormats), "\", nn(math.floor(nn(", num(depth + 1), ")) % 256))"});
      }
      case 9: return "string.char(" + std::to_string(in.ConsumeIntegralInRange(48, 122)) + ")";
      case 10: {
        static const char* const kPatterns[] = {"a", "%a", "%d+", "(.)", "[%s]", "^%s*", "b*", "%.", "x?"};
        return join({"(string.gsub(", str(depth + 1), ", \"", pick(kPatterns), "\", ", str(depth + 1), "))"});
      }
      case 11: return "table.concat(t, " + str(depth + 1) + ")";
      default: return "tostring(" + cond(depth + 1) + ")";
    }
  }

  std::string cond(int depth) {
    static const char* const kCompare[] = {"<", "<=", "==", "~=", ">", ">="};
    if (depth >= kMaxDepth) return in.ConsumeBool() ? "true" : "(a < b)";
    switch (in.ConsumeIntegralInRange(0, 5)) {
      case 0: return join({"(", num(depth + 1), " ", pick(kCompare), " ", num(depth + 1), ")"});
      case 1: return join({"(", str(depth + 1), " ", pick(kCompare), " ", str(depth + 1), ")"});
      case 2: return "not " + cond(depth + 1);
      case 3: return join({"(", cond(depth + 1), in.ConsumeBool() ? " and " : " or ", cond(depth + 1), ")"});
      case 4: return join({"(string.find(", str(depth + 1), ", ", str(depth + 1), ", 1, true) ~= nil)"});
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
      case 0: return join({pick(kVars), " = ", num(0)});
      case 1: return "s = " + str(0);
      case 2: case 3: return "ngx.say(show(" + any(0) + "))";
      // nn(): t's values flow into strings through table.concat, where PUC Lua
      // would write a NaN as "-nan" and gsub could cut the sign's "nan" apart.
      case 4: return "t[#t + 1] = nn(" + any(1) + ")";
      case 5: return in.ConsumeBool() ? "table.insert(t, nn(" + any(1) + "))" : "table.remove(t)";
      case 6: return join({"u.", pick(kKeys), " = ", any(1)});
      case 7: return "do local n = 0 for _ in pairs(u) do n = n + 1 end ngx.say(\"keys \", n) end";
      case 8: return "ngx.say(show(u." + std::string(pick(kKeys)) + "), \" \", #t)";
      case 9: return in.ConsumeBool() ? "error(" + str(1) + ")" : join({"ngx.say(show(", any(0), "), \" \", show(", any(0), "))"});
      case 10: return join({"if ", cond(0), " then\n", block(depth + 1), "else\n", block(depth + 1), "end"});
      case 11: return join({"for i = 1, ", std::to_string(in.ConsumeIntegralInRange(0, 4)), " do\n",
                             block(depth + 1), "end"});
      case 12: return "do local ok, e = pcall(function()\n" + block(depth + 1) +
                      "end) ngx.say(\"pcall \", show(ok), \" \", show(e)) end";
      // `return (e)`, never a tail call: both LuaJITs return a stale stack slot for
      // `return math.floor()` with no argument (corpus/engine-bugs/luajit/
      // tailcall-floor-no-argument.md); the generator keeps away from it.
      case 13: return "do local f = function(a, b) return (" + any(0) +
                      ") end ngx.say(\"f \", show(f(b, a))) end";
      case 14: return join({"do local co = coroutine.wrap(function() coroutine.yield(", any(1), ") return (",
                             any(1), ") end) ngx.say(\"co \", show(co()), \" \", show(co())) end"});
      default: return join({"do local g = 0 while g < ", std::to_string(in.ConsumeIntegralInRange(1, 4)), " and ",
                             cond(1), " do g = g + 1\n", block(depth + 1), "end end"});
    }
  }
};

constexpr const char kPrelude[] =
    "local a, b, c, s, t, u = 1, 2, 3, \"abc\", {1, 2, 3}, {x = 1}\n"
    "local function show(v) local ty = type(v) if ty == \"table\" or ty == \"function\" "
    "then return ty end return tostring(v) end\n"
    "local function nn(v) if v ~= v or v == 0 then return 0 end return v end\n";

}  // namespace

std::string differential_program(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Generator gen{in};
  return kPrelude + gen.block(0);
}

}  // namespace codecache::fuzz

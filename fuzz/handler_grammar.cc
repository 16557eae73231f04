// The structure-aware handler generator (see handler_grammar.h).
#include "handler_grammar.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdio>
#include <string_view>

namespace codecache::fuzz {
namespace {

constexpr int kMaxBlockDepth = 3;
constexpr int kMaxExprDepth = 3;
constexpr int kMaxStatements = 40;   // in the whole handler
constexpr int kMaxExpressions = 160; // in the whole handler

constexpr std::array<std::string_view, 5> kLocals = {"a", "b", "c", "d", "e"};
constexpr std::array<std::string_view, 3> kGlobals = {"G1", "G2", "G3"};
constexpr std::array<std::string_view, 2> kFunctions = {"f", "g"};

class Grammar {
 public:
  Grammar(const std::uint8_t* data, std::size_t size) : in_(data, size) {}

  std::string handler() {
    // Locals that start with values, so that most handlers run past their first
    // statement (an arithmetic on nil ends the request there).
    out_ += "local a, b, c = ";
    literal(); out_ += ", "; literal(); out_ += ", "; literal();
    separator();
    block(0);
    return std::move(out_);
  }

 private:
  template <std::size_t N>
  std::string_view pick(const std::array<std::string_view, N>& names) {
    return names[in_.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
  }
  int small(int lo, int hi) { return in_.ConsumeIntegralInRange(lo, hi); }

  void separator() {
    static constexpr std::array<std::string_view, 6> kSeparators = {"\n", " ", "; ", "\r\n", "\r", "\n\n"};
    out_ += pick(kSeparators);
  }

  void block(int depth) {
    const int count = small(depth == 0 ? 1 : 0, depth == 0 ? 8 : 3);
    for (int i = 0; i < count && statements_ < kMaxStatements; ++i) {
      ++statements_;
      statement(depth);
      separator();
    }
  }

  // A block that a loop runs: may end with `break` (the only place it is legal).
  void loop_body(int depth) {
    block(depth);
    if (in_.ConsumeBool()) out_ += "break ";
  }

  void statement(int depth) {
    const bool nest = depth < kMaxBlockDepth;
    // Output statements are drawn more often than the others: 4 in 26 or in 17.
    int kind = small(0, nest ? 25 : 16);
    if (kind > (nest ? 21 : 12)) kind = 3 + kind % 2;
    switch (kind) {
      case 0: out_ += "local "; out_ += pick(kLocals); out_ += " = "; expr(0); break;
      case 1: out_ += pick(kLocals); out_ += " = "; expr(0); break;
      case 2: out_ += pick(kGlobals); out_ += " = "; expr(0); break;
      case 3: out_ += "ngx.say("; expr_list(); out_ += ")"; break;
      case 4: out_ += "ngx.print("; expr_list(); out_ += ")"; break;
      case 5: {
        static constexpr std::array<std::string_view, 5> kLevels = {"ngx.ERR", "ngx.WARN", "ngx.NOTICE",
                                                                    "ngx.INFO", "ngx.CRIT"};
        out_ += "ngx.log("; out_ += pick(kLevels);
        for (int n = small(0, 3); n > 0; --n) { out_ += ", "; expr(0); }
        out_ += ")";
        break;
      }
      case 6: out_ += "ngx.status = "; status_code(); break;
      case 7: out_ += "ngx.exit("; status_code(); out_ += ")"; break;
      case 8: out_ += "ngx.flush()"; break;
      case 9:
        out_ += "error(";
        expr(0);
        if (in_.ConsumeBool()) out_ += ", " + std::to_string(small(0, 3));
        out_ += ")";
        break;
      case 10: out_ += "do return "; expr_list(); out_ += " end"; break;
      case 11: out_ += pick(kLocals); out_ += "[ "; expr(1); out_ += "] = "; expr(0); break;
      case 12: out_ += "local "; out_ += pick(kLocals); out_ += ", "; out_ += pick(kLocals);
               out_ += " = pcall("; expr(1); out_ += ", "; expr(1); out_ += ")"; break;
      // Statements holding blocks.
      case 13:
        out_ += "if "; expr(0); out_ += " then "; block(depth + 1);
        if (in_.ConsumeBool()) { out_ += " elseif "; expr(0); out_ += " then "; block(depth + 1); }
        if (in_.ConsumeBool()) { out_ += " else "; block(depth + 1); }
        out_ += " end";
        break;
      case 14:
        // One consumption per statement: the operands of a chain of + are not
        // sequenced, and a kept input must decode alike under every compiler.
        out_ += "for i = " + std::to_string(small(-2, 3));
        out_ += ", " + std::to_string(small(-2, 6));
        if (in_.ConsumeBool()) {
          out_ += ", " + std::to_string(small(1, 3));
          if (in_.ConsumeBool()) out_ += ".5";
        }
        out_ += " do "; loop_body(depth + 1); out_ += " end";
        break;
      case 15: out_ += "for k, v in ipairs("; table(1); out_ += ") do "; loop_body(depth + 1); out_ += " end"; break;
      case 16: out_ += "while "; expr(0); out_ += " do "; block(depth + 1); out_ += " break end"; break;
      case 17: out_ += "repeat "; block(depth + 1); out_ += " until true"; break;
      case 18: out_ += "do "; block(depth + 1); out_ += " end"; break;
      case 19:
        out_ += "local function "; out_ += pick(kFunctions); out_ += "(a, b) "; block(depth + 1);
        out_ += " return "; expr(0); out_ += " end";
        break;
      case 20:
        out_ += "pcall(function() "; block(depth + 1); out_ += " end)";
        break;
      default:
        out_ += "local "; out_ += pick(kLocals); out_ += " = coroutine.wrap(function(a) ";
        block(depth + 1);
        out_ += " coroutine.yield("; expr(0); out_ += ") return "; expr(0); out_ += " end)";
        break;
    }
  }

  void status_code() {
    static constexpr std::array<std::string_view, 10> kCodes = {
        "200", "0", "404", "500", "302", "ngx.HTTP_OK", "ngx.OK", "ngx.ERROR", "204", "418"};
    out_ += pick(kCodes);
  }

  void expr_list() {
    const int count = small(0, 3);
    for (int i = 0; i < count; ++i) {
      if (i > 0) out_ += ", ";
      expr(0);
    }
  }

  void expr(int depth) {
    if (++expressions_ > kMaxExpressions || depth >= kMaxExprDepth) {
      leaf();
      return;
    }
    switch (small(0, 17)) {
      case 0: case 1: case 2: case 3: case 16: case 17: leaf(); break;
      case 4: {
        static constexpr std::array<std::string_view, 15> kOps = {
            "+", "-", "*", "/", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and", "or"};
        out_ += "("; expr(depth + 1); out_ += " "; out_ += pick(kOps); out_ += " "; expr(depth + 1); out_ += ")";
        break;
      }
      case 5: {
        static constexpr std::array<std::string_view, 3> kUnary = {"not ", "-", "#"};
        out_ += "("; out_ += pick(kUnary); out_ += "("; expr(depth + 1); out_ += "))";
        break;
      }
      case 6: table(depth + 1); break;
      case 7: out_ += "("; expr(depth + 1); out_ += ")[ "; expr(depth + 1); out_ += "]"; break;
      case 8: out_ += pick(kFunctions); out_ += "("; expr(depth + 1); out_ += ", "; expr(depth + 1); out_ += ")"; break;
      case 9: {
        static constexpr std::array<std::string_view, 12> kOneArg = {
            "type", "tonumber", "string.upper", "string.len", "string.reverse", "math.floor",
            "math.abs", "select('#', ", "table.concat", "string.byte", "unpack", "pcall"};
        const std::string_view f = pick(kOneArg);
        out_ += f;
        if (!f.ends_with(", ")) out_ += "(";
        expr(depth + 1);
        out_ += ")";
        break;
      }
      case 10:
        out_ += "string.rep("; expr(depth + 1); out_ += ", " + std::to_string(small(0, 20)) + ")";
        break;
      case 11:
        out_ += "string.sub("; expr(depth + 1);
        out_ += ", " + std::to_string(small(-4, 6));
        out_ += ", " + std::to_string(small(-4, 6)) + ")";
        break;
      case 12: {
        static constexpr std::array<std::string_view, 6> kFormats = {"%d", "%5.2f", "%q", "%x", "%g", "%%%c"};
        const std::string_view format = pick(kFormats);
        // LuaJIT's %q quotes what tostring gives for any other value, a table's
        // address included: its argument is made a string first (or an error).
        out_ += "string.format(\""; out_ += format; out_ += "\", ";
        if (format == "%q") out_ += "string.sub(";
        expr(depth + 1);
        out_ += format == "%q" ? ", 1))" : ")";
        break;
      }
      case 13:
        out_ += "function(a, b) "; block(kMaxBlockDepth); out_ += " return "; expr(depth + 1); out_ += " end";
        break;
      case 14: out_ += "math.max("; expr(depth + 1); out_ += ", "; expr(depth + 1); out_ += ")"; break;
      default: out_ += "(select(2, pcall(error, "; expr(depth + 1); out_ += ")))"; break;
    }
  }

  // A value that does not depend on the handler's state.
  void literal() {
    switch (small(0, 3)) {
      case 0: number(); break;
      case 1: short_string(); break;
      case 2: long_string(); break;
      default: out_ += "{1, 2, 3}"; break;
    }
  }

  void leaf() {
    switch (small(0, 9)) {
      case 0: out_ += pick(kLocals); break;
      case 1: out_ += pick(kGlobals); break;
      case 2: {
        static constexpr std::array<std::string_view, 8> kConstants = {
            "nil", "true", "false", "ngx.null", "math.huge", "math.pi", "ngx.HTTP_NOT_FOUND", "_G"};
        out_ += pick(kConstants);
        break;
      }
      case 3: case 4: number(); break;
      case 5: case 6: short_string(); break;
      case 7: long_string(); break;
      default: out_ += std::to_string(small(0, 9)); break;
    }
  }

  void number() {
    const auto n = in_.ConsumeIntegral<std::uint32_t>();
    char text[48];
    switch (small(0, 4)) {
      case 0: std::snprintf(text, sizeof text, "%u", n); break;
      case 1: std::snprintf(text, sizeof text, "%u.%u", n % 1000, n % 97); break;
      case 2: std::snprintf(text, sizeof text, "%ue%s%u", n % 100, n % 2 ? "-" : "", n % 400); break;
      case 3: std::snprintf(text, sizeof text, "0x%X", n); break;
      default: std::snprintf(text, sizeof text, "%u.5e1", n % 10); break;
    }
    out_ += text;
  }

  // Text drawn from the data, at most 24 bytes.
  std::string text() { return in_.ConsumeRandomLengthString(24); }

  void short_string() {
    const char quote = in_.ConsumeBool() ? '"' : '\'';
    out_ += quote;
    for (const char ch : text()) {
      const auto byte = static_cast<unsigned char>(ch);
      if (ch == '\n') {
        out_ += in_.ConsumeBool() ? "\\n" : "\\\n";  // an escape, or a continued line
      } else if (ch == '\t') {
        out_ += "\\t";
      } else if (byte >= 0x20 && byte < 0x7f && ch != '"' && ch != '\'' && ch != '\\' && ch != '-') {
        out_ += ch;
      } else {
        char escape[5];
        std::snprintf(escape, sizeof escape, "\\%03u", byte);
        out_ += escape;
      }
    }
    out_ += quote;
  }

  void long_string() {
    const int level = small(0, 3);
    const std::string eq(static_cast<std::size_t>(level), '=');
    out_ += "[" + eq + "[";
    for (char ch : text()) {
      if (ch == ']') ch = ')';                 // never a closer
      if (ch == '-') ch = '+';                 // never "--"
      if (ch == '[' && level == 0) ch = '(';   // Lua 5.1 refuses [[ inside [[ ]]
      if (ch == '\0') ch = ' ';                // inline code holds no NUL byte
      out_ += ch;
    }
    out_ += "]" + eq + "]";
  }

  void table(int depth) {
    out_ += "{";
    const int count = small(0, 4);
    for (int i = 0; i < count; ++i) {
      if (i > 0) out_ += in_.ConsumeBool() ? ", " : "; ";
      switch (small(0, 3)) {
        case 0: out_ += pick(kLocals); out_ += " = "; expr(depth + 1); break;
        case 1: out_ += "[ "; expr(depth + 1); out_ += "] = "; expr(depth + 1); break;
        default: expr(depth + 1); break;
      }
    }
    out_ += "}";
  }

  FuzzedDataProvider in_;
  std::string out_;
  int statements_ = 0;
  int expressions_ = 0;
};

}  // namespace

std::string generated_handler(const std::uint8_t* data, std::size_t size) {
  return Grammar(data, size).handler();
}

}  // namespace codecache::fuzz

// Generators of content handlers (see handler_gen.h).
//
// Every statement is rendered self-contained (its locals live in a `do ... end`
// block), so RapidCheck can drop any statement while shrinking and the rest still
// compiles. Choices are made with `*gen` inside gen::exec, with the simplest
// alternative first so that shrinking moves towards it.
#include "property/handler_gen.h"

#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <utility>

namespace codecache::prop {
namespace {

// Helpers every handler starts with. `__cc_show` prints only values whose text
// is the same in every VM (never an address); `__cc_mtindex` is the guard for
// `getmetatable(_G).__index`: a table only when the metatable is a table with a
// table __index (classic), nil otherwise (sealed: a function; openresty: none).
constexpr const char kPrelude[] =
    "local __cc_type, __cc_tostring, __cc_getmetatable = type, tostring, getmetatable\n"
    "local function __cc_show(v) local t = __cc_type(v) if t == \"string\" or t == \"number\" or "
    "t == \"boolean\" or t == \"nil\" then return __cc_tostring(v) end return t end\n"
    "local function __cc_mtindex(t) local m = __cc_getmetatable(t) if __cc_type(m) == \"table\" "
    "and __cc_type(m.__index) == \"table\" then return m.__index end return nil end\n";

struct Fragment {
  std::string code;
  unsigned features = 0;
};

struct Ctx {
  int depth = 0;              // nesting of blocks inside the function being generated
  bool in_coroutine = false;  // inside a user coroutine's function (not the entry thread)
};

// A weighted choice among alternatives (0 = simplest, where shrinking goes).
// Alternatives with weight 0 are never chosen.
std::size_t choose(std::initializer_list<unsigned> weights) {
  unsigned total = 0;
  for (unsigned w : weights) total += w;
  unsigned pick = *rc::gen::inRange(0u, total);
  std::size_t i = 0;
  for (unsigned w : weights) {
    if (pick < w) return i;
    pick -= w;
    ++i;
  }
  return 0;
}

unsigned allow(const GenOptions& o, unsigned feature, unsigned weight) {
  return (o.exclude & feature) != 0 ? 0 : weight;
}

std::string name() { return *rc::gen::elementOf(global_name_pool()); }

std::string tag() { return std::to_string(*rc::gen::inRange(0, 100)); }

std::string library() { return *rc::gen::element<std::string>("string", "table", "math"); }

// An expression that reads a global, or something a global may have been
// written into, in one of the ways the language allows.
std::string read_expr(unsigned& features) {
  const std::string n = name();
  switch (choose({12, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1})) {
    case 0: return n;
    case 1: return "_G." + n;
    case 2: return "_G[\"" + n + "\"]";
    case 3: return "rawget(_G, \"" + n + "\")";
    case 4: return "getfenv(0)." + n;
    case 5: return "getfenv(1)." + n;
    case 6: return "getfenv()." + n;
    case 7: return library() + "." + n;
    case 8: return "package.loaded." + n;
    case 9: features |= kMetatableRead; return "(__cc_mtindex(_G) or {})." + n;
    case 10: return "(\"\")." + n;  // through the string metatable's __index
    default: return "getfenv(print)." + n;
  }
}

std::string value_expr(unsigned& features) {
  switch (choose({6, 4, 2, 2, 4, 3, 2, 1})) {
    case 0: return std::to_string(*rc::gen::inRange(0, 10));
    case 1: return "\"s" + std::to_string(*rc::gen::inRange(0, 10)) + "\"";
    case 2: return *rc::gen::element<std::string>("true", "false");
    case 3: return "nil";
    case 4: return "(tonumber(" + read_expr(features) + ") or 0) + 1";
    case 5: return read_expr(features);
    case 6: return "function() return " + read_expr(features) + " end";
    default: return "{}";
  }
}

rc::Gen<Fragment> stmt_gen(GenOptions o, Ctx ctx);

// A block body of 0..3 statements.
Fragment body(const GenOptions& o, Ctx ctx) {
  auto stmts = *rc::gen::resize(
      3, rc::gen::container<std::vector<Fragment>>(full_size(stmt_gen(o, ctx))));
  Fragment f;
  for (const auto& s : stmts) {
    f.code += s.code;
    f.code += ' ';
    f.features |= s.features;
  }
  return f;
}

Fragment global_write(unsigned& features) {
  const std::string n = name();
  const std::string v = value_expr(features);
  features |= kGlobalWrite;
  switch (choose({6, 3, 2, 3, 2, 2, 1, 1})) {
    case 0: return {n + " = " + v};
    case 1: return {"_G." + n + " = " + v};
    case 2: return {"_G[\"" + n + "\"] = " + v};
    case 3: return {"rawset(_G, \"" + n + "\", " + v + ")"};
    case 4: return {"getfenv(0)." + n + " = " + v};
    case 5: return {"getfenv(1)." + n + " = " + v};
    case 6: return {"getfenv()." + n + " = " + v};
    // getfenv of a C function answers the running thread's globals (lbaselib.c
    // luaB_getfenv, LuaJIT lib_base.c getfenv), i.e. the request's own.
    default: return {"getfenv(print)." + n + " = " + v};
  }
}

// A user coroutine whose function writes and reads globals around a yield.
Fragment coroutine_stmt(const GenOptions& o) {
  Ctx inner{0, true};
  Fragment before = body(o, inner);
  Fragment after = body(o, inner);
  unsigned features = kCoroutine | before.features | after.features;
  const std::string yielded = read_expr(features);
  const std::string fn = "function() " + before.code + "coroutine.yield(" + yielded + ") " +
                         after.code + "end";
  const std::string t = tag();
  const bool twice = *rc::gen::arbitrary<bool>();
  std::string code;
  if (*rc::gen::arbitrary<bool>()) {
    code = "do local __cc_co = coroutine.create(" + fn +
           ") local __cc_ok, __cc_v = coroutine.resume(__cc_co) ngx.say(\"" + t +
           " co \", __cc_tostring(__cc_ok), \" \", __cc_show(__cc_v))";
    if (twice) {
      code += " __cc_ok, __cc_v = coroutine.resume(__cc_co) ngx.say(\"" + t +
              " co2 \", __cc_tostring(__cc_ok), \" \", __cc_show(__cc_v), \" \", "
              "coroutine.status(__cc_co))";
    }
    code += " end";
  } else {
    code = "do local __cc_f = coroutine.wrap(" + fn + ") ngx.say(\"" + t +
           " wrap \", __cc_show(__cc_f()))";
    if (twice) code += " ngx.say(\"" + t + " wrap2 \", __cc_show(__cc_f()))";
    code += " end";
  }
  return {code, features};
}

Fragment loop_stmt(const GenOptions& o, Ctx ctx) {
  const std::string guard = "__cc_guard" + std::to_string(ctx.depth);
  const std::string k = std::to_string(*rc::gen::inRange(1, 4));
  Fragment b = body(o, Ctx{ctx.depth + 1, ctx.in_coroutine});
  unsigned features = kLoop | b.features;
  switch (choose({3, 2, 1})) {
    case 0:
      return {"for __cc_i" + std::to_string(ctx.depth) + " = 1, " + k + " do " + b.code + "end",
              features};
    case 1: {
      const std::string r = read_expr(features);
      return {"do local " + guard + " = 0 while " + guard + " < " + k + " and (tonumber(" + r +
                  ") or 0) < 5 do " + guard + " = " + guard + " + 1 " + b.code + "end end",
              features};
    }
    default: {
      const std::string r = read_expr(features);
      return {"do local " + guard + " = 0 repeat " + guard + " = " + guard + " + 1 " + b.code +
                  "until " + guard + " >= " + k + " or " + r + " ~= nil end",
              features};
    }
  }
}

Fragment stmt(const GenOptions& o, Ctx ctx) {
  const bool main_fn = !ctx.in_coroutine;  // code of the handler function itself
  const bool nest = ctx.depth < 2 && !ctx.in_coroutine;
  unsigned features = 0;
  // Relative weights; `...` (which the factory loader cannot load) stays rare
  // enough for the loading rate to stay well above 95 %.
  switch (choose({
      40,                                                    // 0 say a read
      36,                                                    // 1 global write
      8,                                                     // 2 function declaration
      8,                                                     // 3 call a global function
      allow(o, kLibraryWrite, 8),                            // 4 library table write
      allow(o, kPackageLoadedWrite, 6),                      // 5 package.loaded write
      allow(o, kMetatableWrite, 6),                          // 6 getmetatable(_G).__index write
      main_fn ? allow(o, kSetfenv, 6) : 0,                   // 7 setfenv
      nest ? allow(o, kCoroutine, 10) : 0,                   // 8 user coroutine
      main_fn ? allow(o, kTopLevelYield, 12) : 0,            // 9 pause the request
      nest ? allow(o, kLoop, 8) : 0,                         // 10 bounded loop
      nest ? 6u : 0u,                                        // 11 if
      6,                                                     // 12 do-local
      6,                                                     // 13 ngx.log
      4,                                                     // 14 require
      4,                                                     // 15 pcall of an index
      allow(o, kRuntimeError, 2),                            // 16 error
      main_fn ? allow(o, kExit, 2) : 0,                      // 17 ngx.exit
      main_fn && ctx.depth == 0 ? allow(o, kVararg, 1) : 0,  // 18 ... (top level only)
      main_fn ? allow(o, kReturn, 2) : 0,                    // 19 do return end
      2,                                                     // 20 ngx.status
      allow(o, kCFunctionEnvWrite, 4),                       // 21 debug.getfenv(print).x = v
  })) {
    case 0: {
      const std::string t = tag();
      const std::string r = read_expr(features);
      return {"ngx.say(\"" + t + " \", __cc_show(" + r + "))", features};
    }
    case 1: {
      Fragment f = global_write(features);
      f.features = features;
      return f;
    }
    case 2: {
      const std::string n = name();
      const std::string r = read_expr(features);
      return {"function " + n + "() return " + r + " end", features | kGlobalWrite};
    }
    case 3: {
      const std::string n = name();
      const std::string t = tag();
      return {"if type(" + n + ") == \"function\" then ngx.say(\"" + t +
                  " call \", __cc_show(" + n + "())) end",
              features};
    }
    case 4: {
      const std::string lib = library();
      const std::string n = name();
      const std::string v = value_expr(features);
      if (*rc::gen::element(0, 0, 0, 1) == 1) {  // the string library through its metatable
        return {"do local __cc_s = __cc_getmetatable(\"\") if __cc_type(__cc_s) == \"table\" and "
                "__cc_type(__cc_s.__index) == \"table\" then __cc_s.__index." + n + " = " + v +
                    " end end",
                features | kLibraryWrite};
      }
      return {lib + "." + n + " = " + v, features | kLibraryWrite};
    }
    case 5: {
      const std::string n = name();
      const std::string v = value_expr(features);
      return {"package.loaded." + n + " = " + v, features | kPackageLoadedWrite};
    }
    case 6: {
      const std::string n = name();
      const std::string v = value_expr(features);
      return {"do local __cc_m = __cc_mtindex(_G) if __cc_m then __cc_m." + n + " = " + v +
                  " end end",
              features | kMetatableWrite};
    }
    case 7: {
      features |= kSetfenv;
      switch (choose({2, 2, 2})) {
        case 0: return {"setfenv(1, setmetatable({}, {__index = getfenv(1)}))", features};
        case 1: {
          const std::string n = name();
          const std::string v = value_expr(features);
          return {"setfenv(1, setmetatable({" + n + " = " + v + "}, {__index = getfenv(1)}))",
                  features};
        }
        default: return {"setfenv(0, setmetatable({}, {__index = getfenv(0)}))", features};
      }
    }
    case 8: return coroutine_stmt(o);
    case 9: return {"coroutine.yield()", kTopLevelYield};
    case 10: return loop_stmt(o, ctx);
    case 11: {
      const std::string r = read_expr(features);
      Fragment then_part = body(o, Ctx{ctx.depth + 1, ctx.in_coroutine});
      Fragment else_part = body(o, Ctx{ctx.depth + 1, ctx.in_coroutine});
      return {"if type(" + r + ") == \"number\" then " + then_part.code + "else " +
                  else_part.code + "end",
              features | then_part.features | else_part.features};
    }
    case 12: {
      const std::string t = tag();
      const std::string r = read_expr(features);
      return {"do local __cc_l = " + r + " ngx.say(\"" + t + " l \", __cc_show(__cc_l)) end",
              features};
    }
    case 13: {
      const std::string t = tag();
      const std::string r = read_expr(features);
      return {"ngx.log(ngx.WARN, \"" + t + " \", __cc_show(" + r + "))", features};
    }
    case 14: {
      const std::string n = name();
      const std::string t = tag();
      return {"do local __cc_ok, __cc_v = pcall(require, \"" + n + "\") ngx.say(\"" + t +
                  " req \", __cc_tostring(__cc_ok), \" \", __cc_ok and __cc_show(__cc_v) or "
                  "\"err\") end",
              features};
    }
    case 15: {
      const std::string n = name();
      const std::string t = tag();
      return {"do local __cc_ok, __cc_e = pcall(function() return " + n +
                  ".x end) ngx.say(\"" + t +
                  " pc \", __cc_tostring(__cc_ok), \" \", __cc_show(__cc_e)) end",
              features};
    }
    case 16: {
      const std::string n = name();
      return {"if (tonumber(" + n + ") or 0) > 1 then error(\"boom " + tag() + "\") end",
              kRuntimeError};
    }
    case 17: {
      const std::string n = name();
      return {"if (tonumber(" + n + ") or 0) > 1 then ngx.exit(200) end", kExit};
    }
    case 18: return {"ngx.say(\"" + tag() + " va \", select(\"#\", ...))", kVararg};
    case 19: return {"do return end", kReturn};
    case 20: return {"ngx.status = 201", 0};
    default: {
      const std::string n = name();
      const std::string v = value_expr(features);
      // The C function's real env, the main _G (sealed has no debug.getfenv).
      return {"do local __cc_e = debug.getfenv and debug.getfenv(print) if __cc_e then __cc_e." +
                  n + " = " + v + " end end",
              features | kCFunctionEnvWrite};
    }
  }
}

rc::Gen<Fragment> stmt_gen(GenOptions o, Ctx ctx) {
  return rc::gen::exec([o, ctx] { return stmt(o, ctx); });
}

}  // namespace

const std::vector<std::string>& global_name_pool() {
  static const std::vector<std::string> pool{"g1", "g2", "g3", "g4", "g5"};
  return pool;
}

std::string describe_features(unsigned features) {
  static const std::pair<unsigned, const char*> names[] = {
      {kGlobalWrite, "global-write"},   {kSetfenv, "setfenv"},
      {kLibraryWrite, "library-write"}, {kMetatableWrite, "metatable-write"},
      {kPackageLoadedWrite, "package.loaded-write"},
      {kTopLevelYield, "yield"},        {kVararg, "vararg"},
      {kReturn, "return"},              {kCoroutine, "coroutine"},
      {kRuntimeError, "error"},         {kExit, "exit"},
      {kLoop, "loop"},                  {kMetatableRead, "metatable-read"},
      {kCFunctionEnvWrite, "cfunction-env-write"}};
  std::string out;
  for (const auto& [bit, text] : names) {
    if ((features & bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += text;
  }
  return out.empty() ? "-" : out;
}

void showValue(const GeneratedHandler& handler, std::ostream& os) {
  os << "handler [" << describe_features(handler.features) << "] <<<LUA\n"
     << handler.source << "\nLUA>>>";
}

rc::Gen<GeneratedHandler> gen_handler(GenOptions options) {
  return rc::gen::withSize([options](int size) {
    const int max_statements = std::max(1, size * 12 / 100);
    return full_size(rc::gen::exec([options, max_statements] {
      auto stmts = *rc::gen::resize(
          max_statements,
          rc::gen::container<std::vector<Fragment>>(full_size(stmt_gen(options, Ctx{}))));
      GeneratedHandler h;
      h.source = kPrelude;
      for (std::size_t i = 0; i < stmts.size(); ++i) {
        h.source += stmts[i].code;
        h.features |= stmts[i].features;
        if (i + 1 < stmts.size()) h.source += *rc::gen::element<std::string>(" ", "\n", "\r\n");
      }
      // How the handler ends: right after its last token, or after whitespace.
      h.source += *rc::gen::element<std::string>("", " ", "\n");
      h.statements = stmts.size();
      return h;
    }));
  });
}

}  // namespace codecache::prop

// The list of what handler code sees of the standard libraries (see
// library_allowlist.h). ngx_lua opens every standard library for handlers
// (luaL_openlibs in ngx_http_lua_util.c, ngx_http_lua_new_state); this list keeps
// what it offers, minus what the harness must refuse.
#include "core/hardening/library_allowlist.h"

#include <array>

namespace codecache {
namespace {

constexpr Access A = Access::allow;
constexpr Access H = Access::harness;
constexpr Access R = Access::refuse;
constexpr Access X = Access::absent;
constexpr Engines lua51 = Engines::lua51;
constexpr Engines luajit = Engines::luajit_both;
constexpr Engines luajit2 = Engines::luajit2;

// clang-format off
constexpr LibraryField kFields[] = {
  // library  field            classic openresty sealed  engines
  // The base library. sealed also gives each request its own getfenv (never the
  // main globals) and require (afresh into the request), request_env.cc.
  {"_G", "_G",                 A, A, A},
  {"_G", "_VERSION",           A, A, A},
  {"_G", "assert",             A, A, A},
  {"_G", "collectgarbage",     A, A, H},  // sealed: "collect" and "step" only
  {"_G", "dofile",             R, R, R},
  {"_G", "error",              A, A, A},
  {"_G", "gcinfo",             A, A, R},  // sealed: as collectgarbage("count")
  {"_G", "getfenv",            A, A, A},
  {"_G", "getmetatable",       A, A, A},
  {"_G", "ipairs",             A, A, A},
  {"_G", "load",               H, H, H},  // text only, never bytecode
  {"_G", "loadfile",           R, R, R},
  {"_G", "loadstring",         H, H, H},  // text only, never bytecode
  {"_G", "module",             A, A, R},
  {"_G", "newproxy",           X, X, X},  // its __gc would run with hooks off
  {"_G", "next",               A, A, A},
  {"_G", "pairs",              A, A, A},
  {"_G", "pcall",              A, A, A},
  {"_G", "print",              H, H, H},  // ngx_lua's print (ngx_api.cc)
  {"_G", "rawequal",           A, A, A},
  {"_G", "rawget",             A, A, A},
  {"_G", "rawset",             A, A, A},
  {"_G", "require",            A, A, A},
  {"_G", "select",             A, A, A},
  {"_G", "setfenv",            A, A, A},
  {"_G", "setmetatable",       A, A, A},
  {"_G", "tonumber",           A, A, A},
  {"_G", "tostring",           A, A, A},
  {"_G", "type",               A, A, A},
  {"_G", "unpack",             A, A, A},
  {"_G", "xpcall",             A, A, A},
  {"_G", "ngx",                H, H, H},  // ngx_api.cc
  {"_G", "coroutine",          A, A, A},
  {"_G", "debug",              A, A, A},
  {"_G", "io",                 A, A, A},
  {"_G", "math",               A, A, A},
  {"_G", "os",                 A, A, A},
  {"_G", "package",            A, A, A},
  {"_G", "string",             A, A, A},
  {"_G", "table",              A, A, A},
  {"_G", "bit",                A, A, A, luajit},
  {"_G", "jit",                A, A, A, luajit},

  {"coroutine", "create",      A, A, A},
  {"coroutine", "isyieldable", A, A, A, luajit},
  {"coroutine", "resume",      A, A, A},
  {"coroutine", "running",     A, A, A},
  {"coroutine", "status",      A, A, A},
  {"coroutine", "wrap",        A, A, A},
  {"coroutine", "yield",       A, A, A},

  // The upvalues of a C function are the harness's and the engine's own state
  // (the require allow-list, LuaJIT's gmatch position), and setlocal on a C
  // function's frame overwrites what the C code holds: Lua functions only. A
  // hidden slot ("(for state)", "(*temporary)") holds what the interpreter relies
  // on: setlocal refuses it and getlocal gives its value as nil.
  // sealed keeps nothing that reaches another request.
  {"debug", "debug",           R, R, R},
  {"debug", "getfenv",         A, A, X},
  {"debug", "gethook",         A, A, X},
  {"debug", "getinfo",         A, A, A},
  {"debug", "getlocal",        H, H, X},  // hidden slots' values are nil
  {"debug", "getmetatable",    A, A, X},
  {"debug", "getregistry",     R, R, R},  // the code cache lives there
  {"debug", "getupvalue",      H, H, X},  // Lua functions only
  {"debug", "setfenv",         A, A, X},
  {"debug", "sethook",         R, R, R},  // the budget's hook
  {"debug", "setlocal",        H, H, X},  // Lua functions' named slots only
  {"debug", "setmetatable",    A, A, X},
  {"debug", "setupvalue",      H, H, X},  // Lua functions only
  {"debug", "traceback",       A, A, A},
  {"debug", "upvalueid",       H, H, X, luajit},  // Lua functions only
  {"debug", "upvaluejoin",     H, H, X, luajit},  // Lua functions only

  {"io", "close",              R, R, R},
  {"io", "flush",              R, R, R},
  {"io", "input",              R, R, R},
  {"io", "lines",              R, R, R},
  {"io", "open",               R, R, R},
  {"io", "output",             R, R, R},
  {"io", "popen",              R, R, R},
  {"io", "read",               R, R, R},
  {"io", "tmpfile",            R, R, R},
  {"io", "type",               R, R, R},
  {"io", "write",              R, R, R},

  {"math", "abs",              A, A, A},
  {"math", "acos",             A, A, A},
  {"math", "asin",             A, A, A},
  {"math", "atan",             A, A, A},
  {"math", "atan2",            A, A, A},
  {"math", "ceil",             A, A, A},
  {"math", "cos",              A, A, A},
  {"math", "cosh",             A, A, A},
  {"math", "deg",              A, A, A},
  {"math", "exp",              A, A, A},
  {"math", "floor",            A, A, A},
  {"math", "fmod",             A, A, A},
  {"math", "frexp",            A, A, A},
  {"math", "huge",             A, A, A},
  {"math", "ldexp",            A, A, A},
  {"math", "log",              A, A, A},
  {"math", "log10",            A, A, A},
  {"math", "max",              A, A, A},
  {"math", "min",              A, A, A},
  {"math", "mod",              A, A, A, lua51},
  {"math", "modf",             A, A, A},
  {"math", "pi",               A, A, A},
  {"math", "pow",              A, A, A},
  {"math", "rad",              A, A, A},
  {"math", "random",           A, A, A},
  {"math", "randomseed",       A, A, A},
  {"math", "sin",              A, A, A},
  {"math", "sinh",             A, A, A},
  {"math", "sqrt",             A, A, A},
  {"math", "tan",              A, A, A},
  {"math", "tanh",             A, A, A},

  {"os", "clock",              A, A, A},
  {"os", "date",               A, A, A},
  {"os", "difftime",           A, A, A},
  {"os", "execute",            R, R, R},
  {"os", "exit",               R, R, R},
  {"os", "getenv",             R, R, R},
  {"os", "remove",             R, R, R},
  {"os", "rename",             R, R, R},
  {"os", "setlocale",          R, R, R},
  {"os", "time",               A, A, A},
  {"os", "tmpname",            R, R, R},

  {"package", "config",        A, A, A},
  {"package", "cpath",         H, H, H},  // "": no C modules
  {"package", "loaded",        A, A, A},  // the visible libraries, and modules
  {"package", "loaders",       H, H, H},  // preload, then the --module-path searcher
  {"package", "loadlib",       R, R, R},
  {"package", "path",          H, H, H},  // the --module-path directories
  {"package", "preload",       A, A, A},
  {"package", "searchpath",    R, R, R, luajit},  // probes the file system
  {"package", "seeall",        A, A, A},

  // Modules the engine preloads for require.
  {"package.preload", "ffi",            X, X, X, luajit},  // raw memory
  {"package.preload", "jit.profile",    X, X, X, luajit},  // callbacks run with hooks off
  {"package.preload", "jit.util",       X, X, X, luajit},
  {"package.preload", "string.buffer",  X, X, X, luajit},  // buf:reserve() is a raw pointer
  {"package.preload", "table.clear",    A, A, A, luajit},
  {"package.preload", "table.clone",    A, A, A, luajit2},
  {"package.preload", "table.isarray",  A, A, A, luajit2},
  {"package.preload", "table.isempty",  A, A, A, luajit2},
  {"package.preload", "table.new",      A, A, A, luajit},
  {"package.preload", "table.nkeys",    A, A, A, luajit2},
  {"package.preload", "thread.exdata",  X, X, X, luajit2},  // a raw pointer per thread
  {"package.preload", "thread.exdata2", X, X, X, luajit2},

  {"string", "byte",           A, A, A},
  {"string", "char",           A, A, A},
  {"string", "dump",           A, A, A},
  {"string", "find",           A, A, A},
  {"string", "format",         A, A, A},
  {"string", "gfind",          A, A, A, lua51},
  {"string", "gmatch",         A, A, A},
  {"string", "gsub",           A, A, A},
  {"string", "len",            A, A, A},
  {"string", "lower",          A, A, A},
  {"string", "match",          A, A, A},
  {"string", "rep",            A, A, A},
  {"string", "reverse",        A, A, A},
  {"string", "sub",            A, A, A},
  {"string", "upper",          A, A, A},

  {"table", "concat",          A, A, A},
  {"table", "foreach",         A, A, A},
  {"table", "foreachi",        A, A, A},
  {"table", "getn",            A, A, A},
  {"table", "insert",          A, A, A},
  {"table", "maxn",            A, A, A},
  {"table", "move",            A, A, A, luajit},
  {"table", "remove",          A, A, A},
  {"table", "setn",            A, A, A, lua51},
  {"table", "sort",            A, A, A},

  {"bit", "arshift",           A, A, A, luajit},
  {"bit", "band",              A, A, A, luajit},
  {"bit", "bnot",              A, A, A, luajit},
  {"bit", "bor",               A, A, A, luajit},
  {"bit", "bswap",             A, A, A, luajit},
  {"bit", "bxor",              A, A, A, luajit},
  {"bit", "lshift",            A, A, A, luajit},
  {"bit", "rol",               A, A, A, luajit},
  {"bit", "ror",               A, A, A, luajit},
  {"bit", "rshift",            A, A, A, luajit},
  {"bit", "tobit",             A, A, A, luajit},
  {"bit", "tohex",             A, A, A, luajit},

  // The compiler's state (on or off, its optimisation flags and parameters, its
  // traces, its PRNG) is the VM's, shared by every request: sealed refuses what
  // changes it, the other profiles share it as ngx_lua does.
  {"jit", "arch",              A, A, A, luajit},
  {"jit", "attach",            R, R, R, luajit},  // callbacks run with hooks off
  {"jit", "flush",             A, A, R, luajit},
  {"jit", "off",               A, A, R, luajit},
  {"jit", "on",                A, A, R, luajit},
  {"jit", "opt",               A, A, A, luajit},
  {"jit", "os",                A, A, A, luajit},
  {"jit", "prngstate",         A, A, R, luajit2},
  {"jit", "security",          A, A, A, luajit},
  {"jit", "status",            A, A, A, luajit},
  {"jit", "version",           A, A, A, luajit},
  {"jit", "version_num",       A, A, A, luajit},

  {"jit.opt", "start",         A, A, R, luajit},
};
// clang-format on

constexpr std::array<std::string_view, 13> kLibraries = {
    "coroutine", "debug", "io",  "math",    "os",  "package", "package.preload",
    "string",    "table", "bit", "jit.opt", "jit", "_G"};

}  // namespace

Access LibraryField::under(Profile profile) const {
  switch (profile) {
    case Profile::classic: return classic;
    case Profile::openresty: return openresty;
    case Profile::sealed: return sealed;
  }
  return Access::absent;
}

bool LibraryField::on(engine::Id engine) const {
  switch (engines) {
    case Engines::all: return true;
    case Engines::lua51: return engine == engine::Id::lua51;
    case Engines::luajit_both: return engine != engine::Id::lua51;
    case Engines::luajit2: return engine == engine::Id::luajit2;
  }
  return false;
}

std::string LibraryField::what() const {
  if (library == "_G") return std::string(name);
  return std::string(library) + "." + std::string(name);
}

std::span<const LibraryField> library_allowlist() { return kFields; }

std::span<const std::string_view> allowlisted_libraries() { return kLibraries; }

}  // namespace codecache

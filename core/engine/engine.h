// The engine seam: everything that differs between PUC Lua 5.1, stock LuaJIT and
// OpenResty's LuaJIT2, and nothing else. Each engine build compiles exactly one
// implementation of this header (puc_lua51.cc or luajit.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/engine/lua_headers.h"
#include "core/plumbing/settings.h"

namespace codecache::engine {

using Id = ::codecache::Engine;  // names: core/plumbing/settings.h

// Which engine this binary was built against.
Id id();
inline std::string_view name() { return to_string(id()); }  // "lua51", "luajit" or "luajit2"

// Whether the engine's headers define OPENRESTY_LUAJIT (OpenResty's LuaJIT2 does):
// ngx_lua picks its build by this compile-time check (ngx_http_lua_clfactory.c,
// ngx_http_lua_clfactory_loadbuffer and ngx_http_lua_clfactory_loadfile;
// ngx_http_lua_cache.c, ngx_http_lua_cache_loadbuffer: `#ifndef OPENRESTY_LUAJIT`
// wraps the source into a closure factory), and the default profile follows it.
bool defines_openresty_luajit();

// Whether the engine's `load` also takes the chunk as a string (LuaJIT's lib_base.c,
// load) rather than only a reader function (PUC Lua 5.1's lbaselib.c, luaB_load).
bool load_takes_strings();

// Opens the engine's own extra libraries that handlers may use (LuaJIT: `bit`, and
// `jit` with the compiler on), and LuaJIT's FFI out of their reach (so that its
// lexer never opens and registers it for a literal). Called inside a protected
// call during VM set-up.
void open_extra_libraries(lua_State* L);

// Loads text only: a chunk that the engine would treat as bytecode (after the
// BOM / '#' skipping the engine itself does) is refused with an error message.
// Returns a lua_load status with the function or the message on the stack.
int load_text_only(lua_State* L, const char* text, size_t size, const char* chunkname);

// Whether the garbage collector is stopped (collectgarbage("stop") in handler
// code), read from the engine's own state: Lua 5.1's C API cannot ask, and
// restarting it unconditionally would force a collection step after every request.
bool collector_stopped(lua_State* L);

// Raw table copies, for the sealed profile's per-request copies of library
// tables (request_env.cc): whether the table at `index` holds no table among its
// raw keys and values (then a raw copy is a deep copy), and a push of a new table
// with the same raw entries and part sizes, without the metatable. The engine
// copies its own storage in one pass; the C API would rehash key by key.
bool table_is_flat(lua_State* L, int index);
void push_table_clone(lua_State* L, int index);

// Bounds how deep handler code may nest C calls: below `floor` (an address on the
// calling thread's C stack; nullptr lifts the bound) a library callback that calls
// back into the VM fails with "C stack overflow". PUC Lua 5.1 counts nested C calls
// itself (LUAI_MAXCCALLS); LuaJIT counts none and would recurse until the process
// dies, so its lua_call and lua_pcall check this floor
// (engines/patches/luajit*-vm-reentry-c-stack.patch).
void set_c_stack_floor(const char* floor);

// How many stack overflows the engine has raised on the calling thread ("stack
// overflow", "C stack overflow", "stack overflow (<what>)"). Read before and after
// running code, it tells an overflow the engine raised from an error a script
// raised with the same text (engines/patches/*-vm-stack-overflow-count.patch).
unsigned long stack_overflows();

// Which precompiled format the engine's loader accepts.
enum class BytecodeFormat { puc51, luajit };
BytecodeFormat bytecode_format();

// Why a precompiled chunk must not reach lua_load (`dump` is exactly what lua_load
// would get), or nothing. LuaJIT has no bytecode verifier and trusts what it loads:
// luajit_bytecode_verifier.h refuses what could break its memory safety, and leaves
// what its reader refuses by itself to it. PUC Lua 5.1 checks a dump while it
// undumps it (luaG_checkcode): nothing.
std::optional<std::string> unsafe_bytecode(std::string_view dump);

}  // namespace codecache::engine

# Compiler flags for the two build flavours: `default` (optimised, for tests and the
# CLI) and `fuzz` (clang, ASan + UBSan, libFuzzer coverage on engines and core).
# UBSan checks switched off on the engines are the ones that fire on intended
# LuaJIT idioms (see ../shared/reference/toolchain_notes.md §2.4).

include_guard(GLOBAL)

option(CODECACHE_FUZZ "Instrumented build: clang, ASan+UBSan, -fsanitize=fuzzer-no-link" OFF)

if(CODECACHE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CODECACHE_FUZZ needs clang (g++ has no -fsanitize=fuzzer); use --preset fuzz")
  endif()
  set(_base -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  set(CODECACHE_CORE_SANITIZE ${_base} -fno-sanitize-recover=undefined)
  set(CODECACHE_ENGINE_SANITIZE_LUA51 ${_base} -fno-sanitize-recover=undefined
      -fno-sanitize=float-cast-overflow)
  string(JOIN " " CODECACHE_ENGINE_SANITIZE_LUAJIT ${_base} -fno-sanitize-recover=undefined
      "-fno-sanitize=alignment,float-cast-overflow,null,pointer-overflow,shift-base,nonnull-attribute")
  set(CODECACHE_ENGINE_CCOPT "-O1 -fno-omit-frame-pointer")
  set(CODECACHE_ENGINE_XCFLAGS "-DLUAJIT_USE_SYSMALLOC -DLUA_USE_ASSERT")
  set(CODECACHE_LINK_SANITIZE -fsanitize=address,undefined)
else()
  set(CODECACHE_CORE_SANITIZE "")
  set(CODECACHE_ENGINE_SANITIZE_LUA51 "")
  set(CODECACHE_ENGINE_SANITIZE_LUAJIT "")
  set(CODECACHE_ENGINE_CCOPT "-O2 -fomit-frame-pointer")
  set(CODECACHE_ENGINE_XCFLAGS "")
  set(CODECACHE_LINK_SANITIZE "")
endif()

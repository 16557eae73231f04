# Compiler flags for the build flavours: `default` (optimised, for tests and the
# CLI), `fuzz` (clang, ASan + UBSan, libFuzzer coverage on engines and core),
# `coverage` (clang source-based coverage, for the HTML report) and
# OSS-Fuzz / ClusterFuzzLite (flags from $CFLAGS/$CXXFLAGS, fuzzers linked with
# $LIB_FUZZING_ENGINE, see .clusterfuzzlite/build.sh).
# UBSan checks switched off on the engines are the ones that fire on intended
# LuaJIT idioms: unaligned stores of the machine-code emitter (alignment), member
# access through a null GCobj pointer (null), zero offsets on null pointers
# (pointer-overflow), shifts in lj_bcread.c and lj_buf.c at every state creation
# (shift-base), casts of arbitrary doubles (float-cast-overflow) and
# memcpy(NULL, ..., 0) (nonnull-attribute). With them on, LuaJIT aborts on its
# first input.

include_guard(GLOBAL)

option(CODECACHE_FUZZ "Instrumented build: clang, ASan+UBSan, -fsanitize=fuzzer-no-link" OFF)
option(CODECACHE_OSSFUZZ "OSS-Fuzz style build: sanitizer flags from the environment" OFF)
option(CODECACHE_COVERAGE "Source-based coverage build (clang): fuzz targets replay their corpora" OFF)

set(_luajit_noise
    "-fno-sanitize=alignment,float-cast-overflow,null,pointer-overflow,shift-base,nonnull-attribute")

if(CODECACHE_OSSFUZZ)
  # CMake already put $CFLAGS / $CXXFLAGS into CMAKE_<LANG>_FLAGS for the core and
  # Lua 5.1; LuaJIT's own Makefile gets them explicitly.
  set(CODECACHE_CORE_SANITIZE "")
  set(CODECACHE_ENGINE_SANITIZE_LUA51 "")
  set(CODECACHE_ENGINE_SANITIZE_LUAJIT "$ENV{CFLAGS} ${_luajit_noise}")
  set(CODECACHE_ENGINE_CCOPT "-O1 -fno-omit-frame-pointer")
  set(CODECACHE_ENGINE_XCFLAGS "-DLUAJIT_USE_SYSMALLOC")
  set(CODECACHE_LINK_SANITIZE "")
  separate_arguments(CODECACHE_FUZZER_LINK UNIX_COMMAND "$ENV{LIB_FUZZING_ENGINE}")
elseif(CODECACHE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CODECACHE_FUZZ needs clang (g++ has no -fsanitize=fuzzer); use --preset fuzz")
  endif()
  set(_base -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  set(CODECACHE_CORE_SANITIZE ${_base} -fno-sanitize-recover=undefined)
  set(CODECACHE_ENGINE_SANITIZE_LUA51 ${_base} -fno-sanitize-recover=undefined
      -fno-sanitize=float-cast-overflow)
  string(JOIN " " CODECACHE_ENGINE_SANITIZE_LUAJIT ${_base} -fno-sanitize-recover=undefined
      ${_luajit_noise})
  set(CODECACHE_ENGINE_CCOPT "-O1 -fno-omit-frame-pointer")
  set(CODECACHE_ENGINE_XCFLAGS "-DLUAJIT_USE_SYSMALLOC -DLUA_USE_ASSERT")
  set(CODECACHE_LINK_SANITIZE -fsanitize=address,undefined)
  set(CODECACHE_FUZZER_LINK -fsanitize=fuzzer)
elseif(CODECACHE_COVERAGE)
  # clang source-based coverage of engines and core; the fuzz targets link the
  # replay main and fuzz/coverage.sh runs them over their corpora.
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CODECACHE_COVERAGE needs clang; use --preset coverage")
  endif()
  set(_coverage -fprofile-instr-generate -fcoverage-mapping)
  set(CODECACHE_CORE_SANITIZE ${_coverage})
  set(CODECACHE_ENGINE_SANITIZE_LUA51 ${_coverage})
  string(JOIN " " CODECACHE_ENGINE_SANITIZE_LUAJIT ${_coverage})
  set(CODECACHE_ENGINE_CCOPT "-O1 -fno-omit-frame-pointer")
  set(CODECACHE_ENGINE_XCFLAGS "")
  set(CODECACHE_LINK_SANITIZE -fprofile-instr-generate)
  set(CODECACHE_FUZZER_LINK "")
else()
  set(CODECACHE_CORE_SANITIZE "")
  set(CODECACHE_ENGINE_SANITIZE_LUA51 "")
  set(CODECACHE_ENGINE_SANITIZE_LUAJIT "")
  set(CODECACHE_ENGINE_CCOPT "-O2 -fomit-frame-pointer")
  set(CODECACHE_ENGINE_XCFLAGS "")
  set(CODECACHE_LINK_SANITIZE "")
  set(CODECACHE_FUZZER_LINK "")
endif()

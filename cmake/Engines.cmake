# Builds the three Lua engines from pinned sources: PUC Lua 5.1.5 (compiled as C++
# so Lua errors unwind C++ frames), Debian's stock LuaJIT 2.1 and OpenResty's
# LuaJIT2. Each becomes an imported/static target `codecache::engine_<name>`.
# CODECACHE_<ENGINE>_SOURCE_DIR points at a local tree instead of fetching.

include_guard(GLOBAL)

set(CODECACHE_ENGINES lua51 luajit luajit2)
cmake_host_system_information(RESULT _codecache_cores QUERY NUMBER_OF_LOGICAL_CORES)

function(_codecache_engine_source engine out_var)
  string(TOUPPER "${engine}" upper)
  set(CODECACHE_${upper}_SOURCE_DIR "" CACHE PATH
      "Local ${engine} source tree (empty: fetch the pinned Debian source package)")
  if(CODECACHE_${upper}_SOURCE_DIR)
    set(${out_var} "${CODECACHE_${upper}_SOURCE_DIR}" PARENT_SCOPE)
    return()
  endif()
  set(dir "${CMAKE_BINARY_DIR}/engines/${engine}-src")
  # The pin covers the lock and our patches: a patch added, removed or edited
  # re-runs the configure step, which fetches the tree again.
  file(GLOB patches CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/engines/patches/${engine}-*.patch")
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${patches} "${PROJECT_SOURCE_DIR}/engines/sources.lock")
  execute_process(
    COMMAND bash "${PROJECT_SOURCE_DIR}/engines/fetch-source.sh" --pin "${engine}"
    OUTPUT_VARIABLE wanted OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  set(have "")
  if(EXISTS "${dir}/.codecache-pin")
    file(STRINGS "${dir}/.codecache-pin" have)
  endif()
  if(NOT have STREQUAL wanted)
    message(STATUS "codecache: fetching ${engine} source (${wanted})")
    execute_process(
      COMMAND bash "${PROJECT_SOURCE_DIR}/engines/fetch-source.sh" "${engine}" "${dir}"
      RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "codecache: could not fetch the ${engine} source; "
                          "set CODECACHE_${upper}_SOURCE_DIR to a local tree")
    endif()
  endif()
  set(${out_var} "${dir}" PARENT_SCOPE)
endfunction()

# PUC Lua 5.1.5: a plain CMake library, every .c compiled as C++.
function(_codecache_add_lua51 src)
  set(names lapi lcode ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser
            lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib ldblib liolib
            lmathlib loslib ltablib lstrlib loadlib linit)
  list(TRANSFORM names PREPEND "${src}/src/")
  list(TRANSFORM names APPEND ".c")
  set_source_files_properties(${names} PROPERTIES LANGUAGE CXX)
  add_library(engine_lua51 STATIC ${names})
  target_include_directories(engine_lua51 SYSTEM PUBLIC "${src}/src")
  target_compile_definitions(engine_lua51 PRIVATE LUA_USE_POSIX LUA_USE_APICHECK)
  target_compile_options(engine_lua51 PRIVATE -w ${CODECACHE_ENGINE_SANITIZE_LUA51})
  target_link_libraries(engine_lua51 PUBLIC m)
  target_compile_definitions(engine_lua51 INTERFACE CODECACHE_LUA_IS_CXX=1)
  add_library(codecache::engine_lua51 ALIAS engine_lua51)
endfunction()

# LuaJIT flavours: LuaJIT's own Makefile in a private copy of the tree
# (it writes into src/), static, with count hooks checked in compiled traces.
function(_codecache_add_luajit engine src)
  set(work "${CMAKE_BINARY_DIR}/engines/${engine}-build")
  # The private copy follows the source tree's pin (a new patch means a new copy).
  set(pin_file "${src}/.codecache-pin")
  set(pin "")
  if(EXISTS "${pin_file}")
    file(READ "${pin_file}" pin)
  endif()
  set(copied "")
  if(EXISTS "${work}/.codecache-copied")
    file(READ "${work}/.codecache-copied" copied)
  endif()
  if(NOT EXISTS "${work}/src/lua.h" OR NOT copied STREQUAL pin)
    file(REMOVE_RECURSE "${work}")
    file(COPY "${src}/" DESTINATION "${work}" PATTERN ".pc" EXCLUDE)
    file(WRITE "${work}/.codecache-copied" "${pin}")
  endif()
  set(xcflags "-DLUAJIT_ENABLE_CHECKHOOK -DLUA_USE_APICHECK ${CODECACHE_ENGINE_XCFLAGS}")
  set(lib "${work}/src/libluajit.a")
  add_custom_command(
    OUTPUT "${lib}"
    COMMAND make -C "${work}/src" -j${_codecache_cores} libluajit.a BUILDMODE=static
            "CC=${CMAKE_C_COMPILER}" "CCOPT=${CODECACHE_ENGINE_CCOPT}" "CCDEBUG=-g" "CCWARN=-w"
            "XCFLAGS=${xcflags}"
            "TARGET_CFLAGS=${CODECACHE_ENGINE_SANITIZE_LUAJIT}"
            "TARGET_LDFLAGS=${CODECACHE_ENGINE_SANITIZE_LUAJIT}"
            # the environment's CFLAGS (OSS-Fuzz) must not reach the host tools
            "CFLAGS=" "LDFLAGS="
            Q=@ E=@:
    COMMENT "Building ${engine} (LuaJIT make, static)"
    VERBATIM)
  add_custom_target(engine_${engine}_make DEPENDS "${lib}")
  add_library(engine_${engine} STATIC IMPORTED GLOBAL)
  set_target_properties(engine_${engine} PROPERTIES
    IMPORTED_LOCATION "${lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${work}/src"
    INTERFACE_LINK_LIBRARIES "m;dl")
  add_dependencies(engine_${engine} engine_${engine}_make)
  add_library(codecache::engine_${engine} ALIAS engine_${engine})
endfunction()

foreach(engine IN LISTS CODECACHE_ENGINES)
  _codecache_engine_source(${engine} src)
  set(CODECACHE_ENGINE_TREE_${engine} "${src}")  # for tools that rebuild the engines
  if(engine STREQUAL "lua51")
    _codecache_add_lua51("${src}")
  else()
    _codecache_add_luajit(${engine} "${src}")
  endif()
endforeach()

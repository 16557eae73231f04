// The plain VM of this engine (luaL_newstate + luaL_openlibs, one per process, closed
// at exit) in which the fuzz targets compute what the harness must not: the bytecode
// they feed it (string.dump) and the template comparison of table_template.h.
// Nothing fuzzed runs in it; only source is compiled and dumped.
#pragma once

#include <string>
#include <string_view>

#include "core/engine/lua_headers.h"

namespace codecache::fuzz {

lua_State* plain_vm();

// string.dump of `source` compiled as a main chunk named `chunkname`, stripped or
// not (Lua 5.1's string.dump ignores the flag); empty when it does not compile.
std::string dump_in_plain_vm(std::string_view source, std::string_view chunkname, bool strip);

}  // namespace codecache::fuzz

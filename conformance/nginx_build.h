// The two real ngx_lua builds the referee runs cases on, as prepared by
// conformance/nginx/prepare.sh under one directory: Debian's nginx with either
// Debian's lua module (OpenResty's LuaJIT: profile `openresty`, engine
// `luajit2`) or the same module source rebuilt against stock LuaJIT (profile
// `classic`, engine `luajit`). Nothing is installed system-wide; the LuaJIT
// each build loads comes from LD_LIBRARY_PATH.
#pragma once

#include <string>
#include <vector>

namespace codecache::conformance {

struct NginxBuild {
  std::string name;     // "openresty" or "classic"
  std::string engine;   // the engine whose qualified expectations apply
  std::string profile;  // the profile whose qualified expectations apply
  std::string nginx;    // the nginx binary
  std::vector<std::string> modules;  // load_module, in order
  std::string library_path;          // LD_LIBRARY_PATH (the LuaJIT)
  std::string lua_path;              // lua-resty-core and lua-resty-lrucache (`?.lua`)
};

// The build `name` under `root` (prepare.sh's output directory).
NginxBuild nginx_build(const std::string& name, const std::string& root);

// What is missing for the build to run ("" when it is ready).
std::string missing_parts(const NginxBuild& build);

}  // namespace codecache::conformance

// The referee's nginx builds (see nginx_build.h). The layout is prepare.sh's.
#include "nginx_build.h"

#include <filesystem>
#include <stdexcept>

namespace codecache::conformance {

NginxBuild nginx_build(const std::string& name, const std::string& root) {
  NginxBuild b;
  b.name = name;
  const std::string debian = root + "/debian";  // nginx, its modules, lua-resty-*
  b.nginx = debian + "/usr/sbin/nginx";
  b.lua_path = debian + "/usr/share/lua/5.1/?.lua";
  b.modules.push_back(debian + "/usr/lib/nginx/modules/ndk_http_module.so");
  if (name == "openresty") {
    b.engine = "luajit2";
    b.profile = "openresty";
    b.modules.push_back(debian + "/usr/lib/nginx/modules/ngx_http_lua_module.so");
    b.library_path = root + "/luajit2/lib";
  } else if (name == "classic") {
    b.engine = "luajit";
    b.profile = "classic";
    b.modules.push_back(root + "/classic/ngx_http_lua_module.so");
    b.library_path = root + "/luajit/lib";
  } else {
    throw std::invalid_argument("unknown nginx build '" + name + "' (openresty or classic)");
  }
  return b;
}

std::string missing_parts(const NginxBuild& build) {
  std::string missing;
  auto need = [&](const std::string& path) {
    if (!std::filesystem::exists(path)) missing += (missing.empty() ? "" : ", ") + path;
  };
  need(build.nginx);
  for (const auto& m : build.modules) need(m);
  need(build.library_path + "/libluajit-5.1.so.2");
  return missing;
}

}  // namespace codecache::conformance

// The real referee: runs one conformance case on a real nginx
// with ngx_lua (one of the two NginxBuilds), with its own prefix under the
// build directory and its own nginx, which it always stops. The case's files
// are written into the prefix, its requests are sent over HTTP to 127.0.0.1,
// its steps edit the files in between, and each request's error-log entries
// become that request's log; then the same checker as the in-process runner
// judges the same expectations.
#pragma once

#include <string>

#include "case_checker.h"
#include "case_file.h"
#include "nginx_build.h"

namespace codecache::conformance {

struct RefereeConfig {
  NginxBuild build;
  bool code_cache = true;
  std::string work_root;  // per-run directories go below it
  bool keep = false;      // keep the run's directory even when it passes
};

// Why the case cannot run on this build and code-cache setting as written:
// out_of_scope(), or a handler that nginx.conf cannot carry ("" when it can run).
// The case must apply to the build's engine and profile.
std::string not_expressible(const Case& c, const NginxBuild& build, bool code_cache);

RunResult referee_case(const Case& c, const RefereeConfig& config);

// The target the checker uses for this build.
CheckTarget check_target(const RefereeConfig& config, const std::string& prefix);

// nginx's standard error page for `status` ("<html>…<title>404 Not Found…"), which
// the core does not model: such a body counts as empty.
bool is_nginx_error_page(int status, const std::string& body);

}  // namespace codecache::conformance

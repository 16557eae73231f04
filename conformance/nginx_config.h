// Turning a case into an nginx configuration for the real-nginx referee, and
// deciding which cases can be expressed that way at all. Each handler becomes
// `location = /codecache/<n>` in a file of its own, `handlers/<n>/nginx.conf`,
// included by the main configuration: the file's basename gives the chunk name
// `content_by_lua(nginx.conf:<line>)` and blank lines put the directive's end
// (where ngx_lua takes the line of a string-form directive) on the case's line.
// Inline code uses the string form, `content_by_lua '<code>'`, escaped so that
// nginx hands ngx_lua the exact bytes (the cache key is the md5 of them); code
// with more lines than come before its line uses `content_by_lua_block {<code>}`.
#pragma once

#include <string>
#include <vector>

#include "case_file.h"
#include "nginx_build.h"

namespace codecache::conformance {

// Why the referee does not judge this case at all, by the rule documented in
// conformance/README.md ("" when it does): `--- nginx: no (reason)`, or the case
// depends on codecache's own budgets and sandbox (property `limits` or `sandbox`,
// `max_*` settings, a `limit` or `limit_detail` expectation for this build).
std::string out_of_scope(const Case& c, const NginxBuild& build, bool code_cache);

// Why one inline handler cannot be written as a directive ending on `line` ("" when it can).
std::string inline_code_problem(const std::string& code, int line);

// A location with `rewrite_log on` and a rewrite that never matches: nginx logs
// `"^$" does not match "<kLogMarkUri>"` at `notice` while it serves it, before
// it replies (and nothing else at `info` or above). The referee asks for it after
// each request, so that the log slice of that request ends at that entry: the
// worker serves one connection after another, so every entry of the request
// before it was written when the mark's reply arrives, with no waiting. (Not a missing file: a failed open() would leave
// errno at ENOENT, and ngx_lua picks 404 over 503 for a file error by errno.)
inline constexpr const char* kLogMarkUri = "/codecache/log-mark";

// The text of the mark's log entry.
std::string log_mark_entry();

// The URI that serves handler `index` (0-based).
std::string handler_uri(std::size_t index);

struct NginxSite {
  std::string prefix;    // nginx's -p: the case's files (the case's `${dir}`)
  std::string work;      // configuration, logs, temp files
  std::string conf;      // work/conf/nginx.conf
  std::string error_log; // work/logs/error.log
  int port = 0;          // held by a PortReservation (nginx_port.h): `listen 127.0.0.1:<port> reuseport`
  std::string ready_token;  // the body kReadyUri answers, so the readiness probe knows its own nginx
};

// Writes the main configuration and one include per handler. `inline_code[i]`
// is handler i's resolved code (unused for file handlers).
void write_nginx_config(const Case& c, const NginxBuild& build, bool code_cache, const NginxSite& site,
                        const std::vector<std::string>& inline_code);

// nginx's quoted-string form of `bytes`: '…' with \ and ' escaped.
std::string nginx_quote(const std::string& bytes);

}  // namespace codecache::conformance

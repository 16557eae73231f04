// Reading a real nginx error.log the way the core reports its log: each entry
// as "[level] message", without the timestamp, the pid#tid, the connection
// number and the ", client: ..., request: ..." tail nginx appends; multi-line
// entries (tracebacks) stay one entry. Also what the debug-level code cache
// lines say about a request (hit, miss, key).
#pragma once

#include <string>
#include <vector>

namespace codecache::conformance {

struct NginxLogEntry {
  std::string level;    // "error", "debug", ...
  std::string text;     // "[error] lua entry thread aborted: ..."
};

// Every entry of `log_text` (a slice of error.log starting at an entry).
std::vector<NginxLogEntry> parse_nginx_error_log(const std::string& log_text);

// The entries at `min_level` or more severe ("debug" keeps all).
std::vector<std::string> entries_at_level(const std::vector<NginxLogEntry>& entries,
                                          const std::string& min_level);

// What the code cache lines of one request say.
struct NginxCacheView {
  bool looked_up = false;
  bool hit = false;
  bool missed = false;
  std::string key;  // of the first lookup
};
NginxCacheView cache_view(const std::vector<NginxLogEntry>& entries);

}  // namespace codecache::conformance

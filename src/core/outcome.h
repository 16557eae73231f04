// What one request produced: the reply (status, body, aborted), the error-log
// lines ngx_lua would have written, what the code cache did, and which limit of
// the sandbox fired, if any. This is what every test, fuzz oracle and the CLI compare.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace codecache {

enum class CacheState { miss, hit, off };
std::string_view to_string(CacheState);

// Limits are classified outcomes, never crashes or hangs.
enum class LimitKind { none, instructions, cpu_time, memory, stack, sandbox };
std::string_view to_string(LimitKind);

// The events ngx_lua logs at debug level around a code cache lookup (§3.2).
struct CacheEvent {
  enum class Kind { lookup, miss, hit, setting_ref };
  Kind kind;
  std::string key;
  int ref;
  bool operator==(const CacheEvent&) const = default;
};
std::string_view to_string(CacheEvent::Kind);
std::string describe(const CacheEvent&);  // "code cache lookup (key='...', ref=-1)"

struct Outcome {
  int status = 200;
  bool aborted = false;      // a runtime error after output was sent: truncated reply
  std::string body;
  std::vector<std::string> log;  // "[warn] [lua] ..." without timestamp/pid/client
  CacheState cache = CacheState::miss;
  std::string cache_key;
  std::vector<CacheEvent> cache_events;
  LimitKind limit = LimitKind::none;
  std::string limit_detail;  // e.g. "os.exit" for a sandbox refusal

  bool operator==(const Outcome&) const = default;
};

}  // namespace codecache

// What one request produced: the reply (status, body, aborted), the error-log
// lines ngx_lua would have written, what the code cache did, and which limit of
// the sandbox fired, if any. This is what every test, fuzz oracle and the CLI compare.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/cache_key.h"

namespace codecache {

enum class CacheState { miss, hit, off };
constexpr std::array<std::string_view, 3> cache_state_names() { return {"miss", "hit", "off"}; }
std::string_view to_string(CacheState);

// Why the handler's code did not run, said in fields so that no oracle reads it
// from the log: `read`, LUA_ERRFILE: the file could not be read, or its
// bytecode header is refused (ngx_http_lua_clfactory.c, status 503); `compile`,
// lua_load refused the chunk (a syntax error, or LUA_ERRMEM); `factory`, the closure
// factory loaded but calling it failed ("fail to generate new closure from the
// closure factory" on a first load, "failed to run factory at key ..." on a cache
// hit, ngx_http_lua_cache.c).
enum class LoadFailure { none, read, compile, factory };
std::string_view to_string(LoadFailure);

// Limits are classified outcomes, never crashes or hangs.
enum class LimitKind { none, instructions, cpu_time, memory, stack, sandbox };
constexpr std::array<std::string_view, 6> limit_kind_names() { return {
    "none", "instructions", "cpu_time", "memory", "stack", "sandbox"}; }
std::string_view to_string(LimitKind);
std::optional<LimitKind> parse_limit_kind(std::string_view);

// The events ngx_lua logs at debug level around a code cache lookup
// (ngx_http_lua_cache.c, ngx_http_lua_cache_load_code), all
// of them about the request's Outcome::cache_key.
struct CacheEvent {
  enum class Kind { lookup, miss, hit, setting_ref };
  Kind kind;
  int ref;
  bool operator==(const CacheEvent&) const = default;
};
std::string_view to_string(CacheEvent::Kind);
// "code cache lookup (key='...', ref=-1)", as ngx_lua logs it.
std::string describe(const CacheEvent&, std::string_view key);

// The events of one lookup: `lookup`, perhaps `setting ref`, then `hit` or `miss`.
// Held inline, so that recording them costs a request no allocation.
class CacheTrace {
 public:
  static constexpr std::size_t kCapacity = 3;
  using value_type = CacheEvent;
  using const_iterator = const CacheEvent*;
  using iterator = const_iterator;

  CacheTrace() = default;
  CacheTrace(std::initializer_list<CacheEvent> events) {
    for (const CacheEvent& e : events) push_back(e);
  }
  // A lookup records at most kCapacity events; a further one is a bug of the cache.
  void push_back(const CacheEvent& e) {
    if (size_ == kCapacity) std::abort();
    events_[size_++] = e;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return events_.data(); }
  const_iterator end() const { return events_.data() + size_; }
  bool operator==(const CacheTrace& other) const {
    return std::equal(begin(), end(), other.begin(), other.end());
  }

 private:
  std::array<CacheEvent, kCapacity> events_{};
  std::size_t size_ = 0;
};

struct Outcome {
  int status = 200;          // 0: no reply at all, nginx closed the connection (ngx.exit(ngx.ERROR) before output)
  bool aborted = false;      // the reply was cut short: a runtime error, or an ngx.exit code that does not finish it, after output
  std::string body;
  std::vector<std::string> log;  // "[warn] [lua] ..." without timestamp/pid/client
  CacheState cache = CacheState::miss;
  CacheKey cache_key;
  CacheTrace cache_events;
  LimitKind limit = LimitKind::none;
  std::string limit_detail;  // e.g. "os.exit" for a sandbox refusal
  LoadFailure load_failure = LoadFailure::none;
  std::string load_error;    // the loader's message, or the factory's error (at most 64 KiB)

  bool operator==(const Outcome&) const = default;
};

}  // namespace codecache

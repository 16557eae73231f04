// The state every C callback of a VM can reach: the limits being enforced, the
// request that is running (for ngx.say / ngx.log / ngx.exit), and the settings.
// It is the allocator's user data, so context_of(L) works from any thread of the VM.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/plumbing/settings.h"
#include "core/engine/lua_headers.h"

namespace codecache {

class RequestState;  // request.h

// What one request has spent and which of its limits fired. Lives in the request
// so that interleaved requests on one VM are charged separately.
struct ExecutionBudget {
  std::uint64_t instructions_used = 0;
  // Thread CPU time (nanoseconds, read from the thread's CPU clock at each watchdog
  // tick) charged to this request, and its limit.
  volatile std::int64_t cpu_used_ns = 0;
  std::int64_t cpu_limit_ns = 1;
  volatile std::sig_atomic_t cpu_expired = 0;
  bool instructions_exhausted = false;
  bool cpu_exhausted = false;
  bool memory_refused = false;
  // Set by ngx.exit: the hook unwinds whatever runs until the entry thread ends.
  bool exit_requested = false;
  bool output_refused = false;  // the body or log hit the harness's output cap
  // The harness itself raised a stack overflow: the C stack bound's "C stack
  // overflow" for a coroutine, ngx.say's "stack overflow (table nested too deeply)".
  bool stack_overflow_raised = false;
  // The first sandbox refusal ("os.exit", "io.open", ...), or empty.
  std::string sandbox_refusal;
};

struct VmContext {
  Settings settings;

  // Memory budget (memory_budget.cc).
  std::size_t live_bytes = 0;
  std::size_t peak_bytes = 0;
  bool memory_enforced = false;  // only while handler code runs

  // The budget of the request whose code is running (execution_budget.h);
  // null while the harness itself works on the VM.
  ExecutionBudget* budget = nullptr;

  // The request whose handler is running, or null between requests.
  RequestState* request = nullptr;
  // The closure factory is running (classic and sealed): outside any request, as
  // in ngx_lua, whose factory runs on the main thread, where ngx_http_lua_get_req
  // finds no `__ngx_req`. The ngx API then has no request to write to; log lines
  // still go to `request`'s log (ngx_lua writes them to the cycle's error.log).
  bool factory_running = false;

  int code_cache_ref = LUA_NOREF;  // the cache table's reference in the registry
  std::uint64_t id = 0;  // unique per VM in this process; handlers' refs are per VM

  // Set when handler code was cut off by the hard CPU deadline in the middle of a
  // C function: the VM's state is unknown, so it is never touched again.
  bool abandoned = false;
};

inline VmContext& context_of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<VmContext*>(ud);
}

}  // namespace codecache

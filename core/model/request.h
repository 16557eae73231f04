// One request through a content handler, as ngx_lua runs it (ngx_http_lua_contentby.c,
// ngx_http_lua_content_handler_inline / _file and ngx_http_lua_content_by_chunk;
// ngx_http_lua_cache.c, ngx_http_lua_cache_loadbuffer / _loadfile):
// code cache lookup -> load on a miss (never caching failures) -> on classic and
// sealed, the factory called for a fresh closure (classic: on the main thread;
// sealed: on the request's coroutine) -> a new coroutine with the profile's
// globals -> resumed until it ends. A plain yield of
// the entry thread (coroutine.yield, ngx.sleep) pauses the request so another can
// run before it resumes; ngx.exit ends it. Every ending is classified.
#pragma once

#include "core/model/handler.h"
#include "core/plumbing/outcome.h"
#include "core/plumbing/request_state.h"
#include "core/model/vm.h"

namespace codecache {

class Request {
 public:
  // Runs the cache and loading steps at once; the handler starts on resume().
  // `vm` is the VM the worker serves the request with (Worker::serving_vm); it
  // must outlive the request.
  Request(Vm& vm, Handler& handler);
  ~Request();
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  // Runs the handler until it ends or pauses. Returns whether it has ended.
  bool resume();
  // The outcome of a finished request (RequestState::conclude made it).
  const Outcome& outcome() const { return outcome_; }
  // Moves the outcome out of a finished request.
  Outcome take_outcome() { return std::move(outcome_); }

 private:
  void start(Handler& handler);
  bool load(Handler& handler, bool& from_cache);
  void finish_with_runtime_error(lua_State* thread, int status);
  // Ends the request as `ending` says and concludes its outcome.
  void finish(Ending ending);
  void finish_abandoned();
  void start_thread();
  void anchor_thread();
  void release_thread();

  Vm* vm_;
  lua_State* co_ = nullptr;
  ThreadAnchors::Slot anchor_ = 0;  // keeps co_ alive while it runs
  RequestState state_;
  // The engine's stack overflow count when the request began (engine.h).
  unsigned long stack_overflows_at_start_;
  bool finished_ = false;
  Outcome outcome_;  // set once, when the request finishes
};

}  // namespace codecache

// An nginx worker process with ngx_lua: the main VM that serves every request
// while the code cache is on, or a fresh VM per request while it is off
// (ngx_http_lua_util.h, ngx_http_lua_create_ctx, which calls ngx_http_lua_init_vm
// for every request when lua_code_cache is off).
// The entry point for everything that runs handlers: the CLI, tests, fuzzers.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/model/handler.h"
#include "core/plumbing/outcome.h"
#include "core/model/request.h"
#include "core/plumbing/settings.h"
#include "core/model/shared_state.h"
#include "core/model/vm.h"

namespace codecache {

class Worker {
 public:
  explicit Worker(const Settings& settings);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves one request to completion (a paused handler is resumed at once).
  Outcome run(Handler& handler);

  // Starts a request whose steps the caller drives, to interleave requests.
  std::unique_ptr<Request> start(Handler& handler);

  // The VM kept between requests; null while the code cache is off.
  Vm* main_vm() { return settings_.code_cache ? vm_.get() : nullptr; }

  // What the next request would share with the previous ones (shared_state.h):
  // nothing while the code cache is off (a VM per request), nor once a hard
  // deadline has abandoned the main VM (its state is unknown; the next request
  // gets a new one). Between requests only.
  std::optional<SharedStateSnapshot> shared_state() const;
  // The same state's digest (shared_state.h), when only whether it changed matters.
  std::optional<SharedStateDigest> shared_state_digest() const;

 private:
  // The VM that serves the next request. With the code cache on, vm_, replaced
  // first if a hard deadline abandoned it (as nginx would respawn the worker);
  // off, a fresh VM every time, as ngx_lua builds one per request
  // (ngx_http_lua_util.h, ngx_http_lua_create_ctx).
  Vm& serving_vm();
  // Gives up vm_: into retired_ while requests still run on it or after a hard
  // deadline abandoned it, else closed at once.
  void retire_vm();

  Settings settings_;
  // The worker owns every VM it serves with. vm_ is the one the last request
  // started on (with the code cache on, the one every request starts on).
  std::unique_ptr<Vm> vm_;
  // Earlier VMs that paused requests still run on, and VMs given up after a hard
  // deadline (kept so that their paused requests see it; their states are never
  // freed, Vm::abandon). Requests must end before their worker.
  std::vector<std::unique_ptr<Vm>> retired_;
};

}  // namespace codecache

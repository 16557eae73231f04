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

  // Serves one request to completion (a paused handler is resumed at once).
  Outcome run(Handler& handler);

  // Starts a request whose steps the caller drives, to interleave requests.
  std::unique_ptr<Request> start(Handler& handler);

  Vm* main_vm() { return vm_.get(); }  // null while the code cache is off

  // What the next request would share with the previous ones (shared_state.h):
  // nothing while the code cache is off (a VM per request), nor once a hard
  // deadline has abandoned the main VM (its state is unknown; the next request
  // gets a new one). Between requests only.
  std::optional<SharedStateSnapshot> shared_state() const;

 private:
  // The VM that serves the next request: vm_, replaced first if it was abandoned.
  Vm* serving_vm();

  Settings settings_;
  std::unique_ptr<Vm> vm_;
  // VMs given up after a hard deadline; kept so paused requests can still see it.
  std::vector<std::unique_ptr<Vm>> abandoned_;
};

}  // namespace codecache

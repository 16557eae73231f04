// One Lua VM as ngx_lua builds it for a worker (or, with the code cache off, for
// one request): the counting allocator, the budget hook, the sandboxed standard
// library, the ngx API, an empty code cache, and the profile's extras (the _G
// write guard for openresty, the sealed helpers for sealed).
#pragma once

#include <memory>

#include "core/plumbing/settings.h"
#include "core/hardening/thread_anchors.h"
#include "core/plumbing/vm_context.h"

namespace codecache {

class Vm {
 public:
  explicit Vm(const Settings& settings);  // throws std::runtime_error on failure
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  lua_State* state() const { return L_; }
  VmContext& context() { return *context_; }
  const Settings& settings() const { return context_->settings; }
  // Where running requests' threads are kept alive.
  ThreadAnchors& anchors() { return anchors_; }

  // Called after every request: restores the hook period, restarts a stopped
  // collector and collects when the heap is past half its cap.
  void settle();

  // Gives up the VM after the hard deadline cut handler code off mid-C-function:
  // its memory is leaked, never freed or closed, since its state is unknown. The
  // state stays listed process-wide, so that the leak is deliberate and visible to
  // LeakSanitizer as reachable, not reported at exit.
  void abandon();

 private:
  std::unique_ptr<VmContext> context_;
  lua_State* L_ = nullptr;
  ThreadAnchors anchors_;
};

}  // namespace codecache

// VM construction (see vm.h).
#include "core/model/vm.h"

#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/model/code_cache.h"
#include "core/hardening/execution_budget.h"
#include "core/hardening/memory_budget.h"
#include "core/model/ngx_api.h"
#include "core/model/request_env.h"
#include "core/hardening/sandbox.h"
#include "core/model/write_guard.h"
#include "core/engine/engine.h"

namespace codecache {
namespace {

// Abandoned VMs' states: never freed, never touched again (see Vm::abandon).
std::mutex g_abandoned_mutex;
std::vector<lua_State*>* g_abandoned = nullptr;

int panic(lua_State* L) {
  // Only reachable through a harness bug: every piece of handler code runs protected.
  const char* msg = lua_tostring(L, -1);
  fprintf(stderr, "codecache: unprotected Lua error: %s\n", msg ? msg : "?");
  std::abort();
}

}  // namespace

Vm::Vm(const Settings& settings) : context_(std::make_unique<VmContext>()) {
  static std::uint64_t next_id = 0;
  context_->settings = settings;
  context_->id = ++next_id;
  L_ = lua_newstate(budget_alloc, context_.get());
  if (L_ == nullptr) throw std::runtime_error("lua_newstate failed");
  lua_atpanic(L_, panic);
  try {
    open_sandboxed_libraries(L_, settings);
    open_ngx_api(L_);
    CodeCache::create(L_);
    if (settings.profile == Profile::openresty) install_write_guard(L_);
    prepare_profile(L_, settings.profile);
  } catch (...) {
    lua_close(L_);
    throw;
  }
  lua_settop(L_, 0);
  install_budget_hook(L_);
}

void Vm::abandon() {
  if (L_ == nullptr) return;
  const std::lock_guard<std::mutex> lock(g_abandoned_mutex);
  if (g_abandoned == nullptr) g_abandoned = new std::vector<lua_State*>;
  g_abandoned->push_back(L_);
  L_ = nullptr;
}

Vm::~Vm() {
  if (L_ != nullptr) lua_close(L_);
}

void Vm::settle() {
  lua_settop(L_, 0);
  restore_budget_hook(L_);
  // A collector stopped by handler code does not outlive its request.
  if (engine::collector_stopped(L_)) lua_gc(L_, LUA_GCRESTART, 0);
  if (context_->live_bytes > context_->settings.limits.memory_bytes / 2) {
    lua_gc(L_, LUA_GCCOLLECT, 0);
  }
}

}  // namespace codecache

// Counting allocator with a cap on live bytes (see memory_budget.h).
#include "core/hardening/memory_budget.h"

#include <csignal>
#include <cstdlib>

#include "core/plumbing/vm_context.h"

namespace codecache {
namespace {
volatile std::sig_atomic_t g_in_heap = 0;

struct HeapSection {
  HeapSection() { g_in_heap = 1; }
  ~HeapSection() { g_in_heap = 0; }
};
}  // namespace

bool allocator_busy() { return g_in_heap != 0; }

void* budget_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto& ctx = *static_cast<VmContext*>(ud);
  // PUC passes the old size of a new block as a type tag; treat it as zero.
  if (ptr == nullptr) osize = 0;
  HeapSection in_heap;
  if (nsize == 0) {
    std::free(ptr);
    ctx.live_bytes -= osize;
    return nullptr;
  }
  if (nsize > osize && ctx.memory_enforced &&
      ctx.live_bytes - osize + nsize > ctx.settings.limits.memory_bytes) {
    if (ctx.budget != nullptr) ctx.budget->memory_refused = true;
    return nullptr;  // only growth is refused; shrinking must never fail
  }
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) {
    if (nsize > osize && ctx.budget != nullptr) ctx.budget->memory_refused = true;
    return nsize <= osize ? ptr : nullptr;
  }
  ctx.live_bytes = ctx.live_bytes - osize + nsize;
  if (ctx.live_bytes > ctx.peak_bytes) ctx.peak_bytes = ctx.live_bytes;
  return block;
}

}  // namespace codecache

// The C stack bound for handler code (see c_stack_bound.h).
#include "core/hardening/c_stack_bound.h"

#include <pthread.h>

#include <algorithm>
#include <cstdint>

#include "core/engine/engine.h"

namespace codecache {
namespace {

// The lowest address of the calling thread's stack (stacks grow down on every
// platform the engines' assembler VMs support here), or 0 when unknown.
std::uintptr_t thread_stack_low() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* addr = nullptr;
  std::size_t size = 0;
  const bool ok = pthread_attr_getstack(&attr, &addr, &size) == 0;
  pthread_attr_destroy(&attr);
  return ok ? reinterpret_cast<std::uintptr_t>(addr) : 0;
}

thread_local const std::uintptr_t t_stack_low = thread_stack_low();
thread_local std::uintptr_t t_floor = 0;

std::uintptr_t current_frame() { return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)); }

}  // namespace

void arm_c_stack_bound() {
  const std::uintptr_t here = current_frame();
  std::uintptr_t floor = here > kHandlerCStackBytes ? here - kHandlerCStackBytes : 0;
  if (t_stack_low != 0) floor = std::max(floor, t_stack_low + kCStackReserveBytes);
  t_floor = floor;
  engine::set_c_stack_floor(reinterpret_cast<const char*>(floor));
}

void disarm_c_stack_bound() {
  t_floor = 0;
  engine::set_c_stack_floor(nullptr);
}

bool c_stack_bound_crossed() { return current_frame() < t_floor; }

}  // namespace codecache

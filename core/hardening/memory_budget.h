// The allocator every VM is created with: it counts live bytes and, while a
// handler runs, refuses growth past Limits::memory_bytes so the engine raises
// "not enough memory" instead of the harness exhausting the machine.
#pragma once

#include <cstddef>

namespace codecache {

void* budget_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize);

// True while budget_alloc is inside the C heap (the CPU watchdog must not jump then).
bool allocator_busy();

}  // namespace codecache

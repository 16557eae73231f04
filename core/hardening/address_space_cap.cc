// The process's address-space cap (see address_space_cap.h).
#include "core/hardening/address_space_cap.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace codecache {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;
// The program, the engine, LuaJIT's machine code, stacks, malloc's arenas and the
// conformance runner's parsed cases (the largest hostile input file is 100 MiB).
constexpr std::size_t kProgramAllowance = 1024 * kMiB;
// Heap cap, body cap, log cap, and their reported copies (JSON escaping).
constexpr std::size_t kHeapCapMultiple = 12;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerReservesShadow = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
constexpr bool kSanitizerReservesShadow = true;
#else
constexpr bool kSanitizerReservesShadow = false;
#endif
#else
constexpr bool kSanitizerReservesShadow = false;
#endif

const char* g_program = "codecache";
std::size_t g_cap = 0;

[[noreturn]] void out_of_address_space() {
  // No allocation from here on: the message is formatted into a fixed buffer.
  char message[256];
  const int n = std::snprintf(message, sizeof message,
                              "%s: out of address space: the harness reached its own cap of %zu MiB "
                              "(RLIMIT_AS; README \"Hostile code\"): a cap on what a handler makes "
                              "the harness hold has a hole; please report the handler\n",
                              g_program, g_cap / kMiB);
  if (n > 0) {
    const auto len = std::min(static_cast<std::size_t>(n), sizeof message - 1);
    [[maybe_unused]] auto written = write(STDERR_FILENO, message, len);
  }
  _exit(kAddressSpaceCapExit);
}

}  // namespace

std::size_t address_space_cap_for(const Limits& limits) {
  const std::size_t heap = std::max<std::size_t>(limits.memory_bytes, kMiB);
  if (heap > (SIZE_MAX - kProgramAllowance) / kHeapCapMultiple) return SIZE_MAX;
  return kProgramAllowance + kHeapCapMultiple * heap;
}

bool address_space_cap_available() { return !kSanitizerReservesShadow; }

std::size_t cap_address_space(std::size_t bytes, const char* program) {
  if (kSanitizerReservesShadow) return 0;
  rlimit current{};
  if (getrlimit(RLIMIT_AS, &current) != 0) return 0;
  if (current.rlim_cur != RLIM_INFINITY && current.rlim_cur <= bytes) return 0;  // already lower
  rlimit lowered = current;
  lowered.rlim_cur = bytes;
  if (setrlimit(RLIMIT_AS, &lowered) != 0) return 0;
  g_program = program;
  g_cap = bytes;
  std::set_new_handler(out_of_address_space);
  return bytes;
}

}  // namespace codecache

// The harness's last safety net: a cap on the process's own address space
// (RLIMIT_AS). Every byte a handler makes the harness hold is bounded by the caps
// of README "Hostile code" long before this one; if a hole in them is ever missed,
// the run that finds it stops here with a message naming the cap (and a distinct
// exit status) instead of exhausting the machine. `codecache run` and the
// conformance runners apply it; fuzz targets do not (libFuzzer's -rss_limit_mb is
// their net, and AddressSanitizer reserves terabytes of address space).
#pragma once

#include <cstddef>

#include "core/plumbing/settings.h"

namespace codecache {

// Exit status of a process stopped by the cap.
constexpr int kAddressSpaceCapExit = 4;

// The address space a process serving handlers under `limits` may need: a fixed
// allowance for the program, the engine and its code, plus the Lua heap cap, the
// body and log caps (each the heap cap) and the copies made of them when a request
// is reported (the CLI escapes a body as JSON: up to six bytes per byte).
std::size_t address_space_cap_for(const Limits& limits);

// Whether this build can cap its address space: not under AddressSanitizer or
// another sanitizer that reserves shadow memory.
bool address_space_cap_available();

// Lowers RLIMIT_AS to `bytes` (never raises it) and makes a failed C++ allocation
// print "<program>: out of address space: ..." to stderr and exit with
// kAddressSpaceCapExit. Does nothing under AddressSanitizer or another sanitizer
// that reserves shadow memory. Returns the cap applied, or 0.
std::size_t cap_address_space(std::size_t bytes, const char* program);

}  // namespace codecache

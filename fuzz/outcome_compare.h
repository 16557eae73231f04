// What the differential fuzz targets compare of two outcomes, and which handlers
// they leave out because their output legitimately differs from run to run (time,
// randomness, addresses, GC state, debug introspection of the chunk's shape).
#pragma once

#include <string>
#include <string_view>

#include "core/outcome.h"

namespace codecache::fuzz {

// True when `source` mentions a function whose result varies between runs.
bool has_unstable_output(std::string_view source);

// Status, abort flag, body and the non-debug log lines, as one comparable text.
std::string comparable(const Outcome& outcome);

}  // namespace codecache::fuzz

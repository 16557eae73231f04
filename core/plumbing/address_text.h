// Addresses in text, read as one: what makes two runs of the same handler print
// differently by construction (tostring of a table, function, thread or userdata,
// and LuaJIT's %p, show where the object lives). The fuzz targets' outcome
// comparison and the conformance report's fingerprint both compare text this way.
#pragma once

#include <string>
#include <string_view>

namespace codecache {

// `text` with every address read as "0x?": "0x" then 8 or more lowercase hex
// digits, not preceded by a letter, digit or '_' -- how tostring shows an object on
// every engine ("table: 0x55d0c3a0b2c8"). A %#x of a number >= 2^28 reads the same
// way; nothing else changes. Pinned by tests/unit/outcome_compare_test.cc.
std::string without_addresses(std::string_view text);

}  // namespace codecache

// The address-space safety net (core/hardening/address_space_cap.h): its size, and that an
// allocation past it ends the process with the cap's message and exit status.
#include "core/hardening/address_space_cap.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace codecache {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(AddressSpaceCap, AllowsTheProgramPlusTwelveHeapCaps) {
  Limits limits;  // a 64 MiB heap: 1 GiB + 12 × 64 MiB
  EXPECT_EQ(address_space_cap_for(limits), 1792 * kMiB);
  limits.memory_bytes = 8 * kMiB;
  EXPECT_EQ(address_space_cap_for(limits), 1120 * kMiB);
  limits.memory_bytes = SIZE_MAX / 2;  // --max-memory-mb at its widest does not wrap
  EXPECT_EQ(address_space_cap_for(limits), SIZE_MAX);
}

TEST(AddressSpaceCapDeathTest, AnAllocationPastTheCapExitsWithItsMessage) {
  if (!address_space_cap_available()) {
    // Sanitizer builds: the cap must refuse rather than break the sanitizer.
    EXPECT_EQ(cap_address_space(2048 * kMiB, "probe"), 0u);
    return;
  }
  EXPECT_EXIT(
      {
        if (cap_address_space(2048 * kMiB, "probe") != 2048 * kMiB) std::_Exit(99);
        std::string small(64 * kMiB, 'x');  // well under the cap: fine
        std::string huge(4096 * kMiB, 'x');  // past it: the new-handler ends the process
        std::_Exit(static_cast<int>(small.size() + huge.size()) == 0 ? 98 : 97);
      },
      ::testing::ExitedWithCode(kAddressSpaceCapExit),
      "probe: out of address space: the harness reached its own cap of 2048 MiB");
}

}  // namespace
}  // namespace codecache

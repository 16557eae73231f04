// The check-rate tally of the property-checking fuzz targets (check_tally.h).
#include "check_tally.h"

#include <cstdio>

namespace codecache::fuzz {

CheckTally::~CheckTally() {
  if (executed() > 0) std::fprintf(stderr, "%s\n", summary().c_str());
}

std::uint64_t CheckTally::executed() const {
  std::uint64_t total = checked_;
  for (const auto& [reason, excuse] : excused_) total += excuse.count;
  return total;
}

std::string CheckTally::summary() const {
  const std::uint64_t total = executed();
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f",
                total == 0 ? 0.0 : 100.0 * static_cast<double>(checked_) / static_cast<double>(total));
  std::string line = "#check-rate " + target_ + ": " + std::to_string(checked_) + " of " +
                     std::to_string(total) + " inputs checked (" + percent + "%)";
  const char* separator = "; excused: ";
  for (const auto& [reason, excuse] : excused_) {
    line += separator + reason + " " + std::to_string(excuse.count);
    if (!excuse.example.empty()) line += " (e.g. " + excuse.example + ")";
    separator = ", ";
  }
  return line;
}

}  // namespace codecache::fuzz

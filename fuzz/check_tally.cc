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

namespace {

std::string percent_of(std::uint64_t part, std::uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

}  // namespace

std::string CheckTally::summary() const {
  const std::uint64_t total = executed();
  std::string line = "#check-rate " + target_ + ": " + std::to_string(checked_) + " of " +
                     std::to_string(total) + " inputs checked (" + percent_of(checked_, total) + ")";
  const char* separator = "; excused: ";
  for (const auto& [reason, excuse] : excused_) {
    line += separator + reason + " " + std::to_string(excuse.count);
    if (!excuse.example.empty()) line += " (e.g. " + excuse.example + ")";
    separator = ", ";
  }
  separator = "; agreed through a rule: ";
  for (const auto& [rule, count] : agreed_through_) {
    line += separator + rule + " " + std::to_string(count) + " (" + percent_of(count, checked_) + ")";
    separator = ", ";
  }
  return line;
}

}  // namespace codecache::fuzz

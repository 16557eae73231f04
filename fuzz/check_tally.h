// How much of its input a property-checking fuzz target really checked. Every
// input is counted once: checked (its property was checked in full) or excused,
// with the reason the target gives; at exit the tally prints one line, after
// libFuzzer's own final stats, that campaign.sh reads into its summary:
//
//   #check-rate bytecode_roundtrip: 812 of 1000 inputs checked (81.2%); excused:
//   does not compile 150, cut off by a limit 38, an earlier request changed the
//   shared state 12 (e.g. string.x added)
//
// A target that compares through normalising rules also counts, per rule, the
// checked inputs that agreed only because of it; the line then ends with
// "; agreed through a rule: traceback 120 (15.0%), sign of zero 3 (0.4%)".
//
// Pinned by tests/unit/check_tally_test.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace codecache::fuzz {

class CheckTally {
 public:
  explicit CheckTally(std::string target) : target_(std::move(target)) {}
  CheckTally(const CheckTally&) = delete;
  CheckTally& operator=(const CheckTally&) = delete;
  ~CheckTally();  // prints summary() to stderr when any input was counted

  void checked() { ++checked_; }
  void excused(std::string_view reason) { ++excused_[std::string(reason)].count; }
  // Also keeps the first `example` of the reason, printed after its count.
  void excused(std::string_view reason, std::string_view example) {
    Excuse& excuse = excused_[std::string(reason)];
    if (excuse.count++ == 0) excuse.example = example.substr(0, kExampleMax);
  }

  // A checked input whose agreement needed `rule`.
  void agreed_through(std::string_view rule) { ++agreed_through_[std::string(rule)]; }

  std::uint64_t executed() const;
  std::uint64_t checked_count() const { return checked_; }
  std::string summary() const;

 private:
  static constexpr std::size_t kExampleMax = 120;
  struct Excuse {
    std::uint64_t count = 0;
    std::string example;
  };
  std::string target_;
  std::uint64_t checked_ = 0;
  std::map<std::string, Excuse, std::less<>> excused_;
  std::map<std::string, std::uint64_t, std::less<>> agreed_through_;
};

// Why a check was not complete ("" when it was), with an example of what made it
// so when the target has one (what a request changed of the shared state).
struct Excuse {
  std::string reason;
  std::string example;
};

// Counts one input: checked when the reason is empty, else excused with it.
inline void count(CheckTally& tally, const Excuse& excuse) {
  if (excuse.reason.empty())
    tally.checked();
  else if (excuse.example.empty())
    tally.excused(excuse.reason);
  else
    tally.excused(excuse.reason, excuse.example);
}

}  // namespace codecache::fuzz

// Shared pieces of the property tests: how many cases each property runs
// (CODECACHE_PROPERTY_CASES, default 500), the gtest macro that prints the
// RapidCheck seed with every failure, scenarios of requests on one VM (run in
// order or interleaved at a pause), and the parts of an Outcome properties compare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "core/plumbing/outcome.h"
#include "core/plumbing/settings.h"
#include "core/model/worker.h"
#include "support/scratch_dir.h"
#include "property/handler_gen.h"

namespace codecache::prop {

// The number of cases per property: CODECACHE_PROPERTY_CASES, else 500. It is put
// into RC_PARAMS as max_success before RapidCheck reads its configuration, unless
// RC_PARAMS already sets max_success.
constexpr int kDefaultCases = 500;
int configured_cases();

// The seed of this run (RC_PARAMS seed=..., or the one RapidCheck drew).
std::uint64_t rapidcheck_seed();

Settings settings_for(Profile profile, bool code_cache = true);

// What the isolation and equivalence properties compare: the reply and the error
// log without the code cache debug lines (not the cache state or its events).
struct Observed {
  int status = 0;
  bool aborted = false;
  std::string body;
  std::vector<std::string> log;
  LimitKind limit = LimitKind::none;

  bool operator==(const Observed&) const = default;
};
Observed observe(const Outcome& outcome);
void showValue(const Observed& observed, std::ostream& os);

// One step of a scenario: run request `a` to completion, or start `a`, resume it
// once (it may pause at a coroutine.yield()), run `b` to completion, then finish `a`.
struct Step {
  bool interleave = false;
  std::size_t a = 0;
  std::size_t b = 0;
};

struct Scenario {
  std::vector<GeneratedHandler> handlers;  // each is one directive (conf line 40 + index)
  std::vector<Step> steps;
};
void showValue(const Scenario& scenario, std::ostream& os);

// 1..max_handlers handlers from `options`, 1..max_steps steps over them.
rc::Gen<Scenario> gen_scenario(GenOptions options, std::size_t max_handlers = 4,
                               std::size_t max_steps = 6);

// One executed request of a scenario, in the order requests finished.
struct Executed {
  std::size_t handler = 0;
  std::size_t step = 0;
  std::optional<std::size_t> partner;  // the other request of an interleaved step
  bool paused = false;                 // interleaved first request: it paused before the other ran
  Outcome outcome;
};

// Runs the scenario on one worker with `settings`, its handlers configured once
// (so their cache refs carry across requests as a directive's do). `between`, when
// given, is called with the worker before the first step and after each step.
std::vector<Executed> run_scenario(const Scenario& scenario, const Settings& settings,
                                   const std::function<void(Worker&)>& between = {});

// The handler's outcome alone on a fresh worker.
Outcome run_alone(const GeneratedHandler& handler, std::size_t index, const Settings& settings);

// Counts the generated sequences (handlers, steps or commands) a test checked, for
// the sequences/s report; a property calls it once per case, however many times it
// runs the sequence.
void count_sequence();

// Keeps the account of the property's first failing run (only the first is kept
// until the property's next check). RapidCheck prints the log of the shrunk case's
// last run; when that run passes (a failure that does not reproduce) the log says
// nothing, so the report adds this account.
void note_failure(const std::string& account);
void forget_failures();
// note_failure's account of two outcomes that differ: the scenario, `where` (e.g.
// "request 3 (H1)"), then each outcome under its label.
void note_difference(const Scenario& scenario, const std::string& where, const char* first_label,
                     const Observed& first, const char* second_label, const Observed& second);

// Runs a RapidCheck property inside a gtest test; on failure reports the seed,
// how to reproduce, and RapidCheck's message with the shrunk counterexample.
// Prints how many sequences ran per second.
void report_result(const char* name, const rc::detail::TestResult& result, double seconds,
                   std::size_t sequences);
std::size_t sequences_so_far();
double now_seconds();

template <typename Testable>
void check_property(const char* name, Testable&& testable) {
  rc::detail::TestMetadata metadata;
  metadata.id = name;
  metadata.description = name;
  const std::size_t before = sequences_so_far();
  forget_failures();
  const double start = now_seconds();
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata);
  report_result(name, result, now_seconds() - start, sequences_so_far() - before);
}

using codecache::test_support::ScratchDir;  // support/scratch_dir.h

}  // namespace codecache::prop

// Like RC_GTEST_PROP, with the seed in every failure and a sequences/s line.
#define CC_PROP(Suite, Name, ArgList)                                                  \
  void ccProp_##Suite##_##Name ArgList;                                                \
  TEST(Suite, Name) {                                                                  \
    ::codecache::prop::check_property(#Suite "/" #Name, &ccProp_##Suite##_##Name);     \
  }                                                                                    \
  void ccProp_##Suite##_##Name ArgList

// P6 sealed never shares. For any scenario of generated requests on one sealed VM
// (leaky writes included: library tables, the string metatable, package.loaded,
// getmetatable(_G).__index, C functions' environments), in order or interleaved at
// a pause, no step changes the state the classic build shares between requests
// (core/model/shared_state.h: everything reachable from the main globals and the basic
// types' metatables). The same scenarios under classic do change it, which the
// second property shows (so the first one can fail).
#include <optional>
#include <string>

#include "core/model/shared_state.h"
#include "property/prop_support.h"

namespace codecache::prop {
namespace {

// What the scenario's steps changed, "" for each step that changed nothing. The
// digests taken at the same points (what the fuzz targets compare) must agree.
std::vector<std::string> changes_of(const Scenario& scenario, Profile profile) {
  std::optional<SharedStateSnapshot> before;
  std::optional<SharedStateDigest> digest_before;
  std::vector<std::string> changes;
  run_scenario(scenario, settings_for(profile), [&](Worker& worker) {
    std::optional<SharedStateSnapshot> after = worker.shared_state();
    std::optional<SharedStateDigest> digest_after = worker.shared_state_digest();
    RC_ASSERT(after.has_value());  // the code cache is on and no deadline cut a request
    RC_ASSERT(digest_after.has_value());
    if (before) {
      changes.push_back(shared_state_change(*before, *after));
      RC_LOG() << "step changed: \"" << changes.back() << "\"\n";
      RC_ASSERT(shared_state_changed(*digest_before, *digest_after) == !changes.back().empty());
    }
    before = std::move(after);
    digest_before = digest_after;
  });
  return changes;
}

CC_PROP(P6SharedState, SealedNeverChangesIt, ()) {
  const Scenario scenario = *gen_scenario(GenOptions{});
  count_sequence();
  const std::vector<std::string> changes = changes_of(scenario, Profile::sealed);
  for (std::size_t step = 0; step < changes.size(); ++step) {
    RC_LOG() << "step " << step << " changed: " << changes[step] << "\n";
    RC_ASSERT(changes[step].empty());
  }
}

// The leaky writers of the generator change the shared state under classic: a
// check that sealed passes and classic fails, on the same generated scenarios.
TEST(P6SharedState, ClassicChangesItWithTheSameGenerator) {
  std::size_t changed = 0, scenarios = 0;
  rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = "P6SharedState/ClassicChangesIt (counting)";
  const auto result = rc::detail::checkTestable(
      [&] {
        const Scenario scenario = *gen_scenario(GenOptions{});
        ++scenarios;
        for (const std::string& change : changes_of(scenario, Profile::classic))
          if (!change.empty()) {
            ++changed;
            break;
          }
      },
      metadata);
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>());
  EXPECT_GT(changed, 0u) << "no classic scenario of " << scenarios << " changed the shared state";
}

}  // namespace
}  // namespace codecache::prop

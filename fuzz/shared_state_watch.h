// How the property-checking fuzz targets watch the shared state (core/model/shared_state.h)
// between the requests they serve: not at all, by digests (cheap: whether anything
// changed), or by snapshots (what changed, by name). A target asks digests on every
// input where a change is itself a finding (P6, sealed) and snapshots only when it
// must name a change, serving the input again to do so.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "check_tally.h"
#include "core/model/shared_state.h"
#include "core/model/worker.h"

namespace codecache::fuzz {

enum class Watch { nothing, digests, snapshots };

// The shared state at one point between requests, as `watch` asked for it.
struct StateMark {
  std::optional<SharedStateDigest> digest;
  std::optional<SharedStateSnapshot> snapshot;
};

StateMark mark(const Worker& worker, Watch watch);

// What a digest says of a change it sees: that it cannot name it.
inline constexpr std::string_view kUnnamedChange = "a change (seen by digests, not named)";

// What changed from `before` to `after`: "" nothing; the change's name when both
// are snapshots, kUnnamedChange when they are digests; nullopt when unknown (not
// watched, or a hard deadline abandoned the VM).
std::optional<std::string> change_between(const StateMark& before, const StateMark& after);

// The name of a change seen by digests, from the same requests served again with
// snapshots (`named`): what they found, or a text saying that serving again did
// not change the state (the change varies between runs).
std::string name_of_change(const std::optional<std::string>& named);

// The excuse for an input whose change is unknown because a hard deadline
// abandoned the VM (change_between gave nullopt).
Excuse abandoned_vm();

}  // namespace codecache::fuzz

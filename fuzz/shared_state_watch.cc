// The fuzz targets' watch on the shared state (see shared_state_watch.h).
#include "shared_state_watch.h"

namespace codecache::fuzz {

StateMark mark(const Worker& worker, Watch watch) {
  StateMark m;
  if (watch == Watch::digests) m.digest = worker.shared_state_digest();
  if (watch == Watch::snapshots) m.snapshot = worker.shared_state();
  return m;
}

std::optional<std::string> change_between(const StateMark& before, const StateMark& after) {
  if (before.snapshot && after.snapshot) return shared_state_change(*before.snapshot, *after.snapshot);
  if (before.digest && after.digest)
    return shared_state_changed(*before.digest, *after.digest) ? std::string(kUnnamedChange) : "";
  return std::nullopt;
}

std::string name_of_change(const std::optional<std::string>& named) {
  if (named && !named->empty()) return *named;
  return std::string(kUnnamedChange) + "; served again, the snapshots saw none";
}

Excuse abandoned_vm() { return {"the VM was abandoned after a hard deadline", ""}; }

}  // namespace codecache::fuzz

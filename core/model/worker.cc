// The worker (see worker.h).
#include "core/model/worker.h"

namespace codecache {

Worker::Worker(const Settings& settings) : settings_(settings) {
  if (settings_.code_cache) vm_ = std::make_unique<Vm>(settings_);
}

Vm* Worker::serving_vm() {
  if (vm_ != nullptr && vm_->context().abandoned) {  // as nginx would respawn the worker
    vm_->abandon();
    abandoned_.push_back(std::move(vm_));
    vm_ = std::make_unique<Vm>(settings_);
  }
  return vm_.get();
}

std::unique_ptr<Request> Worker::start(Handler& handler) {
  return std::make_unique<Request>(serving_vm(), handler, settings_);
}

std::optional<SharedStateSnapshot> Worker::shared_state() const {
  if (vm_ == nullptr || vm_->context().abandoned) return std::nullopt;
  return snapshot_shared_state(vm_->state());
}

Outcome Worker::run(Handler& handler) {
  Request request(serving_vm(), handler, settings_);
  while (!request.resume()) {
  }
  return request.take_outcome();
}

}  // namespace codecache

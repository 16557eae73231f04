// The worker (see worker.h).
#include "core/worker.h"

namespace codecache {

Worker::Worker(const Settings& settings) : settings_(settings) {
  if (settings_.code_cache) vm_ = std::make_unique<Vm>(settings_);
}

std::unique_ptr<Request> Worker::start(Handler& handler) {
  if (vm_ != nullptr && vm_->context().abandoned) {  // as nginx would respawn the worker
    vm_->abandon();
    abandoned_.push_back(std::move(vm_));
    vm_ = std::make_unique<Vm>(settings_);
  }
  return std::make_unique<Request>(vm_.get(), handler, settings_);
}

Outcome Worker::run(Handler& handler) {
  auto request = start(handler);
  while (!request->resume()) {
  }
  return request->outcome();
}

}  // namespace codecache

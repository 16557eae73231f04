// The worker (see worker.h).
#include "core/model/worker.h"

#include <algorithm>
#include <optional>

namespace codecache {

Worker::Worker(const Settings& settings) : settings_(settings) {
  if (settings_.code_cache) vm_ = std::make_unique<Vm>(settings_);
}

Worker::~Worker() {
  if (vm_ != nullptr) retire_vm();
}

void Worker::retire_vm() {
  if (vm_->context().abandoned) {
    vm_->abandon();
    retired_.push_back(std::move(vm_));
  } else if (vm_->anchors().holds_any()) {  // a paused request runs on it
    retired_.push_back(std::move(vm_));
  } else {
    vm_.reset();
  }
}

Vm& Worker::serving_vm() {
  if (vm_ != nullptr && (!settings_.code_cache || vm_->context().abandoned)) retire_vm();
  // Closes the retired VMs whose paused requests have all ended (abandoned ones stay).
  std::erase_if(retired_, [](const std::unique_ptr<Vm>& vm) {
    return !vm->context().abandoned && !vm->anchors().holds_any();
  });
  if (vm_ == nullptr) vm_ = std::make_unique<Vm>(settings_);
  return *vm_;
}

std::unique_ptr<Request> Worker::start(Handler& handler) {
  return std::make_unique<Request>(serving_vm(), handler);
}

std::optional<SharedStateSnapshot> Worker::shared_state() const {
  if (!settings_.code_cache || vm_ == nullptr || vm_->context().abandoned) return std::nullopt;
  return snapshot_shared_state(vm_->state());
}

std::optional<SharedStateDigest> Worker::shared_state_digest() const {
  if (!settings_.code_cache || vm_ == nullptr || vm_->context().abandoned) return std::nullopt;
  return digest_shared_state(vm_->state());
}

Outcome Worker::run(Handler& handler) {
  // The request ends (its thread released) before its VM may be retired; the outcome
  // is moved out once, straight into the value returned.
  std::optional<Request> request(std::in_place, serving_vm(), handler);
  while (!request->resume()) {
  }
  Outcome outcome = request->take_outcome();
  request.reset();
  // With the code cache off the request's VM ends with it, as in ngx_lua.
  if (!settings_.code_cache) retire_vm();
  return outcome;
}

}  // namespace codecache

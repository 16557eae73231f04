// The worker (see worker.h).
#include "core/worker.h"

namespace codecache {

Worker::Worker(const Settings& settings) : settings_(settings) {
  if (settings_.code_cache) vm_ = std::make_unique<Vm>(settings_);
}

std::unique_ptr<Request> Worker::start(Handler& handler) {
  return std::make_unique<Request>(vm_.get(), handler, settings_);
}

Outcome Worker::run(Handler& handler) {
  auto request = start(handler);
  while (!request->resume()) {
  }
  return request->outcome();
}

}  // namespace codecache

// Log and output buffers of a request, both capped so a hostile handler cannot
// grow the harness's own memory without bound (see request_state.h).
#include "core/request_state.h"

namespace codecache {

void RequestState::log(LogLevel level, std::string_view message) {
  if (!logs(level) || log_truncated_) return;
  log_bytes_ += message.size();
  if (log_bytes_ > output_cap_) {
    log_truncated_ = true;
    budget.output_refused = true;  // classified like the body cap: memory (output)
    outcome.log.push_back("[alert] codecache: error log of this request truncated at " +
                          std::to_string(output_cap_) + " bytes");
    return;
  }
  std::string line = "[";
  line += to_string(level);
  line += "] ";
  line += message;
  outcome.log.push_back(std::move(line));
}

bool RequestState::send(std::string_view bytes) {
  if (bytes.size() > body_room()) return false;
  outcome.body.append(bytes);
  return true;
}

}  // namespace codecache

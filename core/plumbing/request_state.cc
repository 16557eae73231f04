// Log and output buffers of a request, both capped so a hostile handler cannot
// grow the harness's own memory without bound (see request_state.h).
#include "core/plumbing/request_state.h"

namespace codecache {

// "[" level "] " message, and the std::string that holds the line.
std::size_t RequestState::line_cost(LogLevel level, std::size_t message_size) const {
  return to_string(level).size() + 3 + message_size + sizeof(std::string);
}

std::size_t RequestState::log_room(LogLevel level) const {
  if (!logs(level) || log_truncated_) return 0;
  const std::size_t fixed = line_cost(level, 0);
  const std::size_t left = output_cap_ > log_bytes_ ? output_cap_ - log_bytes_ : 0;
  return left > fixed ? left - fixed : 0;
}

void RequestState::truncate_log(LogLevel level) {
  if (!logs(level) || log_truncated_) return;
  log_truncated_ = true;
  budget.output_refused = true;  // classified like the body cap: memory (output)
  outcome.log.push_back("[alert] codecache: error log of this request truncated at " +
                        std::to_string(output_cap_) + " bytes");
}

void RequestState::log(LogLevel level, std::initializer_list<std::string_view> pieces) {
  if (!logs(level) || log_truncated_) return;
  std::size_t size = 0;
  for (std::string_view piece : pieces) size += piece.size();
  if (size > log_room(level)) return truncate_log(level);
  log_bytes_ += line_cost(level, size);
  std::string line;
  line.reserve(line_cost(level, size) - sizeof(std::string));
  line += '[';
  line += to_string(level);
  line += "] ";
  for (std::string_view piece : pieces) line += piece;
  outcome.log.push_back(std::move(line));
}

bool RequestState::send(std::string_view bytes) {
  if (bytes.size() > body_room()) return false;
  outcome.body.append(bytes);
  return true;
}

}  // namespace codecache

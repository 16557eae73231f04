// Log and output buffers of a request, both capped so a hostile handler cannot
// grow the harness's own memory without bound, and the request's Outcome made
// from what was recorded (see request_state.h).
#include "core/plumbing/request_state.h"

#include <cstdlib>

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
  log_.push_back("[alert] codecache: error log of this request truncated at " +
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
  log_.push_back(std::move(line));
}

bool RequestState::send(std::string_view bytes) {
  if (bytes.size() > body_room()) return false;
  body_.append(bytes);
  return true;
}

LimitKind RequestState::limit(std::string& detail) const {
  if (ending == Ending::abandoned) {
    detail = "hard deadline";
    return LimitKind::cpu_time;
  }
  if (!budget.sandbox_refusal.empty()) {
    detail = budget.sandbox_refusal;
    return LimitKind::sandbox;
  }
  if (budget.cpu_exhausted) return LimitKind::cpu_time;
  if (budget.instructions_exhausted) return LimitKind::instructions;
  if (budget.memory_refused) return LimitKind::memory;
  if (budget.output_refused) {
    detail = "output";
    return LimitKind::memory;
  }
  // A stack overflow really raised during the request, by the engine or by the
  // harness, and named by the error that ended it: not a script's own
  // error("stack overflow"). (A script that catches a real overflow and then
  // raises that text itself still counts as the stack limit.)
  if (ending == Ending::runtime_error && error_names_stack_overflow &&
      (engine_raised_stack_overflow || budget.stack_overflow_raised)) {
    return LimitKind::stack;
  }
  return LimitKind::none;
}

void RequestState::conclude(Outcome& out) {
  switch (ending) {
    case Ending::running: std::abort();  // a request concludes once it has ended
    case Ending::load_failed: out.status = load_status; break;
    case Ending::factory_failed: out.status = 500; break;
    case Ending::returned: out.status = status_or_ok(); break;
    case Ending::exited:
      if (!headers_sent) {
        out.status = status_of_exit_before_output(exit_code, status_set);
      } else {
        out.status = status_or_ok();
        out.aborted = !exit_finishes_reply(exit_code) && ending_cuts_reply();
      }
      break;
    case Ending::runtime_error:
    case Ending::abandoned:
      if (headers_sent) {
        out.aborted = ending_cuts_reply();
        out.status = status_or_ok();
      } else {
        out.status = 500;
      }
      break;
  }
  out.body = std::move(body_);
  out.log = std::move(log_);
  out.cache = cache;
  out.cache_key = cache_key;
  out.cache_events = cache_events;
  out.limit = limit(out.limit_detail);
  out.load_failure = load_failure;
  out.load_error = std::move(load_error);
}

}  // namespace codecache

// What the ngx API sees of the request being served: the reply under
// construction, the error log, ngx.exit's verdict and the request's budget.
// Reached from C callbacks as context_of(L).request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/outcome.h"
#include "core/settings.h"
#include "core/vm_context.h"

namespace codecache {

class RequestState {
 public:
  RequestState(LogLevel level, std::size_t output_cap) : level_(level), output_cap_(output_cap) {}

  Outcome outcome;
  ExecutionBudget budget;

  bool headers_sent = false;
  int status_set = 0;     // ngx.status as assigned; 0 while unset
  bool exited = false;    // ngx.exit was called
  int exit_code = 0;

  // Appends "[<level>] <message>" when `level` passes the configured filter.
  void log(LogLevel level, std::string_view message);
  bool logs(LogLevel level) const { return level <= level_; }

  // Appends to the body; false (nothing appended) once the output cap is reached.
  bool send(std::string_view bytes);
  // Bytes the body may still grow by: the cap output is flattened within.
  std::size_t body_room() const { return output_cap_ - outcome.body.size(); }

 private:
  LogLevel level_;
  std::size_t output_cap_;
  std::size_t log_bytes_ = 0;
  bool log_truncated_ = false;
};

}  // namespace codecache

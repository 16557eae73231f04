// What the ngx API sees of the request being served: the reply under
// construction, the error log, ngx.exit's verdict and the request's budget; and
// what the model records of the request as typed facts (the cache lookup, a
// failed load, how the request ended). conclude() is the one place that turns
// them into the request's Outcome. Reached from C callbacks as
// context_of(L).request.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/plumbing/outcome.h"
#include "core/plumbing/settings.h"
#include "core/plumbing/vm_context.h"

namespace codecache {

// nginx's return codes as ngx.exit takes them (ngx_core.h, ngx_http_request.h).
inline constexpr int kNgxOk = 0;
inline constexpr int kNgxAgain = -2;
inline constexpr int kNgxDone = -4;
inline constexpr int kNgxNoContent = 204;
inline constexpr int kNgxRequestTimeout = 408;
inline constexpr int kNgxClose = 444;
inline constexpr int kNgxClientClosedRequest = 499;

// The codes ngx_http_finalize_request (ngx_http_request.c) ends by terminating
// the request and closing the connection, header sent or not.
constexpr bool terminates_connection(int exit_code) {
  return exit_code == kNgxRequestTimeout || exit_code == kNgxClose || exit_code == kNgxClientClosedRequest;
}

// Whether ngx.exit(code) after the header ends the reply properly: ngx_lua sends
// the last buffer for NGX_OK and 2xx but 204 (ngx_http_lua_util.c,
// ngx_http_lua_handle_exit); any other code leaves nginx to close the connection
// mid-reply (NGX_ERROR, NGX_DECLINED, 1xx, 204 and the terminating codes).
// An error status after the header never gets here: ngx.exit turned it into 200.
constexpr bool exit_finishes_reply(int exit_code) {
  return exit_code == kNgxOk || (exit_code >= 200 && exit_code != kNgxNoContent && !terminates_connection(exit_code));
}

// The status of a reply ended by ngx.exit(code) before any output, `status_set`
// being ngx.status (0 while unset). ngx_lua takes the code as the status only when
// ngx.status is unset, then sends the last buffer for NGX_OK and 2xx but 204
// (ngx_http_lua_util.c, ngx_http_lua_handle_exit), so a status set earlier wins
// there; any other code of 204 and up is nginx's special response with that code
// (ngx_http_finalize_request). The rest close the connection: 0, no reply.
constexpr int status_of_exit_before_output(int exit_code, int status_set) {
  const int set_or_ok = status_set != 0 ? status_set : 200;
  if (exit_code == kNgxOk) return set_or_ok;
  if (terminates_connection(exit_code) || exit_code < 200) return 0;
  if (exit_code < 300 && exit_code != kNgxNoContent) return status_set != 0 ? status_set : exit_code;
  return exit_code;
}

// How a request ended, as the model saw it.
enum class Ending {
  running,         // not ended yet
  load_failed,     // the loader refused the chunk or could not read the file
  factory_failed,  // the closure factory raised an error
  returned,        // the handler returned
  exited,          // ngx.exit ended it
  runtime_error,   // an error the handler did not catch ended it
  abandoned,       // the hard deadline cut it off inside a C function; the VM is given up
};

class RequestState {
 public:
  RequestState(LogLevel level, std::size_t output_cap) : level_(level), output_cap_(output_cap) {}

  ExecutionBudget budget;

  // What the code cache did (Request::load).
  CacheKey cache_key;
  CacheState cache = CacheState::miss;
  CacheTrace cache_events;
  // Why the handler's code did not run, and the loader's or the factory's message.
  LoadFailure load_failure = LoadFailure::none;
  std::string load_error;
  int load_status = 0;  // the HTTP status of a failed load: 404, 503 or 500
  Ending ending = Ending::running;
  // The runtime error that ended the request names a stack overflow
  // (Request::finish_with_runtime_error), and the engine raised one while the
  // request ran (its count rose, engine::stack_overflows). With the budget's
  // stack_overflow_raised (the harness raised one), what tells the stack limit
  // from a script's own error("stack overflow").
  bool error_names_stack_overflow = false;
  bool engine_raised_stack_overflow = false;

  bool headers_sent = false;
  // The header went out with a status that has no body (204, 304): nginx's header
  // filter sets r->header_only, and ngx_lua then drops output (ngx.say, ngx.print
  // and ngx.flush answer nil, "header only").
  bool header_only = false;
  int status_set = 0;     // ngx.status as assigned; 0 while unset
  // The status the header carries, or will: ngx.status, or 200 while unset
  // (ngx_http_lua_send_header_if_needed).
  int status_or_ok() const { return status_set != 0 ? status_set : 200; }
  // A request that ends now without finishing its reply leaves the client with a
  // reply cut short: the header went out and a body was due. A header-only reply
  // (204, 304) is complete as soon as its header is out.
  bool ending_cuts_reply() const { return headers_sent && !header_only; }
  bool exited = false;    // ngx.exit was called
  int exit_code = 0;

  // The error log keeps at most the output cap per request, each line counted as
  // stored ("[<level>] <message>" and the string holding it). The line that would
  // pass the cap is dropped and truncates the log: an alert line says so, the
  // request is classified memory (output), and every later line is dropped.
  //
  // Appends "[<level>] " and the pieces as one line when `level` passes the
  // filter. The pieces' length is summed before anything is copied.
  void log(LogLevel level, std::initializer_list<std::string_view> pieces);
  void log(LogLevel level, std::string_view message) { log(level, {message}); }
  bool logs(LogLevel level) const { return level <= level_; }
  // The longest message of `level` the log still takes (0 when the filter drops
  // it or the log was truncated): the cap a message built piece by piece from a
  // handler's values is built within (CappedText).
  std::size_t log_room(LogLevel level) const;
  // A message of `level` that passed log_room: truncates the log, as log() does
  // with a line that does not fit.
  void truncate_log(LogLevel level);

  // Appends to the body; false (nothing appended) once the output cap is reached.
  bool send(std::string_view bytes);
  // Bytes the body may still grow by: the cap output is flattened within.
  std::size_t body_room() const { return output_cap_ - body_.size(); }
  const std::string& body() const { return body_; }
  // Empties the body (a benchmark reusing one request for many runs).
  void discard_body() { body_.clear(); }

  // Writes the Outcome of the ended request into `out` (a default-constructed one),
  // from the facts above, the reply's state and the budget: its status, whether the
  // reply was cut short, and which limit stopped it. Moves the body and the log out:
  // called once, when the request ends. Filled in place: an Outcome is a few hundred
  // bytes, and moving one costs a small request a measurable share of its time.
  void conclude(Outcome& out);

 private:
  std::size_t line_cost(LogLevel level, std::size_t message_size) const;
  // Which limit stopped the request, and its detail.
  LimitKind limit(std::string& detail) const;

  std::string body_;
  std::vector<std::string> log_;  // "[<level>] <message>", as Outcome::log

  LogLevel level_;
  std::size_t output_cap_;
  std::size_t log_bytes_ = 0;
  bool log_truncated_ = false;
};

}  // namespace codecache

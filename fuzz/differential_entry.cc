// One engine's entry point for the in-process `differential` target (see
// differential_entry.h): compiled once per engine with CODECACHE_DIFFERENTIAL_ENTRY
// naming the function (codecache_differential_<engine>).
#include "differential_entry.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "core/model/worker.h"
#include "outcome_compare.h"

namespace {

char* copy(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) std::abort();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

}  // namespace

extern "C" int CODECACHE_DIFFERENTIAL_ENTRY(const char* code, std::size_t size, int profile,
                                            CodecacheDifferentialOutcome* out) {
  using namespace codecache;
  *out = CodecacheDifferentialOutcome{};
  try {
    Worker worker(fuzz::differential_settings(static_cast<Profile>(profile)));
    Handler handler = Handler::inline_code(std::string(code, size));
    const Outcome o = worker.run(handler);
    std::string log;
    for (const auto& line : o.log) {
      if (line.starts_with("[debug]")) continue;
      log += line;
      log += '\n';
    }
    out->status = o.status;
    out->aborted = o.aborted ? 1 : 0;
    out->limit = static_cast<int>(o.limit);
    out->body = copy(o.body);
    out->body_size = o.body.size();
    out->log = copy(log);
    out->log_size = log.size();
    return 0;
  } catch (const std::exception&) {
    return -1;
  }
}

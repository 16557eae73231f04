// Fuzz target `trailing_comment` (structure-aware, FuzzedDataProvider): a handler H
// plus a generated trailing comment C — a line comment or a long comment of level
// 0-3, closed or not, ending in LF, CR, CRLF or nothing.
//
// Property (P4): under the factory loader, for a handler H that loads and contains
// no comment of its own, H..C behaves exactly as H (same load result; same status,
// body and abort when run once on a fresh classic worker) whenever C is complete;
// an unclosed long comment fails to load with "unfinished long comment". This is
// what the "\nend" suffix of ngx_lua's wrapper guarantees (commit c9a04a9c).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/worker.h"
#include "outcome_compare.h"

namespace {

using namespace codecache;

Settings classic() {
  Settings s;
  s.profile = Profile::classic;
  s.limits.instructions = 200'000;
  s.limits.cpu_ms = 500;
  s.limits.memory_bytes = 32u << 20;
  return s;
}

Outcome serve(const std::string& code) {
  Worker worker(classic());
  Handler handler = Handler::inline_code(code);
  return worker.run(handler);
}

std::string comment(FuzzedDataProvider& in, bool& closed) {
  const bool long_form = in.ConsumeBool();
  const int level = in.ConsumeIntegralInRange(0, 3);
  closed = !long_form || in.ConsumeBool();
  std::string text = in.ConsumeRandomLengthString(64);
  const std::string eq(static_cast<std::size_t>(level), '=');
  std::string c = "--";
  if (long_form) {
    const std::string close = "]" + eq + "]";
    // The body must not close the comment early, not even with its last bytes.
    while ((text + close).find(close) != text.size()) text.pop_back();
    c += "[" + eq + "[" + text + (closed ? close : "");
  } else {
    for (char& ch : text)
      if (ch == '\n' || ch == '\r') ch = ' ';
    if (text.starts_with("[")) text.insert(text.begin(), ' ');  // keep it a line comment
    c += text;
  }
  static const char* const kEndings[] = {"", "\n", "\r", "\r\n"};
  c += kEndings[in.ConsumeIntegralInRange(0, 3)];
  return c;
}

[[noreturn]] void violation(const char* what, const std::string& h, const std::string& c,
                            const Outcome& a, const Outcome& b) {
  std::fprintf(stderr,
               "trailing_comment property violated: %s\n  H: %s\n  C: %s\n"
               "  H status %d body %s\n  H..C status %d body %s\n",
               what, h.c_str(), c.c_str(), a.status, a.body.c_str(), b.status, b.body.c_str());
  for (const auto& line : b.log) std::fprintf(stderr, "  H..C log: %s\n", line.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  bool closed = true;
  const std::string c = comment(in, closed);
  const std::string h = in.ConsumeRemainingBytesAsString();
  if (h.find("--") != std::string::npos || h.find('\0') != std::string::npos) return 0;
  if (fuzz::has_unstable_output(h)) return 0;

  const Outcome alone = serve(h);
  const bool h_loads = alone.status != 500 || alone.log.empty() ||
                       alone.log.front().find("failed to load") == std::string::npos;
  if (!h_loads) return 0;
  const Outcome with_comment = serve(h + c);
  if (!closed) {
    if (with_comment.status != 500 || with_comment.log.empty() ||
        with_comment.log.front().find("unfinished long comment") == std::string::npos)
      violation("an unclosed long comment loaded", h, c, alone, with_comment);
    return 0;
  }
  if (alone.limit != LimitKind::none || with_comment.limit != LimitKind::none) return 0;
  if (fuzz::comparable(alone) != fuzz::comparable(with_comment))
    violation("a complete trailing comment changed the outcome", h, c, alone, with_comment);
  return 0;
}

// Fuzz target `trailing_comment` (structure-aware): a handler H plus a generated
// trailing comment C (trailing_comment_gen.h) — a line comment or a long comment of
// level 0-3, closed or not, ending in LF, CR, CRLF or nothing.
//
// H is the input's handler bytes when they load alone and hold no comment;
// otherwise the handler those bytes generate (handler_grammar.h), so that every
// input is checked.
//
// Property (P4): under the factory loader, for a handler H that loads and contains
// no comment of its own, H..C either behaves exactly as H (same load result; same
// status, body and abort when run once on a fresh classic worker), or fails to load
// with exactly the error trailing_comment_oracle.h predicts: an unclosed long
// comment swallows the "\nend" suffix of ngx_lua's wrapper (commit c9a04a9c), and
// on Lua 5.1 a long comment holding `[[` at level 0 is refused (LUA_COMPAT_LSTR).
// A difference is a finding when it repeats on fresh workers and the handler reads
// nothing outcome_compare.h's repeatable_difference_excuse names; each excuse is
// counted in the "#check-rate" line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "core/model/worker.h"
#include "core/engine/engine.h"
#include "check_tally.h"
#include "handler_grammar.h"
#include "outcome_compare.h"
#include "trailing_comment_gen.h"
#include "trailing_comment_oracle.h"

namespace {

using namespace codecache;

constexpr int kConfLine = 40;  // the line kChunk names
constexpr const char* kChunk = "content_by_lua(nginx.conf:40)";

Outcome serve(const std::string& code) {
  Worker worker(fuzz::differential_settings(Profile::classic));
  Handler handler = Handler::inline_code(code, kConfLine);
  return worker.run(handler);
}

// What a request whose inline code fails to load with `message` gives.
Outcome load_failure(const std::string& message) {
  Outcome o;
  o.status = 500;
  o.log = {"[error] failed to load inlined Lua code: " + message};
  o.load_failure = LoadFailure::compile;
  o.load_error = message;
  return o;
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

// The handler the input's bytes give: taken as it is when it loads alone and holds no
// comment and no NUL byte; otherwise the
// handler the same bytes generate (handler_grammar.h), which always qualifies. So
// every input is checked, and a corpus of plain handlers keeps its meaning.
std::string usable_handler(const std::string& raw, Outcome& alone) {
  if (raw.find("--") == std::string::npos && raw.find('\0') == std::string::npos) {
    alone = serve(raw);
    if (alone.load_failure == LoadFailure::none) return raw;
  }
  std::string generated = fuzz::generated_handler(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  alone = serve(generated);
  return generated;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::CheckTally tally("trailing_comment");
  const auto [raw, c] = fuzz::decode_trailing_comment_input(data, size);
  Outcome alone;
  const std::string h = usable_handler(raw, alone);
  if (alone.load_failure != LoadFailure::none) {
    // Never for a generated handler (tests/unit/handler_grammar_test.cc).
    tally.excused("the generated handler does not load", h);
    return 0;
  }
  const Outcome with_comment = serve(h + c);
  if (const auto error = fuzz::trailing_comment_load_error(h, c, kChunk, engine::id())) {
    const Outcome expected = load_failure(*error);
    if (fuzz::comparable(with_comment) != fuzz::comparable(expected))
      violation(("the comment did not fail to load with: " + *error).c_str(), h, c, alone,
                with_comment);
    tally.checked();
    return 0;
  }
  if (alone.limit != LimitKind::none || with_comment.limit != LimitKind::none) {
    tally.excused("cut off by a limit");
    return 0;
  }
  if (fuzz::comparable(alone) != fuzz::comparable(with_comment)) {
    const auto again = [&, &comment = c] {
      return std::pair(fuzz::comparable(serve(h)), fuzz::comparable(serve(h + comment)));
    };
    if (const fuzz::Excuse excuse =
            fuzz::excuse_for_difference(fuzz::comparable(alone), fuzz::comparable(with_comment), again, h, true);
        !excuse.reason.empty()) {
      fuzz::count(tally, excuse);
      return 0;
    }
    violation("a complete trailing comment changed the outcome", h, c, alone, with_comment);
  }
  tally.checked();
  return 0;
}

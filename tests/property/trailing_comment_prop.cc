// P4 trailing comments under the factory loader (classic). ngx_lua's suffix is
// "\nend" (CLFACTORY_END_CODE in ngx_http_lua_clfactory.c, fixed in c9a04a9c,
// test 014-bugs T36), so for any valid handler H and any complete comment C — a
// line comment `--...`, or a long comment `--[==[ ... ]==]` of level 0..3 — with
// or without a final newline in LF, CR or CRLF, H..C behaves exactly as H. An
// unfinished long comment swallows the suffix: the load fails with 500 and
// "unfinished long comment" (loader_table.case, "unfinished long comment"). On
// Lua 5.1 a long comment holding `[[` at level 0 fails to load, closed or not
// ("nesting of [[...]] is deprecated", fuzz/long_bracket.h). Which comment fails,
// and with which exact message, is the oracle's (fuzz/trailing_comment_oracle.h),
// shared with the trailing_comment fuzz target.
#include <optional>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "property/prop_support.h"
#include "trailing_comment_oracle.h"

namespace codecache::prop {
namespace {

struct Comment {
  std::string text;
  bool complete = true;
};

void showValue(const Comment& c, std::ostream& os) {
  os << (c.complete ? "complete" : "unfinished") << " comment ";
  rc::show(c.text, os);
}

constexpr const char* kChunk = "content_by_lua(nginx.conf:40)";

std::string newline_style() {
  return *full_size(rc::gen::element<std::string>("\n", "\r", "\r\n"));
}

// Body text built from characters that stress the lexer: brackets, '=', dashes
// and newlines (long comments only).
std::string comment_body(bool allow_newlines, const std::string& newline) {
  const auto pieces = *rc::gen::resize(
      30, rc::gen::container<std::vector<std::string>>(full_size(rc::gen::element<std::string>(
              "a", " ", "x = 1", "]", "[", "=", "-", "--", "]]", "[[", "]=]", "[==[", "end", "\"",
              "'", "\t", "\\", "NL"))));
  std::string body;
  for (const auto& p : pieces) body += p == "NL" ? (allow_newlines ? newline : " ") : p;
  return body;
}

rc::Gen<Comment> gen_comment(bool complete) {
  return rc::gen::exec([complete] {
    const std::string nl = newline_style();
    const bool final_newline = *rc::gen::arbitrary<bool>();
    Comment c;
    c.complete = complete;
    const bool line = complete && *rc::gen::arbitrary<bool>();
    if (line) {
      std::string body = comment_body(false, nl);
      // `--[[` or `--[=[` would open a long comment instead.
      if (!body.empty() && body[0] == '[') body.insert(0, " ");
      c.text = "--" + body;
    } else {
      const std::string level(*full_size(rc::gen::inRange(0, 4)), '=');
      const std::string close = "]" + level + "]";
      std::string body = comment_body(true, nl);
      // The comment must end at its closer, not earlier: no closer may start
      // inside the body, even one completed by the closer's own characters.
      for (;;) {
        const std::size_t at = (body + close).find(close);
        if (at >= body.size()) break;
        body[at] = ')';
      }
      c.text = "--[" + level + "[" + body;
      if (complete) c.text += close;
    }
    if (final_newline) c.text += nl;
    return c;
  });
}

Outcome run_classic(const std::string& source) {
  Worker worker(settings_for(Profile::classic));
  Handler h = Handler::inline_code(source);
  return worker.run(h);
}

// What the oracle predicts for H..C: nullopt when it behaves as H, else the load error.
std::optional<std::string> predicted_error(const GeneratedHandler& h, const Comment& c) {
  // The oracle's precondition: H holds no comment of its own.
  RC_PRE(h.source.find("--") == std::string::npos);
  return fuzz::trailing_comment_load_error(h.source, c.text, kChunk, engine::id());
}

Observed load_failure(const std::string& error) {
  Observed o;
  o.status = 500;
  o.log = {"[error] failed to load inlined Lua code: " + error};
  return o;
}

CC_PROP(P4TrailingComments, CompleteCommentChangesNothingUnlessRefused, ()) {
  // Valid under the factory: no top-level `...` (loader_table.case, "vararg
  // expression in inline code").
  const GeneratedHandler h = *gen_handler(GenOptions{kVararg});
  const Comment c = *gen_comment(true);
  count_sequence();
  const std::optional<std::string> error = predicted_error(h, c);
  RC_CLASSIFY(error.has_value(), "refused by the lexer");
  const Outcome commented = run_classic(h.source + c.text);
  if (error) {
    RC_ASSERT(observe(commented) == load_failure(*error));
  } else {
    RC_ASSERT(observe(commented) == observe(run_classic(h.source)));
  }
}

CC_PROP(P4TrailingComments, UnfinishedLongCommentFailsToLoad, ()) {
  const GeneratedHandler h = *gen_handler(GenOptions{kVararg});
  const Comment c = *gen_comment(false);
  count_sequence();
  const std::optional<std::string> error = predicted_error(h, c);
  RC_ASSERT(error.has_value());
  RC_CLASSIFY(error->find("nesting") != std::string::npos, "nested [[");
  RC_ASSERT(observe(run_classic(h.source + c.text)) == load_failure(*error));
}

// The ngx_lua regression the suffix newline fixed (014-bugs T36).
TEST(P4TrailingComments, LineCommentOnLastLine) {
  const Outcome o = run_classic("ngx.say(\"ok\") -- blah");
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body, "ok\n");
}

}  // namespace
}  // namespace codecache::prop

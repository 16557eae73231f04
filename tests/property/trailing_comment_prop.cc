// P4 trailing comments under the factory loader (classic). ngx_lua's suffix is
// "\nend" (spec §2.1, fixed in c9a04a9c, test 014-bugs T36), so for any valid
// handler H and any complete comment C — a line comment `--...`, or a long
// comment `--[==[ ... ]==]` of level 0..3 — with or without a final newline in
// LF, CR or CRLF, H..C behaves exactly as H. An unfinished long comment swallows
// the suffix: the load fails with 500 and "unfinished long comment" (§2.5).
#include <algorithm>
#include <string_view>

#include "property/prop_support.h"

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

// PUC Lua 5.1 (LUA_COMPAT_LSTR, llex.c read_long_string) rejects `[[` inside a
// level-0 long bracket: "nesting of [[...]] is deprecated". There such a comment
// is not a complete comment of the language, so it is not generated; LuaJIT
// accepts it and keeps it in the generated set.
const bool kNoNestedLevel0 = std::string_view(CODECACHE_TEST_ENGINE) == "lua51";

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
      if (level.empty() && kNoNestedLevel0) {
        for (std::size_t at; (at = body.find("[[")) != std::string::npos;) body[at + 1] = '(';
      }
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
  Handler h = Handler::inline_code(source, 40);
  return worker.run(h);
}

CC_PROP(P4TrailingComments, CompleteCommentChangesNothing, ()) {
  // Valid under the factory: no top-level `...` (spec §2.5).
  const GeneratedHandler h = *gen_handler(GenOptions{kVararg});
  const Comment c = *gen_comment(true);
  count_sequence();
  const Outcome plain = run_classic(h.source);
  const Outcome commented = run_classic(h.source + c.text);
  RC_ASSERT(observe(commented) == observe(plain));
}

CC_PROP(P4TrailingComments, UnfinishedLongCommentFailsToLoad, ()) {
  const GeneratedHandler h = *gen_handler(GenOptions{kVararg});
  const Comment c = *gen_comment(false);
  count_sequence();
  const Outcome o = run_classic(h.source + c.text);
  RC_LOG() << rc::toString(observe(o)) << "\n";
  RC_ASSERT(o.status == 500);
  RC_ASSERT(o.body.empty());
  RC_ASSERT(std::any_of(o.log.begin(), o.log.end(), [](const std::string& line) {
    return line.find("failed to load inlined Lua code") != std::string::npos &&
           line.find("unfinished long comment") != std::string::npos;
  }));
}

// The ngx_lua regression the suffix newline fixed (014-bugs T36).
TEST(P4TrailingComments, LineCommentOnLastLine) {
  const Outcome o = run_classic("ngx.say(\"ok\") -- blah");
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body, "ok\n");
}

}  // namespace
}  // namespace codecache::prop

// The regular expressions of the conformance cases (`body_like`, `error_log_like`,
// `no_error_log_like`, `grep_error_log`) and of the referee's log reader: PCRE2,
// matched over the whole subject however long it is. A match PCRE2 gives up on
// (its match or depth limit) is an error, never "no match": a `no_error_log_like`
// must not pass because the matcher stopped looking.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace codecache::conformance {

// A pattern that cannot be compiled, or a subject it could not decide.
class PatternError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pattern {
 public:
  // Compiles `text` (Perl syntax, bytes: no UTF-8 check; `$` only at the very end,
  // as in the ECMAScript syntax the cases were first written in). Throws PatternError
  // naming the offset of the problem.
  explicit Pattern(std::string_view text);
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  // Whether the pattern matches somewhere in `subject`. Throws PatternError when
  // PCRE2 gives up before deciding.
  bool search(std::string_view subject) const { return find(subject).has_value(); }
  // Where the first match in `subject` starts.
  std::optional<std::size_t> find(std::string_view subject) const;
  // Every non-overlapping match in `subject`, in order (an empty match advances
  // one byte). Throws PatternError when PCRE2 gives up before deciding.
  std::vector<std::string> all_matches(std::string_view subject) const;
  // The captured groups of a match of the whole `subject` (group 0 first), or an
  // empty vector when the whole subject does not match.
  std::vector<std::string> full_match(std::string_view subject) const;

  const std::string& text() const { return text_; }

  // `text` with every character that has a meaning in a pattern escaped.
  static std::string quote(std::string_view text);

 private:
  struct Compiled;
  std::string text_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace codecache::conformance

// Text the harness builds from a handler's values (a reply, a log message, a
// traceback), never longer than the cap it is built within (README "Hostile code").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace codecache {

// Pieces are appended whole or not at all: once one would pass the cap, it and
// every later piece are dropped and the text is full. However often a handler
// repeats its data (one string reached 3000 times through a table, thousands of
// arguments of a megabyte each), the harness never holds more of it than the cap;
// the Lua heap's own cap does not see these bytes.
class CappedText {
 public:
  explicit CappedText(std::size_t cap) : cap_(cap) {}

  // False (and nothing appended) once the text is full.
  bool append(std::string_view piece) {
    if (full_ || piece.size() > cap_ - text_.size()) {
      full_ = true;
      return false;
    }
    text_.append(piece);
    return true;
  }

  bool full() const { return full_; }
  std::size_t cap() const { return cap_; }
  const std::string& str() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  std::size_t cap_;
  bool full_ = false;
};

}  // namespace codecache

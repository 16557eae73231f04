// Edits of one text, found by scanning the text as it is and applied in one pass,
// for the fuzz targets' normalisers. Editing a string in place moves the rest of it
// at every edit: quadratic in a long body with many edits (a handler that printed
// hundreds of KB of "-0" took two minutes per input under ASan,
// corpus/regressions/differential/many-zero-signs). Pinned by
// tests/unit/text_edits_test.cc.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace codecache::fuzz {

class TextEdits {
 public:
  // Edits `target`, which the destructor rewrites once with every edit applied.
  explicit TextEdits(std::string& target) : target_(target) {}
  TextEdits(const TextEdits&) = delete;
  TextEdits& operator=(const TextEdits&) = delete;
  ~TextEdits() { apply(); }

  // The text as it was: every position below is a position in it.
  const std::string& text() const { return target_; }
  // Where the text no edit so far replaced begins.
  std::size_t edited_until() const { return edits_.empty() ? 0 : edits_.back().at + edits_.back().length; }
  // Replaces text()[at, at + length) with `with`. Edits come in increasing order;
  // one that starts inside a span already replaced is dropped, that text being gone.
  void replace(std::size_t at, std::size_t length, std::string_view with) {
    if (at < edited_until()) return;
    edits_.push_back({at, length, std::string(with)});
  }

 private:
  struct Edit {
    std::size_t at;
    std::size_t length;
    std::string with;
  };
  void apply();

  std::string& target_;
  std::vector<Edit> edits_;
};

// Runs `edit_line(line)` on every line of `text` (without its '\n') that contains
// `needle`, for rules whose edits stay within the line of what they found: the
// in-place edits of one line move only that line.
template <typename EditLine>
void edit_lines_containing(std::string& text, std::string_view needle, EditLine edit_line) {
  TextEdits edits(text);
  const std::string& in = edits.text();
  for (std::size_t at = in.find(needle); at != std::string::npos;) {
    const std::size_t newline = at == 0 ? std::string::npos : in.rfind('\n', at - 1);
    const std::size_t start = newline == std::string::npos ? 0 : newline + 1;
    const std::size_t eol = std::min(in.find('\n', at), in.size());
    std::string line = in.substr(start, eol - start);
    edit_line(line);
    edits.replace(start, eol - start, line);
    at = eol == in.size() ? std::string::npos : in.find(needle, eol);
  }
}

}  // namespace codecache::fuzz

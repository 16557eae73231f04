// The normalisers' one-pass edits (fuzz/text_edits.h): positions are the text's as
// it was, edits apply in order, one inside a replaced span is dropped, and the line
// helper edits exactly the lines holding the needle.
#include <gtest/gtest.h>

#include <string>

#include "text_edits.h"

namespace codecache::fuzz {
namespace {

TEST(TextEdits, PositionsAreTheOriginalTexts) {
  std::string text = "a-0 b-0 c";
  {
    TextEdits edits(text);
    edits.replace(1, 1, "");
    edits.replace(4, 3, "[minus zero]");
    edits.replace(8, 1, "C");
    EXPECT_EQ(edits.text(), "a-0 b-0 c");  // nothing applied before the end
    EXPECT_EQ(edits.edited_until(), 9u);
  }
  EXPECT_EQ(text, "a0 [minus zero] C");
}

TEST(TextEdits, AnEditInsideAReplacedSpanIsDropped) {
  std::string text = "0123456789";
  {
    TextEdits edits(text);
    edits.replace(2, 4, "x");
    edits.replace(3, 1, "y");  // inside [2, 6): gone
    edits.replace(6, 1, "z");
  }
  EXPECT_EQ(text, "01xz789");
}

TEST(TextEdits, NoEditLeavesTheText) {
  std::string text = "same";
  { TextEdits edits(text); }
  EXPECT_EQ(text, "same");
}

TEST(TextEdits, LinesContainingTheNeedleAreEditedAlone) {
  std::string text = "keep\nfix a\nkeep a\nfix\nfix b fix";
  edit_lines_containing(text, "fix", [](std::string& line) { line = "<" + line + ">"; });
  EXPECT_EQ(text, "keep\n<fix a>\nkeep a\n<fix>\n<fix b fix>");
  std::string first = "fix\nx";
  edit_lines_containing(first, "fix", [](std::string& line) { line += "!"; });
  EXPECT_EQ(first, "fix!\nx");
}

// Thousands of edits in a long text stay one pass: a million-character body with
// 100,000 edits is rebuilt once (in place it would move ~5e10 bytes).
TEST(TextEdits, ManyEditsOfALongText) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "-0 x ";
  {
    TextEdits edits(text);
    for (std::size_t at = 0; at < edits.text().size(); at += 5) edits.replace(at, 1, "");
  }
  EXPECT_EQ(text.size(), 400000u);
  EXPECT_EQ(text.substr(0, 8), "0 x 0 x ");
}

}  // namespace
}  // namespace codecache::fuzz

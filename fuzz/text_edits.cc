// TextEdits (text_edits.h): the one pass that applies the edits.
#include "text_edits.h"

namespace codecache::fuzz {

void TextEdits::apply() {
  if (edits_.empty()) return;
  std::string out;
  out.reserve(target_.size());
  std::size_t from = 0;
  for (const Edit& edit : edits_) {
    out.append(target_, from, edit.at - from);
    out += edit.with;
    from = edit.at + edit.length;
  }
  out.append(target_, from);
  target_ = std::move(out);
}

}  // namespace codecache::fuzz

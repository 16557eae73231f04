// The class a disagreement of the generated differential counts in (see
// referee_disagreement.h).
#include "referee_disagreement.h"

#include <cctype>

namespace codecache::conformance {
namespace {

// The first line where `a` and `b` differ.
std::string first_differing_line(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::string& longer = i < a.size() ? a : b;
  const std::size_t start = longer.rfind('\n', i == 0 ? 0 : i - 1);
  const std::size_t from = start == std::string::npos || i == 0 ? 0 : start + 1;
  return longer.substr(from, longer.find('\n', from) - from);
}

}  // namespace

std::string disagreement_class(const Disagreement& d) {
  if (d.field != "body" && d.field != "log") return d.field + ": " + d.model + " in the model, " + d.nginx + " in nginx";
  const std::string line = first_differing_line(d.model, d.nginx);
  std::string shape;
  for (std::size_t i = 0; i < line.size() && shape.size() < 90; ++i) {
    const char ch = line[i];
    if (std::isdigit(static_cast<unsigned char>(ch))) {
      while (i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1]))) ++i;
      shape += 'N';
    } else if (ch == '"' || ch == '\'') {
      const std::size_t close = line.find(ch, i + 1);
      if (close == std::string::npos) break;
      shape += std::string(1, ch) + "..." + ch;
      i = close;
    } else {
      shape += ch;
    }
  }
  return d.field + ": " + shape;
}

}  // namespace codecache::conformance

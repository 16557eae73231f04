// Minimising a disagreeing handler (see referee_minimise.h).
#include "referee_minimise.h"

#include <vector>

#include "referee_differential.h"
#include "referee_disagreement.h"

namespace codecache::conformance {
namespace {

// The lines of `source`, each with its line end.
std::vector<std::string> lines_of(const std::string& source) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < source.size()) {
    const std::size_t end = source.find('\n', at);
    const std::size_t next = end == std::string::npos ? source.size() : end + 1;
    lines.push_back(source.substr(at, next - at));
    at = next;
  }
  return lines;
}

}  // namespace

Minimised minimise_handler(const std::string& source, const std::string& disagreement_class_wanted,
                           const NginxBuild& build, bool code_cache, int rounds, const std::string& work_root) {
  Minimised result{source, 0};
  while (true) {
    const std::vector<std::string> lines = lines_of(result.source);
    if (lines.size() <= 1) break;
    std::vector<std::string> candidates;
    for (std::size_t drop = 0; drop < lines.size(); ++drop) {
      std::string candidate;
      for (std::size_t i = 0; i < lines.size(); ++i)
        if (i != drop) candidate += lines[i];
      candidates.push_back(std::move(candidate));
    }
    const BatchResult r = compare_batch(candidates, build, code_cache, rounds, work_root);
    ++result.batches;
    const Disagreement* kept = nullptr;
    for (const Disagreement& d : r.disagreements)
      if (disagreement_class(d) == disagreement_class_wanted && (kept == nullptr || d.handler < kept->handler)) kept = &d;
    if (kept == nullptr) break;
    result.source = candidates[kept->handler];
  }
  return result;
}

}  // namespace codecache::conformance

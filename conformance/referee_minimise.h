// Minimising a disagreeing handler of the generated differential: drop one line
// at a time while the model and the real module still disagree in the same class
// (referee_disagreement.h). Each round serves every one-line-shorter candidate in
// one batch (referee_differential.h), so a handler of n lines costs at most n
// batches.
#pragma once

#include <string>

#include "nginx_build.h"

namespace codecache::conformance {

struct Minimised {
  std::string source;
  std::size_t batches = 0;  // served to get there
};

Minimised minimise_handler(const std::string& source, const std::string& disagreement_class, const NginxBuild& build,
                           bool code_cache, int rounds, const std::string& work_root);

}  // namespace codecache::conformance

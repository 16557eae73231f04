// One disagreement of the generated differential (referee_differential.h) between
// the model and the real module on one request, and the class it counts in.
#pragma once

#include <cstddef>
#include <string>

namespace codecache::conformance {

struct Disagreement {
  std::size_t handler = 0;  // index into the batch
  int request = 0;          // 1-based, in the batch's order
  std::string field;        // "status", "aborted", "body", "log"
  std::string model;          // the field, each side
  std::string nginx;
  std::string model_outcome;  // the whole request, each side: status, cut short, body, log
  std::string nginx_outcome;
};

// A short name for what a disagreement is about, so that many of one kind count
// as one class: the field and the first line that differs, with numbers and
// quoted text read as one (a status or cut-short difference is named as it is).
// Pinned by conformance/referee_gen_test.cc.
std::string disagreement_class(const Disagreement& d);

}  // namespace codecache::conformance

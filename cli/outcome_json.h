// The JSON line `codecache run` prints for each request.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/plumbing/outcome.h"
#include "core/plumbing/settings.h"

namespace codecache {

struct RequestRecord {
  int request = 0;           // 1-based, across rounds
  std::string handler;       // Handler::label()
  std::string engine;
  Profile profile = Profile::classic;
  const Outcome* outcome = nullptr;
};

nlohmann::ordered_json to_json(const RequestRecord& record);

// One line of JSON; bytes that are not UTF-8 become U+FFFD.
std::string to_json_line(const RequestRecord& record);

}  // namespace codecache

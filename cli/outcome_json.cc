// Serialises request outcomes for the CLI (see outcome_json.h).
#include "cli/outcome_json.h"

namespace codecache {

nlohmann::ordered_json to_json(const RequestRecord& r) {
  const Outcome& o = *r.outcome;
  nlohmann::ordered_json j;
  j["request"] = r.request;
  j["handler"] = r.handler;
  j["engine"] = r.engine;
  j["profile"] = std::string(to_string(r.profile));
  j["cache"] = std::string(to_string(o.cache));
  j["status"] = o.status;
  j["aborted"] = o.aborted;
  j["body"] = o.body;
  j["log"] = o.log;
  j["limit"] = o.limit == LimitKind::none ? nlohmann::ordered_json(nullptr)
                                          : nlohmann::ordered_json(std::string(to_string(o.limit)));
  if (!o.limit_detail.empty()) j["limit_detail"] = o.limit_detail;
  if (o.load_failure != LoadFailure::none) {
    j["load_failure"] = std::string(to_string(o.load_failure));
    j["load_error"] = o.load_error;
  }
  j["cache_key"] = o.cache_key.str();
  return j;
}

std::string to_json_line(const RequestRecord& record) {
  return to_json(record).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace codecache

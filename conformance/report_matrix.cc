// Tallies the runners' runs into the report's matrix (see report_matrix.h).
#include "report_matrix.h"

namespace codecache::conformance {

using nlohmann::json;

namespace {

// The columns every report starts with, in this order.
const std::vector<ReportColumn> kFirstColumns = {
    {"loader", "loads like the factory / like direct"},
    {"isolation", "isolation holds"},
    {"=cached_equals_uncached", "cached equals uncached"},
    {"write_guard", "write guard"},
    {"bytecode", "bytecode"},
    {"=hostile", "hostile"},
};

std::string property_of(const json& run) {
  const std::string p = run["property"].get<std::string>();
  return p.empty() ? "other" : p;
}

}  // namespace

void Tally::add(bool ok, const std::string& what) {
  ++total;
  if (ok) ++passed;
  else failing.push_back(what);
}

ReportMatrix tally_runs(const std::vector<EngineRuns>& results) {
  ReportMatrix m;
  m.columns = kFirstColumns;
  std::set<std::string> known;
  for (const auto& c : m.columns) known.insert(c.key);
  for (const auto& r : results) {
    for (const auto& run : r.runs) {
      m.cases.insert(run["id"].get<std::string>());
      if (run["hostile"].get<bool>()) m.hostile_cases.insert(run["id"].get<std::string>());
      const std::string p = property_of(run);
      if (known.insert(p).second) m.columns.push_back({p, p});
    }
  }
  for (const auto& r : results) {
    // cached = uncached: the on and off runs of one case must both pass and give
    // the same whole outcome of every request (the runner's fingerprint: status,
    // limit, body, log; not the cache state); cases whose expectations differ by
    // code_cache on purpose are left out.
    std::map<std::pair<std::string, std::string>, std::map<std::string, const json*>> by_case;
    for (const auto& run : r.runs) {
      const std::string profile = run["profile"];
      const std::string id = run["id"];
      const std::string where = id + " (" + run["code_cache"].get<std::string>() + ")";
      const ReportMatrix::Row row{r.engine, profile};
      const bool ok = run["passed"].get<bool>();
      m.cells[row][property_of(run)].add(ok, where);
      if (run["hostile"].get<bool>()) m.cells[row]["=hostile"].add(ok, where);
      m.all[row].add(ok, where);
      ++m.runs;
      if (!ok) ++m.failed;
      m.seconds += run["seconds"].get<double>();
      if (!run["cache_dependent"].get<bool>()) by_case[{profile, id}][run["code_cache"]] = &run;
    }
    for (const auto& [profile_and_id, modes] : by_case) {
      if (modes.size() != 2) continue;
      const json& on = *modes.at("on");
      const json& off = *modes.at("off");
      const bool both_passed = on["passed"].get<bool>() && off["passed"].get<bool>();
      const bool ok = both_passed && on["fingerprint"] == off["fingerprint"];
      if (both_passed && !ok) ++m.disagreements;
      m.cells[{r.engine, profile_and_id.first}]["=cached_equals_uncached"].add(ok, profile_and_id.second);
    }
  }
  return m;
}

}  // namespace codecache::conformance

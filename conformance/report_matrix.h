// The report's matrix: every run of every engine tallied by engine x profile x
// property, and the "cached equals uncached" column computed from the pairs of
// runs that differ only in lua_code_cache.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "report_runs.h"

namespace codecache::conformance {

struct ReportColumn {
  std::string key;    // a property name, or a computed column ("=...")
  std::string title;
};

struct Tally {
  int passed = 0, total = 0;
  std::vector<std::string> failing;  // case ids (with the setting)
  void add(bool ok, const std::string& what);
};

struct ReportMatrix {
  using Row = std::pair<std::string, std::string>;  // engine, profile
  std::vector<ReportColumn> columns;
  std::map<Row, std::map<std::string, Tally>> cells;  // row -> column key -> tally
  std::map<Row, Tally> all;                           // row -> every run
  std::set<std::string> cases, hostile_cases;
  int runs = 0, failed = 0;
  int disagreements = 0;  // cases whose passing on and off runs gave different outcomes
  double seconds = 0;     // run time summed over the runners
};

// Columns: loader, isolation, cached equals uncached, write guard, bytecode,
// hostile, then every other property a case declares, in the order first seen.
ReportMatrix tally_runs(const std::vector<EngineRuns>& results);

}  // namespace codecache::conformance

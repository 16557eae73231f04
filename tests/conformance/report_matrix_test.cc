// The report's matrix (conformance/report_matrix.h) from hand-written runs: cells
// count passed/total per engine x profile x property, hostile runs get their own
// column as well, and a case is "cached equals uncached" only when its on and off
// runs both pass with the same fingerprint (cases that depend on the setting are
// left out of that column).
#include "report_matrix.h"

#include <gtest/gtest.h>

namespace codecache::conformance {
namespace {

using nlohmann::json;

json run(const std::string& id, const std::string& profile, const std::string& cache, bool passed,
         const std::string& fingerprint, const std::string& property = "isolation", bool hostile = false,
         bool cache_dependent = false) {
  return json{{"id", id},           {"profile", profile},     {"code_cache", cache},
              {"passed", passed},   {"fingerprint", fingerprint}, {"property", property},
              {"hostile", hostile}, {"cache_dependent", cache_dependent}, {"seconds", 0.5}};
}

TEST(ReportMatrix, CountsCellsAndComparesTheTwoCacheSettings) {
  EngineRuns luajit2{"luajit2", {}, ""};
  luajit2.runs = {
      run("same", "classic", "on", true, "F1"),      run("same", "classic", "off", true, "F1"),
      run("differs", "classic", "on", true, "F1"),   run("differs", "classic", "off", true, "F2"),
      run("fails", "classic", "on", false, "F1", "loader", true),
      run("fails", "classic", "off", true, "F1", "loader", true),
      run("by-design", "classic", "on", true, "A", "cache", false, true),
      run("by-design", "classic", "off", true, "B", "cache", false, true),
  };
  const ReportMatrix m = tally_runs({luajit2});
  const ReportMatrix::Row row{"luajit2", "classic"};
  EXPECT_EQ(m.runs, 8);
  EXPECT_EQ(m.failed, 1);
  EXPECT_EQ(m.cases.size(), 4u);
  EXPECT_EQ(m.hostile_cases.size(), 1u);
  EXPECT_DOUBLE_EQ(m.seconds, 4.0);
  EXPECT_EQ(m.cells.at(row).at("isolation").passed, 4);
  EXPECT_EQ(m.cells.at(row).at("loader").total, 2);
  EXPECT_EQ(m.cells.at(row).at("loader").failing, std::vector<std::string>{"fails (on)"});
  EXPECT_EQ(m.cells.at(row).at("=hostile").passed, 1);
  // same: equal; differs: both pass, fingerprints differ; fails: one run failed;
  // by-design: left out.
  const Tally& cached = m.cells.at(row).at("=cached_equals_uncached");
  EXPECT_EQ(cached.total, 3);
  EXPECT_EQ(cached.passed, 1);
  EXPECT_EQ(m.disagreements, 1);
  // A property no fixed column names gets a column of its own, after the fixed ones.
  ASSERT_FALSE(m.columns.empty());
  EXPECT_EQ(m.columns.back().key, "cache");
}

}  // namespace
}  // namespace codecache::conformance

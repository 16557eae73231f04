// `codecache-conform` (run as `codecache conform --report FILE`): runs the three
// conformance runners (`conform_<engine> --all --json`, found next to this
// binary; report_runs.h), tallies their runs (report_matrix.h) and writes the
// Markdown report (report_markdown.h). Exit status 0 when every run passed and
// cached equals uncached everywhere, 1 otherwise, 2 when a runner could not be run
// or did not finish cleanly.
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/plumbing/settings.h"
#include "report_markdown.h"
#include "report_matrix.h"
#include "report_runs.h"

namespace {

namespace fs = std::filesystem;

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace codecache::conformance;
  constexpr auto engine_names = codecache::engine_names();
  const std::vector<std::string> all_engines(engine_names.begin(), engine_names.end());
  std::string report_file;
  std::string cases_dir;
  std::string filter;
  std::vector<std::string> engines = all_engines;
  CLI::App app{"codecache conform: runs the conformance suite on every engine and writes a report"};
  app.add_option("--report", report_file, "Markdown file to write")->required();
  app.add_option("--cases", cases_dir, "directory of .case files (default: the source tree's)");
  app.add_option("--filter", filter, "only the case ids containing this text (a partial report)");
  app.add_option("--engines", engines, "engines to run (default: all three)")
      ->check(CLI::IsMember(all_engines));
  CLI11_PARSE(app, argc, argv);

  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path bin_dir = ec ? fs::path(argv[0]).parent_path() : self.parent_path();

  const std::vector<EngineRuns> results = run_engines(bin_dir, engines, cases_dir, filter);
  for (const auto& r : results) {
    if (!r.error.empty()) {
      std::cerr << "codecache conform: " << r.error << "\n";
      return 2;
    }
  }
  const ReportMatrix matrix = tally_runs(results);
  std::ofstream out(report_file, std::ios::trunc);
  out << render_report(matrix, results, now_utc());
  if (!out) {
    std::cerr << "codecache conform: cannot write " << report_file << "\n";
    return 2;
  }
  std::cout << "codecache conform: " << matrix.runs - matrix.failed << "/" << matrix.runs << " runs passed ("
            << matrix.cases.size() << " cases, " << matrix.hostile_cases.size() << " hostile), "
            << matrix.disagreements << " case(s) whose cached and uncached outcomes differ; report written to "
            << report_file << "\n";
  return matrix.failed == 0 && matrix.disagreements == 0 ? 0 : 1;
}

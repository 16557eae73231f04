// Runs the conformance runners for the report (see report_runs.h).
#include "report_runs.h"

#include <sys/wait.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "child_process.h"

namespace codecache::conformance {

namespace fs = std::filesystem;
using nlohmann::json;

EngineRuns run_engine(const fs::path& bin_dir, const std::string& engine, const std::string& cases,
                      const std::string& filter) {
  EngineRuns out;
  out.engine = engine;
  const fs::path runner = bin_dir / ("conform_" + engine);
  if (!fs::exists(runner)) {
    out.error = runner.string() + " not found (build it: cmake --build build --target conform_" + engine + ")";
    return out;
  }
  SpawnSpec spec;
  spec.argv = {runner.string(), "--all", "--json"};
  if (!cases.empty()) spec.argv.insert(spec.argv.end(), {"--cases", cases});
  if (!filter.empty()) spec.argv.insert(spec.argv.end(), {"--filter", filter});
  spec.stdout_path = kPipe;
  spec.stderr_path = "";  // the runner's messages reach the user
  int status = 0;
  try {
    ChildProcess child(spec);
    for (std::string line; child.read_line(line);) {
      try {
        out.runs.push_back(json::parse(line));
      } catch (const std::exception&) {
        std::cerr << "codecache conform: " << engine << ": not JSON: " << line << "\n";
      }
    }
    status = child.wait();
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  // The runner exits 0 when every run passed and 1 when some failed (they are in
  // its JSON); anything else (a signal, a crash, a set-up error) means it died on
  // the way and its list is incomplete, so the report must not be written.
  const bool any_failed = std::any_of(out.runs.begin(), out.runs.end(),
                                      [](const json& run) { return !run["passed"].get<bool>(); });
  if (!WIFEXITED(status) || WEXITSTATUS(status) != (any_failed ? 1 : 0)) {
    out.error = runner.string() + " did not finish cleanly (" + ChildProcess::describe(status) + ", " +
                std::to_string(out.runs.size()) + " runs reported)";
  } else if (out.runs.empty()) {
    out.error = runner.string() + " produced no runs";
  }
  return out;
}

std::vector<EngineRuns> run_engines(const fs::path& bin_dir, const std::vector<std::string>& engines,
                                    const std::string& cases, const std::string& filter) {
  std::vector<EngineRuns> results(engines.size());
  std::vector<std::thread> threads;
  for (std::size_t j = 0; j < engines.size(); ++j) {
    threads.emplace_back([&, j] { results[j] = run_engine(bin_dir, engines[j], cases, filter); });
  }
  for (auto& t : threads) t.join();
  return results;
}

}  // namespace codecache::conformance

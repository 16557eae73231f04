// `codecache-conform` (run as `codecache conform --report FILE`): runs the three
// conformance runners (`conform_<engine> --all --json`, found next to this
// binary), and writes a Markdown report: the matrix engine x profile x property
// with pass counts, and the names of the failing cases. Exit status 0 when every
// run passed and cached equals uncached everywhere, 1 otherwise, 2 when a runner
// could not be run or did not finish cleanly.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "case_file.h"
#include "child_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using codecache::conformance::ChildProcess;
using codecache::conformance::kEngines;
using codecache::conformance::kPipe;
using codecache::conformance::SpawnSpec;
const std::vector<std::string> kProfiles = {"classic", "openresty", "sealed"};

struct Column {
  std::string key;    // property name, or a computed column
  std::string title;
};

// The properties the issue asks for first, in this order; any other property a
// case declares gets its own column after them.
const std::vector<Column> kFirstColumns = {
    {"loader", "loads like the factory / like direct"},
    {"isolation", "isolation holds"},
    {"=cached_equals_uncached", "cached equals uncached"},
    {"write_guard", "write guard"},
    {"bytecode", "bytecode"},
    {"=hostile", "hostile"},
};

struct Tally {
  int passed = 0, total = 0;
  std::vector<std::string> failing;  // case ids (with the setting)
  void add(bool ok, const std::string& what) {
    ++total;
    if (ok) ++passed;
    else failing.push_back(what);
  }
};

struct EngineRun {
  std::string engine;
  std::vector<json> runs;
  std::string error;
};

EngineRun run_engine(const fs::path& bin_dir, const std::string& engine, const std::string& cases) {
  EngineRun out;
  out.engine = engine;
  const fs::path runner = bin_dir / ("conform_" + engine);
  if (!fs::exists(runner)) {
    out.error = runner.string() + " not found (build it: cmake --build build --target conform_" + engine + ")";
    return out;
  }
  SpawnSpec spec;
  spec.argv = {runner.string(), "--all", "--json"};
  if (!cases.empty()) spec.argv.insert(spec.argv.end(), {"--cases", cases});
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

std::string cell(const Tally& t) {
  if (t.total == 0) return "–";
  std::string s = std::to_string(t.passed) + "/" + std::to_string(t.total);
  return t.passed == t.total ? s : "**" + s + "** ✗";
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string report_file;
  std::string cases_dir;
  std::vector<std::string> engines = kEngines;
  CLI::App app{"codecache conform: runs the conformance suite on every engine and writes a report"};
  app.add_option("--report", report_file, "Markdown file to write")->required();
  app.add_option("--cases", cases_dir, "directory of .case files (default: the source tree's)");
  app.add_option("--engines", engines, "engines to run (default: all three)")
      ->check(CLI::IsMember(kEngines));
  CLI11_PARSE(app, argc, argv);

  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path bin_dir = ec ? fs::path(argv[0]).parent_path() : self.parent_path();

  // The runners (one process per engine) run side by side.
  std::vector<EngineRun> results(engines.size());
  {
    std::vector<std::thread> threads;
    for (std::size_t j = 0; j < engines.size(); ++j) {
      threads.emplace_back([&, j] { results[j] = run_engine(bin_dir, engines[j], cases_dir); });
    }
    for (auto& t : threads) t.join();
  }
  for (const auto& r : results) {
    if (!r.error.empty()) {
      std::cerr << "codecache conform: " << r.error << "\n";
      return 2;
    }
  }

  // Columns: the first, then every other declared property.
  std::vector<Column> columns = kFirstColumns;
  std::set<std::string> known;
  for (const auto& c : columns) known.insert(c.key);
  std::set<std::string> cases, hostile_cases;
  for (const auto& r : results) {
    for (const auto& run : r.runs) {
      cases.insert(run["id"].get<std::string>());
      if (run["hostile"].get<bool>()) hostile_cases.insert(run["id"].get<std::string>());
      std::string p = run["property"].get<std::string>();
      if (p.empty()) p = "other";
      if (known.insert(p).second) columns.push_back({p, p});
    }
  }

  // (engine, profile) -> column -> tally
  std::map<std::pair<std::string, std::string>, std::map<std::string, Tally>> matrix;
  std::map<std::pair<std::string, std::string>, Tally> all;
  int runs = 0, failed = 0;
  int disagreements = 0;  // cases whose passing on and off runs gave different outcomes
  double seconds = 0;
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
      auto key = std::make_pair(r.engine, profile);
      const bool ok = run["passed"].get<bool>();
      std::string p = run["property"].get<std::string>();
      if (p.empty()) p = "other";
      matrix[key][p].add(ok, where);
      if (run["hostile"].get<bool>()) matrix[key]["=hostile"].add(ok, where);
      all[key].add(ok, where);
      ++runs;
      if (!ok) ++failed;
      seconds += run["seconds"].get<double>();
      if (!run["cache_dependent"].get<bool>()) by_case[{profile, id}][run["code_cache"]] = &run;
    }
    for (const auto& [pk, modes] : by_case) {
      if (modes.size() != 2) continue;
      const json& on = *modes.at("on");
      const json& off = *modes.at("off");
      const bool both_passed = on["passed"].get<bool>() && off["passed"].get<bool>();
      const bool ok = both_passed && on["fingerprint"] == off["fingerprint"];
      if (both_passed && !ok) ++disagreements;
      matrix[{r.engine, pk.first}]["=cached_equals_uncached"].add(ok, pk.second);
    }
  }

  std::ostringstream md;
  md << "# codecache conformance report\n\n";
  md << "Generated " << now_utc() << " by `codecache conform`. " << cases.size() << " cases ("
     << hostile_cases.size() << " hostile), " << runs << " runs (case x engine x profile x code cache), "
     << runs - failed << " passed, " << failed << " failed; " << static_cast<int>(seconds + 0.5)
     << " s of run time summed over the runners.\n\n";
  md << "Each cell is passed/total runs of the cases of that property. *Loads like the factory / "
        "like direct*: the loader cases, which expect the closure factory under `classic` and "
        "`sealed` and the direct load under `openresty`. *Cached equals uncached*: cases whose "
        "expectations do not depend on `lua_code_cache`, counted once per case when the `on` and "
        "`off` runs both pass and give the same whole outcome of every request (status, limit, "
        "body, log; addresses aside, and the body and log of a request cut off by the CPU budget, where the cut lands by timing). "
        "*Hostile*: the cases labelled `hostile`, whatever their property.\n\n";
  md << "| engine | profile |";
  for (const auto& c : columns) md << " " << c.title << " |";
  md << " all runs |\n|---|---|";
  for (std::size_t i = 0; i <= columns.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& r : results) {
    for (const auto& profile : kProfiles) {
      auto key = std::make_pair(r.engine, profile);
      md << "| " << r.engine << " | " << profile << " |";
      for (const auto& c : columns) {
        std::string text = cell(matrix[key][c.key]);
        if (c.key == "loader" && text != "–") text = (profile == "openresty" ? "direct " : "factory ") + text;
        md << " " << text << " |";
      }
      md << " " << cell(all[key]) << " |\n";
    }
  }
  md << "\n## Failing cases\n\n";
  if (failed == 0 && disagreements == 0) md << "None.\n";
  for (const auto& r : results) {
    for (const auto& profile : kProfiles) {
      auto key = std::make_pair(r.engine, profile);
      for (const auto& c : columns) {
        const Tally& t = matrix[key][c.key];
        if (t.failing.empty()) continue;
        md << "- **" << r.engine << " / " << profile << " / " << c.title << "**: ";
        for (std::size_t i = 0; i < t.failing.size(); ++i) md << (i ? ", " : "") << "`" << t.failing[i] << "`";
        md << "\n";
      }
    }
  }
  if (failed > 0) {
    md << "\n## Details\n\n";
    for (const auto& r : results) {
      for (const auto& run : r.runs) {
        if (run["passed"].get<bool>()) continue;
        md << "- `" << run["id"].get<std::string>() << "` (" << r.engine << " "
           << run["profile"].get<std::string>() << " code_cache " << run["code_cache"].get<std::string>()
           << ", " << run["file"].get<std::string>() << ":" << run["line"].get<int>() << ")\n";
        for (const auto& f : run["failures"]) md << "  - " << f.get<std::string>() << "\n";
      }
    }
    md << "\nRe-run one with `build/bin/conform_<engine> --case ID --profile P --code-cache on|off`: "
          "it prints expected and actual side by side and the `codecache run` command.\n";
  }

  std::ofstream out(report_file, std::ios::trunc);
  out << md.str();
  if (!out) {
    std::cerr << "codecache conform: cannot write " << report_file << "\n";
    return 2;
  }
  std::cout << "codecache conform: " << runs - failed << "/" << runs << " runs passed (" << cases.size()
            << " cases, " << hostile_cases.size() << " hostile), " << disagreements
            << " case(s) whose cached and uncached outcomes differ; report written to " << report_file << "\n";
  return failed == 0 && disagreements == 0 ? 0 : 1;
}

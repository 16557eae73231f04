// `conform_<engine>`: the conformance runner for one engine. ctest runs it once
// per case (`--case`: every profile x code-cache setting the case applies to, and
// cached against uncached; with `--profile`, one run); `--all --json` runs every
// case in one process for `codecache conform --report`; `--write-ctest` writes
// the ctest script that registers the tests (run by the build, like
// gtest_discover_tests).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case_file.h"
#include "case_runner.h"
#include "conform_options.h"
#include "runner_main.h"
#include "core/hardening/address_space_cap.h"
#include "core/engine/engine.h"

namespace {

using namespace codecache::conformance;

std::string engine_name() { return std::string(codecache::engine::name()); }

// Caps the runner's address space for the widest memory limit among `cases`
// (address_space_cap.h): a hole in a cap fails that run's ctest, not the machine.
void cap_runner_address_space(const std::vector<const Case*>& cases) {
  static const std::string program = "conform_" + engine_name();
  codecache::Limits widest;
  for (const Case* c : cases) {
    if (c->max_memory_mb) widest.memory_bytes = std::max(widest.memory_bytes, *c->max_memory_mb << 20);
  }
  codecache::cap_address_space(codecache::address_space_cap_for(widest), program.c_str());
}

// The core on this engine, in process: every profile.
class CoreRunner : public Runner {
 public:
  explicit CoreRunner(const ConformOptions& o) : o_(o) {}
  std::string program() const override { return "conform_" + engine_name(); }
  std::string engine() const override { return engine_name(); }
  std::vector<std::string> profiles() const override { return kProfiles; }
  std::string test_name_prefix(const Setting& s) const override {
    return "conform." + engine_name() + "." + s.profile + "." + s.code_cache_name();
  }
  std::string labels(const Case& c) const override {
    std::string labels = "conformance;" + engine_name();
    for (const auto& l : c.labels) labels += ";" + l;
    return labels;
  }
  std::vector<std::string> run_arguments(const Setting& s) const override {
    return {"--profile", s.profile, "--code-cache", s.code_cache_name()};
  }
  std::string case_test_prefix() const override { return "conform." + engine_name(); }
  std::string where(const Setting& s) const override {
    return engine_name() + " " + s.profile + " code_cache " + s.code_cache_name();
  }
  RunResult run(const Case& c, const Setting& s, bool keep, std::string& failure) override {
    RunConfig cfg{s.profile, s.code_cache, o_.cli, keep, single_};
    if (single_) cap_runner_address_space({&c});
    RunResult r = run_case(c, cfg);
    if (!r.passed) failure = format_failure(c, cfg, r);
    return r;
  }
  // One case per process (what ctest runs): the process's peak RSS is that case's.
  void single_case() { single_ = true; }

 private:
  const ConformOptions& o_;
  bool single_ = false;
};

nlohmann::json to_json(const Case& c, const std::string& profile, bool cache_on, const RunResult& r) {
  nlohmann::json j;
  j["id"] = c.id;
  j["name"] = c.name;
  j["file"] = c.file;
  j["line"] = c.line;
  j["property"] = c.property;
  j["hostile"] = c.hostile();
  j["labels"] = c.labels;
  j["engine"] = engine_name();
  j["profile"] = profile;
  j["code_cache"] = cache_on ? "on" : "off";
  j["passed"] = r.passed;
  j["failures"] = summarize_mismatches(r);
  j["fingerprint"] = r.fingerprint;
  j["cache_dependent"] = c.cache_dependent();
  j["seconds"] = r.seconds;
  return j;
}

int run_all(const ConformOptions& o, const std::vector<Case>& cases) {
  std::vector<const Case*> selected;
  for (const auto& c : cases) {
    if (o.filter.empty() || c.id.find(o.filter) != std::string::npos) selected.push_back(&c);
  }
  cap_runner_address_space(selected);
  CoreRunner runner(o);
  int runs = 0, failed = 0;
  for (const Case* c : selected) {
    for (const auto& s : served_settings(runner, *c)) {
      if (!o.profile.empty() && s.profile != o.profile) continue;
      std::string failure;
      RunResult r = runner.run(*c, s, o.keep, failure);
      ++runs;
      if (!r.passed) ++failed;
      if (o.json) {
        std::cout << to_json(*c, s.profile, s.code_cache, r)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n" << std::flush;
      } else if (!r.passed) {
        std::cout << failure << "\n" << std::flush;
      }
    }
  }
  if (!o.json) std::cout << runner.program() << ": " << runs - failed << "/" << runs << " runs passed\n";
  return failed == 0 ? 0 : 1;
}

// Writes the literal handler code of every case (inline handlers and the Lua
// files they serve; `eval` blocks need a VM and are left out) into `dir`, one file
// per handler, `<case id>.<label>.lua`: fuzz seeds (fuzz/export_conformance_seeds.sh).
// Hostile cases are left out unless asked for: their handlers burn whole budgets.
int export_handlers(const ConformOptions& o, const std::vector<Case>& cases) {
  std::filesystem::create_directories(o.export_dir);
  auto name_of = [](const Case& c, const std::string& label) {
    std::string id = c.id + "." + label;
    for (char& ch : id)
      if (ch == '/' || ch == ' ') ch = '.';
    return id + ".lua";
  };
  int written = 0;
  for (const auto& c : cases) {
    if (c.hostile() && !o.export_hostile) continue;
    auto write = [&](const std::string& label, const std::string& code) {
      std::ofstream out(std::filesystem::path(o.export_dir) / name_of(c, label),
                        std::ios::binary | std::ios::trunc);
      out << code;
      ++written;
    };
    for (const auto& h : c.handlers)
      if (!h.is_file && h.code.kind == Content::Kind::literal) write(slug(h.label), h.code.text);
    for (const auto& f : c.files)
      if (f.kind == FileSpec::Kind::content && f.content.kind == Content::Kind::literal &&
          f.path.ends_with(".lua"))
        write("file." + slug(f.path), f.content.text);
  }
  std::cout << "exported " << written << " handlers to " << o.export_dir << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_status = 0;
  const std::optional<ConformOptions> parsed =
      parse_conform_options(argc, argv, "conform_" + engine_name(), engine_name(), exit_status);
  if (!parsed) return exit_status;
  const ConformOptions& o = *parsed;

  std::vector<Case> cases;
  try {
    // One case (what ctest runs): parse only its file, named by the id's stem.
    const std::string stem = o.case_id.substr(0, o.case_id.find('/'));
    const std::string one_file = o.cases_dir + "/" + stem + ".case";
    const bool single = !o.case_id.empty() && o.ctest_file.empty() && !o.all && !o.list &&
                        o.case_id.find('/') != std::string::npos &&
                        std::filesystem::exists(one_file);
    cases = single ? parse_case_file(one_file) : load_cases(o.cases_dir);
  } catch (const std::exception& e) {
    std::cerr << "conform: " << e.what() << "\n";
    return 2;
  }
  CoreRunner runner(o);
  if (!o.ctest_file.empty()) return write_ctest(runner, cases, o.cases_dir, o.ctest_file);
  if (!o.export_dir.empty()) return export_handlers(o, cases);
  if (o.list) {
    for (const auto& c : cases) std::cout << c.id << "\t" << c.file << ":" << c.line << "\n";
    return 0;
  }
  if (o.all) return run_all(o, cases);
  if (!o.case_id.empty()) {
    runner.single_case();
    if (o.profile.empty()) return run_case(runner, cases, o.case_id, o.keep);
    return run_one(runner, cases, o.case_id, {o.profile, o.code_cache == "on"}, o.keep);
  }
  std::cerr << "conform: give --case ID [--profile P], --all, --list or --write-ctest FILE\n";
  return 2;
}

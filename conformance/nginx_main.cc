// `nginx_referee_<build>`: runs conformance cases on a real nginx + ngx_lua
// (build `openresty` or `classic`, fixed at compile time with the engine it
// links for `eval` blocks and bytecode dumps). ctest runs it once per
// expressible case x code-cache setting (`--case`); `--write-ctest` writes that
// list (run by the build); `--table` prints which cases are not expressible and
// why; `--check-build` asserts the build is the one it claims to be.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "case_file.h"
#include "nginx_build.h"
#include "nginx_options.h"
#include "nginx_referee.h"
#include "nginx_server.h"
#include "runner_main.h"

namespace {

using namespace codecache::conformance;

const std::string kBuild = CODECACHE_NGINX_BUILD;

// One real nginx build: its engine and profile only.
class NginxRunner : public Runner {
 public:
  NginxRunner(const RefereeOptions& o, const NginxBuild& b) : o_(o), b_(b) {}
  std::string program() const override { return "nginx_referee_" + kBuild; }
  std::string engine() const override { return b_.engine; }
  std::vector<std::string> profiles() const override { return {b_.profile}; }
  std::string test_name_prefix(const Setting& s) const override {
    return "nginx." + kBuild + "." + s.code_cache_name();
  }
  std::string labels(const Case&) const override { return "nginx;nginx_" + kBuild; }
  std::vector<std::string> run_arguments(const Setting& s) const override {
    return {"--code-cache", s.code_cache_name()};
  }
  std::string not_served(const Case& c, const Setting& s) const override {
    return not_expressible(c, b_, s.code_cache);
  }
  std::string where(const Setting& s) const override {
    return b_.engine + " " + b_.profile + " code_cache " + s.code_cache_name() + ", real nginx (" + kBuild + ")";
  }
  RunResult run(const Case& c, const Setting& s, bool keep, std::string& failure) override {
    RefereeConfig cfg{b_, s.code_cache, o_.work, keep};
    RunResult r = referee_case(c, cfg);
    if (!r.passed) {
      failure = format_failure(c, check_target(cfg, r.scratch_dir + "/prefix"), r);
      if (!r.scratch_dir.empty()) failure += "  run directory kept: " + r.scratch_dir + "\n";
    }
    return r;
  }

 private:
  const RefereeOptions& o_;
  const NginxBuild& b_;
};

// Every case x code-cache setting of this build that the referee does not run, and why.
int print_table(const NginxRunner& runner, const NginxBuild& b, const std::vector<Case>& cases) {
  int runnable = 0, inexpressible = 0, elsewhere = 0;
  std::cout << "nginx build " << kBuild << " (engine " << b.engine << ", profile " << b.profile << ")\n";
  std::cout << "not expressible on a real nginx (never counted as passing):\n";
  for (const auto& c : cases) {
    bool any = false;
    for (bool cache_on : {true, false}) {
      if (!c.applies(b.engine, b.profile, cache_on)) continue;
      any = true;
      const std::string why = not_expressible(c, b, cache_on);
      if (why.empty()) {
        ++runnable;
      } else {
        ++inexpressible;
        std::cout << "  " << test_name(runner, c, {b.profile, cache_on}) << "  " << why << "\n";
      }
    }
    if (!any) ++elsewhere;
  }
  std::cout << kBuild << ": " << runnable << " runs expressible, " << inexpressible << " not expressible; "
            << elsewhere << " cases apply to no " << b.engine << "/" << b.profile
            << " run (sealed or lua51 only, or the other build)\n";
  return 0;
}

int run_all(NginxRunner& runner, const std::vector<Case>& cases) {
  int runs = 0, failed = 0;
  for (const auto& c : cases) {
    for (const auto& s : served_settings(runner, c)) {
      std::string failure;
      const RunResult r = runner.run(c, s, false, failure);
      ++runs;
      if (!r.passed) {
        ++failed;
        std::cout << failure << "\n" << std::flush;
      }
    }
  }
  std::cout << runner.program() << ": " << runs - failed << "/" << runs << " runs passed\n";
  return failed == 0 ? 0 : 1;
}

// The build is what it claims: the classic module runs on stock LuaJIT (ngx_lua
// logs its alert about a LuaJIT that is not OpenResty's); the OpenResty one does not.
int check_build(const RefereeOptions& o, const NginxBuild& b) {
  Case c;
  c.id = "build/check";
  c.file = "(build check)";
  c.handlers.push_back({"h1", false, "", {Content::Kind::literal, "ngx.say(jit.version)"}, 0});
  c.requests = {"h1"};
  RefereeConfig cfg{b, true, o.work, true};
  RunResult r = referee_case(c, cfg);
  if (!r.setup_error.empty() || r.requests.empty()) {
    std::cout << "FAIL nginx " << kBuild << " does not run: " << r.setup_error << "\n";
    return 1;
  }
  const std::string stderr_text = read_file(r.scratch_dir + "/nginx/logs/stderr.log");
  const bool alert = stderr_text.find("detected a LuaJIT version which is not OpenResty's") != std::string::npos;
  const bool want_alert = kBuild == "classic";
  const std::string body = r.requests[0].outcome.body;
  std::cout << (alert == want_alert && r.requests[0].outcome.status == 200 ? "PASS" : "FAIL") << " nginx " << kBuild
            << ": " << (alert ? "logs" : "does not log") << " \"detected a LuaJIT version which is not OpenResty's\""
            << " (expected: " << (want_alert ? "logs" : "does not log") << "); jit.version = " << body;
  return alert == want_alert && r.requests[0].outcome.status == 200 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_status = 0;
  const std::optional<RefereeOptions> parsed = parse_referee_options(argc, argv, kBuild, exit_status);
  if (!parsed) return exit_status;
  const RefereeOptions& o = *parsed;

  try {
    const NginxBuild build = nginx_build(kBuild, o.root);
    if (o.check_build) return check_build(o, build);
    const std::vector<Case> cases = load_cases(o.cases_dir);
    NginxRunner runner(o, build);
    if (!o.ctest_file.empty()) {
      // First a test that the build is the one it claims to be.
      const std::string name = cmake_arg("nginx." + kBuild + ".build");
      const std::string check = "add_test(" + name + " " + cmake_arg(self_path(runner.program())) +
                                " --check-build)\nset_tests_properties(" + name + " PROPERTIES LABELS " +
                                cmake_arg(runner.labels(Case{})) + " TIMEOUT 60)\n";
      return write_ctest(runner, cases, o.cases_dir, o.ctest_file, check);
    }
    if (o.table) return print_table(runner, build, cases);
    if (o.all) return run_all(runner, cases);
    if (!o.case_id.empty()) return run_one(runner, cases, o.case_id, {build.profile, o.code_cache == "on"}, o.keep);
  } catch (const std::exception& e) {
    std::cerr << "nginx referee: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "nginx referee: give --case ID [--code-cache on|off], --all, --table, --check-build or --write-ctest FILE\n";
  return 2;
}

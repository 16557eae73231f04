// `conform_<engine>`'s command line (conform_options.h), with CLI11.
#include "conform_options.h"

#include "case_file.h"
#include "parse_command_line.h"

namespace codecache::conformance {

std::optional<ConformOptions> parse_conform_options(int argc, char** argv, const std::string& program,
                                                    const std::string& engine, int& exit_status) {
  ConformOptions o;
  o.cases_dir = CODECACHE_CONFORMANCE_CASES;
  o.cli = CODECACHE_CONFORM_CLI;
  CLI::App app{program +
               ": runs the conformance cases (conformance/cases/*.case) on the " + engine +
               " engine"};
  app.add_option("--cases", o.cases_dir, "directory of .case files")->check(CLI::ExistingDirectory);
  app.add_option("--case", o.case_id,
                 "run one case, by id (<file stem>/<slug of its name>): every setting it applies to, "
                 "then cached against uncached; with --profile (and --code-cache), that one run");
  app.add_option("--profile", o.profile, "classic, openresty or sealed")
      ->check(CLI::IsMember(kProfiles));
  app.add_option("--code-cache", o.code_cache, "on or off (default on)")->check(CLI::IsMember({"on", "off"}));
  app.add_flag("--all", o.all, "run every case under every setting it applies to");
  app.add_flag("--json", o.json, "with --all: one JSON object per run");
  app.add_option("--filter", o.filter, "with --all: only case ids containing this text");
  app.add_flag("--list", o.list, "list the case ids");
  app.add_flag("--keep", o.keep, "keep the scratch directory");
  app.add_option("--write-ctest", o.ctest_file, "write the ctest script registering every case");
  app.add_option("--cli", o.cli, "the codecache launcher named in reproduction commands");
  app.add_option("--export-handlers", o.export_dir,
                 "write every case's literal handler code into DIR (fuzz seeds)");
  app.add_flag("--export-hostile", o.export_hostile, "with --export-handlers: hostile cases too");
  return parse_command_line(app, argc, argv, o, exit_status);
}

}  // namespace codecache::conformance

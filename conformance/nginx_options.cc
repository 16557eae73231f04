// `nginx_referee_<build>`'s command line (nginx_options.h), with CLI11.
#include "nginx_options.h"

#include "parse_command_line.h"

namespace codecache::conformance {

std::optional<RefereeOptions> parse_referee_options(int argc, char** argv, const std::string& build,
                                                    int& exit_status) {
  RefereeOptions o;
  o.cases_dir = CODECACHE_CONFORMANCE_CASES;
  o.root = CODECACHE_NGINX_ROOT;
  o.work = CODECACHE_NGINX_WORK;
  CLI::App app{"nginx_referee_" + build + ": runs the conformance cases on a real nginx + ngx_lua (" + build +
               " build)"};
  app.add_option("--cases", o.cases_dir, "directory of .case files")->check(CLI::ExistingDirectory);
  app.add_option("--root", o.root, "the prepared nginx builds (conformance/nginx/prepare.sh)");
  app.add_option("--work", o.work, "where run directories go");
  app.add_option("--case", o.case_id, "run one case, by id (<file stem>/<slug of its name>)");
  app.add_option("--code-cache", o.code_cache, "on or off (default on)")->check(CLI::IsMember({"on", "off"}));
  app.add_flag("--all", o.all, "run every expressible case");
  app.add_flag("--table", o.table, "list the runs that are not expressible, with the reason");
  app.add_flag("--keep", o.keep, "keep the run directory");
  app.add_flag("--check-build", o.check_build, "check that the build is the one it claims to be");
  app.add_option("--write-ctest", o.ctest_file, "write the ctest script registering every run");
  return parse_command_line(app, argc, argv, o, exit_status);
}

}  // namespace codecache::conformance

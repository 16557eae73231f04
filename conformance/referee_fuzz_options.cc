// `referee_fuzz_<build>`'s command line (referee_fuzz_options.h), with CLI11.
#include "referee_fuzz_options.h"

#include "parse_command_line.h"

namespace codecache::conformance {

std::optional<RefereeFuzzOptions> parse_referee_fuzz_options(int argc, char** argv, const std::string& build,
                                                             int& exit_status) {
  RefereeFuzzOptions o;
  o.root = CODECACHE_NGINX_ROOT;
  CLI::App app{"The generated differential: handler files served by the model and by a real nginx + ngx_lua (" +
               build + " build)"};
  app.add_option("--handlers", o.handlers, "Handlers to generate per code-cache setting")->capture_default_str();
  app.add_option("--minutes", o.minutes, "Run for this long instead (both settings share it)");
  app.add_option("--batch", o.batch, "Handlers served by one nginx")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--rounds", o.rounds, "Requests per handler, in a row")->capture_default_str()->check(CLI::Range(1, 10));
  app.add_option("--seed", o.seed, "First handler's seed (handler k has seed+k; default: random, printed)");
  app.add_option("--code-cache", o.code_cache, "on, off or both")->check(CLI::IsMember({"on", "off", "both"}))
      ->capture_default_str();
  app.add_option("--out", o.out, "Where each disagreeing handler and both outcomes are written")->capture_default_str();
  app.add_flag("!--no-cases", o.write_cases, "Do not minimise the first handler of each class into a .case");
  app.add_option("--show", o.show, "Classes shown in full in the summary")->capture_default_str();
  app.add_option("--root", o.root, "The prepared nginx builds")->capture_default_str();
  app.add_option("--work", o.work, "Per-batch nginx directories go below it (default: a fresh /tmp/crf-XXXXXX)");
  return parse_command_line(app, argc, argv, o, exit_status);
}

}  // namespace codecache::conformance

// `codecache` for one engine: serves the requests its command line asks for
// (run_options.h). The `codecache` launcher (launcher.cc) picks the binary of the
// engine asked for.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/outcome_json.h"
#include "cli/run_options.h"
#include "core/hardening/address_space_cap.h"
#include "core/model/handler.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"

namespace {

using namespace codecache;

int run(const cli::RunOptions& o) {
  if (!o.engine.empty() && o.engine != engine::name()) {
    return cli::bad_arguments("this binary is built for engine '" + std::string(engine::name()) +
                              "', not '" + o.engine + "'; use the codecache launcher");
  }
  Settings settings;
  if (!o.profile.empty()) settings.profile = *parse_profile(o.profile);
  settings.code_cache = o.code_cache == "on";
  settings.log_level = *parse_log_level(o.log_level);
  settings.limits.memory_bytes = o.max_memory_mb << 20;
  settings.limits.instructions = o.max_instructions;
  settings.limits.cpu_ms = o.max_cpu_ms;
  settings.module_path = o.module_path;
  cap_address_space(address_space_cap_for(settings.limits), "codecache");

  std::vector<Handler> handlers;
  for (const cli::HandlerArgument& h : o.handlers) {
    const int line = o.conf_line + static_cast<int>(handlers.size());
    handlers.push_back(h.inline_code ? Handler::inline_code(h.text, line) : Handler::file(h.text));
  }
  if (handlers.empty()) return cli::bad_arguments("run: give at least one handler (-e CODE or FILE)");

  Worker worker(settings);
  int request = 0;
  for (int round = 0; round < o.requests; ++round) {
    for (Handler& handler : handlers) {
      Outcome outcome = worker.run(handler);
      RequestRecord record{++request, handler.label(), std::string(engine::name()),
                           settings.profile, &outcome};
      std::cout << to_json_line(record) << '\n' << std::flush;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cli::RunOptions defaults;
  defaults.conf_line = kDefaultConfLine;
  int exit_status = 0;
  const std::optional<cli::RunOptions> o = cli::parse_run_options(argc, argv, std::move(defaults), exit_status);
  if (!o) return exit_status;
  try {
    return run(*o);
  } catch (const std::exception& e) {
    std::cerr << "codecache: " << e.what() << '\n';
    return 1;
  }
}

// `codecache` for one engine: parses the command line and serves the requests.
// The `codecache` launcher (launcher.cc) picks the binary of the engine asked for.
#include <array>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/outcome_json.h"
#include "core/hardening/address_space_cap.h"
#include "core/model/handler.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"

namespace {

using namespace codecache;

constexpr const char* kDescription =
    "codecache: runs Lua content handlers the way OpenResty's lua-nginx-module loads,\n"
    "caches and runs them, on PUC Lua 5.1, stock LuaJIT or OpenResty's LuaJIT.\n\n"
    "Each -e CODE is an inline handler (content_by_lua_block), each FILE a file\n"
    "handler (content_by_lua_file). One round runs every handler once, in the order\n"
    "given; --requests N runs N rounds on the same VM (a fresh VM per request with\n"
    "--code-cache off). For each request one JSON object is printed on its own line:\n"
    "request, handler, engine, profile, cache (miss/hit/off), status, aborted, body,\n"
    "log (error-log lines as ngx_lua writes them, without timestamp/pid/client),\n"
    "limit (null, or instructions/cpu_time/memory/stack/sandbox), limit_detail (when\n"
    "known) and cache_key. Exit status: 0 whatever the handlers did, 2 on bad arguments.";

struct RunOptions {
  std::string engine;
  std::string profile;
  std::string code_cache = "on";
  int requests = 1;
  std::string log_level = "info";
  std::size_t max_memory_mb = 64;
  std::uint64_t max_instructions = Limits{}.instructions;
  std::uint32_t max_cpu_ms = Limits{}.cpu_ms;
  std::vector<std::string> module_path;
  int conf_line = kDefaultConfLine;
  std::vector<std::string> inline_code;
  std::vector<std::string> files;
};

// A check that the value is one of `names`.
template <std::size_t N>
CLI::IsMember one_of(const std::array<std::string_view, N>& names) {
  return CLI::IsMember(std::vector<std::string>(names.begin(), names.end()));
}

// "a, b or c".
template <std::size_t N>
std::string listed(const std::array<std::string_view, N>& names) {
  std::string text;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) text += i + 1 == N ? " or " : ", ";
    text += names[i];
  }
  return text;
}

int bad_arguments(const std::string& message) {
  std::cerr << "codecache: " << message << "\nRun 'codecache --help' for usage.\n";
  return 2;
}

int run(CLI::App& app, const RunOptions& o) {
  if (!o.engine.empty() && o.engine != engine::name()) {
    return bad_arguments("this binary is built for engine '" + std::string(engine::name()) +
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

  // Handlers in command-line order, -e and FILE interleaved as given.
  std::vector<Handler> handlers;
  std::size_t next_inline = 0, next_file = 0;
  for (const CLI::Option* opt : app.get_subcommand("run")->parse_order()) {
    if (opt->get_name() == "-e") {
      int line = o.conf_line + static_cast<int>(handlers.size());
      handlers.push_back(Handler::inline_code(o.inline_code.at(next_inline++), line));
    } else if (opt->get_name() == "FILE") {
      handlers.push_back(Handler::file(o.files.at(next_file++)));
    }
  }
  if (handlers.empty()) return bad_arguments("run: give at least one handler (-e CODE or FILE)");

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
  CLI::App app{kDescription, "codecache"};
  app.footer("\ncodecache conform --report FILE runs the conformance suite on every engine and\n"
             "writes its Markdown report (see conformance/README.md; needs the test build).");
  app.require_subcommand(1);
  RunOptions o;
  CLI::App* run_cmd = app.add_subcommand("run", "Serve requests through content handlers");
  run_cmd->add_option("--engine", o.engine,
                      listed(engine_names()) + " (default: " + std::string(to_string(Engine::luajit2)) + ")")
      ->check(one_of(engine_names()));
  run_cmd->add_option("--profile", o.profile,
                      "classic (stock-LuaJIT build), openresty (OpenResty build) or sealed "
                      "(hardened isolation); default: openresty on luajit2, classic otherwise")
      ->check(one_of(profile_names()));
  run_cmd->add_option("--code-cache", o.code_cache, "lua_code_cache on|off (default on)")
      ->check(CLI::IsMember({"on", "off"}));
  run_cmd->add_option("--requests", o.requests, "rounds of requests (default 1)")
      ->check(CLI::Range(1, 1000000));
  run_cmd->add_option("-e", o.inline_code, "inline handler code (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_option("FILE", o.files, "file handlers");
  run_cmd->add_option("--log-level", o.log_level, "error-log level kept (default info; debug adds the code cache lookup/miss/hit lines)")
      ->check(one_of(log_level_names()));
  run_cmd->add_option("--max-memory-mb", o.max_memory_mb, "live Lua heap cap per VM (default 64)")
      ->check(CLI::Range(1, 65536));
  run_cmd->add_option("--max-instructions", o.max_instructions,
                      "VM instructions per request (default " +
                          std::to_string(Limits{}.instructions) + ")")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--max-cpu-ms", o.max_cpu_ms, "CPU time per request (default 2000)")
      ->check(CLI::Range(1, 3600000));
  run_cmd->add_option("--module-path", o.module_path,
                      "directory `require` may load .lua modules from (repeatable)")
      ->check(CLI::ExistingDirectory);
  run_cmd->add_option("--conf-line", o.conf_line,
                      "nginx.conf line of the first inline handler; the next ones follow "
                      "(default 40: chunk names content_by_lua(nginx.conf:40), ...)")
      ->check(CLI::Range(1, 1000000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return bad_arguments(e.what());
  }
  try {
    return run(app, o);
  } catch (const std::exception& e) {
    std::cerr << "codecache: " << e.what() << '\n';
    return 1;
  }
}

// `codecache run`'s command line (run_options.h), with CLI11.
#include "cli/run_options.h"

#include <array>
#include <iostream>
#include <string_view>

#include <CLI/CLI.hpp>

#include "core/plumbing/settings.h"

namespace codecache::cli {
namespace {

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

}  // namespace

int bad_arguments(const std::string& message) {
  std::cerr << "codecache: " << message << "\nRun 'codecache --help' for usage.\n";
  return 2;
}

std::optional<RunOptions> parse_run_options(int argc, char** argv, RunOptions defaults, int& exit_status) {
  CLI::App app{kDescription, "codecache"};
  app.footer("\ncodecache conform --report FILE runs the conformance suite on every engine and\n"
             "writes its Markdown report (see conformance/README.md; needs the test build).");
  app.require_subcommand(1);
  RunOptions o = std::move(defaults);
  std::vector<std::string> inline_code, files;
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
  run_cmd->add_option("-e", inline_code, "inline handler code (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_option("FILE", files, "file handlers");
  run_cmd->add_option("--log-level", o.log_level, "error-log level kept (default info; debug adds the code cache lookup/miss/hit lines)")
      ->check(one_of(log_level_names()));
  run_cmd->add_option("--max-memory-mb", o.max_memory_mb, "live Lua heap cap per VM (default " + std::to_string(o.max_memory_mb) + ")")
      ->check(CLI::Range(1, 65536));
  run_cmd->add_option("--max-instructions", o.max_instructions,
                      "VM instructions per request (default " +
                          std::to_string(o.max_instructions) + ")")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--max-cpu-ms", o.max_cpu_ms, "CPU time per request (default " + std::to_string(o.max_cpu_ms) + ")")
      ->check(CLI::Range(1, 3600000));
  run_cmd->add_option("--module-path", o.module_path,
                      "directory `require` may load .lua modules from (repeatable)")
      ->check(CLI::ExistingDirectory);
  run_cmd->add_option("--conf-line", o.conf_line,
                      "nginx.conf line of the first inline handler; the next ones follow "
                      "(default " + std::to_string(o.conf_line) + ": chunk names content_by_lua(nginx.conf:" +
                          std::to_string(o.conf_line) + "), ...)")
      ->check(CLI::Range(1, 1000000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    exit_status = app.exit(e);
    return std::nullopt;
  } catch (const CLI::CallForAllHelp& e) {
    exit_status = app.exit(e);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    exit_status = bad_arguments(e.what());
    return std::nullopt;
  }
  // Handlers in command-line order, -e and FILE interleaved as given.
  std::size_t next_inline = 0, next_file = 0;
  for (const CLI::Option* opt : run_cmd->parse_order()) {
    if (opt->get_name() == "-e") o.handlers.push_back({true, inline_code.at(next_inline++)});
    else if (opt->get_name() == "FILE") o.handlers.push_back({false, files.at(next_file++)});
  }
  return o;
}

}  // namespace codecache::cli

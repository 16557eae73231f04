// The end every runner's command-line parser shares (conform_options.cc,
// nginx_options.cc, referee_fuzz_options.cc): parse argv into the options the
// CLI11 app is bound to, or report why not and with which status to exit.
#pragma once

#include <optional>
#include <utility>

#include <CLI/CLI.hpp>

namespace codecache::conformance {

// `options` after `app` parsed argv into it, or nothing with `exit_status` set
// (0 after printing help; CLI11's status after reporting bad arguments).
template <typename Options>
std::optional<Options> parse_command_line(CLI::App& app, int argc, char** argv, Options& options,
                                          int& exit_status) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_status = app.exit(e);
    return std::nullopt;
  }
  return std::move(options);
}

}  // namespace codecache::conformance

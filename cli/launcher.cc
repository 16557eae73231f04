// `codecache`: the three engines cannot share one process (they export the same
// symbols), so this launcher finds `--engine` on the command line (default
// luajit2) and executes `codecache-<engine>` from its own directory with the same
// arguments. `codecache conform ...` executes codecache-conform instead.
#include <unistd.h>

#include <cerrno>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/plumbing/settings.h"

namespace {

std::filesystem::path own_directory(const char* argv0) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) self = argv0;
  return self.parent_path();
}

// `codecache conform ...` runs the conformance report tool, codecache-conform,
// which drives the three per-engine runners (conformance/README.md).
int run_conform(int argc, char** argv) {
  const std::string target = (own_directory(argv[0]) / "codecache-conform").string();
  std::vector<char*> args;
  args.push_back(const_cast<char*>(target.c_str()));
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv(target.c_str(), args.data());
  std::cerr << "codecache: cannot run " << target << ": " << std::strerror(errno)
            << " (it is built with the tests: cmake --build build --target codecache-conform)\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "conform") == 0) return run_conform(argc, argv);
  std::string engine(to_string(codecache::Engine::luajit2));
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--engine") == 0 && i + 1 < argc) engine = argv[i + 1];
    else if (std::strncmp(argv[i], "--engine=", 9) == 0) engine = argv[i] + 9;
  }
  if (!codecache::parse_engine(engine)) {
    std::cerr << "codecache: --engine: '" << engine << "' is not one of ";
    for (std::size_t i = 0; i < codecache::engine_names().size(); ++i)
      std::cerr << (i > 0 ? ", " : "") << codecache::engine_names()[i];
    std::cerr << "\nRun 'codecache --help' for usage.\n";
    return 2;
  }
  const std::string target = (own_directory(argv[0]) / ("codecache-" + engine)).string();
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  args[0] = const_cast<char*>(target.c_str());
  execv(target.c_str(), args.data());
  std::cerr << "codecache: cannot run " << target << ": " << std::strerror(errno) << '\n';
  return 1;
}

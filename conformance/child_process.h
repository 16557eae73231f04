// The child processes the conformance machinery starts (a real nginx, each engine's
// runner for the report, the CLI under test): posix_spawn, no shell, every
// descriptor and the working directory named, reaped by the owner's destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace codecache::conformance {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0]: the program's path (no PATH search)
  std::vector<std::string> env;   // NAME=value, added to the parent's environment
  std::string cwd;                // empty: the parent's
  // Where stdout and stderr go: a file (created or truncated), kPipe (stdout only:
  // readable with read_line()), or empty: the parent's.
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
  // Killed by the kernel when the parent dies (PR_SET_PDEATHSIG, set by util-linux
  // `setpriv`, which then executes the program), so no child outlives a killed test.
  bool dies_with_parent = false;
};

inline constexpr const char* kPipe = "|";

class ChildProcess {
 public:
  // Starts the child. Throws std::runtime_error naming the program when it cannot.
  explicit ChildProcess(const SpawnSpec& spec);
  // Kills (SIGKILL) and reaps the child if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // The next line of a piped stdout, without its '\n' (a last line without one
  // counts); false at end of output.
  bool read_line(std::string& line);

  // The wait status once the child has exited (reaped), nothing while it runs.
  std::optional<int> poll();
  // Waits up to `limit`; the wait status, or nothing if it still runs.
  std::optional<int> wait_for(std::chrono::milliseconds limit);
  // Waits for the child to exit; its wait status.
  int wait();
  void signal(int number);

  // "exited with status 1", "killed by signal 11 (Segmentation fault)".
  static std::string describe(int wait_status);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

}  // namespace codecache::conformance

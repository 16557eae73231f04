// posix_spawn behind the conformance machinery's child processes (child_process.h).
#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace codecache::conformance {
namespace {

constexpr const char* kSetpriv = "/usr/bin/setpriv";

struct FileActions {
  posix_spawn_file_actions_t actions;
  FileActions() { posix_spawn_file_actions_init(&actions); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
};

void check(int rc, const std::string& what) {
  if (rc != 0) throw std::runtime_error(what + ": " + std::strerror(rc));
}

}  // namespace

ChildProcess::ChildProcess(const SpawnSpec& spec) {
  if (spec.argv.empty()) throw std::invalid_argument("ChildProcess: no program");
  const std::string& program = spec.argv.front();
  FileActions fa;
  int pipe_fds[2] = {-1, -1};
  check(posix_spawn_file_actions_addopen(&fa.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0), program);
  if (spec.stdout_path == kPipe) {
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(program + ": pipe: " + std::strerror(errno));
    check(posix_spawn_file_actions_adddup2(&fa.actions, pipe_fds[1], STDOUT_FILENO), program);
  } else if (!spec.stdout_path.empty()) {
    check(posix_spawn_file_actions_addopen(&fa.actions, STDOUT_FILENO, spec.stdout_path.c_str(),
                                           O_WRONLY | O_CREAT | O_TRUNC, 0644), program);
  }
  if (!spec.stderr_path.empty()) {
    check(posix_spawn_file_actions_addopen(&fa.actions, STDERR_FILENO, spec.stderr_path.c_str(),
                                           O_WRONLY | O_CREAT | O_TRUNC, 0644), program);
  }
  if (!spec.cwd.empty()) check(posix_spawn_file_actions_addchdir_np(&fa.actions, spec.cwd.c_str()), program);

  std::vector<std::string> args;
  if (spec.dies_with_parent) args = {kSetpriv, "--pdeathsig", "KILL", "--"};
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
  env_storage.insert(env_storage.end(), spec.env.begin(), spec.env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int rc = posix_spawn(&pid_, argv[0], &fa.actions, nullptr, argv.data(), envp.data());
  if (pipe_fds[1] >= 0) close(pipe_fds[1]);
  if (rc != 0) {
    if (pipe_fds[0] >= 0) close(pipe_fds[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
  }
  stdout_fd_ = pipe_fds[0];
}

ChildProcess::~ChildProcess() {
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    wait();
  }
}

bool ChildProcess::read_line(std::string& line) {
  while (true) {
    const std::size_t eol = buffer_.find('\n');
    if (eol != std::string::npos) {
      line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      return true;
    }
    char chunk[65536];
    const ssize_t n = stdout_fd_ < 0 ? 0 : read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (buffer_.empty()) return false;
      line.swap(buffer_);
      buffer_.clear();
      return true;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<int> ChildProcess::poll() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  pid_ = -1;
  return status;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (auto status = poll()) return status;
    if (pid_ <= 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int ChildProcess::wait() {
  int status = 0;
  while (pid_ > 0 && waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

void ChildProcess::signal(int number) {
  if (pid_ > 0) kill(pid_, number);
}

std::string ChildProcess::describe(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return "killed by signal " + std::to_string(WTERMSIG(wait_status)) + " (" + strsignal(WTERMSIG(wait_status)) +
           ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
}

}  // namespace codecache::conformance

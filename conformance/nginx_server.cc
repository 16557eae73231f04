// Starting and stopping one nginx (see nginx_server.h).
#include "nginx_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http_client.h"

namespace codecache::conformance {
namespace {

// Waits up to `limit` for `pid`; true once it has been reaped.
bool reap(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

NginxServer::NginxServer(const NginxBuild& build, const std::string& prefix, const std::string& conf, int port,
                         const std::string& ready_token, const std::string& stderr_path,
                         std::chrono::milliseconds startup) {
  const pid_t parent = getpid();
  std::vector<std::string> args = {build.nginx, "-p", prefix + "/", "-c", conf};
  const std::string env_path = "LD_LIBRARY_PATH=" + build.library_path;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // The child: dies with the runner; stderr to a file; nothing else inherited.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (chdir(prefix.c_str()) != 0) _exit(126);  // relative paths in Lua code, as in the core's runs
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (err >= 0) dup2(err, STDERR_FILENO);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string env_copy = env_path;
    putenv(env_copy.data());
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + startup;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("nginx exited at start-up (status " + std::to_string(status) + "): " +
                               read_file(stderr_path));
    }
    // An HTTP request, not a bare connect: nginx logs a connection closed
    // without a request, and that entry would land in the first request's log.
    const HttpReply ready = http_get(port, kReadyUri, std::chrono::milliseconds(2000));
    if (ready.status == 200 && ready.body == ready_token) return;
    if (ready.status != 0) {
      // A server answered that is not this run's nginx: never talk to it.
      stop();
      throw std::runtime_error("127.0.0.1:" + std::to_string(port) + " is answered by another server (" + kReadyUri +
                               ": status " + std::to_string(ready.status) + ", body \"" + ready.body.substr(0, 200) +
                               "\", not this run's token \"" + ready_token + "\"); nginx's stderr: " +
                               read_file(stderr_path));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      stop();
      throw std::runtime_error("nginx did not listen on 127.0.0.1:" + std::to_string(port) + " within " +
                               std::to_string(startup.count()) + " ms: " + read_file(stderr_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

NginxServer::~NginxServer() { stop(); }

std::string NginxServer::death() {
  if (pid_ <= 0) return "";
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return "";
  pid_ = -1;
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

void NginxServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGQUIT);  // graceful: finishes logging
  if (!reap(pid_, std::chrono::milliseconds(3000))) {
    kill(pid_, SIGKILL);
    reap(pid_, std::chrono::milliseconds(3000));
  }
  pid_ = -1;
}

}  // namespace codecache::conformance

// Starting and stopping one nginx (see nginx_server.h).
#include "nginx_server.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http_client.h"

namespace codecache::conformance {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

NginxServer::NginxServer(const NginxBuild& build, const std::string& prefix, const std::string& conf, int port,
                         const std::string& ready_token, const std::string& stderr_path,
                         std::chrono::milliseconds startup) {
  SpawnSpec spec;
  spec.argv = {build.nginx, "-p", prefix + "/", "-c", conf};
  spec.env = {"LD_LIBRARY_PATH=" + build.library_path};
  spec.cwd = prefix;  // relative paths in Lua code, as in the core's runs
  spec.stderr_path = stderr_path;
  spec.dies_with_parent = true;
  process_.emplace(spec);
  const auto deadline = std::chrono::steady_clock::now() + startup;
  while (true) {
    if (const auto status = process_->poll()) {
      process_.reset();
      throw std::runtime_error("nginx " + ChildProcess::describe(*status) + " at start-up: " + read_file(stderr_path));
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
  if (!process_) return "";
  const auto status = process_->poll();
  if (!status) return "";
  process_.reset();
  return ChildProcess::describe(*status);
}

void NginxServer::stop() {
  if (!process_) return;
  process_->signal(SIGQUIT);  // graceful: finishes logging
  if (!process_->wait_for(std::chrono::milliseconds(3000))) process_->signal(SIGKILL);
  process_.reset();  // reaps
}

}  // namespace codecache::conformance

// One real nginx process for one referee run: started in the foreground
// (`daemon off; master_process off`) with its own prefix and configuration,
// on the run's loopback port (held by a PortReservation, nginx_port.h), with
// the build's LuaJIT on LD_LIBRARY_PATH; stopped by the destructor, always (and
// killed by the kernel if the runner dies first: child_process.h), so
// no nginx outlives its test.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "child_process.h"
#include "nginx_build.h"

namespace codecache::conformance {

// The configuration must answer 200 here with the run's token as the body; the
// server is up when it does.
inline constexpr const char* kReadyUri = "/codecache/ready";

class NginxServer {
 public:
  // Starts `build.nginx -p prefix -c conf` and waits until `port` answers
  // kReadyUri with `ready_token`. Throws std::runtime_error with nginx's stderr
  // when it exits, does not listen within `startup`, or another server answers
  // the port (any other reply: it is not this run's nginx).
  NginxServer(const NginxBuild& build, const std::string& prefix, const std::string& conf, int port,
              const std::string& ready_token, const std::string& stderr_path, std::chrono::milliseconds startup);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  // "" while nginx runs; once it has died on its own, how ("killed by signal 11
  // (Segmentation fault)", "exited with status 1"). Reaps it.
  std::string death();

  // Asks nginx to quit, waits, and kills it if it does not. Idempotent.
  void stop();
  bool running() const { return process_.has_value(); }

 private:
  std::optional<ChildProcess> process_;
};

std::string read_file(const std::string& path);

}  // namespace codecache::conformance

// The referee's port and readiness probe (nginx_port.h, nginx_server.h), which
// once let a run talk to another test's nginx: a port held by one run can be
// bound by no other socket, runs started together never share a port, nginx
// serves on the held port, and a server whose port another server answers fails
// loudly instead of reading that server's replies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "case_file.h"
#include "http_client.h"
#include "nginx_build.h"
#include "nginx_config.h"
#include "nginx_port.h"
#include "nginx_server.h"
#include "support/scratch_dir.h"

namespace {

using namespace codecache::conformance;
using codecache::test_support::ScratchDir;

constexpr auto kStartup = std::chrono::milliseconds(15000);

// errno of binding and listening on 127.0.0.1:port with socket option `option`
// set (0: none); 0 when it worked.
int bind_error(int port, int option) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  if (option != 0) setsockopt(fd, SOL_SOCKET, option, &on, sizeof on);
  sockaddr_in addr = loopback(port);
  const int error =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd, 16) == 0 ? 0 : errno;
  close(fd);
  return error;
}

// Another server on a loopback port, as another test's nginx binds it
// (SO_REUSEADDR, no SO_REUSEPORT): answers every request with `reply`.
class Impostor {
 public:
  explicit Impostor(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(fd_);
      throw std::runtime_error("impostor: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~Impostor() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  Impostor(const Impostor&) = delete;
  Impostor& operator=(const Impostor&) = delete;

  int port() const { return port_; }
  int answered() const { return answered_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      close(c);
      ++answered_;
    }
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

// A referee run's site in a scratch directory, with one inline handler.
struct RefereeSite {
  ScratchDir dir;
  NginxBuild build = nginx_build("openresty", CODECACHE_NGINX_ROOT);
  NginxSite site;
  std::string stderr_path;

  RefereeSite(int port, const std::string& token) {
    if (std::string missing = missing_parts(build); !missing.empty()) {
      throw std::runtime_error("the openresty nginx build is not prepared (missing " + missing + ")");
    }
    site.prefix = (dir.path() / "prefix").string();
    site.work = (dir.path() / "nginx").string();
    site.conf = site.work + "/conf/nginx.conf";
    site.error_log = site.work + "/logs/error.log";
    site.port = port;
    site.ready_token = token;
    stderr_path = site.work + "/logs/stderr.log";
    std::filesystem::create_directories(site.prefix);
    Case c;
    c.id = "port/test";
    c.file = "(nginx_port_test)";
    c.handlers.push_back({"h1", false, "", {Content::Kind::literal, "ngx.say(\"served by " + token + "\")"}, 0});
    write_nginx_config(c, build, true, site, {"ngx.say(\"served by " + token + "\")"});
  }

  std::unique_ptr<NginxServer> start() const {
    return std::make_unique<NginxServer>(build, site.prefix, site.conf, site.port, site.ready_token, stderr_path,
                                         kStartup);
  }
};

TEST(PortReservation, NoOtherSocketCanBindAHeldPort) {
  const PortReservation held;
  EXPECT_EQ(bind_error(held.port(), 0), EADDRINUSE);
  // What nginx sets for a `listen` without `reuseport`: another test's nginx.
  EXPECT_EQ(bind_error(held.port(), SO_REUSEADDR), EADDRINUSE);
}

TEST(PortReservation, RunsStartedTogetherNeverShareAPort) {
  constexpr int kThreads = 8, kEach = 32;
  std::vector<std::unique_ptr<PortReservation>> held(kThreads * kEach);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&held, t] {
      for (int i = 0; i < kEach; ++i) held[t * kEach + i] = std::make_unique<PortReservation>();
    });
  }
  for (auto& t : threads) t.join();
  std::set<int> ports;
  for (const auto& r : held) ports.insert(r->port());
  EXPECT_EQ(ports.size(), held.size());
}

TEST(NginxServer, ServesOnTheHeldPortWhileNoOneElseCanTakeIt) {
  const PortReservation held;
  const RefereeSite run(held.port(), "run-a");
  const auto server = run.start();
  const HttpReply reply = http_get(held.port(), handler_uri(0), std::chrono::milliseconds(5000));
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body, "served by run-a\n");
  EXPECT_EQ(bind_error(held.port(), SO_REUSEADDR), EADDRINUSE);
}

// The race as it happened: another server had the port when this run's nginx
// started, so nginx could not bind it ("Address already in use") and the
// readiness probe reached the other server. The run must fail, whatever the
// other server answers, and never take its replies for nginx's.
TEST(NginxServer, FailsLoudlyWhenAnotherServerAnswersItsPort) {
  const std::vector<std::string> replies = {
      // another referee's nginx before the readiness token: what the probe took as ready
      "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
      // another referee's nginx today: the right status, another run's token
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nrun-b",
      // a handler of another run
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
  };
  for (const auto& answer : replies) {
    SCOPED_TRACE(answer);
    const Impostor other(answer);
    const RefereeSite run(other.port(), "run-a");
    try {
      run.start();
      ADD_FAILURE() << "the server started although another server answers 127.0.0.1:" << other.port();
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_TRUE(what.find("another server") != std::string::npos ||
                  what.find("Address already in use") != std::string::npos)
          << what;
    }
  }
}

}  // namespace

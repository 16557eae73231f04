// The referee's HTTP client (see http_client.h).
#include "http_client.h"
#include "nginx_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace codecache::conformance {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool connect_to(const Socket& s, int port) {
  sockaddr_in addr = loopback(port);
  return connect(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Decodes a chunked body; `complete` says whether the final 0-size chunk came.
std::string dechunk(const std::string& raw, bool& complete) {
  std::string out;
  complete = false;
  std::size_t at = 0;
  while (true) {
    std::size_t eol = raw.find("\r\n", at);
    if (eol == std::string::npos) return out;
    std::size_t size = 0;
    try {
      size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
    } catch (const std::exception&) {
      return out;
    }
    at = eol + 2;
    if (size == 0) {
      complete = true;
      return out;
    }
    out += raw.substr(at, std::min(size, raw.size() - std::min(at, raw.size())));
    if (at + size + 2 > raw.size()) return out;
    at += size + 2;
  }
}

}  // namespace

HttpReply http_get(int port, const std::string& path, std::chrono::milliseconds timeout) {
  HttpReply reply;
  Socket s;
  if (!connect_to(s, port)) {
    reply.error = std::string("connect: ") + std::strerror(errno);
    return reply;
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(s.fd(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    reply.error = std::string("send: ") + std::strerror(errno);
    return reply;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string raw;
  char buf[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      reply.error = "no complete reply within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd p{s.fd(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = recv(s.fd(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF or reset: the reply is what came
    raw.append(buf, static_cast<std::size_t>(n));
  }
  const std::size_t head_end = raw.find("\r\n\r\n");
  // nginx closed the connection without a byte (ngx.exit(ngx.ERROR) before any
  // output): no reply, status 0, which a case can expect.
  if (raw.empty() && reply.error.empty()) return reply;
  if (head_end == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) {
    if (reply.error.empty()) reply.error = "no HTTP reply (" + std::to_string(raw.size()) + " bytes)";
    return reply;
  }
  // nginx prints the status as an ngx_uint_t ("%03ui"): a negative ngx.status
  // arrives as its 64-bit two's complement, read back here to the int it was.
  reply.status = static_cast<int>(static_cast<std::int64_t>(std::strtoull(raw.c_str() + raw.find(' ') + 1, nullptr, 10)));
  const std::string head = lower(raw.substr(0, head_end));
  const std::string payload = raw.substr(head_end + 4);
  if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    bool complete = false;
    reply.body = dechunk(payload, complete);
    reply.truncated = !complete;
  } else if (std::size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    const std::size_t length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    reply.body = payload.substr(0, length);
    reply.truncated = payload.size() < length;
  } else {
    reply.body = payload;  // delimited by the end of the connection
  }
  return reply;
}

}  // namespace codecache::conformance

// A minimal HTTP/1.1 client for the real-nginx referee: one GET per connection
// to 127.0.0.1, read to the end, with the reply's status, decoded body and
// whether it was cut short (what ngx_lua sends when a handler fails after its
// output went out). Only what the referee needs: no TLS, no redirects, no reuse.
#pragma once

#include <chrono>
#include <string>

namespace codecache::conformance {

struct HttpReply {
  int status = 0;          // 0 with no error: the connection closed with no reply
  std::string body;        // de-chunked
  bool truncated = false;  // the connection closed before the body was complete
  std::string error;       // the request failed outright (no status line)
};

HttpReply http_get(int port, const std::string& path, std::chrono::milliseconds timeout);

}  // namespace codecache::conformance

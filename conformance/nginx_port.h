// The loopback port of one referee run, held from the kernel's pick until the
// run's nginx has stopped, so that no other process can take it in between.
// (Picking a free port, closing it and writing it into nginx.conf left it free
// until nginx bound it: a parallel test could take it, this run's nginx then
// failed with "Address already in use", and its readiness probe and requests
// were answered by the other test's nginx.)
//
// A PortReservation is a TCP socket with SO_REUSEPORT, bound to 127.0.0.1:0 (the
// kernel picks the port), that never listens. The configuration says
// `listen 127.0.0.1:<port> reuseport`, so nginx sets SO_REUSEPORT before its
// bind() (src/core/ngx_connection.c, ngx_open_listening_sockets) and Linux lets
// it share the bound port with the reservation, a socket of the same user with
// SO_REUSEPORT (net/ipv4/inet_connection_sock.c, inet_csk_bind_conflict). No
// other socket can have it: a bind() to port 0 never picks a bound port
// (inet_csk_find_open_port asks for no reuseport sharing), and an explicit bind()
// without SO_REUSEPORT, or by another user, fails with EADDRINUSE. A socket that
// only bound is not in the listening hash: every connection goes to nginx.
//
// Not nginx's inherited sockets (NGINX="<fd>;", src/core/nginx.c,
// ngx_add_inherited_sockets), which would take a socket that already listens:
// with `master_process off` nginx 1.22.1 dies of SIGSEGV at start-up, because
// ngx_event_process_init (src/event/ngx_event.c) deletes the accept event of
// the listening entry the socket came from (ls->previous->connection->read),
// and that entry, made by ngx_set_inherited_sockets for the init cycle, never
// had a connection (its pool is already destroyed by ngx_init_cycle,
// src/core/ngx_cycle.c; with `master_process on` the worker makes the same read).
#pragma once

#include <netinet/in.h>

namespace codecache::conformance {

// 127.0.0.1:port as a socket address (port 0: the kernel's pick at bind()).
sockaddr_in loopback(int port);

class PortReservation {
 public:
  // Throws std::runtime_error when no port can be had.
  PortReservation();
  ~PortReservation();
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace codecache::conformance

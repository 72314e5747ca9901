#pragma once
// A client connection over TLS (server.tls): the handshake, within
// server.read_timeout, then the same session as a plain connection. The
// session speaks plaintext over one end of a socket pair; this coroutine
// pumps bytes between the other end and the TLS stream, each write awaited
// before the next read, so backpressure, timeouts, a client's disconnect
// (its end of stream reaches the session) and the lingering close behave as
// on a plain connection.

#include "daemon/http/event_session.hpp"

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>

namespace helix::http {

// `tls` is kept for the connection's life: a reload may replace the listener's.
boost::asio::awaitable<void> serve_tls_connection(boost::asio::ip::tcp::socket socket,
                                                  std::shared_ptr<boost::asio::ssl::context> tls,
                                                  EventContext &context, transport::AsyncExchange &upstream,
                                                  LoopConnections &connections,
                                                  std::chrono::milliseconds handshake_timeout);

} // namespace helix::http

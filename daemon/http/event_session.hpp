#pragma once
// One client connection: a coroutine on the event loop the connection is
// pinned to, serving its requests one after another (keep-alive) until the
// client closes, a timeout passes, or a reply must close it. Nothing here
// blocks: reads, writes and waits are awaited, a plugin's prepare() runs on
// the worker pool, the upstream call is awaited on the loop's own
// AsyncUpstreamClient.
//
// Timeouts: waiting for a request's first byte, server.read_timeout (the
// first request) or server.keep_alive_timeout (the next ones); then each
// read, server.read_timeout; the whole request (line, headers, body),
// server.request_read_timeout from its first byte (408); each write,
// server.write_timeout (the client is then dropped, and its upstream call
// with it).

#include "daemon/http/memory_trim.hpp"
#include "daemon/http/server_state.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/runtime.hpp"
#include "daemon/transport/async_exchange.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <unordered_set>

namespace helix::http {

// What every connection of one EventServer shares.
struct EventContext {
    const router::RuntimeHolder &runtime;
    ServerState &state;
    metrics::Metrics &metrics;
    boost::asio::any_io_executor workers; // the pool prepare() runs on
    std::atomic<std::int64_t> open_connections{0};
};

// The open connections of one loop, so that the server's end can close them
// (which ends their coroutines, upstream calls included). Only that loop's
// thread touches it.
class LoopConnections {
public:
    void add(boost::asio::ip::tcp::socket &socket) {
        open_.insert(&socket);
        trim_.opened(open_.size());
    }
    // The loop's memory is trimmed once most of a burst of connections is gone.
    void remove(boost::asio::ip::tcp::socket &socket) {
        open_.erase(&socket);
        if (trim_.closed(open_.size())) release_free_memory();
    }
    void close_all();

private:
    std::unordered_set<boost::asio::ip::tcp::socket *> open_;
    TrimPolicy trim_;
};

// A socket listed in its loop's LoopConnections for its life.
class RegisteredSocket {
public:
    RegisteredSocket(LoopConnections &connections, boost::asio::ip::tcp::socket &socket)
        : connections_(connections), socket_(socket) {
        connections_.add(socket_);
    }
    RegisteredSocket(const RegisteredSocket &) = delete;
    RegisteredSocket &operator=(const RegisteredSocket &) = delete;
    ~RegisteredSocket() { connections_.remove(socket_); }

private:
    LoopConnections &connections_;
    boost::asio::ip::tcp::socket &socket_;
};

// Serves the connection until it closes; counted in open_connections
// (added by the acceptor) until then. `upstream` is the loop's client.
// `remote`: the client's address when `socket` is not the client's own (TLS).
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket, EventContext &context,
                                              transport::AsyncExchange &upstream, LoopConnections &connections,
                                              std::string remote = {});

// The completion handler of a connection's coroutine: logs what ended it, if anything.
void log_connection_failure(std::exception_ptr e);

// Sends `reply` (a whole HTTP reply that closes the connection), then
// closes it lingeringly (see lingering_close() in event_session.cpp).
boost::asio::awaitable<void> refuse_connection(boost::asio::ip::tcp::socket socket, const std::string &reply,
                                               LoopConnections &connections);

} // namespace helix::http

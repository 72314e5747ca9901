#pragma once
// The HTTP/2 connections of one event loop, per upstream (scheme, host, port
// and the proxy used): a request takes a stream on the first open
// connection with room for one, and the caller opens another connection
// when every one is full (the server's SETTINGS_MAX_CONCURRENT_STREAMS) or
// going away. Closed connections are dropped as they are met; an idle one
// closes itself (Http2Connection). Not thread-safe: each loop has its own.
//
// A burst of calls to an upstream with no room opens one connection, not one
// each: the first call opens it (begin_opening) and the next ones wait for it
// (join), as many as it will take streams (the upstream's last known
// SETTINGS_MAX_CONCURRENT_STREAMS, else the 100 assumed before SETTINGS).

#include "daemon/transport/exchange_failure.hpp"
#include "daemon/transport/http2_connection.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace helix::transport {

// A connection being opened, and the calls waiting to take a stream on it.
struct Http2Opening {
    std::uint32_t capacity = 0; // streams it is expected to take
    std::uint32_t takers = 1;   // the call opening it and the ones waiting
    bool done = false;
    std::shared_ptr<Http2Connection> connection; // opened (and in the pool)
    bool http1 = false;                          // ALPN chose HTTP/1.1: the waiters use it too
    std::optional<ExchangeFailure> failure;      // nothing reached the upstream: the waiters fail alike
    std::vector<boost::asio::steady_timer *> waiters; // cancel() wakes them
};

class Http2Pool {
public:
    std::shared_ptr<Http2Connection> find(const std::string &key);
    void add(const std::string &key, std::shared_ptr<Http2Connection> connection);
    std::size_t connection_count() const; // open ones, over every upstream

    // The opening for `key` that one more call may wait for; null: none has room.
    std::shared_ptr<Http2Opening> join(const std::string &key);
    // The caller opens a connection for `key`; until end_opening() others may join it.
    std::shared_ptr<Http2Opening> begin_opening(const std::string &key);
    // The opening is over (opened, failed or left): its waiters wake. Idempotent.
    void end_opening(const std::string &key, Http2Opening &opening);
    // The streams a new connection to `key` is assumed to take before its
    // SETTINGS arrive: what the upstream's connections said last, else 100.
    std::uint32_t expected_streams(const std::string &key) const;

private:
    std::map<std::string, std::vector<std::shared_ptr<Http2Connection>>> sets_;
    std::map<std::string, std::vector<std::shared_ptr<Http2Opening>>> openings_;
    std::map<std::string, std::uint32_t> known_limits_;
};

} // namespace helix::transport

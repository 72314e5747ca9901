#pragma once
// The HTTP/2 connections of one event loop, per upstream (scheme, host, port
// and the proxy used): a request takes a stream on the first open
// connection with room for one, and the caller opens another connection
// when every one is full (the server's SETTINGS_MAX_CONCURRENT_STREAMS) or
// going away. Closed connections are dropped as they are met; an idle one
// closes itself (Http2Connection). Not thread-safe: each loop has its own.

#include "daemon/transport/http2_connection.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace helix::transport {

class Http2Pool {
public:
    std::shared_ptr<Http2Connection> find(const std::string &key);
    void add(const std::string &key, std::shared_ptr<Http2Connection> connection);
    std::size_t connection_count() const; // open ones, over every upstream

private:
    std::map<std::string, std::vector<std::shared_ptr<Http2Connection>>> sets_;
};

} // namespace helix::transport

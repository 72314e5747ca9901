#pragma once
// The inbound POCO HTTPServer, sized from configuration: one pool thread per
// connection (an LLM stream holds its thread for its whole life), so the pool
// is as large as max_connections and its stacks are small.

#include "daemon/config/config.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <chrono>
#include <memory>

namespace Poco { class ThreadPool; }
namespace Poco::Net { class HTTPServer; }

namespace helix::http {

struct ServerState;

class HttpServer {
public:
    HttpServer(const config::ServerSettings &settings, Poco::Net::HTTPRequestHandlerFactory::Ptr factory);
    ~HttpServer();

    void start();
    std::uint16_t port() const; // the bound port, also when 0 was asked for
    // Stops accepting connections; requests already in flight go on.
    void stop_accepting();

private:
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Waits until no request is in flight or the timeout passes; true if idle.
bool wait_until_idle(const ServerState &state, std::chrono::milliseconds timeout);

} // namespace helix::http

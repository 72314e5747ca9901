#pragma once
// The inbound POCO HTTPServer, sized from configuration: one pool thread per
// connection (an LLM stream holds its thread for its whole life), so the pool
// is as large as max_connections and its stacks are small. Overload is
// answered at once, never queued: connections beyond max_connections by the
// ConnectionGate, chat completions beyond max_in_flight by the
// AdmissionFactory; a request that trickles in is cut off by its socket.

#include "daemon/config/config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <chrono>
#include <memory>

namespace Poco { class ThreadPool; }
namespace Poco::Net { class HTTPServer; }

namespace helix::http {

struct ServerState;
class ConnectionGate;

class HttpServer {
public:
    // Counts its refusals into state (refused_in_flight, refused_connections).
    HttpServer(const config::ServerSettings &settings, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
               ServerState &state);
    ~HttpServer();

    void start();
    std::uint16_t port() const; // the bound port, also when 0 was asked for
    // Stops accepting connections; requests already in flight go on.
    void stop_accepting();

    std::int64_t open_connections() const;

private:
    Poco::AutoPtr<ConnectionGate> gate_;
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

} // namespace helix::http

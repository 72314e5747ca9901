#include "daemon/http/http_server.hpp"

#include "daemon/http/admission.hpp"
#include "daemon/http/client_socket.hpp"
#include "daemon/http/connection_gate.hpp"
#include "daemon/http/server_state.hpp"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>


namespace helix::http {

namespace {

Poco::Timespan to_timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

int to_int(std::size_t n) { return n > 1'000'000 ? 1'000'000 : static_cast<int>(n); }

} // namespace

HttpServer::HttpServer(const config::ServerSettings &settings, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                       ServerState &state) {
    const int threads = to_int(settings.max_connections);
    pool_ = std::make_unique<Poco::ThreadPool>(2, threads, 60, to_int(settings.thread_stack_bytes));

    gate_ = new ConnectionGate(settings.max_connections, state.refused_connections);

    ListeningSocket socket(settings.request_read_timeout);
    socket.bind(Poco::Net::SocketAddress(settings.listen_address, settings.port), true);
    socket.listen(to_int(settings.max_queued_connections));

    auto *params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    // The gate admits at most one connection per thread, so POCO's queue
    // only bridges a thread's start and must never drop an admitted one.
    params->setMaxQueued(threads);
    params->setTimeout(to_timespan(settings.read_timeout));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(to_timespan(settings.keep_alive_timeout));
    params->setMaxKeepAliveRequests(0); // unlimited
    params->setServerName("helixagentd");
    server_ = std::make_unique<Poco::Net::HTTPServer>(new AdmissionFactory(std::move(factory), settings), *pool_,
                                                      socket, params);
    server_->setConnectionFilter(gate_);
}

std::int64_t HttpServer::open_connections() const { return gate_->open_connections(); }

HttpServer::~HttpServer() {
    if (server_) server_->stopAll(true);
    if (pool_) pool_->joinAll();
}

void HttpServer::start() { server_->start(); }

std::uint16_t HttpServer::port() const { return server_->port(); }

void HttpServer::stop_accepting() { server_->stop(); }

} // namespace helix::http

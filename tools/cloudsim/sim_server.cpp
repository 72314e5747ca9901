#include "tools/cloudsim/sim_server.hpp"

#include "tools/cloudsim/control_api.hpp"
#include "tools/cloudsim/exchange.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <string>
#include <utility>

namespace helix::cloudsim {

namespace {

class SimRequestHandler final : public Poco::Net::HTTPRequestHandler {
public:
    SimRequestHandler(ProviderApi &api, ProviderContext &context) : api_(api), context_(context) {}

    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        Exchange exchange(request, response);
        if (exchange.path().starts_with(kControlPrefix)) {
            handle_control(exchange, context_, api_);
            return;
        }
        context_.stats().count_request(exchange.method() + " " + std::string(exchange.path()));
        try {
            api_.handle(exchange, context_);
        } catch (const ConnectionAborted &) {
            context_.stats().count_outcome("aborted");
            throw;
        }
        context_.stats().count_outcome(std::to_string(exchange.status()));
    }

private:
    ProviderApi &api_;
    ProviderContext &context_;
};

class SimHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    SimHandlerFactory(ProviderApi &api, ProviderContext &context) : api_(api), context_(context) {}

    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new SimRequestHandler(api_, context_);
    }

private:
    ProviderApi &api_;
    ProviderContext &context_;
};

} // namespace

class SimListener {
public:
    SimListener(std::unique_ptr<ProviderApi> api, const ServerSettings &settings, std::uint16_t port,
                Poco::ThreadPool &pool)
        : api_(std::move(api)), context_(std::string(api_->name()), settings.defaults) {
        Poco::Net::ServerSocket socket;
        socket.bind(Poco::Net::SocketAddress(settings.bind_address, port), true);
        socket.listen(settings.backlog);

        auto *params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(settings.max_connections);
        params->setMaxQueued(settings.backlog);
        params->setTimeout(Poco::Timespan(60, 0));           // reading a request
        params->setKeepAlive(true);
        params->setKeepAliveTimeout(Poco::Timespan(60, 0));  // idle keep-alive connections
        params->setMaxKeepAliveRequests(0);                  // unlimited
        params->setServerName("helix-cloudsim");
        params->setSoftwareVersion("");                      // no Server header
        server_ = std::make_unique<Poco::Net::HTTPServer>(new SimHandlerFactory(*api_, context_), pool, socket, params);
    }

    ~SimListener() {
        if (server_) server_->stopAll(true);
    }

    SimListener(const SimListener &) = delete;
    SimListener &operator=(const SimListener &) = delete;

    void start() { server_->start(); }
    void stop() { server_->stopAll(true); }
    std::uint16_t port() const { return server_->port(); }
    std::string_view name() const { return api_->name(); }

private:
    std::unique_ptr<ProviderApi> api_;
    ProviderContext context_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

SimServer::SimServer(ServerSettings settings) : settings_(std::move(settings)) {
    pool_ = std::make_unique<Poco::ThreadPool>(2, settings_.max_connections, 60,
                                               static_cast<int>(settings_.thread_stack_bytes));
}

SimServer::~SimServer() { stop(); }

void SimServer::add(std::unique_ptr<ProviderApi> api, std::uint16_t port) {
    listeners_.push_back(std::make_unique<SimListener>(std::move(api), settings_, port, *pool_));
}

void SimServer::start() {
    for (auto &l : listeners_) l->start();
}

std::string SimServer::ports_json() const {
    boost::json::object ports;
    for (const auto &l : listeners_) ports[l->name()] = l->port();
    return boost::json::serialize(ports);
}

void SimServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    request_stop();
    for (auto &l : listeners_) l->stop();
    pool_->joinAll();
    listeners_.clear();
}

} // namespace helix::cloudsim

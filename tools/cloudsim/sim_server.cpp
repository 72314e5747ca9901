#include "tools/cloudsim/sim_server.hpp"

#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/h2_connection.hpp"
#include "tools/cloudsim/serve_exchange.hpp"
#include "tools/cloudsim/stream_threads.hpp"
#include "tools/cloudsim/tls_listener.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace helix::cloudsim {

namespace {

class SimRequestHandler final : public Poco::Net::HTTPRequestHandler {
public:
    SimRequestHandler(ProviderApi &api, ProviderContext &context) : api_(api), context_(context) {}

    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        Exchange exchange(request, response);
        serve_exchange(exchange, api_, context_);
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

    // What POCO's HTTPServer::stopAll(true) does: the HTTP/1.1 connections
    // in flight shut their sockets.
    void abort_connections() { serverStopped(this, true); }

private:
    ProviderApi &api_;
    ProviderContext &context_;
};

enum class Protocol { none, http1, h2 };

// What a plain connection speaks: HTTP/2 when its first bytes are the
// HTTP/2 preface, else HTTP/1.1 (left unread for POCO); none when it closes
// or sends nothing within `timeout`.
Protocol sniff(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[kH2Preface.size()];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return Protocol::none;
        pollfd pfd{fd, POLLIN, 0};
        const int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (rc < 0 && errno != EINTR) return Protocol::none;
        if (rc <= 0) continue;
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_PEEK);
        if (n <= 0) return Protocol::none;
        const auto got = static_cast<std::size_t>(n);
        if (std::string_view(buf, got) != kH2Preface.substr(0, got)) return Protocol::http1;
        if (got == kH2Preface.size()) return Protocol::h2;
        std::this_thread::sleep_for(std::chrono::milliseconds(2)); // the rest of the preface is on its way
    }
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

struct ListenerShared {
    Poco::Net::HTTPServerParams::Ptr params;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory;
    const TlsListenerContext *tls = nullptr;
    H2Settings h2;
    H2StreamTarget target;
    H2Spawn spawn;
};

class SimConnection final : public Poco::Net::TCPServerConnection {
public:
    SimConnection(const Poco::Net::StreamSocket &socket, const ListenerShared &shared)
        : Poco::Net::TCPServerConnection(socket), shared_(shared) {}

    void run() override {
        Poco::Net::StreamSocket &s = socket();
        const int fd = s.impl()->sockfd();
        H2StreamTarget target = shared_.target;
        target.client = s.peerAddress();
        target.server = s.address();
        if (shared_.tls) {
            set_nonblocking(fd);
            const SslPtr ssl(shared_.tls->accept(fd, std::chrono::seconds(10)));
            if (!ssl) return;
            target.secure = true;
            run_h2_connection(fd, ssl.get(), shared_.h2, target, shared_.spawn);
            SSL_shutdown(ssl.get());
            return;
        }
        const auto timeout = std::chrono::milliseconds(shared_.params->getTimeout().totalMilliseconds());
        switch (sniff(fd, timeout)) {
        case Protocol::none: return;
        case Protocol::h2:
            set_nonblocking(fd);
            run_h2_connection(fd, nullptr, shared_.h2, target, shared_.spawn);
            return;
        case Protocol::http1: {
            Poco::Net::HTTPServerConnection connection(s, shared_.params, shared_.factory);
            connection.run();
            return;
        }
        }
    }

private:
    const ListenerShared &shared_;
};

class SimConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
    explicit SimConnectionFactory(const ListenerShared &shared) : shared_(shared) {}
    Poco::Net::TCPServerConnection *createConnection(const Poco::Net::StreamSocket &socket) override {
        return new SimConnection(socket, shared_);
    }

private:
    const ListenerShared &shared_;
};

} // namespace

class SimListener {
public:
    SimListener(std::unique_ptr<ProviderApi> api, const ServerSettings &settings, std::uint16_t port,
                Poco::ThreadPool &pool, StreamThreads &streams, const TlsListenerContext *tls)
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
        shared_.params = params;
        handlers_ = new SimHandlerFactory(*api_, context_);
        shared_.factory = handlers_;
        shared_.tls = tls;
        shared_.h2.max_concurrent_streams = settings.h2_max_streams;
        shared_.target.api = api_.get();
        shared_.target.context = &context_;
        shared_.target.params = shared_.params;
        shared_.spawn = [&streams](std::function<void()> work) { return streams.start(std::move(work)); };
        server_ = std::make_unique<Poco::Net::TCPServer>(new SimConnectionFactory(shared_), pool, socket, shared_.params);
    }

    ~SimListener() { stop(); }

    SimListener(const SimListener &) = delete;
    SimListener &operator=(const SimListener &) = delete;

    void start() { server_->start(); }
    // As POCO's HTTPServer::stopAll(true): no new connections, and the
    // HTTP/1.1 ones in flight are shut (HTTP/2 ones notice stop_requested()).
    void stop() {
        if (stopped_) return;
        stopped_ = true;
        server_->stop();
        handlers_->abort_connections();
    }
    std::uint16_t port() const { return server_->port(); }
    std::string_view name() const { return api_->name(); }

private:
    std::unique_ptr<ProviderApi> api_;
    ProviderContext context_;
    ListenerShared shared_;
    SimHandlerFactory *handlers_ = nullptr; // owned by shared_.factory
    std::unique_ptr<Poco::Net::TCPServer> server_;
    bool stopped_ = false;
};

SimServer::SimServer(ServerSettings settings) : settings_(std::move(settings)) {
    pool_ = std::make_unique<Poco::ThreadPool>(2, settings_.max_connections, 60,
                                               static_cast<int>(settings_.thread_stack_bytes));
    stream_threads_ = std::make_unique<StreamThreads>(static_cast<std::size_t>(settings_.max_connections),
                                                      settings_.thread_stack_bytes);
    if (!settings_.tls_cert.empty() || !settings_.tls_key.empty())
        tls_ = std::make_unique<TlsListenerContext>(settings_.tls_cert, settings_.tls_key);
}

SimServer::~SimServer() { stop(); }

void SimServer::add(std::unique_ptr<ProviderApi> api, std::uint16_t port) {
    listeners_.push_back(std::make_unique<SimListener>(std::move(api), settings_, port, *pool_, *stream_threads_, tls_.get()));
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
    pool_->joinAll();         // the connections, whose end ends their streams' waits
    stream_threads_->join_all();
    listeners_.clear();
}

} // namespace helix::cloudsim

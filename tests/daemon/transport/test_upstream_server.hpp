#pragma once
// A small HTTP(S) server for transport tests: counts connections and
// requests, streams a reply in timed pieces, and can drop keep-alive
// connections after each response.

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <mutex>
#include <string>
#include <chrono>
#include <thread>

namespace helix::test {

class TestUpstreamServer {
public:
    struct Options {
        bool keep_alive = true;
        std::chrono::milliseconds delay_before_reply{0};
        Poco::Net::Context::Ptr tls = nullptr; // null: plain HTTP
        std::chrono::milliseconds keep_alive_timeout{10'000};
    };

    explicit TestUpstreamServer(Options options)
        : options_(std::move(options)), socket_(make_socket(options_)),
          server_(new Factory(*this), socket_, params(options_)) {
        server_.start();
    }
    // Handlers may still be running (a delayed reply whose client gave up):
    // wait for them, since they use this object.
    ~TestUpstreamServer() {
        server_.stopAll(true);
        while (server_.currentThreads() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    std::uint16_t port() const { return socket_.address().port(); }
    int requests() const { return requests_.load(); }
    int connections() const { return server_.totalConnections(); }
    std::string last_uri() const {
        std::lock_guard lock(mutex_);
        return last_uri_;
    }

private:
    static Poco::Net::ServerSocket make_socket(const Options &o) {
        const Poco::Net::SocketAddress address("127.0.0.1", 0);
        if (o.tls) return Poco::Net::SecureServerSocket(address, 64, o.tls);
        return Poco::Net::ServerSocket(address);
    }
    static Poco::Net::HTTPServerParams::Ptr params(const Options &o) {
        auto *p = new Poco::Net::HTTPServerParams;
        p->setKeepAlive(o.keep_alive);
        p->setKeepAliveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(o.keep_alive_timeout.count()) * 1000));
        return p;
    }

    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(TestUpstreamServer &owner) : owner_(owner) {}
        void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
            ++owner_.requests_;
            {
                std::lock_guard lock(owner_.mutex_);
                owner_.last_uri_ = request.getURI();
            }
            std::string body;
            Poco::StreamCopier::copyToString(request.stream(), body);
            std::this_thread::sleep_for(owner_.options_.delay_before_reply);
            response.setKeepAlive(owner_.options_.keep_alive);
            response.setChunkedTransferEncoding(true);
            std::ostream &out = response.send();
            for (const char *part : {"one,", "two,", "three"}) {
                out << part;
                out.flush();
                std::this_thread::sleep_for(std::chrono::milliseconds(30));
            }
        }

    private:
        TestUpstreamServer &owner_;
    };
    class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(TestUpstreamServer &owner) : owner_(owner) {}
        Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
            return new Handler(owner_);
        }

    private:
        TestUpstreamServer &owner_;
    };

    Options options_;
    Poco::Net::ServerSocket socket_;
    Poco::Net::HTTPServer server_;
    std::atomic<int> requests_{0};
    mutable std::mutex mutex_;
    std::string last_uri_;
};

} // namespace helix::test

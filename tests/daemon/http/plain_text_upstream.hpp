#pragma once
// An upstream for the template's plain-text protocol, run inside the test:
// it streams "Hello", " from", " upstream" as separate HTTP chunks, and obeys
// directives in the prompt (FAIL429, FAIL500, SLOW, BREAK, LONG, FLOOD, HOLD).

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace helix::test {

class PlainTextUpstream {
public:
    PlainTextUpstream() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), server_(new Factory(*this), socket_, new Poco::Net::HTTPServerParams) {
        server_.start();
    }
    // Handlers may still be running (a delayed reply whose client gave up):
    // wait for them, since they use this object.
    ~PlainTextUpstream() {
        release_holds();
        server_.stopAll(true);
        while (server_.currentThreads() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::uint16_t port() const { return socket_.address().port(); }
    int requests() const { return requests_.load(); }
    // LONG streams: how many parts were written, and whether a write failed
    // (the gateway closed the connection).
    int long_parts_written() const { return long_parts_.load(); }
    bool long_stream_aborted() const { return long_aborted_.load(); }
    // HOLD streams send a part every 20 ms until this is called (or a
    // minute has passed), then "released." and the end.
    void release_holds() { released_ = true; }
    // FLOOD streams likewise.
    int flood_parts_written() const { return flood_parts_.load(); }
    bool flood_aborted() const { return flood_aborted_.load(); }

private:
    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(PlainTextUpstream &owner) : owner_(owner) {}
        void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
            ++owner_.requests_;
            std::string body;
            Poco::StreamCopier::copyToString(request.stream(), body);
            if (body.find("FAIL429") != std::string::npos) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
                response.set("Retry-After", "3");
                response.send() << "slow down";
                return;
            }
            if (body.find("FAIL500") != std::string::npos) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                response.send() << "boom";
                return;
            }
            if (body.find("SLOW") != std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            if (body.find("BREAK") != std::string::npos) { // two parts of a promised 100 bytes, then the connection drops
                response.setContentLength(100);
                std::ostream &out = response.send();
                out << "Hel";
                out.flush();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                out << "lo";
                out.flush();
                // Drop the connection without the closing chunk, as a crashed upstream would.
                auto &impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl &>(request);
                impl.socket().shutdown();
                impl.socket().close();
                throw std::runtime_error("upstream breaks mid-stream (test)");
            }
            if (body.find("HOLD") != std::string::npos) {
                response.setChunkedTransferEncoding(true);
                response.setContentType("text/plain");
                std::ostream &out = response.send();
                for (int i = 0; !owner_.released_ && i < 3000; ++i) {
                    out << "held " << i << ". ";
                    out.flush();
                    if (!out) return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
                out << "released.";
                return;
            }
            if (body.find("FLOOD") != std::string::npos) { // 4 KiB parts as fast as they are taken, up to 256 MiB
                response.setChunkedTransferEncoding(true);
                response.setContentType("text/plain");
                std::ostream &out = response.send();
                const std::string part(4096, 'f');
                for (int i = 0; i < 65536; ++i) {
                    out << part;
                    out.flush();
                    if (!out) {
                        owner_.flood_aborted_ = true;
                        return;
                    }
                    ++owner_.flood_parts_;
                }
                return;
            }
            if (body.find("LONG") != std::string::npos) {
                response.setChunkedTransferEncoding(true);
                response.setContentType("text/plain");
                std::ostream &out = response.send();
                for (int i = 0; i < 200; ++i) {
                    out << "part " << i << ". ";
                    out.flush();
                    if (!out) {
                        owner_.long_aborted_ = true;
                        return;
                    }
                    ++owner_.long_parts_;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
                return;
            }
            response.setChunkedTransferEncoding(true);
            response.setContentType("text/plain");
            std::ostream &out = response.send();
            for (const char *part : {"Hello", " from", " upstream"}) {
                out << part;
                out.flush();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }

    private:
        PlainTextUpstream &owner_;
    };
    class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(PlainTextUpstream &owner) : owner_(owner) {}
        Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
            return new Handler(owner_);
        }

    private:
        PlainTextUpstream &owner_;
    };

    Poco::Net::ServerSocket socket_;
    Poco::Net::HTTPServer server_;
    std::atomic<int> requests_{0};
    std::atomic<int> long_parts_{0};
    std::atomic<bool> released_{false};
    std::atomic<bool> long_aborted_{false};
    std::atomic<int> flood_parts_{0};
    std::atomic<bool> flood_aborted_{false};
};

} // namespace helix::test

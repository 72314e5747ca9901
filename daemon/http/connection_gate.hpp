#pragma once
// Admits a new connection while fewer than max_connections are open (each
// then has a pool thread of its own); beyond that it answers 503 with
// Retry-After from the accepting thread at once, instead of letting the
// connection wait in POCO's queue until some thread is free. The refused
// socket is closed gracefully on a thread of the gate's own (its request is
// read and dropped for a moment), so that the client reads the 503 rather
// than a reset.

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace helix::http {

class ConnectionGate final : public Poco::Net::TCPServerConnectionFilter {
public:
    // `refused` counts the connections answered 503 (it outlives the gate).
    ConnectionGate(std::size_t max_connections, std::atomic<std::uint64_t> &refused);

    bool accept(const Poco::Net::StreamSocket &socket) override;

    std::int64_t open_connections() const { return open_->load(); }
    std::uint64_t refused_connections() const { return refused_.load(); }

protected:
    ~ConnectionGate() override;

private:
    void refuse(Poco::Net::StreamSocket socket);
    void close_gracefully(); // the lingering thread

    struct Lingering {
        Poco::Net::StreamSocket socket;
        std::chrono::steady_clock::time_point until;
    };

    const std::int64_t max_connections_;
    const std::string refusal_; // the whole HTTP reply
    std::shared_ptr<std::atomic<std::int64_t>> open_ = std::make_shared<std::atomic<std::int64_t>>(0);
    std::atomic<std::uint64_t> &refused_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Lingering> lingering_;
    bool stopping_ = false;
    std::thread closer_;
};

} // namespace helix::http

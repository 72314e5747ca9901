#include "daemon/http/connection_gate.hpp"

#include "daemon/api/error_body.hpp"
#include "daemon/api/errors.hpp"
#include "daemon/http/client_socket.hpp"

#include <Poco/Exception.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace helix::http {

namespace {

// How long a refused client may take to send its request (read and dropped)
// before the socket is closed anyway, and how many such sockets are kept.
constexpr std::chrono::seconds kLinger{2};
constexpr std::size_t kMaxLingering = 1024;

std::string refusal_reply(std::size_t max_connections) {
    const std::string body = api::error_body(api::overloaded("connections", "server.max_connections", max_connections));
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

ConnectionGate::ConnectionGate(std::size_t max_connections, std::atomic<std::uint64_t> &refused)
    : max_connections_(static_cast<std::int64_t>(max_connections)), refusal_(refusal_reply(max_connections)),
      refused_(refused), closer_([this] { close_gracefully(); }) {}

ConnectionGate::~ConnectionGate() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    closer_.join();
}

bool ConnectionGate::accept(const Poco::Net::StreamSocket &socket) {
    auto *client = dynamic_cast<ClientSocketImpl *>(socket.impl());
    if (client == nullptr) return true; // not from ListeningSocket: not counted
    // Only this (the accepting) thread adds to open_, so the check holds.
    if (open_->load() < max_connections_) {
        client->count_in(open_);
        return true;
    }
    refuse(socket);
    return false;
}

void ConnectionGate::refuse(Poco::Net::StreamSocket socket) {
    refused_.fetch_add(1);
    try {
        // A new connection's send buffer is empty: this never blocks.
        socket.sendBytes(refusal_.data(), static_cast<int>(refusal_.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        socket.shutdownSend();
    } catch (const Poco::Exception &) {
        return; // the client is gone already
    }
    std::lock_guard lock(mutex_);
    if (stopping_ || lingering_.size() >= kMaxLingering) return; // closed at once
    lingering_.push_back({std::move(socket), std::chrono::steady_clock::now() + kLinger});
    wake_.notify_one();
}

void ConnectionGate::close_gracefully() {
    std::vector<pollfd> polled;
    std::array<char, 4096> scratch{};
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !lingering_.empty(); });
        if (stopping_) {
            lingering_.clear();
            return;
        }
        polled.clear();
        for (const auto &l : lingering_) polled.push_back({l.socket.impl()->sockfd(), POLLIN, 0});
        lock.unlock();
        ::poll(polled.data(), polled.size(), 100);
        lock.lock();
        // Only this thread removes entries, so polled[i] is still lingering_[i].
        const auto now = std::chrono::steady_clock::now();
        std::vector<bool> done(polled.size(), false);
        for (std::size_t i = 0; i < polled.size(); ++i) {
            if (now >= lingering_[i].until) {
                done[i] = true;
            } else if (polled[i].revents != 0) {
                const auto n = ::recv(polled[i].fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
                done[i] = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR); // the client closed
            }
        }
        std::size_t i = 0;
        std::erase_if(lingering_, [&](const Lingering &) { return i < done.size() && done[i++]; });
    }
}

} // namespace helix::http

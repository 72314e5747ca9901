#include "daemon/http/client_socket.hpp"

#include "daemon/api/error_body.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SocketAddress.h>

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace helix::http {

namespace {

class AcceptingSocketImpl final : public Poco::Net::ServerSocketImpl {
public:
    explicit AcceptingSocketImpl(std::chrono::milliseconds request_read_timeout)
        : request_read_timeout_(request_read_timeout) {}

    Poco::Net::SocketImpl *acceptConnection(Poco::Net::SocketAddress &client) override {
        sockaddr_storage address{};
        auto *sa = reinterpret_cast<sockaddr *>(&address);
        socklen_t length = sizeof address;
        int fd = -1;
        do {
            fd = ::accept4(sockfd(), sa, &length, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) error();
        client = Poco::Net::SocketAddress(sa, length);
        return new ClientSocketImpl(fd, request_read_timeout_);
    }

private:
    ~AcceptingSocketImpl() override = default;
    std::chrono::milliseconds request_read_timeout_;
};

std::string request_timeout_reply(std::chrono::milliseconds limit) {
    api::ApiError e;
    e.status = 408;
    e.type = "invalid_request_error";
    e.code = "request_timeout";
    e.message = "The request was not received within " + std::to_string(limit.count()) +
                " ms of its first byte (server.request_read_timeout).";
    const std::string body = api::error_body(e);
    return "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

ClientSocketImpl::ClientSocketImpl(poco_socket_t fd, std::chrono::milliseconds request_read_timeout)
    : Poco::Net::StreamSocketImpl(fd), request_read_timeout_(request_read_timeout) {}

ClientSocketImpl::~ClientSocketImpl() {
    if (open_) open_->fetch_sub(1);
}

ClientSocketImpl *ClientSocketImpl::of(Poco::Net::HTTPServerRequest &request) {
    auto *impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl *>(&request);
    return impl != nullptr ? dynamic_cast<ClientSocketImpl *>(impl->socket().impl()) : nullptr;
}

void ClientSocketImpl::count_in(std::shared_ptr<std::atomic<std::int64_t>> open) {
    open->fetch_add(1);
    open_ = std::move(open);
}

void ClientSocketImpl::setReceiveTimeout(const Poco::Timespan &timeout) {
    Poco::Net::StreamSocketImpl::setReceiveTimeout(timeout);
    read_timeout_ = std::chrono::microseconds(timeout.totalMicroseconds());
}

int ClientSocketImpl::receiveBytes(void *buffer, int length, int flags) {
    const auto now = std::chrono::steady_clock::now();
    if (!deadline_) deadline_ = now + request_read_timeout_;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - now);
    if (left.count() <= 0) request_timed_out();
    // Only a deadline nearer than the per-read timeout needs a wait of its own.
    if (read_timeout_.count() == 0 || left < read_timeout_) {
        pollfd p{sockfd(), POLLIN, 0};
        int ready = 0;
        do {
            ready = ::poll(&p, 1, static_cast<int>(left.count()));
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) request_timed_out();
    }
    return Poco::Net::StreamSocketImpl::receiveBytes(buffer, length, flags);
}

void ClientSocketImpl::request_timed_out() {
    if (!head_received_) {
        const std::string reply = request_timeout_reply(request_read_timeout_);
        // Best effort and never blocking: the client may not be reading either.
        [[maybe_unused]] const auto sent = ::send(sockfd(), reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    throw Poco::TimeoutException("request not received within server.request_read_timeout");
}

ListeningSocket::ListeningSocket(std::chrono::milliseconds request_read_timeout)
    : Poco::Net::ServerSocket(new AcceptingSocketImpl(request_read_timeout), true) {}

} // namespace helix::http

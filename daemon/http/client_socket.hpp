#pragma once
// The inbound server's sockets. POCO's read_timeout bounds each read, so a
// client that sends one byte just inside it (slowloris) could hold its
// connection forever; a client connection's socket here also bounds the
// whole request: its line, headers and body must arrive within
// request_read_timeout of its first byte. Everything but accepting runs on
// the connection's own thread, so none of this is shared.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/ServerSocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

namespace Poco::Net { class HTTPServerRequest; }

namespace helix::http {

class ClientSocketImpl final : public Poco::Net::StreamSocketImpl {
public:
    ClientSocketImpl(poco_socket_t fd, std::chrono::milliseconds request_read_timeout);

    // The socket under a request served by HttpServer; nullptr for any other.
    static ClientSocketImpl *of(Poco::Net::HTTPServerRequest &request);

    // The head has been parsed: a timeout from now on is the body's, which
    // its reader answers (408).
    void head_received() noexcept { head_received_ = true; }
    // The reply has been sent: the next request gets its own time.
    void request_done() noexcept {
        deadline_.reset();
        head_received_ = false;
    }
    // Counted in `open` until destroyed (ConnectionGate's admitted connections).
    void count_in(std::shared_ptr<std::atomic<std::int64_t>> open);

    using Poco::Net::StreamSocketImpl::receiveBytes;
    int receiveBytes(void *buffer, int length, int flags) override;
    void setReceiveTimeout(const Poco::Timespan &timeout) override;

protected:
    ~ClientSocketImpl() override;

private:
    // Past the deadline: a request whose head never completed is told 408
    // here (nobody else can), then the read fails like a timed-out read.
    [[noreturn]] void request_timed_out();

    std::chrono::milliseconds request_read_timeout_;
    std::chrono::microseconds read_timeout_{0}; // per read (SO_RCVTIMEO); 0: none
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    bool head_received_ = false;
    std::shared_ptr<std::atomic<std::int64_t>> open_;
};

// A listening socket whose accepted connections are ClientSocketImpls.
class ListeningSocket final : public Poco::Net::ServerSocket {
public:
    explicit ListeningSocket(std::chrono::milliseconds request_read_timeout);
};

} // namespace helix::http

#pragma once
// A loopback server for transport tests that speaks raw bytes: each
// connection runs a test's handler on a thread of its own, over plain TCP or
// TLS, so a test can answer in any shape (a 529, a body cut short, one byte
// at a time, a proxy's CONNECT). Closing the server unblocks every handler.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <istream>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace helix::test {

class ScriptedConnection {
public:
    ScriptedConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context *tls)
        : socket_(std::move(socket)) {
        if (tls != nullptr) {
            tls_ = std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket &>>(socket_, *tls);
            tls_->handshake(boost::asio::ssl::stream_base::server); // throws when the client refuses
        }
    }

    // The next request's head (request line and headers); its body, by
    // Content-Length, is read and dropped. Empty once the client closed.
    std::string read_request() {
        boost::system::error_code ec;
        const std::size_t n = tls_ ? boost::asio::read_until(*tls_, in_, "\r\n\r\n", ec)
                                   : boost::asio::read_until(socket_, in_, "\r\n\r\n", ec);
        if (ec) return {};
        std::string head(boost::asio::buffers_begin(in_.data()), boost::asio::buffers_begin(in_.data()) + static_cast<std::ptrdiff_t>(n));
        in_.consume(n);
        std::size_t length = 0;
        if (const auto at = lower(head).find("content-length:"); at != std::string::npos)
            length = std::stoul(head.substr(at + 15));
        while (in_.size() < length) {
            const auto got = tls_ ? tls_->read_some(in_.prepare(length - in_.size()), ec)
                                  : socket_.read_some(in_.prepare(length - in_.size()), ec);
            if (ec) return {};
            in_.commit(got);
        }
        in_.consume(length);
        return head;
    }
    // Bytes already read past the last request (a tunnel's first bytes).
    std::string take_buffered() {
        std::string rest(boost::asio::buffers_begin(in_.data()), boost::asio::buffers_end(in_.data()));
        in_.consume(in_.size());
        return rest;
    }
    bool write(const std::string &data) {
        boost::system::error_code ec;
        if (tls_)
            boost::asio::write(*tls_, boost::asio::buffer(data), ec);
        else
            boost::asio::write(socket_, boost::asio::buffer(data), ec);
        return !ec;
    }
    boost::asio::ip::tcp::socket &socket() { return socket_; }

    static std::string lower(std::string s) {
        for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

private:
    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket &>> tls_;
    boost::asio::streambuf in_;
};

class ScriptedServer {
public:
    using Handler = std::function<void(ScriptedConnection &)>;

    explicit ScriptedServer(Handler handler, std::shared_ptr<boost::asio::ssl::context> tls = nullptr)
        : handler_(std::move(handler)), tls_(std::move(tls)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        accepting_ = std::thread([this] { accept_loop(); });
    }
    ~ScriptedServer() {
        stopping_ = true;
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        accepting_.join();
        {
            std::lock_guard lock(mutex_);
            for (const int fd : open_) ::shutdown(fd, SHUT_RDWR); // unblocks their handlers
        }
        for (auto &t : handlers_) t.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int connections() const { return connections_.load(); }
    bool stopping() const { return stopping_.load(); }

private:
    void accept_loop() {
        while (!stopping_) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket socket(io_);
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            ++connections_;
            std::lock_guard lock(mutex_);
            open_.push_back(socket.native_handle());
            handlers_.emplace_back([this, s = std::move(socket)]() mutable {
                const int fd = s.native_handle();
                try {
                    ScriptedConnection connection(std::move(s), tls_.get());
                    handler_(connection);
                } catch (const std::exception &) {
                    // a refused handshake, a closed client: the test looks at the client's side
                }
                std::lock_guard done(mutex_);
                open_.remove(fd);
            });
        }
    }

    Handler handler_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::mutex mutex_;
    std::list<int> open_;
    std::list<std::thread> handlers_;
    std::thread accepting_;
};

} // namespace helix::test

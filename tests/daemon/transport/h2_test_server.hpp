#pragma once
// An in-process HTTP/2 (h2c, prior knowledge) server on nghttp2 for the
// transport tests: each connection on a thread of its own, answering every
// stream with 200 and `body` (or the request's body echoed) after `delay`,
// and misbehaving on demand: a lower SETTINGS_MAX_CONCURRENT_STREAMS,
// RST_STREAM instead of an answer, GOAWAY before any stream is processed on
// the first connection, or silence (no PING answer) to look dead.

#include <boost/asio/ip/tcp.hpp>

#include <nghttp2/nghttp2.h>

#include <poll.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace helix::test {

class H2TestServer {
public:
    struct Options {
        std::uint32_t max_concurrent_streams = 100;
        std::chrono::milliseconds delay{0};
        std::string body = "hello over h2";
        bool echo = false;         // answer with the request body instead
        bool reset_streams = false; // RST_STREAM(INTERNAL_ERROR) instead of any answer
        bool goaway_first = false;  // the first connection says GOAWAY(last 0) at once
        bool silent = false;        // reads but never writes (a dead peer)
    };

    explicit H2TestServer(Options options) : options_(std::move(options)) {
        acceptor_.open(boost::asio::ip::tcp::v4());
        acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
        acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~H2TestServer() {
        stopping_ = true;
        boost::system::error_code ec;
        { // a blocking accept() does not end when its socket is closed: wake it with a connection
            boost::asio::ip::tcp::socket waker(io_);
            waker.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
        }
        // Closed only once the accepting thread is gone: closing under a
        // running accept() is a data race on the acceptor (TSan reports it).
        accept_thread_.join();
        acceptor_.close(ec);
        std::lock_guard lock(mutex_);
        for (auto &t : threads_) t.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int connections() const { return connections_.load(); }
    int streams() const { return streams_.load(); }
    int most_concurrent() const { return most_concurrent_.load(); }
    std::string last_path() const {
        std::lock_guard lock(mutex_);
        return last_path_;
    }

private:
    struct Stream {
        std::string path;
        std::string request_body;
        std::string response;
        std::size_t sent = 0;
        bool ready = false;
        bool answered = false;
        std::chrono::steady_clock::time_point at;
    };
    struct Session {
        H2TestServer *server;
        std::map<std::int32_t, Stream> streams;
        int open = 0;
    };

    void accept_loop() {
        for (;;) {
            boost::asio::ip::tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            const int n = ++connections_;
            std::lock_guard lock(mutex_);
            threads_.emplace_back([this, s = std::move(socket), n]() mutable { serve(std::move(s), n == 1); });
        }
    }

    static int on_begin_headers(nghttp2_session *, const nghttp2_frame *frame, void *user) {
        auto &session = *static_cast<Session *>(user);
        if (frame->hd.type == NGHTTP2_HEADERS) {
            session.streams[frame->hd.stream_id];
            ++session.server->streams_;
            ++session.open;
            int seen = session.server->most_concurrent_.load();
            while (session.open > seen && !session.server->most_concurrent_.compare_exchange_weak(seen, session.open)) {}
        }
        return 0;
    }
    static int on_header(nghttp2_session *, const nghttp2_frame *frame, const std::uint8_t *name, std::size_t namelen,
                         const std::uint8_t *value, std::size_t valuelen, std::uint8_t, void *user) {
        auto &session = *static_cast<Session *>(user);
        if (std::string_view(reinterpret_cast<const char *>(name), namelen) == ":path") {
            session.streams[frame->hd.stream_id].path.assign(reinterpret_cast<const char *>(value), valuelen);
            std::lock_guard lock(session.server->mutex_);
            session.server->last_path_ = session.streams[frame->hd.stream_id].path;
        }
        return 0;
    }
    static int on_data(nghttp2_session *, std::uint8_t, std::int32_t id, const std::uint8_t *data, std::size_t len,
                       void *user) {
        auto &session = *static_cast<Session *>(user);
        session.streams[id].request_body.append(reinterpret_cast<const char *>(data), len);
        return 0;
    }
    static int on_frame(nghttp2_session *, const nghttp2_frame *frame, void *user) {
        auto &session = *static_cast<Session *>(user);
        if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
            auto &stream = session.streams[frame->hd.stream_id];
            stream.ready = true;
            stream.at = std::chrono::steady_clock::now() + session.server->options_.delay;
        }
        return 0;
    }
    static int on_close(nghttp2_session *, std::int32_t id, std::uint32_t, void *user) {
        auto &session = *static_cast<Session *>(user);
        session.streams.erase(id);
        --session.open;
        return 0;
    }
    static ssize_t read_response(nghttp2_session *, std::int32_t, std::uint8_t *buf, std::size_t length,
                                 std::uint32_t *flags, nghttp2_data_source *source, void *) {
        auto &stream = *static_cast<Stream *>(source->ptr);
        const std::size_t n = std::min(length, stream.response.size() - stream.sent);
        std::memcpy(buf, stream.response.data() + stream.sent, n);
        stream.sent += n;
        if (stream.sent == stream.response.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
    }

    void serve(boost::asio::ip::tcp::socket socket, bool first) {
        Session state{this, {}, 0};
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
        nghttp2_session *session = nullptr;
        nghttp2_session_server_new(&session, callbacks, &state);
        nghttp2_session_callbacks_del(callbacks);
        const nghttp2_settings_entry settings{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams};
        nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, &settings, 1);
        if (first && options_.goaway_first) nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr, 0);
        std::array<std::uint8_t, 16384> buffer{};
        const int fd = socket.native_handle();
        while (!stopping_) {
            pollfd pfd{fd, POLLIN, 0};
            const int rc = ::poll(&pfd, 1, 5);
            if (rc > 0) {
                boost::system::error_code ec;
                const std::size_t n = socket.read_some(boost::asio::buffer(buffer), ec);
                if (ec) break;
                if (nghttp2_session_mem_recv(session, buffer.data(), n) < 0) break;
            }
            if (options_.silent) continue;
            const auto now = std::chrono::steady_clock::now();
            for (auto &[id, stream] : state.streams) {
                if (!stream.ready || stream.answered || now < stream.at) continue;
                stream.answered = true;
                if (options_.reset_streams) {
                    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
                    continue;
                }
                stream.response = options_.echo ? stream.request_body : options_.body;
                static const std::string status = ":status", ok = "200", type = "content-type", text = "text/plain";
                const std::array<nghttp2_nv, 2> head{{
                    {reinterpret_cast<std::uint8_t *>(const_cast<char *>(status.data())),
                     reinterpret_cast<std::uint8_t *>(const_cast<char *>(ok.data())), status.size(), ok.size(), 0},
                    {reinterpret_cast<std::uint8_t *>(const_cast<char *>(type.data())),
                     reinterpret_cast<std::uint8_t *>(const_cast<char *>(text.data())), type.size(), text.size(), 0},
                }};
                nghttp2_data_provider provider{};
                provider.source.ptr = &stream;
                provider.read_callback = read_response;
                nghttp2_submit_response(session, id, head.data(), head.size(), &provider);
            }
            bool failed = false;
            for (;;) {
                const std::uint8_t *data = nullptr;
                const ssize_t n = nghttp2_session_mem_send(session, &data);
                if (n <= 0) break;
                boost::system::error_code ec;
                boost::asio::write(socket, boost::asio::buffer(data, static_cast<std::size_t>(n)), ec);
                if (ec) {
                    failed = true;
                    break;
                }
            }
            if (failed || (nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0)) break;
        }
        nghttp2_session_del(session);
        linger(socket);
    }

    // Closes as servers do after a GOAWAY: stop sending, then read what the
    // client still sends for a moment. A close with unread bytes would reset
    // the connection, and the client's kernel would drop the GOAWAY unread.
    void linger(boost::asio::ip::tcp::socket &socket) {
        boost::system::error_code ec;
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        std::array<std::uint8_t, 4096> buffer{};
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (!ec && !stopping_ && std::chrono::steady_clock::now() < until) {
            pollfd pfd{socket.native_handle(), POLLIN, 0};
            if (::poll(&pfd, 1, 20) > 0) socket.read_some(boost::asio::buffer(buffer), ec);
        }
    }

    Options options_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_{io_};
    std::thread accept_thread_;
    mutable std::mutex mutex_;
    std::list<std::thread> threads_;
    std::string last_path_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> streams_{0};
    std::atomic<int> most_concurrent_{0};
};

} // namespace helix::test

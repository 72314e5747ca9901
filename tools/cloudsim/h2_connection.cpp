#include "tools/cloudsim/h2_connection.hpp"

#include <nghttp2/nghttp2.h>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace helix::cloudsim {

namespace {

constexpr std::chrono::seconds kIdleTimeout{60};             // as the HTTP/1.1 keep-alive timeout
constexpr std::size_t kMaxRequestBody = 64 * 1024 * 1024;    // above every module's own limit
constexpr int kPollMs = 250;                                  // how soon a stop is noticed

class Connection {
public:
    Connection(int fd, SSL *ssl, const H2Settings &settings, const H2StreamTarget &target, const H2Spawn &spawn)
        : fd_(fd), ssl_(ssl), settings_(settings), target_(target), spawn_(spawn),
          waker_(std::make_shared<H2Waker>()) {
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Connection::on_begin_headers);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, &Connection::on_header);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Connection::on_data);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Connection::on_frame);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Connection::on_close);
        nghttp2_session_server_new(&session_, callbacks, this);
        nghttp2_session_callbacks_del(callbacks);
    }

    ~Connection() {
        for (auto &[id, stream] : streams_) stream->closed();
        nghttp2_session_del(session_);
    }

    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    void run() {
        const nghttp2_settings_entry entries[] = {
            {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings_.max_concurrent_streams},
        };
        nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, entries, std::size(entries));
        auto last_activity = std::chrono::steady_clock::now();
        bool terminating = false;
        for (;;) {
            if (!flush()) return;
            if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0 &&
                out_at_ == out_.size())
                return;
            if (!terminating && (stop_requested() ||
                                 (streams_.empty() && std::chrono::steady_clock::now() - last_activity > kIdleTimeout))) {
                terminating = true;
                nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
                continue;
            }
            pollfd fds[2]{};
            fds[0].fd = fd_;
            fds[0].events = static_cast<short>(POLLIN | (out_at_ < out_.size() || tls_wants_write_ ? POLLOUT : 0));
            fds[1].fd = waker_->fd();
            fds[1].events = POLLIN;
            const bool buffered = ssl_ && SSL_pending(ssl_) > 0;
            const int rc = ::poll(fds, 2, buffered ? 0 : kPollMs);
            if (rc < 0 && errno != EINTR) return;
            if ((fds[1].revents & POLLIN) != 0) process(waker_->take());
            if (buffered || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 ||
                (tls_wants_write_ && (fds[0].revents & POLLOUT) != 0)) {
                if (!receive()) {
                    flush();
                    return;
                }
                last_activity = std::chrono::steady_clock::now();
            }
            if (terminating && stop_requested() && out_at_ == out_.size() && nghttp2_session_want_write(session_) == 0)
                return;
        }
    }

private:
    // > 0 bytes, 0 end of stream, -1 would block, -2 error.
    long read_some(std::uint8_t *buf, std::size_t size) {
        if (ssl_) {
            tls_wants_write_ = false;
            const int n = SSL_read(ssl_, buf, static_cast<int>(size));
            if (n > 0) return n;
            switch (SSL_get_error(ssl_, n)) {
            case SSL_ERROR_WANT_READ: return -1;
            case SSL_ERROR_WANT_WRITE: tls_wants_write_ = true; return -1;
            case SSL_ERROR_ZERO_RETURN: return 0;
            default: return -2;
            }
        }
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, size, 0);
            if (n >= 0) return static_cast<long>(n);
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
        }
    }

    long write_some(const char *data, std::size_t size) {
        if (ssl_) {
            const int n = SSL_write(ssl_, data, static_cast<int>(size));
            if (n > 0) return n;
            const int e = SSL_get_error(ssl_, n);
            return e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? -1 : -2;
        }
        for (;;) {
            const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
            if (n >= 0) return static_cast<long>(n);
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
        }
    }

    // Reads what the socket has and feeds it to the session; false when the
    // connection is over.
    bool receive() {
        std::uint8_t buf[16 * 1024];
        for (;;) {
            const long n = read_some(buf, sizeof buf);
            if (n == -1) return true;
            if (n <= 0) return false;
            if (nghttp2_session_mem_recv(session_, buf, static_cast<std::size_t>(n)) < 0) return false;
        }
    }

    // Writes the session's frames until done or the socket is full; false on an error.
    bool flush() {
        for (;;) {
            while (out_at_ < out_.size()) {
                const long n = write_some(out_.data() + out_at_, out_.size() - out_at_);
                if (n == -1) return true;
                if (n < 0) return false;
                out_at_ += static_cast<std::size_t>(n);
            }
            out_.clear();
            out_at_ = 0;
            const std::uint8_t *data = nullptr;
            const ssize_t n = nghttp2_session_mem_send(session_, &data);
            if (n < 0) return false;
            if (n == 0) return true;
            out_.assign(reinterpret_cast<const char *>(data), static_cast<std::size_t>(n));
        }
    }

    void process(const std::vector<std::shared_ptr<H2Stream>> &dirty) {
        for (const auto &stream : dirty) {
            if (!streams_.contains(stream->id())) continue;
            H2Stream::Pending p = stream->take_pending();
            if (p.reset) {
                nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream->id(), NGHTTP2_INTERNAL_ERROR);
                continue;
            }
            if (p.head) {
                const std::string status = std::to_string(p.head->first);
                std::vector<nghttp2_nv> nva;
                nva.reserve(p.head->second.size() + 1);
                nva.push_back(nv(":status", status));
                for (const auto &[name, value] : p.head->second) nva.push_back(nv(name, value));
                nghttp2_data_provider provider{};
                provider.source.ptr = stream.get();
                provider.read_callback = &Connection::read_body;
                nghttp2_submit_response(session_, stream->id(), nva.data(), nva.size(), &provider);
            } else if (p.resume) {
                nghttp2_session_resume_data(session_, stream->id());
            }
        }
    }

    static nghttp2_nv nv(std::string_view name, std::string_view value) {
        return {reinterpret_cast<std::uint8_t *>(const_cast<char *>(name.data())),
                reinterpret_cast<std::uint8_t *>(const_cast<char *>(value.data())), name.size(), value.size(),
                NGHTTP2_NV_FLAG_NONE};
    }

    H2Stream *find(std::int32_t id) {
        const auto it = streams_.find(id);
        return it == streams_.end() ? nullptr : it->second.get();
    }

    void dispatch(std::int32_t id) {
        const auto it = streams_.find(id);
        if (it == streams_.end() || dispatched_.contains(id)) return;
        dispatched_.insert(id);
        std::shared_ptr<H2Stream> stream = it->second;
        const H2StreamTarget target = target_;
        const bool started = spawn_([stream, target] { serve_h2_stream(stream, target); });
        if (!started) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
    }

    static int on_begin_headers(nghttp2_session *, const nghttp2_frame *frame, void *user) {
        auto *self = static_cast<Connection *>(user);
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
        self->streams_.emplace(frame->hd.stream_id, std::make_shared<H2Stream>(frame->hd.stream_id, self->waker_));
        return 0;
    }

    static int on_header(nghttp2_session *, const nghttp2_frame *frame, const std::uint8_t *name, std::size_t namelen,
                         const std::uint8_t *value, std::size_t valuelen, std::uint8_t, void *user) {
        auto *self = static_cast<Connection *>(user);
        H2Stream *stream = self->find(frame->hd.stream_id);
        if (!stream || frame->hd.type != NGHTTP2_HEADERS) return 0;
        const std::string_view n(reinterpret_cast<const char *>(name), namelen);
        std::string v(reinterpret_cast<const char *>(value), valuelen);
        if (n == ":method") stream->method = std::move(v);
        else if (n == ":path") stream->path = std::move(v);
        else if (n == ":authority") stream->authority = std::move(v);
        else if (n == ":scheme") stream->scheme = std::move(v);
        else if (!n.starts_with(':')) stream->headers.emplace_back(std::string(n), std::move(v));
        return 0;
    }

    static int on_data(nghttp2_session *session, std::uint8_t, std::int32_t id, const std::uint8_t *data,
                       std::size_t len, void *user) {
        auto *self = static_cast<Connection *>(user);
        H2Stream *stream = self->find(id);
        if (!stream) return 0;
        if (stream->body.size() + len > kMaxRequestBody) {
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
            return 0;
        }
        stream->body.append(reinterpret_cast<const char *>(data), len);
        return 0;
    }

    static int on_frame(nghttp2_session *, const nghttp2_frame *frame, void *user) {
        auto *self = static_cast<Connection *>(user);
        if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0)
            self->dispatch(frame->hd.stream_id);
        return 0;
    }

    static int on_close(nghttp2_session *, std::int32_t id, std::uint32_t, void *user) {
        auto *self = static_cast<Connection *>(user);
        const auto it = self->streams_.find(id);
        if (it == self->streams_.end()) return 0;
        it->second->closed();
        self->streams_.erase(it);
        self->dispatched_.erase(id);
        return 0;
    }

    static ssize_t read_body(nghttp2_session *, std::int32_t, std::uint8_t *buf, std::size_t length,
                             std::uint32_t *flags, nghttp2_data_source *source, void *) {
        auto *stream = static_cast<H2Stream *>(source->ptr);
        std::size_t taken = 0;
        switch (stream->read_body(buf, length, taken)) {
        case H2Stream::Body::defer: return NGHTTP2_ERR_DEFERRED;
        case H2Stream::Body::reset: return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // RST_STREAM(INTERNAL_ERROR)
        case H2Stream::Body::end: *flags |= NGHTTP2_DATA_FLAG_EOF; break;
        case H2Stream::Body::bytes: break;
        }
        return static_cast<ssize_t>(taken);
    }

    int fd_;
    SSL *ssl_;
    const H2Settings &settings_;
    const H2StreamTarget &target_;
    const H2Spawn &spawn_;
    std::shared_ptr<H2Waker> waker_;
    nghttp2_session *session_ = nullptr;
    std::map<std::int32_t, std::shared_ptr<H2Stream>> streams_;
    std::set<std::int32_t> dispatched_;
    std::string out_;
    std::size_t out_at_ = 0;
    bool tls_wants_write_ = false;
};

} // namespace

void run_h2_connection(int fd, SSL *ssl, const H2Settings &settings, const H2StreamTarget &target,
                       const H2Spawn &spawn) {
    Connection(fd, ssl, settings, target, spawn).run();
}

} // namespace helix::cloudsim

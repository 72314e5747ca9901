#include "daemon/transport/http2_connection.hpp"

#include "daemon/transport/await_helpers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <vector>

namespace helix::transport {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kWriteBatch = 64 * 1024;

// Headers that belong to one HTTP/1.1 connection and are not sent over HTTP/2 (RFC 9113, 8.2.2).
bool connection_specific(const std::string &lower) {
    return lower == "connection" || lower == "keep-alive" || lower == "proxy-connection" ||
           lower == "transfer-encoding" || lower == "upgrade" || lower == "host" || lower == "te";
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

nghttp2_nv field(const std::string &name, const std::string &value) {
    return nghttp2_nv{reinterpret_cast<std::uint8_t *>(const_cast<char *>(name.data())),
                      reinterpret_cast<std::uint8_t *>(const_cast<char *>(value.data())), name.size(), value.size(),
                      NGHTTP2_NV_FLAG_NONE};
}

Http2Stream *stream_of(nghttp2_session *session, std::int32_t id) {
    return static_cast<Http2Stream *>(nghttp2_session_get_stream_user_data(session, id));
}

std::string code_name(std::uint32_t code) { return nghttp2_http2_strerror(code); }

} // namespace

struct Http2Connection::Callbacks {
    static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const std::uint8_t *name,
                         std::size_t namelen, const std::uint8_t *value, std::size_t valuelen, std::uint8_t,
                         void *) {
        if (frame->hd.type != NGHTTP2_HEADERS) return 0;
        Http2Stream *stream = stream_of(session, frame->hd.stream_id);
        if (stream == nullptr || stream->head_done) return 0; // trailers are not handed on
        const std::string_view n(reinterpret_cast<const char *>(name), namelen);
        const std::string_view v(reinterpret_cast<const char *>(value), valuelen);
        if (n == ":status") {
            stream->status = 0;
            for (const char c : v) stream->status = stream->status * 10 + (c - '0'); // nghttp2 checked: 3 digits
            stream->headers.clear();
        } else if (!n.starts_with(':')) {
            stream->headers.emplace_back(n, v);
        }
        return 0;
    }

    static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
        auto &self = *static_cast<Http2Connection *>(user_data);
        if (frame->hd.type == NGHTTP2_GOAWAY) {
            self.goaway_ = true;
            return 0;
        }
        if (frame->hd.type == NGHTTP2_SETTINGS && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
            self.settings_received_ = true;
            return 0;
        }
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
        Http2Stream *stream = stream_of(session, frame->hd.stream_id);
        if (stream == nullptr) return 0;
        // Informational answers (1xx) come before the final head and are dropped.
        if (frame->hd.type == NGHTTP2_HEADERS && !stream->head_done && stream->status >= 200) stream->head_done = true;
        if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) stream->ended = true;
        stream->notify();
        return 0;
    }

    static int on_data_chunk(nghttp2_session *session, std::uint8_t, std::int32_t id, const std::uint8_t *data,
                             std::size_t len, void *) {
        Http2Stream *stream = stream_of(session, id);
        if (stream == nullptr) {
            nghttp2_session_consume_connection(session, len); // nobody will: give the window back
            return 0;
        }
        stream->data.append(reinterpret_cast<const char *>(data), len);
        stream->notify();
        return 0;
    }

    static int on_stream_close(nghttp2_session *, std::int32_t id, std::uint32_t code, void *user_data) {
        auto &self = *static_cast<Http2Connection *>(user_data);
        const auto it = self.streams_.find(id);
        if (it == self.streams_.end()) return 0;
        const std::shared_ptr<Http2Stream> stream = it->second;
        self.streams_.erase(it);
        if (self.streams_.empty()) self.idle_since_ = Clock::now();
        stream->closed = true;
        if (code != NGHTTP2_NO_ERROR || !stream->ended) {
            stream->ended = false;
            stream->reset_code = code;
            stream->refused = code == NGHTTP2_REFUSED_STREAM;
            stream->failure = code == NGHTTP2_NO_ERROR ? std::string("the upstream closed the stream before its end")
                                                       : "the upstream reset the stream (" + code_name(code) + ")";
        }
        stream->notify();
        return 0;
    }

    static ssize_t read_body(nghttp2_session *, std::int32_t, std::uint8_t *buf, std::size_t length,
                             std::uint32_t *flags, nghttp2_data_source *source, void *) {
        auto &stream = *static_cast<Http2Stream *>(source->ptr);
        const std::size_t n = std::min(length, stream.request_body.size() - stream.body_sent);
        std::memcpy(buf, stream.request_body.data() + stream.body_sent, n);
        stream.body_sent += n;
        if (stream.body_sent == stream.request_body.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            std::string().swap(stream.request_body); // sent: not kept for the stream's life
            stream.body_sent = 0;
        }
        return static_cast<ssize_t>(n);
    }
};

Http2Connection::Http2Connection(std::unique_ptr<UpstreamConnection> connection, const Http2Options &options,
                                 std::uint32_t assumed_streams)
    : connection_(std::move(connection)), options_(options), last_received_(Clock::now()), idle_since_(Clock::now()),
      ping_timer_(connection_->tcp().get_executor()) {
    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::on_stream_close);
    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_no_auto_window_update(option, 1); // consume() opens the windows
    nghttp2_option_set_peer_max_concurrent_streams(option, assumed_streams);
    const int rv = nghttp2_session_client_new2(&session_, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (rv != 0) throw std::bad_alloc();
    const std::array<nghttp2_settings_entry, 3> settings{{
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, options_.stream_window},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 64 * 1024},
    }};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<std::int32_t>(options_.connection_window));
}

Http2Connection::~Http2Connection() {
    streams_.clear();
    nghttp2_session_del(session_);
}

std::shared_ptr<Http2Connection> Http2Connection::start(std::unique_ptr<UpstreamConnection> connection,
                                                        const Http2Options &options, std::uint32_t assumed_streams) {
    connection->tcp().expires_never(); // PING finds a dead connection; streams have their own timeouts
    std::shared_ptr<Http2Connection> self(new Http2Connection(std::move(connection), options, assumed_streams));
    const auto executor = self->connection_->tcp().get_executor();
    asio::co_spawn(executor, [self]() { return self->read_loop(); }, asio::detached);
    asio::co_spawn(executor, [self]() { return self->ping_loop(); }, asio::detached);
    self->flush();
    return self;
}

std::uint32_t Http2Connection::stream_limit() const {
    return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

bool Http2Connection::has_room() const {
    if (closed_ || goaway_) return false;
    const std::uint32_t limit = stream_limit();
    // Client stream ids are odd and end at 2^31-1: a connection that used them all takes no more.
    return streams_.size() < limit && nghttp2_session_get_next_stream_id(session_) < 0x7fff'fff0u;
}

std::shared_ptr<Http2Stream> Http2Connection::submit(const std::string &method, const std::string &scheme,
                                                     const std::string &authority, const std::string &path,
                                                     const Headers &headers, std::string body, std::string &error) {
    if (!has_room()) {
        error = closed_ ? "the connection closed" : "no room for another stream";
        return nullptr;
    }
    std::vector<std::pair<std::string, std::string>> fields;
    fields.reserve(headers.size() + 5);
    fields.emplace_back(":method", method);
    fields.emplace_back(":scheme", scheme);
    fields.emplace_back(":authority", authority);
    fields.emplace_back(":path", path);
    for (const auto &[name, value] : headers) {
        std::string lower = lowercase(name);
        if (connection_specific(lower) || lower == "content-length") continue;
        fields.emplace_back(std::move(lower), value);
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        fields.emplace_back("content-length", std::to_string(body.size()));
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (const auto &[name, value] : fields) nva.push_back(field(name, value));

    auto stream = std::make_shared<Http2Stream>(connection_->tcp().get_executor());
    stream->request_body = std::move(body);
    nghttp2_data_provider provider{};
    provider.source.ptr = stream.get();
    provider.read_callback = &Callbacks::read_body;
    const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                                   stream->request_body.empty() ? nullptr : &provider, stream.get());
    if (id < 0) {
        error = std::string("nghttp2 refused the request: ") + nghttp2_strerror(id);
        return nullptr;
    }
    stream->id = id;
    streams_.emplace(id, stream);
    used_ = true;
    flush();
    return stream;
}

void Http2Connection::consume(Http2Stream &stream, std::size_t n) {
    stream.in_sink -= std::min(stream.in_sink, n);
    if (closed_ || n == 0) return;
    // For a stream nghttp2 has closed already this gives back the connection's window only.
    nghttp2_session_consume(session_, stream.id, n);
    flush();
}

void Http2Connection::abandon(Http2Stream &stream) {
    if (closed_) return;
    if (!stream.closed) {
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_CANCEL);
        nghttp2_session_set_stream_user_data(session_, stream.id, nullptr); // later frames of it are dropped
        streams_.erase(stream.id);
        if (streams_.empty()) idle_since_ = Clock::now();
        stream.closed = true;
    }
    if (const std::size_t unread = stream.data.size() + stream.in_sink; unread > 0)
        nghttp2_session_consume_connection(session_, unread);
    stream.data.clear();
    stream.in_sink = 0;
    flush();
}

void Http2Connection::close(const std::string &why) {
    if (closed_) return;
    closed_ = true;
    close_reason_ = why;
    error_code ignored;
    connection_->tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    connection_->tcp().socket().close(ignored);
    ping_timer_.cancel();
    fail_streams(why);
}

void Http2Connection::fail_streams(const std::string &why) {
    auto streams = std::move(streams_);
    streams_.clear();
    for (auto &[id, stream] : streams) {
        stream->closed = true;
        stream->ended = false;
        // Nothing of a stream the server never saw was processed: it may go elsewhere.
        stream->refused = stream->refused || (!stream->head_done && goaway_ && id > nghttp2_session_get_last_proc_stream_id(session_));
        stream->connection_lost = true;
        stream->failure = why;
        stream->notify();
    }
}

void Http2Connection::flush() {
    if (writing_ || closed_ || nghttp2_session_want_write(session_) == 0) return;
    writing_ = true;
    asio::co_spawn(connection_->tcp().get_executor(), [self = shared_from_this()]() { return self->write_loop(); },
                   asio::detached);
}

asio::awaitable<void> Http2Connection::write_loop() {
    std::string out;
    while (!closed_) {
        out.clear();
        while (out.size() < kWriteBatch) {
            const std::uint8_t *data = nullptr;
            const ssize_t n = nghttp2_session_mem_send(session_, &data);
            if (n < 0) {
                close(std::string("HTTP/2 session error: ") + nghttp2_strerror(static_cast<int>(n)));
                break;
            }
            if (n == 0) break;
            out.append(reinterpret_cast<const char *>(data), static_cast<std::size_t>(n));
        }
        if (closed_ || out.empty()) break;
        error_code ec;
        if (auto *tls = connection_->tls())
            std::tie(ec, std::ignore) = co_await asio::async_write(*tls, asio::buffer(out), use_tuple);
        else
            std::tie(ec, std::ignore) = co_await asio::async_write(connection_->tcp(), asio::buffer(out), use_tuple);
        if (ec) close("writing to the upstream: " + ec.message());
    }
    writing_ = false;
    if (!closed_ && nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0)
        close("the HTTP/2 session ended");
}

asio::awaitable<void> Http2Connection::read_loop() {
    std::array<char, 16 * 1024> buffer; // one per connection, not per stream
    while (!closed_) {
        error_code ec;
        std::size_t n = 0;
        if (auto *tls = connection_->tls())
            std::tie(ec, n) = co_await tls->async_read_some(asio::buffer(buffer), use_tuple);
        else
            std::tie(ec, n) = co_await connection_->tcp().async_read_some(asio::buffer(buffer), use_tuple);
        if (closed_) break;
        if (ec) {
            const bool closed_by_peer = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
            close(closed_by_peer ? std::string("the upstream closed the connection")
                                 : "reading from the upstream: " + ec.message());
            break;
        }
        last_received_ = Clock::now();
        const ssize_t rv = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t *>(buffer.data()), n);
        if (rv < 0) {
            close(std::string("HTTP/2 protocol error from the upstream: ") + nghttp2_strerror(static_cast<int>(rv)));
            break;
        }
        flush();
        if (!writing_ && nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
            close(goaway_ ? "the upstream ended the connection (GOAWAY)" : "the HTTP/2 session ended");
            break;
        }
    }
}

asio::awaitable<void> Http2Connection::ping_loop() {
    bool ping_sent = false;
    Clock::time_point ping_at{};
    while (!closed_) {
        ping_timer_.expires_after(options_.ping_interval);
        co_await ping_timer_.async_wait(use_tuple); // cancelled only by close()
        if (closed_) break;
        const auto now = Clock::now();
        if (streams_.empty() && now - idle_since_ >= options_.idle_ttl) {
            close("idle");
            break;
        }
        if (ping_sent && last_received_ <= ping_at) {
            close("no answer to PING: the connection is dead");
            break;
        }
        ping_sent = false;
        if (now - last_received_ >= options_.ping_interval) {
            nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
            ping_sent = true;
            ping_at = now;
            flush();
        }
    }
}

} // namespace helix::transport

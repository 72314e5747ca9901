#pragma once
// One HTTP/2 connection to an upstream: nghttp2's session as the codec over
// the connection's own Asio socket (or TLS stream), on one event loop. A
// reader coroutine feeds what arrives to the session and a writer coroutine
// sends what the session has queued; nothing blocks and no thread is its
// own. Many exchanges share it, each on one stream (Http2Stream).
//
// - Streams: at most the server's SETTINGS_MAX_CONCURRENT_STREAMS at once
//   (100 assumed until its SETTINGS arrive); has_room() says whether another
//   fits, so the pool opens another connection when this one is full.
// - Flow control: the session never opens a window by itself; a stream's
//   bytes count as consumed only once its exchange handed them to its sink
//   (consume()), so a slow client stops its stream's window, not the loop.
// - GOAWAY: no new streams; streams above the server's last-stream-id end
//   as refused (never processed, so they may be sent again elsewhere).
// - PING: when nothing arrived for ping_interval, a PING is sent; when still
//   nothing arrived one interval later, the connection is dead and closed,
//   failing its streams. An idle connection closes itself after idle_ttl.

#include "daemon/transport/exchange_types.hpp"
#include "daemon/transport/upstream_connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

struct nghttp2_session;

namespace helix::transport {

struct Http2Options {
    std::chrono::milliseconds ping_interval{15'000};
    std::chrono::milliseconds idle_ttl{30'000};
    std::uint32_t stream_window = 256 * 1024;             // per stream: what one slow client may leave unread
    std::uint32_t connection_window = 16 * 1024 * 1024;   // over all streams of the connection
};

// What one exchange's stream has received, filled by the connection's
// callbacks and read by the exchange after each wake-up.
struct Http2Stream {
    explicit Http2Stream(const boost::asio::any_io_executor &executor) : wake(executor) {}

    std::int32_t id = -1;
    std::string request_body;
    std::size_t body_sent = 0;

    int status = 0;          // the final status, once head_done
    Headers headers;         // of the final response
    bool head_done = false;
    std::string data;        // received, not yet handed to the sink
    std::size_t in_sink = 0; // handed to the sink, not yet consumed
    bool closed = false;     // no more frames will come
    bool ended = false;      // END_STREAM received: the body is whole
    std::uint32_t reset_code = 0; // RST_STREAM's code, or the connection's failure (closed without ended)
    bool refused = false;    // never processed by the server (REFUSED_STREAM, above GOAWAY's last id)
    bool connection_lost = false; // closed because the whole connection failed
    std::string failure;     // why it closed without ending, for the error detail

    boost::asio::steady_timer wake; // the exchange waits on it; cancel() wakes it
    bool notified = false;
    void notify() {
        notified = true;
        wake.cancel();
    }
};

class Http2Connection : public std::enable_shared_from_this<Http2Connection> {
public:
    // Until the server's SETTINGS say otherwise (RFC 9113 recommends at least 100).
    static constexpr std::uint32_t kAssumedConcurrentStreams = 100;

    // Starts the session on an open connection (TLS handshake done, ALPN h2;
    // or plain for h2c) and its reader, writer and PING timer. Until the
    // server's SETTINGS arrive it takes `assumed_streams` streams at most.
    static std::shared_ptr<Http2Connection> start(std::unique_ptr<UpstreamConnection> connection,
                                                  const Http2Options &options,
                                                  std::uint32_t assumed_streams = kAssumedConcurrentStreams);
    ~Http2Connection();
    Http2Connection(const Http2Connection &) = delete;
    Http2Connection &operator=(const Http2Connection &) = delete;

    // Whether a new stream may be opened on it now.
    bool has_room() const;
    // The server's SETTINGS_MAX_CONCURRENT_STREAMS (the assumed one before its SETTINGS).
    std::uint32_t stream_limit() const;
    bool settings_received() const { return settings_received_; }
    bool closed() const { return closed_; }
    std::size_t active_streams() const { return streams_.size(); }
    // Whether it ever carried a stream (a failure then may be a stale connection).
    bool used() const { return used_; }

    // Opens a stream for the request; null (and `error` set) when it cannot.
    std::shared_ptr<Http2Stream> submit(const std::string &method, const std::string &scheme,
                                        const std::string &authority, const std::string &path,
                                        const Headers &headers, std::string body, std::string &error);
    // The exchange handed `n` bytes of the stream to its sink: the server may send as many more.
    void consume(Http2Stream &stream, std::size_t n);
    // The exchange ends before the stream did: RST_STREAM(CANCEL), and the
    // bytes it never consumed are given back to the connection's window.
    void abandon(Http2Stream &stream);
    // Closes the connection now (GOAWAY is not awaited); every stream fails.
    void close(const std::string &why);

private:
    struct Callbacks;
    Http2Connection(std::unique_ptr<UpstreamConnection> connection, const Http2Options &options,
                    std::uint32_t assumed_streams);
    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> write_loop();
    boost::asio::awaitable<void> ping_loop();
    void flush();
    void fail_streams(const std::string &why);

    std::unique_ptr<UpstreamConnection> connection_;
    Http2Options options_;
    nghttp2_session *session_ = nullptr;
    std::map<std::int32_t, std::shared_ptr<Http2Stream>> streams_;
    bool closed_ = false;
    bool goaway_ = false;
    bool writing_ = false;
    bool used_ = false;
    bool settings_received_ = false;
    std::string close_reason_;
    std::chrono::steady_clock::time_point last_received_;
    std::chrono::steady_clock::time_point idle_since_;
    boost::asio::steady_timer ping_timer_;
};

} // namespace helix::transport

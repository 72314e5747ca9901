#pragma once
// One HTTP/2 stream of the simulator, shared by the connection's thread (which
// alone calls nghttp2) and the pool thread that runs the stream's handler.
// The handler hands over the response head and body bytes, the connection
// thread takes them as flow control lets it; a handler writing faster than
// the client reads blocks (at most kMaxPending bytes wait per stream), as
// over HTTP/1.1 its socket would. A stream closed by the peer (RST_STREAM, a
// closed connection) ends the handler's waits and fails its writes.

#include "tools/cloudsim/exchange.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace helix::cloudsim {

class H2Stream;

// Wakes the connection's thread (an eventfd it polls) and tells it which
// streams have something new. It holds them weakly: each stream holds its
// waker, so a strong hold would keep both alive in a cycle once the
// connection is gone with streams still marked.
class H2Waker {
public:
    H2Waker();
    ~H2Waker();
    H2Waker(const H2Waker &) = delete;
    H2Waker &operator=(const H2Waker &) = delete;

    int fd() const { return fd_; }
    void mark(std::shared_ptr<H2Stream> stream);
    std::vector<std::shared_ptr<H2Stream>> take(); // those still alive

private:
    int fd_;
    std::mutex mutex_;
    std::vector<std::weak_ptr<H2Stream>> dirty_;
    bool signalled_ = false;
};

using H2Headers = std::vector<std::pair<std::string, std::string>>;

class H2Stream : public std::enable_shared_from_this<H2Stream> {
public:
    static constexpr std::size_t kMaxPending = 64 * 1024;

    H2Stream(std::int32_t id, std::shared_ptr<H2Waker> waker) : id_(id), waker_(std::move(waker)) {}

    std::int32_t id() const { return id_; }

    // The request, filled by the connection thread before the handler starts.
    std::string method, path, authority, scheme;
    H2Headers headers; // lower-case names, in order
    std::string body;

    // Handler side.
    void send_head(int status, H2Headers head);
    bool write(const char *data, std::size_t size); // false: the stream is gone
    void finish();                                  // the body is complete
    void reset();                                   // RST_STREAM(INTERNAL_ERROR) once the bytes written are out
    bool wait(std::chrono::milliseconds duration);  // false: gone, or the simulator stops
    bool head_sent() const;

    // Connection side.
    struct Pending {
        std::optional<std::pair<int, H2Headers>> head;
        bool reset = false;  // before any head: RST_STREAM now
        bool resume = false; // the deferred data source has bytes, its end or its reset
    };
    Pending take_pending();
    enum class Body { bytes, end, defer, reset };
    // Copies up to `size` body bytes into `out` (`taken` of them): `bytes`,
    // `end` with the last ones after finish(), `defer` when none are there
    // yet, `reset` when the handler reset the stream and every byte is out.
    Body read_body(std::uint8_t *out, std::size_t size, std::size_t &taken);
    void closed(); // by the peer, or the connection ended

private:
    void mark_locked(std::unique_lock<std::mutex> &lock);

    const std::int32_t id_;
    std::shared_ptr<H2Waker> waker_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<std::pair<int, H2Headers>> head_;
    bool head_sent_ = false;
    bool head_taken_ = false;
    std::string out_;
    std::size_t out_at_ = 0;
    bool finished_ = false;
    bool reset_ = false;
    bool closed_ = false;
    bool deferred_ = false;
};

// The ExchangeChannel of an exchange on an HTTP/2 stream.
class H2Channel final : public ExchangeChannel {
public:
    explicit H2Channel(H2Stream &stream) : stream_(stream) {}
    bool wait(std::chrono::milliseconds duration) override;
    void reset() override;
    void send_raw(int status, const Poco::Net::HTTPResponse &head, std::string_view content_type,
                  std::string_view body) override;

private:
    H2Stream &stream_;
};

// The response headers of `head` that HTTP/2 carries: names in lower case,
// without the connection-specific ones (Connection, Transfer-Encoding, ...).
H2Headers h2_response_headers(const Poco::Net::HTTPResponse &head);

} // namespace helix::cloudsim

#include "daemon/transport/http2_exchange.hpp"

#include "daemon/transport/await_helpers.hpp"
#include "daemon/transport/exchange_failure.hpp"

namespace helix::transport {

namespace asio = boost::asio;

namespace {

// Ends the stream when the exchange leaves before it did (cancelled, timed
// out, abandoned by the sink), so the server stops sending.
class StreamGuard {
public:
    StreamGuard(Http2Connection &connection, Http2Stream &stream) : connection_(connection), stream_(stream) {}
    ~StreamGuard() { connection_.abandon(stream_); }
    StreamGuard(const StreamGuard &) = delete;
    StreamGuard &operator=(const StreamGuard &) = delete;

private:
    Http2Connection &connection_;
    Http2Stream &stream_;
};

} // namespace

asio::awaitable<void> http2_exchange(Http2Connection &connection, Http2Request &request,
                                     const ExchangeLimits &limits, ExchangeBudget &budget, AsyncResponseSink &sink,
                                     ExchangeResult &result, Http2Outcome &outcome) {
    outcome = {};
    std::string error;
    const std::shared_ptr<Http2Stream> stream = connection.submit(request.method, request.scheme, request.authority,
                                                                  request.path, request.headers, std::string(request.body), error);
    if (!stream) {
        outcome.unprocessed = true;
        throw ExchangeFailure{ExchangeError::reset, "cannot open an HTTP/2 stream: " + error};
    }
    const StreamGuard guard(connection, *stream);

    // Until the connection says something happened to the stream, or a bound passed.
    const auto wait = [&]() -> asio::awaitable<void> {
        stream->notified = false;
        stream->wake.expires_at(budget.until(limits.read_timeout));
        const auto [ec] = co_await stream->wake.async_wait(use_tuple);
        if (stream->notified) co_return;
        if (co_await was_cancelled()) throw ExchangeFailure{ExchangeError::cancelled, "cancelled while waiting for the upstream"};
        if (ec) co_return; // woken without news: look again
        if (budget.bound_by_deadline())
            throw ExchangeFailure{ExchangeError::timeout, result.head_received
                                                              ? "the request's deadline passed while reading the response body"
                                                              : "the request's deadline passed while waiting for the response"};
        throw ExchangeFailure{ExchangeError::timeout, result.head_received ? "the upstream stopped sending (read timeout)"
                                                                           : "no response from the upstream in time"};
    };

    while (!stream->head_done) {
        if (stream->closed) {
            outcome.unprocessed = stream->refused;
            outcome.connection_lost = stream->connection_lost;
            throw ExchangeFailure{ExchangeError::reset, stream->refused ? "the upstream refused the HTTP/2 stream: " + stream->failure
                                                                        : stream->failure};
        }
        co_await wait();
    }
    result.head_received = true;
    if (!co_await sink.on_head(stream->status, stream->headers))
        throw ExchangeFailure{ExchangeError::cancelled, "abandoned after the response head"};
    // The sink has the head, and a request is sent again only when no answer
    // came: neither stays for the stream's life.
    Headers().swap(stream->headers);
    request = Http2Request{};
    for (;;) {
        if (!stream->data.empty()) {
            std::string part;
            part.swap(stream->data);
            stream->in_sink += part.size();
            if (!co_await sink.on_body(part)) throw ExchangeFailure{ExchangeError::cancelled, "abandoned during the response body"};
            connection.consume(*stream, part.size());
            continue;
        }
        if (stream->closed) {
            if (stream->ended) co_return;
            throw ExchangeFailure{ExchangeError::reset, stream->failure};
        }
        co_await wait();
    }
}

} // namespace helix::transport

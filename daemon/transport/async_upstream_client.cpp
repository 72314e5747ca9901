#include "daemon/transport/async_upstream_client.hpp"

#include "daemon/transport/await_helpers.hpp"
#include "daemon/transport/exchange_failure.hpp"
#include "daemon/transport/http2_exchange.hpp"
#include "daemon/transport/read_chunk.hpp"
#include "daemon/transport/timed_socket.hpp"
#include "daemon/transport/upstream_connector.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>

#include <iterator>
#include <optional>
#include <type_traits>

namespace helix::transport {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

using Request = http::request<http::span_body<const char>>;
using Parser = http::response_parser<http::buffer_body>;

// Socket reads are sized by the buffer's room: one page holds a response head.
constexpr std::size_t kHeadBuffer = 4 * 1024;

std::string to_string(helix_str s) { return s.len == 0 ? std::string() : std::string(s.data, s.len); }

Request make_request(const helix_http_request &in, const Endpoint &endpoint, const std::optional<Proxy> &proxy) {
    Request request;
    const std::string method = in.method.len ? to_string(in.method) : "POST";
    request.method_string(method);
    // Through a plain-HTTP proxy the target is the absolute URL.
    request.target(proxy && !endpoint.tls
                       ? "http://" + authority(endpoint.host, endpoint.port) + endpoint.path_and_query
                       : endpoint.path_and_query);
    request.version(11);
    const bool default_port = endpoint.port == (endpoint.tls ? 443 : 80);
    request.set(http::field::host,
                default_port && endpoint.host.find(':') == std::string::npos ? endpoint.host
                                                                             : authority(endpoint.host, endpoint.port));
    for (std::size_t i = 0; i < in.header_count; ++i)
        request.set(to_string(in.headers[i].name), to_string(in.headers[i].value));
    if (proxy && !endpoint.tls && !proxy->username.empty())
        request.set(http::field::proxy_authorization, proxy_authorization(*proxy));
    request.body() = {in.body.data, in.body.len};
    request.content_length(in.body.len);
    return request;
}

// The response head to the sink; its copy of the fields is gone once the sink took it.
asio::awaitable<bool> hand_on_head(const http::response_header<> &head, AsyncResponseSink &sink) {
    Headers headers;
    headers.reserve(static_cast<std::size_t>(std::distance(head.begin(), head.end())));
    for (const auto &field : head) headers.emplace_back(field.name_string(), field.value());
    co_return co_await sink.on_head(static_cast<int>(head.result_int()), headers);
}

// Before a trickling stream's next read: what is buffered is parsed first
// (the CRLF that ends a chunk waits there for the next chunk's size line);
// when only an unfinished piece is left, the connection gives its buffer back
// and waits until the socket has bytes. False when the buffered bytes
// finished the body; throws what a read would.
asio::awaitable<bool> await_more(Parser &parser, UpstreamConnection &connection, TimedSocket &waiter,
                                 std::chrono::steady_clock::time_point until) {
    auto &buffer = connection.buffer();
    if (buffer.size() > 0) {
        auto &body = parser.get().body();
        body.data = nullptr; // no room: body bytes stay buffered for the read
        body.size = 0;
        error_code ec;
        buffer.consume(parser.put(buffer.data(), ec));
        if (parser.is_done()) co_return false;
        if (ec != http::error::need_more) {
            if (ec && ec != http::error::need_buffer)
                throw ExchangeFailure{ExchangeError::reset, "reading the response body: " + ec.message()};
            co_return true; // something to read there: no wait
        }
    }
    buffer.shrink_to_fit(); // only the unfinished piece stays
    const error_code waited = co_await waiter.wait_readable(until);
    if (waited) {
        if (co_await was_cancelled()) throw ExchangeFailure{ExchangeError::cancelled, "cancelled while reading the response body"};
        if (waited == boost::beast::error::timeout) co_return true; // the read that follows reports it
        throw ExchangeFailure{ExchangeError::reset, "reading the response body: " + waited.message()};
    }
    buffer.reserve(buffer.size() + ReadChunk::kInitial);
    co_return true;
}

// Sends the request and hands the response to the sink. Returns whether the
// connection may serve another request.
template <class Stream>
asio::awaitable<bool> send_and_receive(Stream &stream, UpstreamConnection &connection, Request &request,
                                       const ExchangeLimits &limits, ExchangeBudget &budget, AsyncResponseSink &sink,
                                       ExchangeResult &result) {
    const auto failed = [&](const error_code &ec, bool cancelled, const std::string &what) -> ExchangeFailure {
        if (cancelled) return {ExchangeError::cancelled, "cancelled while " + what};
        if (ec == boost::beast::error::timeout || budget.passed()) {
            if (budget.bound_by_deadline()) return {ExchangeError::timeout, "the request's deadline passed while " + what};
            return {ExchangeError::timeout, result.head_received ? "the upstream stopped sending (read timeout)"
                                                                 : "no response from the upstream in time"};
        }
        return {ExchangeError::reset, what + ": " + ec.message()};
    };
    auto &tcp = connection.tcp();
    tcp.expires_at(budget.until(limits.read_timeout));
    const auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_error) {
        const bool cancelled = co_await was_cancelled();
        throw failed(write_error, cancelled, "sending the request");
    }

    connection.buffer().reserve(kHeadBuffer); // given back while a stream waited, or while pooled
    std::optional<Parser> parser;
    for (;;) { // informational answers (100 Continue) come before the real one
        parser.emplace();
        parser->body_limit(boost::none); // streams are handed on, never held whole
        parser->header_limit(64 * 1024);
        if (request.method() == http::verb::head) parser->skip(true);
        tcp.expires_at(budget.until(limits.read_timeout));
        const auto [read_error, read] = co_await http::async_read_header(stream, connection.buffer(), *parser, use_tuple);
        if (read_error) {
            const bool cancelled = co_await was_cancelled();
            throw failed(read_error, cancelled, "waiting for the response");
        }
        const unsigned status = parser->get().result_int();
        if (status < 100 || status >= 200 || status == 101) break;
    }
    const auto &head = parser->get();
    result.head_received = true;
    if (!co_await hand_on_head(head, sink)) throw ExchangeFailure{ExchangeError::cancelled, "abandoned after the response head"};
    // A request is sent again only when no answer came; this one's fields
    // need not stay for the stream's life.
    request = Request{};

    // Each run of bytes goes to the sink as soon as it is read, and nothing
    // more is read until the sink is done with it (backpressure).
    ReadChunk chunk;
    std::uint64_t received = 0;
    TimedSocket waiter(tcp.socket());
    // Whether the last read left no part the parser could use yet (it did
    // not fill the chunk): the next bytes must come from the socket.
    bool trickling = true;
    while (!parser->is_done()) {
        // The wait for bytes and the read that takes them are one silence:
        // one bound for both, so a stalled upstream is noticed after read_timeout.
        const auto until = budget.until(limits.read_timeout);
        if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
            // A stream that trickles waits for its next bytes holding no
            // buffer; over TLS the stream's own buffers may hold bytes
            // already, so it reads on.
            if (trickling && !co_await await_more(*parser, connection, waiter, until))
                continue; // what was buffered finished the body
        }
        auto &body = parser->get().body();
        body.data = chunk.data();
        body.size = chunk.size();
        tcp.expires_at(until);
        auto [ec, n] = co_await http::async_read_some(stream, connection.buffer(), *parser, use_tuple);
        if (ec == http::error::need_buffer) ec = {};
        // A close-delimited body over TLS may end without close_notify.
        if (ec == asio::ssl::error::stream_truncated && !parser->chunked() && !parser->content_length()) {
            parser->put_eof(ec);
            if (!ec && !parser->is_done()) ec = http::error::partial_message;
        }
        const std::size_t got = chunk.size() - parser->get().body().size;
        received += got;
        if (got > 0) {
            const bool taken = co_await sink.on_body({chunk.data(), got});
            if (!taken) throw ExchangeFailure{ExchangeError::cancelled, "abandoned during the response body"};
        }
        // A body that fills the chunk is a large one: socket reads grow with it.
        trickling = !chunk.after_read(got) && got < chunk.size();
        if (!trickling) connection.buffer().reserve(chunk.size());
        else if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>)
            chunk.release(); // the next read waits for bytes first
        if (!ec) continue;
        const bool cancelled = co_await was_cancelled();
        if (!cancelled && (ec == http::error::partial_message || ec == http::error::end_of_stream ||
                           ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)) {
            if (const auto length = parser->content_length_remaining(); length && head.has_content_length())
                throw ExchangeFailure{ExchangeError::reset, "the upstream closed the connection after " +
                                                                std::to_string(received) + " of " +
                                                                std::to_string(received + *length) + " bytes"};
            throw ExchangeFailure{ExchangeError::reset, "the upstream closed the connection before the body's end"};
        }
        throw failed(ec, cancelled, "reading the response body");
    }
    co_return parser->keep_alive() && connection.buffer().size() == 0;
}

// Counts a call while it lasts (a cancelled coroutine's frame goes too).
class InFlight {
public:
    explicit InFlight(std::atomic<std::int64_t> &count) : count_(count) { count_.fetch_add(1, std::memory_order_relaxed); }
    ~InFlight() { count_.fetch_sub(1, std::memory_order_relaxed); }
    InFlight(const InFlight &) = delete;
    InFlight &operator=(const InFlight &) = delete;

private:
    std::atomic<std::int64_t> &count_;
};

Http2Request make_http2_request(const helix_http_request &in, const Endpoint &endpoint) {
    Http2Request out;
    out.method = in.method.len ? to_string(in.method) : "POST";
    out.scheme = endpoint.tls ? "https" : "http";
    const bool default_port = endpoint.port == (endpoint.tls ? 443 : 80);
    out.authority = default_port && endpoint.host.find(':') == std::string::npos ? endpoint.host
                                                                                  : authority(endpoint.host, endpoint.port);
    out.path = endpoint.path_and_query;
    for (std::size_t i = 0; i < in.header_count; ++i) {
        std::string name = to_string(in.headers[i].name);
        // A Host the plugin set (and may have signed) is the :authority.
        if (boost::beast::iequals(name, "host")) {
            out.authority = to_string(in.headers[i].value);
            continue;
        }
        out.headers.emplace_back(std::move(name), to_string(in.headers[i].value));
    }
    out.body = {in.body.data, in.body.len};
    return out;
}

} // namespace

AsyncUpstreamClient::AsyncUpstreamClient(asio::any_io_executor executor, std::shared_ptr<const UpstreamSettings> settings)
    : executor_(std::move(executor)), settings_(std::move(settings)),
      pool_(settings_->max_idle_per_upstream, settings_->idle_ttl) {}

asio::awaitable<ExchangeResult> AsyncUpstreamClient::exchange(const helix_http_request &request,
                                                              const ExchangeLimits &limits, AsyncResponseSink &sink) {
    ExchangeResult result;
    try {
        ExchangeResult done = co_await run(request, limits, sink, result);
        co_return done;
    } catch (const boost::system::system_error &e) {
        // A co_await after the caller's cancellation throws (asio's
        // throw_if_cancelled); anything else is a real failure.
        if (e.code() != asio::error::operation_aborted) throw;
    }
    result.error = ExchangeError::cancelled;
    result.detail = "the caller was cancelled";
    co_return result;
}

std::shared_ptr<const AsyncUpstreamClient::Route> AsyncUpstreamClient::route_of(std::string_view url, bool cached) {
    if (cached)
        if (const auto it = routes_.find(url); it != routes_.end()) return it->second;
    auto endpoint = parse_endpoint(url);
    if (!endpoint) return nullptr;
    // A fetch for a client connects directly, so that its addresses are the ones checked.
    auto proxy = cached ? settings_->proxies.for_host(endpoint->host, endpoint->tls) : std::nullopt;
    std::string key = endpoint->key() + (proxy ? " via " + authority(proxy->host, proxy->port) : "");
    auto route = std::make_shared<const Route>(Route{std::move(*endpoint), std::move(proxy), std::move(key)});
    if (!cached) return route;
    if (routes_.size() >= kMaxRoutes) routes_.clear();
    routes_.emplace(std::string(url), route);
    return route;
}

asio::awaitable<ExchangeResult> AsyncUpstreamClient::run(const helix_http_request &request,
                                                         const ExchangeLimits &limits, AsyncResponseSink &sink,
                                                         ExchangeResult &result) {
    // A fetch for a client (isolated) has a URL the client chose: not kept.
    const bool isolated = limits.address_check != nullptr;
    const std::shared_ptr<const Route> route =
        route_of(std::string_view(request.url.len == 0 ? "" : request.url.data, request.url.len), !isolated);
    if (!route) co_return ExchangeResult{ExchangeError::bad_request, "the plugin produced an invalid upstream URL", false};
    const Endpoint *endpoint = &route->endpoint;
    const std::optional<Proxy> &proxy = route->proxy;
    const std::string &key = route->key;
    ExchangeBudget budget(limits.deadline);
    // auto: over TLS ALPN decides (and an upstream that chose HTTP/1.1 is
    // remembered); plain http stays HTTP/1.1, since h2c needs prior knowledge.
    const bool http2 = !isolated && (limits.http2 == Http2Mode::on || (limits.http2 == Http2Mode::automatic &&
                                                                         endpoint->tls && !http1_upstreams_.contains(key)));
    if (http2) {
        const InFlight counted(http2_calls_); // until the call ends, however it ends
        // HTTP/1.1 connections left idle (by a load before a run of HTTP/2
        // streams, say) would otherwise hold their descriptors until the next
        // HTTP/1.1 call on this loop.
        pool_.close_expired(std::chrono::steady_clock::now());
        co_return co_await run_http2(request, *endpoint, proxy, key, limits, budget, sink, result);
    }
    co_return co_await run_http1(request, *endpoint, proxy, key, limits, budget, sink, result, nullptr);
}

asio::awaitable<ExchangeResult> AsyncUpstreamClient::run_http1(const helix_http_request &request,
                                                               const Endpoint &endpoint,
                                                               const std::optional<Proxy> &proxy,
                                                               const std::string &key, const ExchangeLimits &limits,
                                                               ExchangeBudget &budget, AsyncResponseSink &sink,
                                                               ExchangeResult &result,
                                                               std::unique_ptr<UpstreamConnection> opened) {
    Request message = make_request(request, endpoint, proxy);
    // A pooled connection may have been closed by the upstream while idle; if
    // it fails before any response byte, the request is sent once more on a
    // fresh connection (as HTTP clients commonly do for reused connections).
    for (int attempt = 0;; ++attempt) {
        result = {};
        const bool isolated = limits.address_check != nullptr; // its own connection, never pooled
        ConnectionPool::Lease lease = opened     ? ConnectionPool::Lease{std::move(opened), false}
                                      : isolated ? ConnectionPool::Lease{}
                                                 : pool_.acquire(key);
        std::optional<ExchangeFailure> failure;
        try {
            if (budget.passed()) throw ExchangeFailure{ExchangeError::timeout, "the request's deadline passed"};
            if (!lease.connection)
                lease.connection = co_await open_connection(endpoint, proxy, *settings_->tls, limits, budget);
            UpstreamConnection &connection = *lease.connection;
            bool reusable = false;
            if (connection.tls() != nullptr)
                reusable = co_await send_and_receive(*connection.tls(), connection, message, limits, budget, sink, result);
            else
                reusable = co_await send_and_receive(connection.tcp(), connection, message, limits, budget, sink, result);
            if (reusable && !isolated) pool_.release(key, std::move(lease.connection));
            co_return result;
        } catch (ExchangeFailure &f) {
            failure = std::move(f);
        }
        const bool retry_fresh = lease.reused && !result.head_received && attempt == 0 &&
                                 failure->error != ExchangeError::cancelled && failure->error != ExchangeError::timeout;
        if (retry_fresh) continue;
        result.error = failure->error;
        result.detail = std::move(failure->detail);
        co_return result;
    }
}

namespace {

// Ends an opening however its opener leaves, so that no waiter is left behind.
class OpeningGuard {
public:
    OpeningGuard(Http2Pool &pool, const std::string &key, Http2Opening &opening)
        : pool_(pool), key_(key), opening_(opening) {}
    ~OpeningGuard() { pool_.end_opening(key_, opening_); }
    OpeningGuard(const OpeningGuard &) = delete;
    OpeningGuard &operator=(const OpeningGuard &) = delete;

private:
    Http2Pool &pool_;
    const std::string &key_;
    Http2Opening &opening_;
};

// Waits until `opening` is over, within the call's connect timeout and deadline.
asio::awaitable<void> wait_for_opening(Http2Opening &opening, const ExchangeLimits &limits, ExchangeBudget &budget) {
    asio::steady_timer timer(co_await asio::this_coro::executor, budget.until(limits.connect_timeout));
    opening.waiters.push_back(&timer);
    struct Leave {
        Http2Opening &opening;
        asio::steady_timer *timer;
        ~Leave() { std::erase(opening.waiters, timer); }
    } leave{opening, &timer};
    while (!opening.done) {
        const auto [ec] = co_await timer.async_wait(use_tuple);
        if (opening.done) co_return;
        if (co_await was_cancelled())
            throw ExchangeFailure{ExchangeError::cancelled, "cancelled while waiting for an HTTP/2 connection"};
        if (!ec)
            throw ExchangeFailure{ExchangeError::timeout, budget.bound_by_deadline()
                                                              ? "the request's deadline passed while connecting"
                                                              : "connect timed out (waiting for the HTTP/2 connection being opened)"};
    }
}

} // namespace

asio::awaitable<ExchangeResult> AsyncUpstreamClient::run_http2(const helix_http_request &request,
                                                               const Endpoint &endpoint,
                                                               const std::optional<Proxy> &proxy,
                                                               const std::string &key, const ExchangeLimits &limits,
                                                               ExchangeBudget &budget, AsyncResponseSink &sink,
                                                               ExchangeResult &result) {
    Http2Request message = make_http2_request(request, endpoint); // emptied once the head came
    // Sent once more on another connection when the server never processed
    // it, or when a reused connection turned out dead before any answer.
    for (int attempt = 0;; ++attempt) {
        result = {};
        std::optional<ExchangeFailure> failure;
        Http2Outcome outcome;
        bool reused = false;
        try {
            if (budget.passed()) throw ExchangeFailure{ExchangeError::timeout, "the request's deadline passed"};
            std::shared_ptr<Http2Connection> connection = http2_.find(key);
            reused = connection != nullptr;
            // A burst of calls waits for the connection being opened instead of opening one each.
            while (!connection) {
                const std::shared_ptr<Http2Opening> opening = http2_.join(key);
                if (!opening) break;
                co_await wait_for_opening(*opening, limits, budget);
                if (opening->failure) throw ExchangeFailure(*opening->failure);
                if (opening->http1)
                    co_return co_await run_http1(request, endpoint, proxy, key, limits, budget, sink, result, nullptr);
                connection = http2_.find(key); // null when it closed or filled up already: join or open another
            }
            if (!connection) {
                const std::shared_ptr<Http2Opening> opening = http2_.begin_opening(key);
                // Whatever happens below (a throw, a cancellation), the waiters wake.
                const OpeningGuard guard(http2_, key, *opening);
                ConnectOptions options;
                if (endpoint.tls)
                    options.alpn = limits.http2 == Http2Mode::on ? std::string_view("\x02h2", 3)
                                                                 : std::string_view("\x02h2\x08http/1.1", 12);
                options.tunnel_plain = proxy.has_value(); // h2c goes through a proxy only in a tunnel
                std::unique_ptr<UpstreamConnection> opened;
                try {
                    opened = co_await open_connection(endpoint, proxy, *settings_->tls, limits, budget, options);
                } catch (const ExchangeFailure &f) {
                    // Nothing reached the upstream: the waiters would fare no better. Other
                    // failures (this call's deadline, its cancellation) are its own.
                    if (f.error == ExchangeError::connect_failed) opening->failure = f;
                    throw;
                }
                if (endpoint.tls && opened->protocol != "h2") {
                    if (limits.http2 == Http2Mode::on) {
                        opening->failure = ExchangeFailure{
                            ExchangeError::connect_failed,
                            "the upstream " + endpoint.host + " does not speak HTTP/2 (ALPN chose " +
                                (opened->protocol.empty() ? std::string("no protocol") : opened->protocol) +
                                "; set http2: auto or off for this provider)"};
                        throw ExchangeFailure(*opening->failure);
                    }
                    http1_upstreams_.insert(key);
                    opening->http1 = true;
                    http2_.end_opening(key, *opening);
                    co_return co_await run_http1(request, endpoint, proxy, key, limits, budget, sink, result,
                                                 std::move(opened));
                }
                connection = Http2Connection::start(std::move(opened), settings_->http2, opening->capacity);
                http2_.add(key, connection);
                opening->connection = connection;
                http2_.end_opening(key, *opening);
            }
            co_await http2_exchange(*connection, message, limits, budget, sink, result, outcome);
            co_return result;
        } catch (ExchangeFailure &f) {
            failure = std::move(f);
        }
        const bool again = attempt == 0 && !result.head_received && failure->error != ExchangeError::cancelled &&
                           failure->error != ExchangeError::timeout &&
                           (outcome.unprocessed || (reused && outcome.connection_lost));
        if (again) continue;
        result.error = failure->error;
        result.detail = std::move(failure->detail);
        co_return result;
    }
}

} // namespace helix::transport

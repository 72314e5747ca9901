#include "daemon/http/event_session.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/http/authenticate.hpp"
#include "daemon/http/beast_reply_writer.hpp"
#include "daemon/http/printable_uri.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/request_context.hpp"
#include "daemon/http/request_id.hpp"
#include "daemon/http/routes.hpp"
#include "daemon/router/attempt_loop.hpp"
#include "daemon/transport/page_cache.hpp"
#include "daemon/transport/timed_socket.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <sys/socket.h>
#include <utility>

namespace helix::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Parser = bhttp::request_parser<bhttp::string_body>;

// A refused client may take this long to stop sending (its bytes are read
// and dropped) before its connection is closed anyway.
constexpr std::chrono::seconds kLinger{5};

api::ApiError head_timed_out(std::chrono::milliseconds limit) {
    return client_error(408, "request_timeout",
                        "The request was not received within " + std::to_string(limit.count()) +
                            " ms of its first byte (server.request_read_timeout).");
}

api::ApiError body_timed_out() {
    return client_error(408, "request_timeout", "The request body did not arrive in time (server.read_timeout, "
                                                "server.request_read_timeout).");
}

api::ApiError header_too_large(std::size_t limit) {
    return client_error(431, "request_header_fields_too_large",
                        "The request's headers are larger than this gateway accepts (" + std::to_string(limit) +
                            " bytes).");
}

api::ApiError bad_content_length() {
    return api::invalid_request("The Content-Length header must be a whole number of bytes.", {},
                                "invalid_content_length");
}

using transport::TimedSocket;

void configure(Parser &parser, const config::ServerSettings &server) {
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(server.max_header_bytes, UINT32_MAX)));
    parser.body_limit(boost::none); // checked against server.max_body once the head is in
}

enum class ReadEnd { done, idle, closed, timed_out, header_too_large, bad_length, bad_target, body_too_large, bad };

// Where a request's bytes stand: its first byte starts request_read_timeout.
struct RequestClock {
    Clock::time_point idle_until{};             // waiting for the first byte until then
    std::optional<Clock::time_point> deadline{}; // the whole request's
    std::string head{};                          // the head's bytes Beast has taken so far
};

asio::awaitable<ReadEnd> read_until(TimedSocket &reader, transport::PagedBuffer &buffer, Parser &parser, bool head_only,
                                    RequestClock &clock, const config::ServerSettings &server) {
    for (;;) {
        if (buffer.size() > 0) {
            if (!clock.deadline) clock.deadline = Clock::now() + server.request_read_timeout;
            beast::error_code ec;
            const std::size_t used = parser.put(buffer.data(), ec);
            if (ec == bhttp::error::need_more) ec = {};
            // A head that fails keeps its bytes in the buffer (bad_length reads them again).
            if (ec == bhttp::error::bad_content_length) co_return ReadEnd::bad_length;
            if (ec == bhttp::error::bad_target) co_return ReadEnd::bad_target;
            if (ec == bhttp::error::header_limit) co_return ReadEnd::header_too_large;
            if (ec == bhttp::error::body_limit) co_return ReadEnd::body_too_large;
            if (ec) co_return ReadEnd::bad;
            if (head_only) {
                // Kept for a second look at a head Beast refuses (bad_length,
                // bad_target); Beast's own header_limit does not bound a head
                // that arrives in pieces.
                clock.head.append(static_cast<const char *>(buffer.data().data()), used);
                buffer.consume(used);
                const bool done = parser.is_header_done();
                if (clock.head.size() + (done ? 0 : buffer.size()) > server.max_header_bytes)
                    co_return ReadEnd::header_too_large;
                if (done) co_return ReadEnd::done;
            } else {
                buffer.consume(used);
                if (parser.is_done()) co_return ReadEnd::done;
            }
            if (used > 0 && buffer.size() > 0) continue;
        }
        const auto now = Clock::now();
        const auto until = clock.deadline ? std::min(now + server.read_timeout, *clock.deadline) : clock.idle_until;
        // A head fits in a page (nginx reads 1 KiB); a body is read 16 KiB at a time.
        auto [ec, n] = co_await reader.read(buffer.prepare(head_only ? 4 * 1024 : 16 * 1024), until);
        buffer.commit(n);
        if (n > 0) continue;
        if (ec == beast::error::timeout) {
            if (!clock.deadline) co_return ReadEnd::idle;
            // Past request_read_timeout: 408; a single silence longer than
            // read_timeout inside it: 408 for a body, a dropped connection
            // for a head.
            if (Clock::now() >= *clock.deadline) co_return ReadEnd::timed_out;
            co_return head_only ? ReadEnd::closed : ReadEnd::timed_out;
        }
        if (ec == asio::error::eof && !head_only && parser.is_header_done()) {
            parser.put_eof(ec);
            if (!ec && parser.is_done()) co_return ReadEnd::done;
        }
        if (ec) co_return clock.deadline ? ReadEnd::closed : ReadEnd::idle;
    }
}

// A request target with bytes Beast refuses (controls, DEL) gets them
// percent-encoded in the buffer, as a path may carry any byte once decoded;
// false when there were none (the request line is bad otherwise).
std::string head_text(const RequestClock &clock, const transport::PagedBuffer &buffer) {
    const auto data = buffer.data();
    return clock.head + std::string(static_cast<const char *>(data.data()), data.size());
}

bool escape_target(RequestClock &clock, transport::PagedBuffer &buffer) {
    const std::string whole = head_text(clock, buffer);
    const std::string_view text = whole;
    const auto line_end = text.find("\r\n");
    const auto first = text.find(' ');
    const auto last = line_end == std::string_view::npos ? line_end : text.rfind(' ', line_end);
    if (line_end == std::string_view::npos || first == std::string_view::npos || last <= first) return false;
    const std::string_view target = text.substr(first + 1, last - first - 1);
    const bool odd = std::any_of(target.begin(), target.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x21 || u == 0x7f;
    });
    if (!odd) return false;
    std::string rewritten = std::string(text.substr(0, first + 1)) + printable_uri(target, target.size() * 3) +
                            std::string(text.substr(last));
    clock.head.clear();
    buffer.clear();
    const auto into = buffer.prepare(rewritten.size());
    std::memcpy(into.data(), rewritten.data(), rewritten.size());
    buffer.commit(rewritten.size());
    return true;
}

// The head of a request whose Content-Length Beast refused, parsed again with
// that field renamed, so that its reply and access record still carry its
// method, path, request id and key. Empty when even that does not parse.
std::optional<bhttp::request<bhttp::empty_body>> head_without_length(const RequestClock &clock,
                                                                     const transport::PagedBuffer &buffer) {
    std::string head = head_text(clock, buffer);
    const auto end = head.find("\r\n\r\n");
    if (end == std::string::npos) return std::nullopt;
    head.resize(end + 4);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    static constexpr std::string_view field = "\ncontent-length:";
    static constexpr std::string_view renamed = "\nx-bad-c-length:"; // as long, so positions hold
    for (auto at = lower.find(field); at != std::string::npos; at = lower.find(field, at + 1))
        head.replace(at, renamed.size(), renamed);
    bhttp::request_parser<bhttp::empty_body> parser;
    beast::error_code ec;
    parser.put(asio::buffer(head), ec);
    if (ec || !parser.is_header_done()) return std::nullopt;
    return parser.release();
}

// Closes the way nginx does after an early refusal: the reply is out, the
// write side is shut, and what the client still sends (the body it was not
// asked for) is read and dropped until it closes or kLinger passes, so its
// kernel does not see a reset that would discard the reply unread.
asio::awaitable<void> lingering_close(tcp::socket &socket) {
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
        TimedSocket reader(socket);
        std::array<char, 16 * 1024> scratch;
        const auto until = Clock::now() + kLinger;
        while (Clock::now() < until) {
            auto [read_ec, n] = co_await reader.read(asio::buffer(scratch), until);
            if (read_ec) break;
        }
    }
    socket.close(ec);
}

// Waits while the answer is made; marks the reply gone as soon as the client
// closes (its end of stream) so the attempt loop stops, streamed or not.
// Bytes of a next request are left where they are.
asio::awaitable<void> watch_for_close(tcp::socket &socket, BeastReplyWriter &reply) {
    for (;;) {
        auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted) co_return; // the answer is done
        if (ec) {
            reply.mark_gone();
            co_return;
        }
        char c = 0;
        const auto n = ::recv(socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            reply.mark_gone();
            co_return;
        }
        if (n > 0) { // a pipelined request: nothing more to learn here until the answer is done
            asio::steady_timer forever(socket.get_executor(), Clock::time_point::max());
            co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return;
        }
    }
}

std::string path_of(std::string_view target) {
    try {
        return Poco::URI(std::string(target)).getPath();
    } catch (const std::exception &) {
        return {};
    }
}

// A request counts as in flight (for draining and the gauge) while it is
// served; a lingering close after it is not.
struct InFlight {
    std::atomic<std::int64_t> &count;
    explicit InFlight(std::atomic<std::int64_t> &c) : count(c) { count.fetch_add(1); }
    InFlight(const InFlight &) = delete;
    InFlight &operator=(const InFlight &) = delete;
    ~InFlight() { count.fetch_sub(1); }
};

// How a request leaves its connection.
enum class After { keep, close, linger };

// One request as the session serves it: its record and where its reply stands.
struct RequestState {
    RequestContext context;
    bool logged = false;   // an API route: its access record is written
    bool recorded = false; // ...and was
    int status = 0;
    api::Dialect dialect = api::Dialect::openai; // the route's error and event shape
};

class Session {
public:
    Session(tcp::socket socket, EventContext &context, transport::AsyncExchange &upstream, std::string remote)
        : stream_(std::move(socket)), reader_(stream_.socket()), context_(context), upstream_(upstream),
          remote_(std::move(remote)) {
        beast::error_code ec;
        if (remote_.empty())
            if (const auto endpoint = stream_.socket().remote_endpoint(ec); !ec) remote_ = endpoint.address().to_string();
        if (!remote_.empty()) {
            try {
                source_ = AuthFailures::source_of(Poco::Net::IPAddress(remote_));
            } catch (const std::exception &) {
                source_ = remote_;
            }
        }
    }

    tcp::socket &socket() { return stream_.socket(); }

    asio::awaitable<void> run() {
        bool first = true;
        for (;;) {
            runtime_ = context_.runtime.current();
            const auto &server = runtime_->config->server;
            Parser parser;
            configure(parser, server);
            RequestClock clock{Clock::now() + (first ? server.read_timeout : server.keep_alive_timeout), {}, {}};
            first = false;
            ReadEnd head = co_await read_until(reader_, buffer_, parser, true, clock, server);
            // On the heap: what this frame holds stays for the whole of a held stream.
            std::unique_ptr<Parser> escaped;
            if (head == ReadEnd::bad_target && escape_target(clock, buffer_)) {
                escaped = std::make_unique<Parser>();
                configure(*escaped, server);
                head = co_await read_until(reader_, buffer_, *escaped, true, clock, server);
            }
            Parser &request_parser = escaped ? *escaped : parser;
            if (head == ReadEnd::idle || head == ReadEnd::closed) break;
            if (head != ReadEnd::done) {
                co_await refuse_head(head, clock, server);
                co_return;
            }
            std::string().swap(clock.head); // kept only to look again at a head that failed
            After after = After::close;
            {
                const InFlight in_flight(context_.state.in_flight);
                after = co_await serve(request_parser, clock, server);
            }
            if (after == After::linger) {
                co_await lingering_close(stream_.socket());
                co_return;
            }
            if (after == After::close || context_.state.draining.load()) break;
        }
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

private:
    // A head that cannot be served: its error, then a lingering close. Its
    // own coroutine, so that the frame of run() does not keep the error's
    // state for a held stream's life.
    asio::awaitable<void> refuse_head(ReadEnd head, const RequestClock &clock, const config::ServerSettings &server) {
        if (head == ReadEnd::bad_length) {
            if (auto fields = head_without_length(clock, buffer_)) {
                buffer_.clear(); // nothing after this head can be found: the connection closes
                {
                    const InFlight in_flight(context_.state.in_flight);
                    co_await serve_refused(*fields, server);
                }
                co_await lingering_close(stream_.socket());
                co_return;
            }
        }
        const api::ApiError error = head == ReadEnd::timed_out ? head_timed_out(server.request_read_timeout)
                                    : head == ReadEnd::header_too_large
                                        ? header_too_large(server.max_header_bytes)
                                    : head == ReadEnd::bad_length
                                        ? bad_content_length()
                                        : client_error(400, "bad_request", "The request is not valid HTTP/1.1.");
        RequestState request;
        const std::string no_id; // named: see write_event() in beast_reply_writer.cpp
        co_await send_refusal(error, server, no_id, request);
        co_await lingering_close(stream_.socket());
    }

    // Headers every reply carries; `keep` says whether the connection stays.
    bhttp::fields base_headers(const std::string &request_id, bool keep, const config::ServerSettings &server) const {
        bhttp::fields f;
        f.set(bhttp::field::server, "helixagentd");
        if (!request_id.empty()) f.set("x-request-id", request_id);
        if (keep)
            f.set("Keep-Alive",
                  "timeout=" + std::to_string(std::max<std::int64_t>(server.keep_alive_timeout.count() / 1000, 1)));
        else
            f.set(bhttp::field::connection, "close");
        return f;
    }

    // API requests only: health checks and scrapes would drown the audit trail.
    void write_record(RequestState &request) {
        if (!request.logged || std::exchange(request.recorded, true)) return;
        if (!context_.state.access_log.enabled()) return;
        audit::AccessRecord &record = request.context.record;
        if (record.status == 0) record.status = request.status;
        if (!record.latency_seconds)
            record.latency_seconds = std::chrono::duration<double>(Clock::now() - record.started).count();
        context_.state.access_log.write(record);
    }

    // The record is written just before the reply's last write, so that a
    // client that has its answer finds it in the log.
    void record_before_last_write(BeastReplyWriter &reply, RequestState &request) {
        reply.before_last_write([this, &request](int status) {
            request.status = status;
            write_record(request);
        });
    }

    // An early refusal's reply (closing); the caller then closes lingeringly.
    asio::awaitable<void> send_refusal(const api::ApiError &error, const config::ServerSettings &server,
                                       const std::string &request_id, RequestState &request) {
        BeastReplyWriter reply(stream_, server.write_timeout, base_headers(request_id, false, server));
        reply.set_dialect(request.dialect);
        record_before_last_write(reply, request);
        co_await reply.fail(error);
        request.status = reply.status();
        write_record(request);
    }

    // A whole reply (a route's, a 404, a 405). A body the route does not
    // read closes the connection after it.
    asio::awaitable<After> send_whole(Reply &r, bool keep, bool has_body, bool head_only, const std::string &request_id,
                                      const config::ServerSettings &server, RequestState &request) {
        const bool stays = keep && !has_body;
        BeastReplyWriter reply(stream_, server.write_timeout, base_headers(request_id, stays, server), head_only);
        for (const auto &[name, value] : r.headers) reply.set_header(name, value);
        record_before_last_write(reply, request);
        const bool sent = co_await reply.send(r.status, r.content_type, r.body);
        request.status = reply.status();
        write_record(request);
        if (!sent) co_return After::close;
        if (has_body) co_return After::linger;
        co_return stays ? After::keep : After::close;
    }

    // The client key's header: Authorization, or Anthropic's x-api-key
    // (what @anthropic-ai/sdk and Claude Code send) made into its Bearer form.
    template <class Fields> static std::string authorization_of(const bhttp::request<Fields> &head) {
        const std::string_view authorization = head[bhttp::field::authorization];
        const std::string_view api_key = head["x-api-key"];
        if (!authorization.empty() || api_key.empty()) return std::string(authorization);
        return "Bearer " + std::string(api_key);
    }

    // The record's first facts, from the request's head.
    template <class Fields>
    void start_record(RequestState &request, const bhttp::request<Fields> &head, const std::string &request_id,
                      const std::string &path) {
        audit::AccessRecord &record = request.context.record;
        record.request_id = request_id;
        record.method = printable_uri(head.method_string(), 32);
        // A query may carry anything; the path any byte.
        const std::string_view target = head.target();
        record.path = printable_uri(target.substr(0, target.find('?')));
        record.remote = remote_;
        const Route *route = route_of_path(path);
        request.logged = route != nullptr && route->access == Access::keyed;
        if (route != nullptr) request.dialect = route->dialect;
    }

    // A request refused from its head alone (a Content-Length that is not a
    // number): answered, recorded, and its connection closed.
    asio::awaitable<void> serve_refused(const bhttp::request<bhttp::empty_body> &head,
                                        const config::ServerSettings &server) {
        const std::string request_id = request_id_for(head["x-request-id"]);
        RequestState request;
        start_record(request, head, request_id, path_of(head.target()));
        const api::ApiError error = bad_content_length();
        co_await send_refusal(error, server, request_id, request);
    }

    asio::awaitable<After> serve(Parser &parser, RequestClock &clock, const config::ServerSettings &server) {
        auto &head = parser.get();
        const std::string path = path_of(head.target());
        const bool has_body = parser.chunked() || (parser.content_length() && *parser.content_length() > 0);
        const std::string request_id = request_id_for(head["x-request-id"]);
        RequestState request;
        start_record(request, head, request_id, path);
        const bool keep_wanted = head.keep_alive() && !context_.state.draining.load();

        const Route *path_route = route_of_path(path);
        if (path_route != nullptr && path_route->access == Access::keyed) {
            // The key is checked before anything is taken for the request
            // (an in-flight slot, its body): a request refused for its key
            // costs a reply and a close.
            if (const auto refusal =
                    authenticate(*runtime_->client_keys, server, context_.state.auth_failures, source_,
                                 authorization_of(head), request.context)) {
                co_await send_refusal(*refusal, server, request_id, request);
                co_return After::linger;
            }
        }
        RouteMatch match = find_route(head.method_string(), path);
        const bool head_only = head.method() == bhttp::verb::head;
        if (match.refusal) co_return co_await send_whole(*match.refusal, keep_wanted, has_body, head_only, request_id, server, request);
        const Route &route = *match.route;
        if (route.endpoint != nullptr)
            co_return co_await serve_endpoint(route, parser, clock, server, request_id, request, keep_wanted);
        co_return co_await serve_whole(route, match.rest, head, keep_wanted, has_body, request_id, server, request);
    }

    // A route answered with one whole reply (health, metrics, models): its
    // own coroutine, so that serve()'s frame, which a held stream keeps,
    // does not hold its reply.
    asio::awaitable<After> serve_whole(const Route &route, std::string_view rest, const bhttp::request<bhttp::string_body> &head,
                                       bool keep_wanted, bool has_body, const std::string &request_id,
                                       const config::ServerSettings &server, RequestState &request) {
        RouteRequest route_request{*runtime_, context_.state, context_.metrics, rest, request.context.client, false};
        if (route.access == Access::details)
            route_request.with_key = carries_client_key(*runtime_->client_keys, server, context_.state.auth_failures,
                                                        source_, authorization_of(head));
        Reply reply = route.whole(route_request);
        co_return co_await send_whole(reply, keep_wanted, has_body, head.method() == bhttp::verb::head, request_id,
                                      server, request);
    }

    // The attempt loop, then the end of the socket watch (a wait on a socket
    // is not ended by the cancellation that || sends it).
    asio::awaitable<int> answer_then_stop_watching(router::AttemptRequest attempt) {
        const int status = co_await router::run_attempts(std::move(attempt));
        beast::error_code ignored;
        stream_.socket().cancel(ignored);
        co_return status;
    }

    asio::awaitable<After> serve_endpoint(const Route &route, Parser &parser, RequestClock &clock,
                                          const config::ServerSettings &server, const std::string &request_id,
                                          RequestState &request, bool keep_wanted) {
        // An in-flight slot, or 503 at once: a burst never queues behind slow upstream calls.
        if (context_.state.chat_in_flight.fetch_add(1) >= static_cast<std::int64_t>(server.max_in_flight)) {
            context_.state.chat_in_flight.fetch_sub(1);
            context_.state.refused_in_flight.fetch_add(1);
            // Errors of this frame are on the heap: it lives as long as a held stream.
            const auto overload = std::make_unique<api::ApiError>(
                api::overloaded("chat completions at once", "server.max_in_flight", server.max_in_flight));
            co_await send_refusal(*overload, server, request_id, request);
            co_return After::linger;
        }
        struct Slot {
            std::atomic<std::int64_t> &count;
            ~Slot() { count.fetch_sub(1); }
        } slot{context_.state.chat_in_flight};

        metrics::RequestObservation observed(context_.metrics, &request.context.record);
        // What the client got is counted and recorded just before the answer's last write.
        const auto answered = [&](int status) {
            request.status = status;
            observed.set_status(status);
            observed.finish();
            write_record(request);
        };
        const auto refuse = [&](const api::ApiError &error) -> asio::awaitable<After> {
            BeastReplyWriter reply(stream_, server.write_timeout, base_headers(request_id, false, server));
            reply.set_dialect(request.dialect);
            reply.before_last_write(answered);
            co_await reply.fail(error);
            answered(reply.gone() ? 499 : error.status);
            co_return After::linger;
        };
        if (parser.content_length() && *parser.content_length() > server.max_body_bytes) {
            const auto too_large = std::make_unique<api::ApiError>(api::body_too_large(server.max_body_bytes));
            co_return co_await refuse(*too_large);
        }
        parser.body_limit(server.max_body_bytes); // a chunked body is cut off as soon as it passes it
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue") && !parser.is_done()) {
            // The client waits to be told to send its body (curl does, for large ones).
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            stream_.expires_after(server.write_timeout);
            auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(go_on), asio::as_tuple(asio::use_awaitable));
            stream_.expires_never();
            if (ec) co_return After::close;
        }
        const ReadEnd body = co_await read_until(reader_, buffer_, parser, false, clock, server);
        if (body != ReadEnd::done) {
            const auto error = std::make_unique<api::ApiError>(
                body == ReadEnd::body_too_large                          ? api::body_too_large(server.max_body_bytes)
                : body == ReadEnd::timed_out || body == ReadEnd::closed ? body_timed_out()
                                                                          : client_error(400, "bad_request", "The request body could not be read."));
            co_return co_await refuse(*error);
        }
        // The request is in: a stream may now last minutes, and needs no read
        // buffer until the next request (a pipelined one's bytes are kept).
        buffer_.shrink_to_fit();

        auto &message = parser.get();
        const std::size_t body_bytes = message.body().size();
        BeastReplyWriter reply(stream_, server.write_timeout, base_headers(request_id, keep_wanted, server));
        reply.set_dialect(request.dialect);
        reply.before_last_write(answered);
        EndpointRequest endpoint_request{*runtime_, std::move(message.body()), message["X-Helix-Priority"],
                                         request.context.client, request.context.record, observed};
        endpoint_request.header = [&message](std::string_view name) { return std::string_view(message[name]); };
        auto planned = route.endpoint(endpoint_request);
        if (auto *error = std::get_if<api::ApiError>(&planned)) {
            co_await reply.fail(*error);
            answered(reply.gone() ? 499 : error->status);
            co_return reply.reusable() && keep_wanted ? After::keep : After::close;
        }
        EndpointPlan &plan = std::get<EndpointPlan>(planned);
        if (plan.answer) {
            for (const auto &[name, value] : plan.answer->headers) reply.set_header(name, value);
            co_await reply.send(plan.answer->status, plan.answer->content_type, plan.answer->body);
            answered(reply.gone() ? 499 : plan.answer->status);
            co_return reply.reusable() && keep_wanted ? After::keep : After::close;
        }
        // The key's limits: refused here with 429 (nothing sent upstream),
        // or admitted with a reservation that the real usage settles.
        limits::Admission admission = co_await admit(plan, request.context, body_bytes);
        for (const auto &[name, value] : admission.headers()) reply.set_header(name, value);
        if (!admission.allowed()) {
            const router::ClientIdentity &client = *request.context.client;
            context_.metrics.count_limit_refusal(client.name, limits::refusal_name(admission.refusal()));
            const auto refused = std::make_unique<api::ApiError>(admission.error("key '" + client.name + "'"));
            const auto refusal = admission.refusal();
            if (refusal == limits::Refusal::daily_budget || refusal == limits::Refusal::monthly_budget)
                reply.set_header("x-should-retry", "false"); // the OpenAI SDKs would retry a 429 otherwise
            co_await reply.fail(*refused);
            answered(reply.gone() ? 499 : refused->status);
            co_return reply.reusable() && keep_wanted ? After::keep : After::close;
        }
        using namespace asio::experimental::awaitable_operators;
        // Named, not temporaries in the co_await: GCC 12 destroys such
        // temporaries twice.
        router::AttemptRequest attempt{std::move(plan.candidates), *plan.endpoint, reply,   upstream_,
                                       context_.state.breakers,    observed,       *runtime_->config, context_.workers,
                                       &context_.state.limiter,    plan.input_tokens + plan.output_tokens,
                                       &context_.state.cooldowns,  context_.state.shared_providers.get()};
        auto attempts = answer_then_stop_watching(std::move(attempt));
        auto watch = watch_for_close(stream_.socket(), reply);
        auto outcome = co_await (std::move(attempts) || std::move(watch));
        const int status = outcome.index() == 0 ? std::get<0>(outcome) : 499;
        settle(admission, request.context);
        answered(status);
        co_return reply.reusable() && keep_wanted ? After::keep : After::close;
    }

    // The admission of a request by its key's limits (nothing to check
    // without any). The estimate: the endpoint's, else about 4 bytes of
    // body a token.
    asio::awaitable<limits::Admission> admit(EndpointPlan &plan, const RequestContext &context,
                                             std::size_t body_bytes) {
        const router::ClientIdentity *client = context.client;
        const config::KeyLimits &key_limits = runtime_->client_keys->limits_of(client);
        if (client == nullptr || !key_limits.any()) co_return limits::Admission{};
        if (plan.input_tokens == 0 && plan.output_tokens == 0)
            plan.input_tokens = static_cast<std::int64_t>(body_bytes / 4);
        const std::int64_t tokens = plan.input_tokens + plan.output_tokens;
        const auto cost =
            router::estimated_cost(*runtime_->config, plan.candidates.front(), plan.input_tokens, plan.output_tokens);
        const limits::ClientDemand demand{client->name, key_limits, context.record.model_asked, tokens, cost};
        co_return co_await context_.state.limiter.admit(demand);
    }

    // The real usage in place of the reservation; the budget gauges.
    void settle(limits::Admission &admission, const RequestContext &context) {
        if (!admission.limited()) return;
        const audit::AccessRecord &record = context.record;
        const bool used = record.tokens_in.has_value() || record.tokens_out.has_value();
        const std::int64_t tokens = used ? record.tokens_in.value_or(0) + record.tokens_out.value_or(0) : -1;
        // No usage at all (a failure): nothing was spent.
        admission.settle(tokens < 0 ? 0 : tokens, used ? record.cost_usd : std::optional<double>(0.0));
        if (const auto left = admission.budget_left(false)) context_.metrics.set_client_budget_left(context.client->name, "day", *left);
        if (const auto left = admission.budget_left(true)) context_.metrics.set_client_budget_left(context.client->name, "month", *left);
    }

    beast::tcp_stream stream_;
    TimedSocket reader_;
    transport::PagedBuffer buffer_; // its page from the loop thread's PageCache
    EventContext &context_;
    transport::AsyncExchange &upstream_;
    router::RuntimePtr runtime_;
    std::string remote_;
    std::string source_; // the address as AuthFailures counts it
};

} // namespace

void log_connection_failure(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &x) {
        Poco::Logger::get("helixagentd").error(std::string("connection ended by an error: ") + x.what());
    } catch (...) {
        Poco::Logger::get("helixagentd").error("connection ended by an unknown error");
    }
}

void LoopConnections::close_all() {
    for (tcp::socket *socket : open_) {
        beast::error_code ignored;
        socket->close(ignored);
    }
}

asio::awaitable<void> serve_connection(tcp::socket socket, EventContext &context, transport::AsyncExchange &upstream,
                                       LoopConnections &connections, std::string remote) {
    struct Counted {
        std::atomic<std::int64_t> &open;
        ~Counted() { open.fetch_sub(1); }
    } counted{context.open_connections};
    Session session(std::move(socket), context, upstream, std::move(remote));
    const RegisteredSocket registered(connections, session.socket());
    co_await session.run();
}

asio::awaitable<void> refuse_connection(tcp::socket socket, const std::string &reply, LoopConnections &connections) {
    beast::tcp_stream stream(std::move(socket));
    const RegisteredSocket registered(connections, stream.socket());
    stream.expires_after(std::chrono::seconds(2));
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
    stream.expires_never();
    if (ec) co_return;
    co_await lingering_close(stream.socket());
}

} // namespace helix::http

#include "daemon/http/event_server.hpp"

#include "daemon/api/error_body.hpp"
#include "daemon/api/errors.hpp"
#include "daemon/http/tls_session.hpp"

#include <Poco/Logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>

namespace helix::http {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string refusal_reply(std::size_t max_connections) {
    const std::string body = api::error_body(api::overloaded("connections", "server.max_connections", max_connections));
    return "HTTP/1.1 503 Service Unavailable\r\nServer: helixagentd\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
}

std::size_t loop_count(std::size_t configured) {
    if (configured > 0) return configured;
    return std::max(1u, std::thread::hardware_concurrency());
}

// prepare() calls are short and rare next to streams; a few threads suffice.
std::size_t worker_count(std::size_t loops) { return std::clamp<std::size_t>(loops, 2, 8); }

} // namespace

EventServer::EventServer(const config::ServerSettings &settings, const router::RuntimeHolder &runtime,
                         ServerState &state, metrics::Metrics &metrics,
                         std::shared_ptr<const transport::UpstreamSettings> upstream,
                         std::shared_ptr<asio::ssl::context> tls)
    : max_connections_(settings.max_connections), refusal_(refusal_reply(settings.max_connections)),
      handshake_timeout_(settings.read_timeout), tls_(std::move(tls)),
      workers_(worker_count(loop_count(settings.threads))), context_{runtime, state, metrics, workers_.get_executor()} {
    for (std::size_t i = 0; i < loop_count(settings.threads); ++i) {
        loops_.push_back(std::make_unique<Loop>());
        loops_.back()->upstream.emplace(loops_.back()->io.get_executor(), upstream);
    }
    asio::io_context &first = loops_.front()->io;
    tcp::resolver resolver(first);
    const auto endpoints =
        resolver.resolve(settings.listen_address, std::to_string(settings.port), tcp::resolver::passive);
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.emplace(first);
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(tcp::acceptor::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen(static_cast<int>(std::min<std::size_t>(settings.max_queued_connections, 65535)));
    acceptor_->non_blocking(true); // accept_loop() empties the queue without waiting
    port_ = acceptor_->local_endpoint().port();
    // Measured once the loops and the acceptor hold theirs. A TLS connection
    // holds a socket pair besides its socket and its upstream socket (none of
    // its own while its call shares an HTTP/2 upstream connection).
    headroom_.emplace(tls_ ? 4 : 2, kDescriptorReserve);
}

EventServer::~EventServer() {
    // Every connection is closed on its loop, which ends its coroutine (and
    // its upstream call); a loop with nothing left to do then returns.
    stop_accepting();
    for (auto &loop : loops_) {
        asio::post(loop->io, [&l = *loop] { l.connections.close_all(); });
        loop->work.reset();
    }
    if (!threads_.empty()) {
        std::unique_lock lock(ended_mutex_);
        ended_.wait_for(lock, std::chrono::seconds(3), [this] {
            return std::all_of(loops_.begin(), loops_.end(), [](const auto &l) { return l->ended.load(); });
        });
    }
    for (auto &loop : loops_) loop->io.stop(); // one that did not end in time
    for (auto &t : threads_) t.join();
    workers_.join();
    acceptor_.reset();
    loops_.clear();
}

void EventServer::start() {
    asio::co_spawn(loops_.front()->io, accept_loop(), log_connection_failure);
    for (auto &loop : loops_)
        threads_.emplace_back([this, &l = *loop] {
            for (;;) {
                try {
                    l.io.run();
                    break;
                } catch (const std::exception &e) {
                    Poco::Logger::get("helixagentd").error(std::string("event loop: ") + e.what());
                }
            }
            {
                const std::lock_guard lock(ended_mutex_);
                l.ended = true;
            }
            ended_.notify_all();
        });
}

void EventServer::replace_tls(std::shared_ptr<asio::ssl::context> tls) {
    const std::lock_guard lock(tls_mutex_);
    tls_ = std::move(tls);
}

void EventServer::stop_accepting() {
    if (!acceptor_) return;
    asio::post(loops_.front()->io, [this] {
        boost::system::error_code ec;
        if (acceptor_) acceptor_->close(ec);
    });
}

// A loop busy with thousands of streams comes back to its acceptor only
// after every other ready handler has run, so one accept per turn lets the
// kernel's queue overflow under a burst (and its clients' SYNs are retried
// seconds later): every turn takes what is queued, as nginx's multi_accept.
constexpr int kAcceptsPerTurn = 64;

// While descriptors are short, connections wait in the listen queue and
// are looked at again this often.
constexpr auto kHeadroomPoll = std::chrono::milliseconds(50);

bool EventServer::tight(long lowest_free) const {
    std::int64_t shared = 0;
    for (const auto &loop : loops_) shared += loop->upstream->http2_calls();
    return headroom_->tight(context_.open_connections.load(), lowest_free, shared);
}

asio::awaitable<bool> EventServer::wait_for_headroom(asio::steady_timer &pause, long &lowest_free) {
    while (tight(lowest_free)) {
        if (!short_of_descriptors_) {
            Poco::Logger::get("helixagentd")
                .warning("file descriptors nearly exhausted (limit %ld): new connections wait in the listen queue "
                         "until some close",
                         DescriptorHeadroom::descriptor_limit());
            short_of_descriptors_ = true;
        }
        pause.expires_after(kHeadroomPoll);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!acceptor_->is_open()) co_return false;
        lowest_free = DescriptorHeadroom::lowest_free_descriptor(); // descriptors may have been freed meanwhile
    }
    short_of_descriptors_ = false;
    co_return true;
}

asio::awaitable<void> EventServer::accept_loop() {
    asio::steady_timer pause(loops_.front()->io);
    // The kernel hands out the lowest free number, so each accepted socket's
    // number tells the next check where the free ones start.
    long lowest_free = DescriptorHeadroom::lowest_free_descriptor();
    for (;;) {
        if (!co_await wait_for_headroom(pause, lowest_free)) co_return;
        Loop &target = *loops_[next_loop_++ % loops_.size()];
        auto [ec, socket] = co_await acceptor_->async_accept(target.io, asio::as_tuple(asio::use_awaitable));
        if (!acceptor_->is_open()) co_return;
        if (ec) { // out of descriptors, say: try again shortly
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        lowest_free = socket.native_handle() + 1;
        admit(std::move(socket), target);
        for (int i = 1; i < kAcceptsPerTurn; ++i) {
            if (tight(lowest_free)) break;
            Loop &next = *loops_[next_loop_ % loops_.size()];
            boost::system::error_code again;
            tcp::socket more = acceptor_->accept(next.io, again);
            if (again) break; // the queue is empty (an error shows again in the next async_accept)
            ++next_loop_;
            lowest_free = more.native_handle() + 1;
            admit(std::move(more), next);
        }
    }
}

void EventServer::admit(tcp::socket socket, Loop &target) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    // Only the accept loop adds to open_connections, so the check holds.
    if (context_.open_connections.load() >= static_cast<std::int64_t>(max_connections_)) {
        context_.state.refused_connections.fetch_add(1);
        asio::co_spawn(target.io, refuse_connection(std::move(socket), refusal_, target.connections),
                       log_connection_failure);
        return;
    }
    context_.open_connections.fetch_add(1);
    std::shared_ptr<asio::ssl::context> tls;
    {
        const std::lock_guard lock(tls_mutex_);
        tls = tls_;
    }
    if (tls)
        asio::co_spawn(target.io,
                       serve_tls_connection(std::move(socket), std::move(tls), context_, *target.upstream,
                                            target.connections, handshake_timeout_),
                       log_connection_failure);
    else
        asio::co_spawn(target.io, serve_connection(std::move(socket), context_, *target.upstream, target.connections),
                       log_connection_failure);
}

} // namespace helix::http

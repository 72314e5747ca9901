#pragma once
// The client-facing server: one io_context per thread (server.threads,
// default one per core), each run by a thread of its own. One acceptor hands
// each new connection to the loops in turn, and the connection stays on that
// loop for its life (its session coroutine, its timers, its upstream call on
// the loop's own AsyncUpstreamClient and connection pool), so nothing of a
// connection is shared between threads. Beyond server.max_connections a new
// connection is answered 503 at once and closed lingeringly. A plugin's
// prepare(), which may block, runs on a small worker pool instead. While one
// more connection could leave an upstream call without a file descriptor,
// new connections wait in the listen queue (DescriptorHeadroom).

#include "daemon/config/config.hpp"
#include "daemon/http/descriptor_headroom.hpp"
#include "daemon/http/event_session.hpp"
#include "daemon/transport/async_upstream_client.hpp"
#include "daemon/transport/upstream_settings.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace helix::http {

class EventServer {
public:
    // Binds and listens (throws when it cannot); serving starts with start().
    // Counts its refusals into state (refused_in_flight, refused_connections).
    EventServer(const config::ServerSettings &settings, const router::RuntimeHolder &runtime, ServerState &state,
                metrics::Metrics &metrics, std::shared_ptr<const transport::UpstreamSettings> upstream,
                std::shared_ptr<boost::asio::ssl::context> tls = nullptr); // tls: null for plain HTTP
    ~EventServer();
    EventServer(const EventServer &) = delete;
    EventServer &operator=(const EventServer &) = delete;

    void start();
    std::uint16_t port() const { return port_; }
    std::size_t threads() const { return loops_.size(); }
    // New connections get this TLS context (a renewed certificate, on
    // reload); open ones keep the one they began with.
    void replace_tls(std::shared_ptr<boost::asio::ssl::context> tls);
    // Stops accepting connections; requests already in flight go on.
    void stop_accepting();
    std::int64_t open_connections() const { return context_.open_connections.load(); }

private:
    struct Loop {
        boost::asio::io_context io{1};
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
        std::optional<transport::AsyncUpstreamClient> upstream{};
        LoopConnections connections{};
        std::atomic<bool> ended{false}; // its thread's run() returned
    };
    boost::asio::awaitable<void> accept_loop();
    // Waits while one more connection could run the process out of file
    // descriptors (reading lowest_free again while it waits); false once the
    // acceptor is closed.
    boost::asio::awaitable<bool> wait_for_headroom(boost::asio::steady_timer &pause, long &lowest_free);
    // Serves a new connection on `target` (or refuses it beyond max_connections).
    void admit(boost::asio::ip::tcp::socket socket, Loop &target);

    const std::size_t max_connections_;
    const std::string refusal_; // the whole 503 reply beyond max_connections
    const std::chrono::milliseconds handshake_timeout_;
    std::mutex tls_mutex_;
    std::shared_ptr<boost::asio::ssl::context> tls_; // under tls_mutex_ (the acceptor's loop reads it)
    std::vector<std::unique_ptr<Loop>> loops_;
    std::vector<std::thread> threads_;
    boost::asio::thread_pool workers_; // prepare()
    EventContext context_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::uint16_t port_ = 0;
    std::mutex ended_mutex_;
    std::condition_variable ended_;
    std::size_t next_loop_ = 0;
    static constexpr std::size_t kDescriptorReserve = 8; // token fetches, log reopening
    std::optional<DescriptorHeadroom> headroom_;
    bool short_of_descriptors_ = false; // the acceptor's loop only: said once per episode
    // DescriptorHeadroom::tight() with the connections open now, and those
    // of them in a call over a shared HTTP/2 upstream connection.
    bool tight(long lowest_free) const;
};

} // namespace helix::http

#include "daemon/http/tls_session.hpp"

#include <Poco/Logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <array>
#include <sys/socket.h>

namespace helix::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// How long the client may go on sending once the session has closed its
// side (the lingering close of an early refusal lasts as long).
constexpr std::chrono::seconds kLinger{5};

// Bytes from `from` to `to`, each write awaited before the next read, until
// either side ends.
template <class From, class To> asio::awaitable<void> copy_until_end(From &from, To &to) {
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        auto [read_ec, n] = co_await from.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
        if (n > 0) {
            auto [write_ec, written] =
                co_await asio::async_write(to, asio::buffer(buffer.data(), n), asio::as_tuple(asio::use_awaitable));
            if (write_ec) break;
        }
        if (read_ec) break;
    }
}

// The client's decrypted bytes to the session, until either side ends; then
// the session sees the end of its stream.
asio::awaitable<void> client_to_session(TlsStream &client, tcp::socket &session, asio::steady_timer &linger) {
    co_await copy_until_end(client, session);
    beast::error_code ignored;
    session.shutdown(tcp::socket::shutdown_send, ignored);
    linger.cancel();
}

// The session's bytes to the client, encrypted, until the session closes;
// then the client has kLinger to end its side.
asio::awaitable<void> session_to_client(tcp::socket &session, TlsStream &client, asio::steady_timer &linger,
                                        const bool &client_done) {
    co_await copy_until_end(session, client);
    beast::error_code ignored;
    client.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!client_done) {
        linger.expires_after(kLinger);
        co_await linger.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    client.next_layer().socket().close(ignored); // ends client_to_session's read
}

} // namespace

asio::awaitable<void> serve_tls_connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, EventContext &context,
                                           transport::AsyncExchange &upstream, LoopConnections &connections,
                                           std::chrono::milliseconds handshake_timeout) {
    std::string remote;
    beast::error_code ec;
    if (const auto endpoint = socket.remote_endpoint(ec); !ec) remote = endpoint.address().to_string();
    const auto executor = socket.get_executor();
    TlsStream client(std::move(socket), *tls);
    const RegisteredSocket registered(connections, client.next_layer().socket());
    // Counted open by the acceptor; the session counts it closed, or this
    // when there is no session.
    struct Uncounted {
        std::atomic<std::int64_t> &open;
        bool handed_on = false;
        ~Uncounted() {
            if (!handed_on) open.fetch_sub(1);
        }
    } counted{context.open_connections};

    client.next_layer().expires_after(handshake_timeout);
    auto [handshake_ec] = co_await client.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    client.next_layer().expires_never();
    if (handshake_ec) {
        Poco::Logger::get("helixagentd").debug("TLS handshake with " + remote + " failed: " + handshake_ec.message());
        co_return;
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) co_return;
    tcp::socket session_side(executor);
    tcp::socket pump_side(executor);
    session_side.assign(tcp::v4(), pair[0], ec);
    pump_side.assign(tcp::v4(), pair[1], ec);
    counted.handed_on = true;
    asio::co_spawn(executor, serve_connection(std::move(session_side), context, upstream, connections, remote),
                   log_connection_failure);

    asio::steady_timer linger(executor);
    bool client_done = false;
    using namespace asio::experimental::awaitable_operators;
    // Named, not temporaries in the co_await (GCC 12).
    auto up = [&]() -> asio::awaitable<void> {
        co_await client_to_session(client, pump_side, linger);
        client_done = true;
    };
    auto upward = up();
    auto downward = session_to_client(pump_side, client, linger, client_done);
    co_await (std::move(upward) && std::move(downward));
}

} // namespace helix::http

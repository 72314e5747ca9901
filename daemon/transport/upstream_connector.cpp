#include "daemon/transport/upstream_connector.hpp"

#include "daemon/transport/await_helpers.hpp"
#include "daemon/transport/exchange_failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tuple>
#include <vector>

namespace helix::transport {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

bool is_ip_literal(const std::string &host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// A step that failed: cancelled by the caller, out of time, or the error itself.
[[noreturn]] void fail(const error_code &ec, bool cancelled, const ExchangeBudget &budget, ExchangeError error,
                       const std::string &what) {
    if (cancelled) throw ExchangeFailure{ExchangeError::cancelled, "cancelled while " + what};
    if (ec == boost::beast::error::timeout || ec == asio::error::timed_out || budget.passed())
        throw ExchangeFailure{ExchangeError::timeout, budget.bound_by_deadline()
                                                          ? "the request's deadline passed while " + what
                                                          : "no answer in time while " + what};
    throw ExchangeFailure{error, what + ": " + ec.message()};
}

// The resolver takes no timeout: a timer cancels it.
asio::awaitable<asio::ip::tcp::resolver::results_type> resolve(const std::string &host, std::uint16_t port,
                                                              const ExchangeLimits &limits, ExchangeBudget &budget) {
    const auto executor = co_await asio::this_coro::executor;
    auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
    asio::steady_timer timer(executor, budget.until(limits.connect_timeout));
    timer.async_wait([weak = std::weak_ptr(resolver)](const error_code &ec) {
        if (const auto r = weak.lock(); r && !ec) r->cancel();
    });
    auto [ec, results] = co_await resolver->async_resolve(host, std::to_string(port), use_tuple);
    timer.cancel();
    const bool cancelled_now = ec && (co_await was_cancelled());
    if (ec == asio::error::operation_aborted && !cancelled_now)
        throw ExchangeFailure{ExchangeError::timeout, budget.bound_by_deadline()
                                                          ? "the request's deadline passed while resolving " + host
                                                          : "resolving " + host + " took too long"};
    if (ec) {
        const bool cancelled = co_await was_cancelled();
        fail(ec, cancelled, budget, ExchangeError::connect_failed, "resolving " + host);
    }
    if (results.empty()) throw ExchangeFailure{ExchangeError::connect_failed, "no address for host " + host};
    co_return results;
}

// Why a socket could not be created, in words an operator acts on.
std::string open_failure(const error_code &ec, const std::string &host) {
    if (ec == asio::error::no_descriptors)
        return "no free file descriptor for a connection to " + host + " (the process is at its open-file limit)";
    if (ec == std::errc::too_many_files_open_in_system)
        return "no free file descriptor for a connection to " + host + " (the system's open-file table is full)";
    return "cannot open a socket for " + host + ": " + ec.message();
}

// Each address in turn. The socket is opened here rather than by asio's
// range connect, which reports a socket it could not open (EMFILE) as
// "Operation canceled".
asio::awaitable<void> connect(boost::beast::tcp_stream &tcp, const std::string &host, std::uint16_t port,
                              const ExchangeLimits &limits, ExchangeBudget &budget) {
    const auto addresses = co_await resolve(host, port, limits, budget);
    if (limits.address_check != nullptr)
        for (const auto &address : addresses)
            if (!limits.address_check->allowed(host, address.endpoint().address()))
                throw ExchangeFailure{ExchangeError::connect_failed, "the address of " + host + " is not allowed"};
    tcp.expires_at(budget.until(limits.connect_timeout));
    error_code ec;
    for (const auto &address : addresses) {
        error_code ignored;
        tcp.socket().close(ignored);
        if (tcp.socket().open(address.endpoint().protocol(), ec); ec)
            throw ExchangeFailure{ExchangeError::connect_failed, open_failure(ec, host)};
        std::tie(ec) = co_await tcp.async_connect(address.endpoint(), use_tuple);
        if (!ec) co_return;
        if (ec == boost::beast::error::timeout || (co_await was_cancelled())) break;
    }
    const bool cancelled = co_await was_cancelled();
    if (ec == asio::error::connection_refused && !cancelled)
        throw ExchangeFailure{ExchangeError::connect_failed, "connection refused by " + host};
    fail(ec, cancelled, budget, ExchangeError::connect_failed, "connecting to " + host);
}

// Asks the proxy for a tunnel to the upstream (for TLS end to end).
asio::awaitable<void> open_tunnel(UpstreamConnection &connection, const Endpoint &endpoint, const Proxy &proxy,
                                  const ExchangeLimits &limits, ExchangeBudget &budget) {
    const std::string target = authority(endpoint.host, endpoint.port);
    http::request<http::empty_body> request{http::verb::connect, target, 11};
    request.set(http::field::host, target);
    if (!proxy.username.empty()) request.set(http::field::proxy_authorization, proxy_authorization(proxy));
    connection.tcp().expires_at(budget.until(limits.connect_timeout));
    const auto [write_error, written] = co_await http::async_write(connection.tcp(), request, use_tuple);
    if (write_error) {
        const bool cancelled = co_await was_cancelled();
        fail(write_error, cancelled, budget, ExchangeError::connect_failed, "asking the proxy for a tunnel");
    }
    http::response_parser<http::empty_body> response;
    response.skip(true); // a CONNECT reply has no body: the tunnel follows
    connection.tcp().expires_at(budget.until(limits.connect_timeout));
    const auto [read_error, read] = co_await http::async_read_header(connection.tcp(), connection.buffer(), response, use_tuple);
    if (read_error) {
        const bool cancelled = co_await was_cancelled();
        fail(read_error, cancelled, budget, ExchangeError::connect_failed, "asking the proxy for a tunnel");
    }
    if (response.get().result_int() / 100 != 2)
        throw ExchangeFailure{ExchangeError::connect_failed, "the proxy refused the tunnel to " + target + " (status " +
                                                                 std::to_string(response.get().result_int()) + ")"};
    if (connection.buffer().size() != 0)
        throw ExchangeFailure{ExchangeError::connect_failed, "the proxy sent bytes before the tunnel was used"};
}

asio::awaitable<void> handshake(UpstreamConnection &connection, const Endpoint &endpoint, asio::ssl::context &tls,
                                const ExchangeLimits &limits, ExchangeBudget &budget, std::string_view alpn) {
    auto &stream = connection.start_tls(tls);
    if (!alpn.empty() && SSL_set_alpn_protos(stream.native_handle(), reinterpret_cast<const unsigned char *>(alpn.data()),
                                             static_cast<unsigned>(alpn.size())) != 0)
        throw ExchangeFailure{ExchangeError::connect_failed, "cannot offer the ALPN protocols"};
    // SNI carries names only, never addresses (RFC 6066).
    if (!is_ip_literal(endpoint.host) && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char *>(endpoint.host.c_str())) != 1) // SSL_set_tlsext_host_name, without its C cast
        throw ExchangeFailure{ExchangeError::connect_failed, "cannot set the TLS server name " + endpoint.host};
    // Every name is checked, loopback ones too: a certificate for another
    // name is refused even on 127.0.0.1.
    if (SSL_CTX_get_verify_mode(tls.native_handle()) != SSL_VERIFY_NONE)
        stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    connection.tcp().expires_at(budget.until(limits.connect_timeout));
    const auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (!ec) {
        const unsigned char *chosen = nullptr;
        unsigned chosen_len = 0;
        SSL_get0_alpn_selected(stream.native_handle(), &chosen, &chosen_len);
        if (chosen != nullptr) connection.protocol.assign(reinterpret_cast<const char *>(chosen), chosen_len);
        co_return;
    }
    const bool cancelled = co_await was_cancelled();
    std::string what = "the TLS handshake with " + endpoint.host;
    if (const long verify = SSL_get_verify_result(stream.native_handle()); verify != X509_V_OK)
        what += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
    fail(ec, cancelled, budget, ExchangeError::connect_failed, what);
}

} // namespace

std::string authority(const std::string &host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string proxy_authorization(const Proxy &proxy) {
    const std::string credentials = proxy.username + ":" + proxy.password;
    std::vector<unsigned char> encoded(4 * ((credentials.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(encoded.data(), reinterpret_cast<const unsigned char *>(credentials.data()),
                                  static_cast<int>(credentials.size()));
    return "Basic " + std::string(encoded.begin(), encoded.begin() + n);
}

asio::awaitable<std::unique_ptr<UpstreamConnection>> open_connection(const Endpoint &endpoint,
                                                                     const std::optional<Proxy> &proxy,
                                                                     asio::ssl::context &tls,
                                                                     const ExchangeLimits &limits,
                                                                     ExchangeBudget &budget,
                                                                     ConnectOptions options) {
    auto connection = std::make_unique<UpstreamConnection>(co_await asio::this_coro::executor);
    const std::string &host = proxy ? proxy->host : endpoint.host;
    const std::uint16_t port = proxy ? proxy->port : endpoint.port;
    co_await connect(connection->tcp(), host, port, limits, budget);
    if (!endpoint.tls) {
        if (proxy && options.tunnel_plain) co_await open_tunnel(*connection, endpoint, *proxy, limits, budget);
        co_return connection;
    }
    if (proxy) co_await open_tunnel(*connection, endpoint, *proxy, limits, budget);
    co_await handshake(*connection, endpoint, tls, limits, budget, options.alpn);
    co_return connection;
}

} // namespace helix::transport

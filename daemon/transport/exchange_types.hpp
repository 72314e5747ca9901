#pragma once
// What every upstream exchange, blocking or event-driven, takes and reports.

#include "daemon/transport/http2_mode.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace helix::transport {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Checks the addresses a fetch made on a client's behalf may connect to.
// The host name is resolved once per connection and every address it gave
// is checked before the connect, so the address connected to is one that was
// checked (no second lookup to rebind).
class AddressCheck {
public:
    virtual ~AddressCheck() = default;
    // false: the connect fails (ExchangeError::connect_failed); the check
    // keeps why, for the caller's message.
    virtual bool allowed(const std::string &host, const boost::asio::ip::address &address) = 0;
};

struct ExchangeLimits {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds read_timeout{60'000}; // longest silence between bytes
    // Bounds the whole exchange, reads included (router.deadline); none: no bound.
    std::optional<std::chrono::steady_clock::time_point> deadline{};
    Http2Mode http2 = Http2Mode::off; // the provider's choice of HTTP version
    // Set for a fetch on a client's behalf (media URLs): its addresses are
    // checked, and it goes through no proxy and no pooled connection, nor
    // leaves its connection in the pool.
    AddressCheck *address_check = nullptr;
};

enum class ExchangeError {
    none,
    bad_request,    // the plugin's request cannot be sent (bad URL)
    connect_failed, // nothing reached the upstream
    timeout,        // connect or read timed out, or the deadline passed
    reset,          // the connection broke after the request was sent, or the body fell short of its Content-Length
    cancelled,      // the sink asked to stop, or the caller was cancelled
};

struct ExchangeResult {
    ExchangeError error = ExchangeError::none;
    std::string detail;         // for logs and error messages; never contains credentials
    bool head_received = false; // whether on_head was called
};

const char *to_string(ExchangeError e) noexcept;

} // namespace helix::transport

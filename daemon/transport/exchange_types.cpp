#include "daemon/transport/exchange_types.hpp"

namespace helix::transport {

const char *to_string(ExchangeError e) noexcept {
    switch (e) {
    case ExchangeError::none: return "ok";
    case ExchangeError::bad_request: return "bad upstream request";
    case ExchangeError::connect_failed: return "connect failed";
    case ExchangeError::timeout: return "timeout";
    case ExchangeError::reset: return "connection reset";
    case ExchangeError::cancelled: return "cancelled";
    }
    return "unknown";
}

} // namespace helix::transport

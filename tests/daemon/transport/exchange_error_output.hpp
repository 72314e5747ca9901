#pragma once
// Lets Boost.Test print an ExchangeError in a failed check.

#include "daemon/transport/exchange_types.hpp"

#include <ostream>

namespace helix::transport {
inline std::ostream &operator<<(std::ostream &out, ExchangeError e) { return out << to_string(e); }
} // namespace helix::transport

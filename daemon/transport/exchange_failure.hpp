#pragma once
// Thrown inside an exchange's steps to leave it with a classified error.

#include "daemon/transport/exchange_types.hpp"

#include <string>

namespace helix::transport {

struct ExchangeFailure {
    ExchangeError error;
    std::string detail;
};

} // namespace helix::transport

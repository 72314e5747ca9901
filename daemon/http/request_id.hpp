#pragma once
// x-request-id: a client's own id is kept when it is a sane token (so logs on
// both sides join up); otherwise the gateway makes one.

#include <string>
#include <string_view>

namespace helix::http {

// The id to use for a request whose x-request-id header is `offered` (may be empty).
std::string request_id_for(std::string_view offered);

} // namespace helix::http

#pragma once
// Side requests for plugins (token exchanges, credential endpoints): one
// blocking HTTP(S) exchange per call with certificate verification on.

#include "daemon/plugins/host_services.hpp"

namespace helix::transport {

class PocoSideRequestClient final : public plugins::SideRequestClient {
public:
    helix_status fetch(const helix_http_request &request, std::chrono::milliseconds timeout,
                       helix_fetch_callback on_response, void *user, helix_error *err) override;
};

} // namespace helix::transport

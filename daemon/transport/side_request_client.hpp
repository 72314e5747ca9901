#pragma once
// Side requests for plugins (token exchanges, credential endpoints) through
// the same pooled transport as upstream calls: one whole response per call.
// A call from an event loop's thread waits there (see UpstreamClient).

#include "daemon/plugins/host_services.hpp"
#include "daemon/transport/upstream_client.hpp"

namespace helix::transport {

class PooledSideRequestClient final : public plugins::SideRequestClient {
public:
    explicit PooledSideRequestClient(UpstreamClient &client) : client_(client) {}
    helix_status fetch(const helix_http_request &request, std::chrono::milliseconds timeout,
                       helix_fetch_callback on_response, void *user, helix_error *err) override;

private:
    UpstreamClient &client_;
};

} // namespace helix::transport

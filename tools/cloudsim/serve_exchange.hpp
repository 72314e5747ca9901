#pragma once
// One request on a provider listener, whatever carries it (an HTTP/1.1
// connection or an HTTP/2 stream): /__sim/* to the control API, the rest to
// the provider module, counted in the listener's stats.

namespace helix::cloudsim {

class Exchange;
class ProviderApi;
class ProviderContext;

// May throw ConnectionAborted after the exchange was reset.
void serve_exchange(Exchange &exchange, ProviderApi &api, ProviderContext &context);

} // namespace helix::cloudsim

#include "tools/cloudsim/serve_exchange.hpp"

#include "tools/cloudsim/control_api.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/provider_api.hpp"

#include <Poco/Net/HTTPServerRequest.h>

#include <string>

namespace helix::cloudsim {

void serve_exchange(Exchange &exchange, ProviderApi &api, ProviderContext &context) {
    if (exchange.path().starts_with(kControlPrefix)) {
        handle_control(exchange, context, api);
        return;
    }
    context.stats().count_request(exchange.method() + " " + std::string(exchange.path()),
                                  exchange.request().getVersion());
    try {
        api.handle(exchange, context);
    } catch (const ConnectionAborted &) {
        context.stats().count_outcome("aborted");
        throw;
    }
    context.stats().count_outcome(std::to_string(exchange.status()));
}

} // namespace helix::cloudsim

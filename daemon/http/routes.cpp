#include "daemon/http/routes.hpp"

#include "daemon/http/chat_endpoint.hpp"
#include "daemon/http/completions_endpoint.hpp"
#include "daemon/http/embeddings_endpoint.hpp"
#include "daemon/http/health_handlers.hpp"
#include "daemon/http/messages_endpoint.hpp"
#include "daemon/http/metrics_handler.hpp"
#include "daemon/http/models_handler.hpp"
#include "daemon/http/printable_uri.hpp"
#include "daemon/http/responses_endpoint.hpp"

#include <array>

namespace helix::http {

namespace {

Reply liveness(const RouteRequest &) { return liveness_reply(); }

Reply readiness(const RouteRequest &r) { return readiness_reply(&r.runtime, r.state, r.with_key); }

Reply metrics(const RouteRequest &r) {
    // ServerState counts this scrape as well; the gauge leaves it out.
    return metrics_reply(r.metrics, r.state, r.state.in_flight.load() - 1, r.with_key);
}

Reply models(const RouteRequest &r) { return models_reply(r.runtime, std::string(r.rest), r.client); }

// Listed in this order in the 404 body (prefix routes are not).
const std::array kRoutes{
    Route{"POST", "/v1/chat/completions", false, Access::keyed, nullptr, plan_chat_endpoint},
    Route{"POST", "/v1/embeddings", false, Access::keyed, nullptr, plan_embeddings_endpoint},
    Route{"POST", "/v1/responses", false, Access::keyed, nullptr, plan_responses_endpoint},
    Route{"GET", "/v1/responses/", true, Access::keyed, stored_response_reply, nullptr},
    Route{"POST", "/v1/completions", false, Access::keyed, nullptr, plan_completions_endpoint},
    Route{"POST", "/v1/messages", false, Access::keyed, nullptr, plan_messages_endpoint, api::Dialect::anthropic},
    Route{"POST", "/v1/messages/count_tokens", false, Access::keyed, nullptr, plan_count_tokens_endpoint,
          api::Dialect::anthropic},
    Route{"GET", "/v1/models", false, Access::keyed, models, nullptr},
    Route{"GET", "/v1/models/", true, Access::keyed, models, nullptr},
    Route{"GET", "/healthz", false, Access::open, liveness, nullptr},
    Route{"GET", "/readyz", false, Access::details, readiness, nullptr},
    Route{"GET", "/metrics", false, Access::details, metrics, nullptr},
};

bool matches(const Route &route, std::string_view path) {
    return route.prefix ? path.starts_with(route.path) : path == route.path;
}

bool method_fits(const Route &route, std::string_view method) {
    return method == route.method || (route.method == "GET" && method == "HEAD");
}

} // namespace

const Route *route_of_path(std::string_view path) {
    for (const Route &route : kRoutes)
        if (matches(route, path)) return &route;
    return nullptr;
}

RouteMatch find_route(std::string_view method, std::string_view path) {
    std::string allowed;
    for (const Route &route : kRoutes) {
        if (!matches(route, path)) continue;
        if (method_fits(route, method)) return RouteMatch{&route, path.substr(route.path.size()), std::nullopt};
        if (allowed.find(route.method) == std::string::npos) allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
    }
    if (!allowed.empty()) {
        Reply r = error_reply(client_error(405, "method_not_allowed",
                                           printable_uri(method, 32) + " is not allowed on " + printable_uri(path) +
                                               "; use " + allowed + "."));
        r.headers.emplace_back("Allow", allowed);
        return RouteMatch{nullptr, {}, std::move(r)};
    }
    std::string available;
    for (const Route &route : kRoutes)
        if (!route.prefix) available += (available.empty() ? "" : ", ") + std::string(route.method) + " " + std::string(route.path);
    return RouteMatch{nullptr, {},
                      error_reply(client_error(404, "unknown_url",
                                               "Unknown request URL: " + printable_uri(method, 32) + " " +
                                                   printable_uri(path) + ". Available: " + available + "."))};
}

} // namespace helix::http

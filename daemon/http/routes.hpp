#pragma once
// The client API's route table: method and path to handler, in one place,
// so adding an endpoint is one line in routes.cpp. A route is either whole
// (its reply computed at once from the request: health, metrics, models) or
// an attempt-loop endpoint (router/endpoint.hpp: its body is read, it takes
// one of server.max_in_flight slots, and the fail-over loop answers it).
// The session (event_session.cpp) applies what a route's Access asks for
// before its handler runs.

#include "daemon/api/dialect.hpp"
#include "daemon/api/error_body.hpp"
#include "daemon/audit/access_record.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/server_state.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/candidates.hpp"
#include "daemon/router/client_keys.hpp"
#include "daemon/router/endpoint.hpp"
#include "daemon/router/runtime.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helix::http {

enum class Access {
    open,    // anyone (liveness)
    details, // anyone; a request with a valid client key sees more (readyz, metrics)
    keyed,   // a valid client key first (401/429 otherwise); written to the access log
};

// What a whole route's handler sees of one request.
struct RouteRequest {
    const router::Runtime &runtime;
    ServerState &state;
    metrics::Metrics &metrics;
    std::string_view rest;                        // a prefix route: the path after the prefix
    const router::ClientIdentity *client = nullptr; // keyed routes: the accepted key
    bool with_key = false;                        // details routes: a valid key came with it
};
using WholeHandler = Reply (*)(const RouteRequest &request);

// What an endpoint route's handler sees: the whole body, read up to server.max_body.
struct EndpointRequest {
    const router::Runtime &runtime;
    std::string body;
    std::string_view priority;                      // the X-Helix-Priority header
    const router::ClientIdentity *client = nullptr; // the accepted key
    audit::AccessRecord &record;
    metrics::RequestObservation &observed;
    // A request header's value ("" when absent), e.g. anthropic-version.
    std::function<std::string_view(std::string_view name)> header = [](std::string_view) { return std::string_view{}; };
};
// The attempt loop's endpoint for the request and the candidates it may use
// (not empty), or the error the client gets.
struct EndpointPlan {
    std::unique_ptr<router::Endpoint> endpoint;
    std::vector<router::Candidate> candidates;
    // Set: the answer, made without an upstream call (count_tokens' estimate);
    // endpoint and candidates are then unused.
    std::optional<Reply> answer = std::nullopt;
    // For the key's token limit and budget: the prompt's estimated tokens and
    // the most its answer may use (both 0: unknown, estimated from the body).
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
};
using EndpointHandler = std::variant<EndpointPlan, api::ApiError> (*)(EndpointRequest &request);

struct Route {
    std::string_view method; // "GET" answers HEAD too
    std::string_view path;
    bool prefix = false; // `path` ends in '/' and matches every path below it
    Access access = Access::open;
    WholeHandler whole = nullptr;       // one of these two
    EndpointHandler endpoint = nullptr;
    api::Dialect dialect = api::Dialect::openai; // the shape of its errors and events
};

// The route for a request, or the error reply it gets (404 listing the
// routes, 405 with Allow).
struct RouteMatch {
    const Route *route = nullptr;
    std::string_view rest;
    std::optional<Reply> refusal;
};
RouteMatch find_route(std::string_view method, std::string_view path);

// Which table entry decides a request's treatment before its method is
// checked (Access, the access log): the path's route, whatever the method.
const Route *route_of_path(std::string_view path);

} // namespace helix::http

#include "daemon/http/request_handler_factory.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/http/authenticate.hpp"

#include "daemon/http/body_reader.hpp"
#include "daemon/http/chat_completions_handler.hpp"
#include "daemon/http/health_handlers.hpp"
#include "daemon/http/metrics_handler.hpp"
#include "daemon/http/models_handler.hpp"
#include "daemon/http/printable_uri.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/request_context.hpp"
#include "daemon/http/request_id.hpp"
#include "daemon/http/response_writer.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>
#include <optional>

namespace helix::http {

namespace {

using HandlerPtr = std::unique_ptr<Poco::Net::HTTPRequestHandler>;

class ErrorHandler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit ErrorHandler(api::ApiError error, std::string allow = {})
        : error_(std::move(error)), allow_(std::move(allow)) {}
    void handleRequest(Poco::Net::HTTPServerRequest &, Poco::Net::HTTPServerResponse &response) override {
        if (!allow_.empty()) response.set("Allow", allow_);
        if (error_.status == 431) response.setKeepAlive(false); // a client that large is not kept
        send_error(response, error_);
    }

private:
    api::ApiError error_;
    std::string allow_;
};

// What every request goes through: counted as in flight for draining, given
// an x-request-id, and (for the API routes) authenticated by client key
// before anything else: a request refused for its key (or from an address
// that keeps failing) never takes a chat slot and its body is never read;
// its connection closes instead. An accepted chat completion then takes one
// of server.max_in_flight slots or gets 503 at once. A body the handler will
// not read is drained first, so that its bytes are never taken for the next
// request on a kept-alive connection.
class RequestContextHandler final : public Poco::Net::HTTPRequestHandler {
public:
    struct Route {
        bool needs_key = false;
        bool reads_body = false;
        bool takes_slot = false; // a chat completion: counted against server.max_in_flight
    };
    RequestContextHandler(HandlerPtr inner, RequestContextPtr context, ServerState &state, router::RuntimePtr runtime,
                          Route route)
        : context_(std::move(context)), inner_(std::move(inner)), state_(state), runtime_(std::move(runtime)),
          route_(route) {
        state_.in_flight.fetch_add(1);
    }
    ~RequestContextHandler() override {
        if (slot_taken_) state_.chat_in_flight.fetch_sub(1);
        state_.in_flight.fetch_sub(1);
    }

    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        const std::string request_id = request_id_for(request.get("x-request-id", ""));
        response.set("x-request-id", request_id);
        audit::AccessRecord &record = context_->record;
        record.request_id = request_id;
        record.method = printable_uri(request.getMethod(), 32);
        // A query may carry anything; the path any byte.
        record.path = printable_uri(std::string_view(request.getURI()).substr(0, request.getURI().find('?')));
        record.remote = request.clientAddress().host().toString();
        // Before anything reads the body: its length must make sense.
        if (const auto bad_length = content_length_error(request)) {
            response.setKeepAlive(false); // where this body ends is unknown
            send_error(response, *bad_length);
            return write_access_record(response);
        }
        if (route_.needs_key) {
            if (const auto refusal = authenticate(request)) {
                response.setKeepAlive(false); // its body stays unread: the connection cannot go on
                response.erase("Keep-Alive");
                send_error(response, *refusal);
                return write_access_record(response);
            }
        }
        std::optional<api::ApiError> overload;
        if (route_.takes_slot && !take_slot()) {
            state_.refused_in_flight.fetch_add(1);
            overload = api::overloaded("chat completions at once", "server.max_in_flight",
                                       runtime_->config->server.max_in_flight);
        }
        // Read first: a reply to a request still being sent may reach the
        // client as a reset instead.
        if (overload || !route_.reads_body)
            if (!discard_body(request, runtime_->config->server.max_body_bytes)) response.setKeepAlive(false);
        if (overload) {
            send_error(response, *overload);
            return write_access_record(response);
        }
        try {
            inner_->handleRequest(request, response);
        } catch (const std::exception &e) {
            // The access log records what the client got: a 500 when nothing
            // had been sent yet, else what had.
            if (!response.sent()) {
                response.setKeepAlive(false);
                send_error(response, api::internal_error("The request could not be handled."));
                record.status = 500;
            }
            write_access_record(response);
            if (!response.sent()) throw;
            return;
        }
        write_access_record(response);
    }

private:
    // API requests only: health checks and scrapes would drown the audit trail.
    void write_access_record(const Poco::Net::HTTPServerResponse &response) {
        if (!route_.needs_key || !state_.access_log.enabled()) return;
        audit::AccessRecord &record = context_->record;
        if (record.status == 0) record.status = static_cast<int>(response.getStatus());
        if (!record.latency_seconds)
            record.latency_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - record.started).count();
        state_.access_log.write(record);
    }

    bool take_slot() {
        const auto limit = static_cast<std::int64_t>(runtime_->config->server.max_in_flight);
        if (state_.chat_in_flight.fetch_add(1) >= limit) {
            state_.chat_in_flight.fetch_sub(1);
            return false;
        }
        slot_taken_ = true;
        return true;
    }

    std::optional<api::ApiError> authenticate(const Poco::Net::HTTPServerRequest &request) {
        return http::authenticate(*runtime_->client_keys, runtime_->config->server, state_.auth_failures,
                                  AuthFailures::source_of(request.clientAddress().host()),
                                  request.get("Authorization", ""), *context_);
    }

    RequestContextPtr context_; // before inner_, which refers to it
    HandlerPtr inner_;
    ServerState &state_;
    router::RuntimePtr runtime_;
    Route route_;
    bool slot_taken_ = false;
};

// The request line and header block as received, in bytes (POCO itself caps
// a header at 100 fields of at most 256 + 8192 bytes).
std::size_t header_bytes(const Poco::Net::HTTPServerRequest &r) {
    std::size_t n = r.getMethod().size() + r.getURI().size() + r.getVersion().size() + 4;
    for (const auto &[name, value] : r) n += name.size() + value.size() + 4;
    return n;
}

// Does the request carry a valid client key? For the routes that answer
// without one but say more with one (/readyz, /metrics); a wrong key counts
// as a failed attempt like on the API routes.
bool carries_client_key(const Poco::Net::HTTPServerRequest &request, const router::Runtime &runtime, ServerState &state) {
    return http::carries_client_key(*runtime.client_keys, runtime.config->server, state.auth_failures,
                                    AuthFailures::source_of(request.clientAddress().host()),
                                    request.get("Authorization", ""));
}

bool is_get(const Poco::Net::HTTPServerRequest &r) {
    return r.getMethod() == Poco::Net::HTTPRequest::HTTP_GET || r.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
}

} // namespace

Poco::Net::HTTPRequestHandler *RequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest &request) {
    router::RuntimePtr runtime = runtime_.current();
    auto context = std::make_unique<RequestContext>();
    std::string path;
    try {
        path = Poco::URI(request.getURI()).getPath();
    } catch (const std::exception &) {
        path.clear();
    }
    const auto method_not_allowed = [&](const std::string &allowed) {
        return std::make_unique<ErrorHandler>(
            client_error(405, "method_not_allowed",
                            request.getMethod() + " is not allowed on " + path + "; use " + allowed + "."),
            allowed);
    };

    HandlerPtr handler;
    RequestContextHandler::Route route;
    const std::size_t max_header = runtime->config->server.max_header_bytes;
    if (header_bytes(request) > max_header) {
        api::ApiError e = client_error(431, "request_header_fields_too_large",
                                          "The request's headers are larger than this gateway accepts (" +
                                              std::to_string(max_header) + " bytes).");
        handler = std::make_unique<ErrorHandler>(std::move(e));
    } else if (path == "/healthz") {
        handler = is_get(request) ? HandlerPtr(std::make_unique<LivenessHandler>()) : method_not_allowed("GET");
    } else if (path == "/readyz") {
        handler = is_get(request) ? HandlerPtr(std::make_unique<ReadinessHandler>(
                                        runtime, state_, carries_client_key(request, *runtime, state_)))
                                  : method_not_allowed("GET");
    } else if (path == "/metrics") {
        // No client key needed: scraped like node_exporter; the per-client
        // series need one (see metrics_handler.hpp).
        handler = is_get(request) ? HandlerPtr(std::make_unique<MetricsHandler>(
                                        metrics_, state_, carries_client_key(request, *runtime, state_)))
                                  : method_not_allowed("GET");
    } else if (path == "/v1/chat/completions") {
        const bool post = request.getMethod() == Poco::Net::HTTPRequest::HTTP_POST;
        route = {true, post, post};
        handler = post ? HandlerPtr(std::make_unique<ChatCompletionsHandler>(runtime, upstream_, state_.breakers, metrics_,
                                                                            *context))
                       : method_not_allowed("POST");
    } else if (path == "/v1/models" || path.starts_with("/v1/models/")) {
        route.needs_key = true;
        const std::string id = path.size() > 11 ? path.substr(11) : std::string();
        handler = is_get(request) ? HandlerPtr(std::make_unique<ModelsHandler>(runtime, id, *context))
                                  : method_not_allowed("GET");
    } else {
        handler = std::make_unique<ErrorHandler>(client_error(
            404, "unknown_url",
            "Unknown request URL: " + printable_uri(request.getMethod(), 32) + " " + printable_uri(path) +
                ". Available: POST /v1/chat/completions, GET /v1/models, GET /healthz, GET /readyz, GET /metrics."));
    }
    return new RequestContextHandler(std::move(handler), std::move(context), state_, std::move(runtime), route);
}

} // namespace helix::http

#include "daemon/http/request_handler_factory.hpp"

#include "daemon/http/health_handlers.hpp"
#include "daemon/http/response_writer.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <memory>

namespace helix::http {

namespace {

class NotFoundHandler final : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        api::ApiError error;
        error.status = 404;
        error.type = "invalid_request_error";
        error.code = "unknown_url";
        error.message = "Unknown request URL: " + request.getMethod() + " " + request.getURI() +
                        ". Available: GET /healthz, GET /readyz.";
        send_error(response, error);
    }
};

class MethodNotAllowedHandler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit MethodNotAllowedHandler(std::string allowed) : allowed_(std::move(allowed)) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        api::ApiError error;
        error.status = 405;
        error.type = "invalid_request_error";
        error.code = "method_not_allowed";
        error.message = request.getMethod() + " is not allowed on " + request.getURI() + "; use " + allowed_ + ".";
        response.set("Allow", allowed_);
        send_error(response, error);
    }

private:
    std::string allowed_;
};

// Counts the wrapped handler's lifetime as one request in flight.
class CountedHandler final : public Poco::Net::HTTPRequestHandler {
public:
    CountedHandler(std::unique_ptr<Poco::Net::HTTPRequestHandler> inner, ServerState &state)
        : inner_(std::move(inner)), state_(state) {
        state_.in_flight.fetch_add(1);
    }
    ~CountedHandler() override { state_.in_flight.fetch_sub(1); }
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        inner_->handleRequest(request, response);
    }

private:
    std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
    ServerState &state_;
};

std::string path_of(const std::string &uri) { return uri.substr(0, uri.find('?')); }

} // namespace

Poco::Net::HTTPRequestHandler *RequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest &request) {
    const std::string path = path_of(request.getURI());
    const bool get = request.getMethod() == Poco::Net::HTTPRequest::HTTP_GET ||
                     request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler;
    if (path == "/healthz")
        handler = get ? std::unique_ptr<Poco::Net::HTTPRequestHandler>(std::make_unique<LivenessHandler>())
                      : std::make_unique<MethodNotAllowedHandler>("GET");
    else if (path == "/readyz")
        handler = get ? std::unique_ptr<Poco::Net::HTTPRequestHandler>(
                            std::make_unique<ReadinessHandler>(runtime_.current(), state_))
                      : std::make_unique<MethodNotAllowedHandler>("GET");
    else
        handler = std::make_unique<NotFoundHandler>();
    return new CountedHandler(std::move(handler), state_);
}

} // namespace helix::http

#include "daemon/http/admission.hpp"

#include "daemon/api/errors.hpp"

#include "daemon/http/body_reader.hpp"
#include "daemon/http/client_socket.hpp"
#include "daemon/http/request_id.hpp"
#include "daemon/http/response_writer.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <memory>

namespace helix::http {

namespace {

using HandlerPtr = std::unique_ptr<Poco::Net::HTTPRequestHandler>;

class OverloadHandler final : public Poco::Net::HTTPRequestHandler {
public:
    OverloadHandler(std::int64_t limit, std::size_t max_body_bytes) : limit_(limit), max_body_bytes_(max_body_bytes) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        response.set("x-request-id", request_id_for(request.get("x-request-id", "")));
        // Read first: a reply to a request still being sent may reach the
        // client as a reset instead.
        if (!discard_body(request, max_body_bytes_)) response.setKeepAlive(false);
        send_error(response, api::overloaded("chat completions at once", "server.max_in_flight",
                                             static_cast<std::size_t>(limit_)));
    }

private:
    std::int64_t limit_;
    std::size_t max_body_bytes_;
};

// Marks the request's phases on its socket and holds its in-flight slot.
class AdmittedHandler final : public Poco::Net::HTTPRequestHandler {
public:
    AdmittedHandler(HandlerPtr inner, std::atomic<std::int64_t> *slot, const std::string &keep_alive)
        : inner_(std::move(inner)), slot_(slot), keep_alive_(keep_alive) {}
    ~AdmittedHandler() override {
        inner_.reset();
        if (slot_ != nullptr) slot_->fetch_sub(1);
    }
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        ClientSocketImpl *socket = ClientSocketImpl::of(request);
        if (socket != nullptr) socket->head_received();
        if (response.getKeepAlive()) response.set("Keep-Alive", keep_alive_);
        inner_->handleRequest(request, response);
        if (socket != nullptr) socket->request_done();
    }

private:
    HandlerPtr inner_;
    std::atomic<std::int64_t> *slot_;
    const std::string &keep_alive_;
};

bool is_chat_completion(const Poco::Net::HTTPServerRequest &request) {
    if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) return false;
    try {
        return Poco::URI(request.getURI()).getPath() == "/v1/chat/completions";
    } catch (const std::exception &) {
        return false;
    }
}

} // namespace

Poco::Net::HTTPRequestHandler *AdmissionFactory::createRequestHandler(const Poco::Net::HTTPServerRequest &request) {
    std::atomic<std::int64_t> *slot = nullptr;
    HandlerPtr inner;
    if (is_chat_completion(request)) {
        if (chat_in_flight_.fetch_add(1) >= max_in_flight_) {
            chat_in_flight_.fetch_sub(1);
            refused_.fetch_add(1);
            inner = std::make_unique<OverloadHandler>(max_in_flight_, max_body_bytes_);
        } else {
            slot = &chat_in_flight_;
        }
    }
    if (!inner) {
        try {
            inner.reset(routes_->createRequestHandler(request));
        } catch (...) {
            if (slot != nullptr) slot->fetch_sub(1);
            throw;
        }
    }
    if (!inner) {
        if (slot != nullptr) slot->fetch_sub(1);
        return nullptr;
    }
    return new AdmittedHandler(std::move(inner), slot, keep_alive_);
}

} // namespace helix::http

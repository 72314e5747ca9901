#include "daemon/http/admission.hpp"

#include "daemon/http/client_socket.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <memory>

namespace helix::http {

namespace {

using HandlerPtr = std::unique_ptr<Poco::Net::HTTPRequestHandler>;

// Marks the request's phases on its socket.
class AdmittedHandler final : public Poco::Net::HTTPRequestHandler {
public:
    AdmittedHandler(HandlerPtr inner, const std::string &keep_alive)
        : inner_(std::move(inner)), keep_alive_(keep_alive) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        ClientSocketImpl *socket = ClientSocketImpl::of(request);
        if (socket != nullptr) socket->head_received();
        if (response.getKeepAlive()) response.set("Keep-Alive", keep_alive_);
        inner_->handleRequest(request, response);
        if (socket != nullptr) socket->request_done();
    }

private:
    HandlerPtr inner_;
    const std::string &keep_alive_;
};

} // namespace

Poco::Net::HTTPRequestHandler *AdmissionFactory::createRequestHandler(const Poco::Net::HTTPServerRequest &request) {
    HandlerPtr inner(routes_->createRequestHandler(request));
    if (!inner) return nullptr;
    return new AdmittedHandler(std::move(inner), keep_alive_);
}

} // namespace helix::http

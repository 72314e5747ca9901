#include "daemon/transport/side_request_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <vector>

namespace helix::transport {

namespace {

std::string to_string(helix_str s) { return s.len == 0 ? std::string() : std::string(s.data, s.len); }

helix_status failed(helix_error *err, helix_status status, const std::string &message) {
    if (err != nullptr && err->struct_size >= sizeof(helix_error))
        std::snprintf(err->message, sizeof err->message, "%s", message.c_str());
    return status;
}

Poco::Net::Context::Ptr client_tls_context() {
    static const Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
    return context;
}

} // namespace

helix_status PocoSideRequestClient::fetch(const helix_http_request &request, std::chrono::milliseconds timeout,
                                          helix_fetch_callback on_response, void *user, helix_error *err) {
    const std::string url = to_string(request.url);
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception &) {
        return failed(err, HELIX_ERR_INTERNAL, "side request has an invalid URL");
    }
    if (uri.getScheme() != "http" && uri.getScheme() != "https")
        return failed(err, HELIX_ERR_INTERNAL, "side request URL must be http or https");
    try {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https")
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                                       client_tls_context());
        else
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        const Poco::Timespan span(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
        session->setTimeout(span, span, span);

        const std::string method = request.method.len == 0 ? "GET" : to_string(request.method);
        Poco::Net::HTTPRequest req(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
        for (std::size_t i = 0; i < request.header_count; ++i)
            req.set(to_string(request.headers[i].name), to_string(request.headers[i].value));
        if (request.body.len > 0 || method == "POST" || method == "PUT")
            req.setContentLength(static_cast<std::streamsize>(request.body.len));
        std::ostream &body_out = session->sendRequest(req);
        if (request.body.len > 0) body_out.write(request.body.data, static_cast<std::streamsize>(request.body.len));

        Poco::Net::HTTPResponse res;
        std::istream &body_in = session->receiveResponse(res);
        std::string body;
        Poco::StreamCopier::copyToString(body_in, body);

        std::vector<std::string> storage;
        storage.reserve(res.size() * 2);
        std::vector<helix_header> headers;
        for (const auto &[name, value] : res) {
            storage.push_back(name);
            storage.push_back(value);
        }
        for (std::size_t i = 0; i + 1 < storage.size(); i += 2)
            headers.push_back({{storage[i].data(), storage[i].size()}, {storage[i + 1].data(), storage[i + 1].size()}});

        helix_http_response response{};
        response.struct_size = sizeof response;
        response.status = static_cast<std::int32_t>(res.getStatus());
        response.headers = headers.data();
        response.header_count = headers.size();
        response.data = reinterpret_cast<const std::uint8_t *>(body.data());
        response.len = body.size();
        on_response(user, &response);
        return HELIX_OK;
    } catch (const Poco::TimeoutException &) {
        return failed(err, HELIX_ERR_RETRY, "side request to " + uri.getHost() + " timed out");
    } catch (const Poco::Exception &e) {
        return failed(err, HELIX_ERR_RETRY, "side request to " + uri.getHost() + " failed: " + e.displayText());
    }
}

} // namespace helix::transport

#include "tools/cloudsim/h2_exchange.hpp"

#include "tools/cloudsim/serve_exchange.hpp"

#include <Poco/Exception.h>

#include <exception>

namespace helix::cloudsim {

H2ServerResponse::H2ServerResponse(H2Stream &stream) : stream_(stream), buffer_(stream), body_(&buffer_) {}

std::ostream &H2ServerResponse::send() {
    if (!sent_) {
        sent_ = true;
        stream_.send_head(static_cast<int>(getStatus()), h2_response_headers(*this));
    }
    return body_;
}

void H2ServerResponse::sendFile(const std::string &, const std::string &) {
    throw Poco::NotImplementedException("sendFile over HTTP/2");
}

void H2ServerResponse::sendBuffer(const void *buffer, std::size_t length) {
    setContentLength64(static_cast<Poco::Int64>(length));
    setChunkedTransferEncoding(false);
    send().write(static_cast<const char *>(buffer), static_cast<std::streamsize>(length));
}

void H2ServerResponse::redirect(const std::string &uri, HTTPStatus status) {
    setStatusAndReason(status);
    set("Location", uri);
    sendBuffer(nullptr, 0);
}

void H2ServerResponse::requireAuthentication(const std::string &realm) {
    setStatusAndReason(HTTP_UNAUTHORIZED);
    set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    sendBuffer(nullptr, 0);
}

void H2ServerResponse::finish() {
    if (!sent_) sendBuffer(nullptr, 0); // a handler that sent nothing: an empty 200, as POCO would
    body_.flush();
    stream_.finish();
}

bool H2ServerResponse::Buffer::drain() {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    if (n > 0 && !stream_.write(pbase(), n)) return false;
    setp(data_, data_ + sizeof data_);
    return true;
}

H2ServerResponse::Buffer::int_type H2ServerResponse::Buffer::overflow(int_type c) {
    if (!drain()) return traits_type::eof();
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
}

int H2ServerResponse::Buffer::sync() { return drain() ? 0 : -1; }

std::streamsize H2ServerResponse::Buffer::xsputn(const char *s, std::streamsize n) {
    if (n <= epptr() - pptr()) {
        std::copy(s, s + n, pptr());
        pbump(static_cast<int>(n));
        return n;
    }
    if (!drain() || !stream_.write(s, static_cast<std::size_t>(n))) return 0;
    return n;
}

H2ServerRequest::H2ServerRequest(H2Stream &stream, H2ServerResponse &response, Poco::Net::SocketAddress client,
                                 Poco::Net::SocketAddress server, Poco::Net::HTTPServerParams::Ptr params,
                                 bool secure)
    : response_(response), body_(stream.body.data(), static_cast<std::streamsize>(stream.body.size())),
      client_(client), server_(server), params_(std::move(params)), secure_(secure) {
    setMethod(stream.method);
    setURI(stream.path);
    setVersion("HTTP/2");
    bool has_host = false;
    for (const auto &[name, value] : stream.headers) {
        add(name, value);
        has_host = has_host || name == "host";
    }
    if (!has_host && !stream.authority.empty()) set("host", stream.authority);
    // What an HTTP/2 client may sign (SigV4 over HTTP/2 signs :authority).
    if (!stream.authority.empty()) set(":authority", stream.authority);
}

void serve_h2_stream(const std::shared_ptr<H2Stream> &stream, const H2StreamTarget &target) {
    H2ServerResponse response(*stream);
    H2ServerRequest request(*stream, response, target.client, target.server, target.params, target.secure);
    H2Channel channel(*stream);
    Exchange exchange(request, response, &channel);
    try {
        serve_exchange(exchange, *target.api, *target.context);
        response.finish();
    } catch (const ConnectionAborted &) {
        // The stream is reset already.
    } catch (const std::exception &) {
        stream->reset();
    } catch (...) {
        stream->reset();
    }
}

} // namespace helix::cloudsim

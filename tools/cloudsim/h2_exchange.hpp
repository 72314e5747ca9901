#pragma once
// POCO's server request and response over one HTTP/2 stream, so that the
// provider modules and the control API (written against Exchange, over
// POCO's objects) serve HTTP/2 unchanged: the request carries the stream's
// headers (`Host` from `:authority`) and body, and the response turns
// POCO's status and headers into the stream's HEADERS frame and its body
// stream into DATA frames.

#include "tools/cloudsim/h2_stream.hpp"

#include <Poco/MemoryStream.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>

#include <memory>
#include <ostream>
#include <streambuf>

namespace helix::cloudsim {

class ProviderApi;
class ProviderContext;

class H2ServerResponse final : public Poco::Net::HTTPServerResponse {
public:
    explicit H2ServerResponse(H2Stream &stream);

    void sendContinue() override {}
    std::ostream &send() override;
    void sendFile(const std::string &path, const std::string &media_type) override;
    void sendBuffer(const void *buffer, std::size_t length) override;
    void redirect(const std::string &uri, HTTPStatus status) override;
    void requireAuthentication(const std::string &realm) override;
    bool sent() const override { return sent_; }

    // After the handler: the buffered bytes out, then the end of the stream.
    void finish();

private:
    class Buffer final : public std::streambuf {
    public:
        explicit Buffer(H2Stream &stream) : stream_(stream) { setp(data_, data_ + sizeof data_); }

    protected:
        int_type overflow(int_type c) override;
        int sync() override;
        std::streamsize xsputn(const char *s, std::streamsize n) override;

    private:
        bool drain();
        H2Stream &stream_;
        char data_[16 * 1024];
    };

    H2Stream &stream_;
    Buffer buffer_;
    std::ostream body_;
    bool sent_ = false;
};

class H2ServerRequest final : public Poco::Net::HTTPServerRequest {
public:
    H2ServerRequest(H2Stream &stream, H2ServerResponse &response, Poco::Net::SocketAddress client,
                    Poco::Net::SocketAddress server, Poco::Net::HTTPServerParams::Ptr params, bool secure);

    std::istream &stream() override { return body_; }
    const Poco::Net::SocketAddress &clientAddress() const override { return client_; }
    const Poco::Net::SocketAddress &serverAddress() const override { return server_; }
    const Poco::Net::HTTPServerParams &serverParams() const override { return *params_; }
    Poco::Net::HTTPServerResponse &response() const override { return response_; }
    bool secure() const override { return secure_; }

private:
    H2ServerResponse &response_;
    Poco::MemoryInputStream body_;
    Poco::Net::SocketAddress client_;
    Poco::Net::SocketAddress server_;
    Poco::Net::HTTPServerParams::Ptr params_;
    bool secure_;
};

// What a stream's handler thread needs: the listener's module and context,
// and the connection's addresses.
struct H2StreamTarget {
    ProviderApi *api = nullptr;
    ProviderContext *context = nullptr;
    Poco::Net::SocketAddress client;
    Poco::Net::SocketAddress server;
    Poco::Net::HTTPServerParams::Ptr params;
    bool secure = false;
};

// Serves one complete request stream on the calling thread (a pool thread),
// then ends or resets the stream.
void serve_h2_stream(const std::shared_ptr<H2Stream> &stream, const H2StreamTarget &target);

} // namespace helix::cloudsim

#pragma once
// One HTTP request/response on a POCO server thread, with what the provider
// modules need beyond POCO: a bounded body read, whole-body and streamed
// replies, waits that end when the client goes away or the simulator stops,
// and a hard connection reset (RST) for fault injection. Over HTTP/1.1 the
// exchange owns its connection's socket; over HTTP/2 it is one stream of a
// shared connection, reached through an ExchangeChannel (h2_stream.hpp).

#include "tools/cloudsim/behaviour.hpp"

#include <chrono>
#include <cstddef>
#include <exception>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace Poco::Net {
class HTTPResponse;
class HTTPServerRequest;
class HTTPServerResponse;
class StreamSocket;
} // namespace Poco::Net

namespace helix::cloudsim {

// Thrown by Exchange::abort() after the socket is reset; POCO's connection
// loop lets it end the connection.
class ConnectionAborted : public std::exception {
public:
    const char *what() const noexcept override { return "connection aborted by the simulator"; }
};

// Process-wide: waits end early once the simulator is stopping.
void request_stop();
bool stop_requested();

// What an exchange needs of a connection it does not own (an HTTP/2 stream).
class ExchangeChannel {
public:
    virtual ~ExchangeChannel() = default;
    // As Exchange::wait: false once the peer is gone or the simulator stops.
    virtual bool wait(std::chrono::milliseconds duration) = 0;
    // Ends the exchange abruptly (RST_STREAM); nothing more is sent.
    virtual void reset() = 0;
    // Sends a whole reply whose status POCO cannot hold (529) with the
    // headers set on `head`.
    virtual void send_raw(int status, const Poco::Net::HTTPResponse &head, std::string_view content_type,
                          std::string_view body) = 0;
};

class Exchange {
public:
    // `channel`: the stream an HTTP/2 exchange runs on; null over HTTP/1.1.
    Exchange(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response,
             ExchangeChannel *channel = nullptr);

    Poco::Net::HTTPServerRequest &request() { return request_; }
    Poco::Net::HTTPServerResponse &response() { return response_; }

    const std::string &method() const;
    std::string_view path() const;  // without the query
    std::string_view query() const; // without '?'
    std::optional<std::string> header(std::string_view name) const;
    HeaderLookup header_lookup() const;

    // Reads the whole request body into `out`; false (and no keep-alive) when
    // it is larger than `limit` bytes.
    bool read_body(std::string &out, std::size_t limit);

    void set_status(int status);
    void set_header(const std::string &name, const std::string &value);
    // Sends the status set before, the headers and the whole body.
    void send(int status, std::string_view content_type, std::string_view body);
    // Sends the headers of a chunked (streamed) reply now; returns the body stream.
    std::ostream &begin_stream(std::string_view content_type);
    // Sends the headers announcing `content_length` bytes; returns the body stream.
    std::ostream &begin_body(std::string_view content_type, std::size_t content_length);

    // Sleeps for `duration` unless the client closes the connection or the
    // simulator stops first; true when the full time passed.
    bool wait(std::chrono::milliseconds duration);
    // Resets the connection (SO_LINGER 0 + close: the peer sees RST) and
    // throws ConnectionAborted. Nothing more is sent.
    [[noreturn]] void abort();

    int status() const;

private:
    Poco::Net::StreamSocket &socket();
    // Before a reply: reads and drops a request body nobody read (at most
    // 1 MiB), so the next request on the connection parses; a larger one
    // ends keep-alive instead.
    void settle_request_body();
    // Sends a status POCO's HTTPStatus enum cannot hold (529) by writing the
    // response bytes to the socket itself.
    void send_raw(int status, std::string_view content_type, std::string_view body);

    Poco::Net::HTTPServerRequest &request_;
    Poco::Net::HTTPServerResponse &response_;
    ExchangeChannel *channel_;
    std::string path_;
    std::string query_;
    bool body_read_ = false;
    int status_ = 200;
};

} // namespace helix::cloudsim

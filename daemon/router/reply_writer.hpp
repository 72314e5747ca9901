#pragma once
// Where the attempt loop writes a request's answer: one whole reply, or an
// event stream. Every write is awaited until the client's connection has
// taken it, so a client that reads slowly slows the upstream read with it
// (backpressure). A write that fails means the client is gone: gone() turns
// true and every later write is skipped and reports false.

#include "daemon/api/error_body.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

namespace helix::router {

class ReplyWriter {
public:
    virtual ~ReplyWriter() = default;

    // A header the reply carries (x-helix-provider, ...); set before it
    // starts. An empty value removes it (a header of an earlier attempt).
    virtual void set_header(std::string_view name, std::string_view value) = 0;
    // A whole reply (a JSON body).
    virtual boost::asio::awaitable<bool> send(int status, std::string body) = 0;
    // The 200 and the event stream's headers.
    virtual boost::asio::awaitable<bool> begin_stream() = 0;
    // One event, "data: <payload>\n\n".
    virtual boost::asio::awaitable<bool> write_event(std::string_view payload) = 0;
    // The stream's end, after its last event "data: [DONE]" when
    // `done_marker` (chat completions end so; the Responses API does not).
    virtual boost::asio::awaitable<bool> finish(bool done_marker) = 0;
    // A failure: before anything went out, the error reply (with Retry-After
    // when the error has one); after the stream began, an error event and
    // the stream's end.
    virtual boost::asio::awaitable<void> fail(const api::ApiError &error) = 0;

    virtual bool started() const = 0; // a status line has gone out
    virtual bool gone() const = 0;    // the client went away
};

} // namespace helix::router

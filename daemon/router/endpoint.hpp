#pragma once
// What an API endpoint (chat completions; embeddings, responses, messages
// next) gives the attempt loop: how to make a candidate's plugin call, and
// how to turn that call's canonical events into the endpoint's reply.

#include "daemon/router/candidates.hpp"
#include "daemon/router/reply_writer.hpp"

#include "daemon/api/error_body.hpp"
#include "daemon/transport/async_exchange.hpp"

#include <helixagent/plugin_abi.h>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>

#include <memory>
#include <string>
#include <vector>

namespace helix::router {

// One attempt's translation of events into the client's reply.
class ReplyEncoder {
public:
    virtual ~ReplyEncoder() = default;
    // An event from the plugin; what a stream sends now goes into `events`
    // (each one SSE data payload). A whole reply only accumulates.
    virtual void add(const helix_event &event, std::vector<std::string> &events) = 0;
    // The call ended well. A stream puts its last payloads into `events`
    // (the loop then sends them and finishes the stream); a whole reply
    // returns its JSON body and may set headers on `reply`.
    virtual std::string finish(std::vector<std::string> &events, ReplyWriter &reply) = 0;
    // A stream that broke after it began: the payloads that end it in the
    // endpoint's own terms (the Responses API's response.failed). None, the
    // default, ends it with OpenAI's error event.
    virtual void failed(const api::ApiError &, std::vector<std::string> &) {}
    // Whether a stream that ended well closes with "data: [DONE]".
    virtual bool done_marker() const { return true; }
};

// One upstream call as the loop drives it: the plugin's (PluginCall below)
// or a test's fake.
class Call {
public:
    virtual ~Call() = default;
    virtual const helix_http_request &request() const = 0;
    virtual plugins::PluginFailure decode(const helix_http_response &response, const helix_event_sink &events) = 0;
    virtual plugins::PluginFailure finish(const helix_event_sink &events) = 0;
    // Whether another upstream request belongs to this call, after the
    // current one finished well: a batch of embeddings inputs a provider
    // takes in several requests (embedding_parts.hpp). advance() prepares it
    // (request() then returns it); it may block (the plugin's prepare), so
    // the loop runs it on the worker pool.
    virtual bool more() const { return false; }
    virtual plugins::PluginFailure advance() { return {}; }
};

struct Prepared {
    plugins::PluginFailure failure; // set: no call (e.g. a feature this provider lacks)
    std::unique_ptr<Call> call;
};

// A plugin's upstream call.
class PluginCall final : public Call {
public:
    explicit PluginCall(std::unique_ptr<plugins::UpstreamCall> call) : call_(std::move(call)) {}
    const helix_http_request &request() const override { return call_->request(); }
    plugins::PluginFailure decode(const helix_http_response &response, const helix_event_sink &events) override {
        return call_->decode(response, events);
    }
    plugins::PluginFailure finish(const helix_event_sink &events) override { return call_->finish(events); }

private:
    std::unique_ptr<plugins::UpstreamCall> call_;
};

class Endpoint {
public:
    virtual ~Endpoint() = default;
    // Whether the client asked for an event stream.
    virtual bool streamed() const = 0;
    // Translates the request for `candidate` (the plugin's prepare()). May
    // block (a token refresh fetches): the loop calls it first under a
    // plugins::NonBlockingScope, where it fails with HELIX_ERR_WOULD_BLOCK
    // instead, and then again on the worker pool. Must be idempotent.
    virtual Prepared prepare(const Candidate &candidate) = 0;
    // Before prepare() for `candidate`, on the loop: what the host must do
    // first for it, through `exchange` (fetch the media URLs of a model that
    // takes them inline only) within `deadline`. An error is the client's
    // (a 400 naming the part); the loop stops with it.
    virtual boost::asio::awaitable<std::optional<api::ApiError>>
    before_prepare(const Candidate &, transport::AsyncExchange &, std::chrono::steady_clock::time_point) {
        co_return std::nullopt;
    }
    // A fresh encoder for one attempt at `candidate`.
    virtual std::unique_ptr<ReplyEncoder> encoder(const Candidate &candidate) = 0;
    // The reply's first byte went out: no other attempt follows (nor
    // prepare(), before_prepare() or encoder()), so what only those need
    // may go now rather than at the end of a stream that may last minutes.
    virtual void reply_started() {}
};

} // namespace helix::router

#pragma once
// The attempt loop's reply writer on the event-driven core: a whole reply
// or a chunked event stream written to the client's Beast stream. Each write
// is awaited until the socket took it, and must finish within
// server.write_timeout, or the client is taken for gone (and the upstream
// call with it). mark_gone() is how the connection's watcher reports a
// client that closed while its answer was being made.

#include "daemon/api/dialect.hpp"
#include "daemon/router/reply_writer.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>

#include <chrono>
#include <functional>

namespace helix::http {

class BeastReplyWriter final : public router::ReplyWriter {
public:
    // `headers` go on every reply (x-request-id, Keep-Alive or Connection).
    BeastReplyWriter(boost::beast::tcp_stream &stream, std::chrono::milliseconds write_timeout,
                     boost::beast::http::fields headers, bool head_only = false)
        : stream_(stream), write_timeout_(write_timeout), headers_(std::move(headers)), head_only_(head_only) {}

    void set_header(std::string_view name, std::string_view value) override;
    boost::asio::awaitable<bool> send(int status, std::string body) override;
    boost::asio::awaitable<bool> begin_stream() override;
    boost::asio::awaitable<bool> write_event(std::string_view payload) override;
    boost::asio::awaitable<bool> finish(bool done_marker) override;
    boost::asio::awaitable<void> fail(const api::ApiError &error) override;

    bool started() const override { return status_ != 0; }
    bool gone() const override { return gone_; }

    void mark_gone() noexcept { gone_ = true; }
    // The wire shape of errors and events (the route's); OpenAI's by default.
    void set_dialect(api::Dialect dialect) noexcept { dialect_ = dialect; }
    // Called once with the reply's status just before its last write, so
    // what is recorded about the request (access log, metrics) is written
    // before the client can see the reply complete.
    void before_last_write(std::function<void(int status)> hook) { before_last_ = std::move(hook); }
    int status() const noexcept { return status_; }
    // A stream that did not end cleanly leaves the connection unusable.
    bool reusable() const noexcept { return !gone_ && (!streaming_ || ended_); }
    // A whole reply of any content type (health, metrics, models); takes `body`.
    boost::asio::awaitable<bool> send(int status, std::string_view content_type, std::string &body);

private:
    template <class Write> boost::asio::awaitable<bool> timed(Write write);
    template <class Buffers> boost::asio::awaitable<bool> write_buffers(const Buffers &buffers);
    boost::asio::awaitable<bool> write_last_chunk();
    std::string error_text(const api::ApiError &error) const;
    boost::asio::awaitable<void> fail_stream(const api::ApiError &error);
    void last_write_follows() {
        if (auto hook = std::move(before_last_)) hook(status_);
        before_last_ = nullptr;
    }

    boost::beast::tcp_stream &stream_;
    std::chrono::milliseconds write_timeout_;
    boost::beast::http::fields headers_;
    bool head_only_;
    int status_ = 0;
    bool streaming_ = false;
    bool ended_ = false;
    bool gone_ = false;
    api::Dialect dialect_ = api::Dialect::openai;
    std::function<void(int)> before_last_;
};

} // namespace helix::http

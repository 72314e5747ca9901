#include "daemon/http/beast_reply_writer.hpp"

#include "daemon/api/anthropic_error_body.hpp"
#include "daemon/api/messages_reply.hpp"
#include "daemon/api/sse_frame.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>

namespace helix::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {
constexpr std::string_view kDataPrefix = "data: ";
constexpr std::string_view kEventEnd = "\n\n";
} // namespace

template <class Write> asio::awaitable<bool> BeastReplyWriter::timed(Write write) {
    if (gone_) co_return false;
    stream_.expires_after(write_timeout_);
    const boost::system::error_code ec = co_await write();
    stream_.expires_never();
    if (ec) gone_ = true;
    co_return !gone_;
}

// The stream's writes, one coroutine frame each (the per-token path).
template <class Buffers> asio::awaitable<bool> BeastReplyWriter::write_buffers(const Buffers &buffers) {
    if (gone_) co_return false;
    stream_.expires_after(write_timeout_);
    const auto [ec, n] = co_await asio::async_write(stream_, buffers, asio::as_tuple(asio::use_awaitable));
    stream_.expires_never();
    if (ec) gone_ = true;
    co_return !gone_;
}

void BeastReplyWriter::set_header(std::string_view name, std::string_view value) {
    if (value.empty())
        headers_.erase(name);
    else
        headers_.set(name, value);
}

asio::awaitable<bool> BeastReplyWriter::send(int status, std::string body) {
    co_return co_await send(status, "application/json", body);
}

asio::awaitable<bool> BeastReplyWriter::send(int status, std::string_view content_type, std::string &body) {
    status_ = status;
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    // The fields gathered so far become the reply's head, moved rather than
    // set again one by one (an allocation each): nothing is added after the answer.
    static_cast<bhttp::fields &>(res) = std::move(headers_);
    res.set(bhttp::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    last_write_follows();
    if (head_only_) {
        bhttp::response_serializer<bhttp::string_body> sr(res);
        co_return co_await timed([&]() -> asio::awaitable<boost::system::error_code> {
            auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, asio::as_tuple(asio::use_awaitable));
            co_return ec;
        });
    }
    co_return co_await timed([&]() -> asio::awaitable<boost::system::error_code> {
        auto [ec, n] = co_await bhttp::async_write(stream_, res, asio::as_tuple(asio::use_awaitable));
        co_return ec;
    });
}

asio::awaitable<bool> BeastReplyWriter::begin_stream() {
    status_ = 200;
    streaming_ = true;
    bhttp::response<bhttp::empty_body> res{bhttp::status::ok, 11};
    static_cast<bhttp::fields &>(res) = std::move(headers_); // as in send()
    res.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
    res.set(bhttp::field::cache_control, "no-cache");
    res.set("X-Accel-Buffering", "no"); // tell proxies in front not to buffer the stream
    res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> sr(res);
    const bool sent = co_await timed([&]() -> asio::awaitable<boost::system::error_code> {
        auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, asio::as_tuple(asio::use_awaitable));
        co_return ec;
    });
    headers_.clear(); // moved out: a stream that lasts minutes keeps none
    co_return sent;
}

asio::awaitable<bool> BeastReplyWriter::write_event(std::string_view payload) {
    // A payload on one line (every JSON one) is framed around, not copied.
    if (dialect_ == api::Dialect::openai && payload.find_first_of("\r\n") == std::string_view::npos) {
        const std::array<asio::const_buffer, 3> event{asio::buffer(kDataPrefix), asio::buffer(payload),
                                                      asio::buffer(kEventEnd)};
        // Named, not temporaries in the co_await: GCC 12 may destroy those twice.
        const auto chunk = bhttp::make_chunk(event);
        co_return co_await write_buffers(chunk);
    }
    // Anthropic's events are named by their type.
    const std::string event = dialect_ == api::Dialect::anthropic ? api::anthropic_sse(payload) : api::sse_data(payload);
    const auto chunk = bhttp::make_chunk(asio::buffer(event));
    co_return co_await write_buffers(chunk);
}

// [DONE] (when the format has it) and the last chunk go out in one write.
// No co_await inside a condition, nor a co_return after one: GCC 12 may
// compile such a coroutine into a trap.
asio::awaitable<bool> BeastReplyWriter::finish(bool done_marker) {
    const auto done = bhttp::make_chunk(asio::buffer(api::kSseDone));
    const auto last = bhttp::make_chunk_last();
    const auto both = boost::beast::buffers_cat(done, last);
    if (!gone_) last_write_follows();
    if (done_marker)
        ended_ = co_await write_buffers(both);
    else
        ended_ = co_await write_buffers(last);
    co_return ended_;
}

asio::awaitable<void> BeastReplyWriter::fail(const api::ApiError &error) {
    if (!started()) {
        if (error.retry_after_ms > 0) headers_.set("Retry-After", std::to_string((error.retry_after_ms + 999) / 1000));
        std::string body = error_text(error);
        co_await send(error.status, "application/json", body);
    } else {
        co_await fail_stream(error);
    }
}

// An error event, then the stream's end (no [DONE]: it did not complete).
asio::awaitable<void> BeastReplyWriter::fail_stream(const api::ApiError &error) {
    const std::string event = error_text(error); // named: see write_event()
    const bool sent = co_await write_event(event);
    if (sent) {
        last_write_follows();
        ended_ = co_await write_last_chunk();
    }
}

std::string BeastReplyWriter::error_text(const api::ApiError &error) const {
    return dialect_ == api::Dialect::anthropic ? api::anthropic_error_body(error) : api::error_body(error);
}

asio::awaitable<bool> BeastReplyWriter::write_last_chunk() {
    const auto last = bhttp::make_chunk_last();
    co_return co_await write_buffers(last);
}

} // namespace helix::http

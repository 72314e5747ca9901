#include "daemon/http/poco_reply_writer.hpp"

#include "daemon/http/response_writer.hpp"

namespace helix::http {

void PocoReplyWriter::set_header(std::string_view name, std::string_view value) {
    response_.set(std::string(name), std::string(value));
}

boost::asio::awaitable<bool> PocoReplyWriter::send(int status, std::string body) {
    sent_ = true;
    send_json(response_, status, body);
    co_return true;
}

boost::asio::awaitable<bool> PocoReplyWriter::begin_stream() {
    sse_.start();
    co_return !sse_.failed();
}

boost::asio::awaitable<bool> PocoReplyWriter::write_event(std::string_view payload) { co_return sse_.data(payload); }

boost::asio::awaitable<bool> PocoReplyWriter::finish() { co_return sse_.done(); }

boost::asio::awaitable<void> PocoReplyWriter::fail(const api::ApiError &error) {
    if (!sse_.started()) {
        sent_ = true;
        send_error(response_, error);
        co_return;
    }
    sse_.data(api::error_body(error));
}

} // namespace helix::http

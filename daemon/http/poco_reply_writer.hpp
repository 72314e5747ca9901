#pragma once
// The attempt loop's reply writer over a POCO response, for the
// thread-per-connection core: each write blocks its connection's thread
// (bounded by server.write_timeout) and completes before it returns.

#include "daemon/http/sse_writer.hpp"
#include "daemon/router/reply_writer.hpp"

#include <Poco/Net/HTTPServerResponse.h>

namespace helix::http {

class PocoReplyWriter final : public router::ReplyWriter {
public:
    explicit PocoReplyWriter(Poco::Net::HTTPServerResponse &response) : response_(response), sse_(response) {}

    void set_header(std::string_view name, std::string_view value) override;
    boost::asio::awaitable<bool> send(int status, std::string body) override;
    boost::asio::awaitable<bool> begin_stream() override;
    boost::asio::awaitable<bool> write_event(std::string_view payload) override;
    boost::asio::awaitable<bool> finish() override;
    boost::asio::awaitable<void> fail(const api::ApiError &error) override;

    bool started() const override { return sent_ || sse_.started(); }
    bool gone() const override { return sse_.failed(); }

private:
    Poco::Net::HTTPServerResponse &response_;
    SseWriter sse_;
    bool sent_ = false;
};

} // namespace helix::http

#pragma once
// In front of the route handlers: at most max_in_flight chat completions are
// served at once; one more is answered 503 with Retry-After straight away,
// so a burst never queues behind slow upstream calls. It also tells the
// client socket where each request's head ends and its reply is done
// (client_socket.hpp), and tells clients how long an idle connection is kept
// (Keep-Alive: timeout=N), so that they stop reusing it before it is closed
// under them.

#include "daemon/config/config.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>

namespace helix::http {

class AdmissionFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    // `refused` counts the chat completions answered 503 (it outlives the factory).
    AdmissionFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr routes, const config::ServerSettings &settings,
                     std::atomic<std::uint64_t> &refused)
        : routes_(std::move(routes)), refused_(refused), max_in_flight_(static_cast<std::int64_t>(settings.max_in_flight)),
          max_body_bytes_(settings.max_body_bytes),
          keep_alive_("timeout=" + std::to_string(std::max<std::int64_t>(settings.keep_alive_timeout.count() / 1000, 1))) {}

    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &request) override;

    std::int64_t chat_in_flight() const { return chat_in_flight_.load(); }

private:
    Poco::Net::HTTPRequestHandlerFactory::Ptr routes_;
    std::atomic<std::uint64_t> &refused_;
    const std::int64_t max_in_flight_;
    const std::size_t max_body_bytes_;
    const std::string keep_alive_; // the Keep-Alive header's value
    std::atomic<std::int64_t> chat_in_flight_{0};
};

} // namespace helix::http

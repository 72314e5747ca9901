#pragma once
// The TLS client context of the connections to shared_state's Redis: the
// upstream connections' hardening (TLS 1.2 at least, forward-secret AEAD
// ciphers only, the chain verified), trusting ca_file instead of the
// system store when given, and presenting cert_file/key_file when Redis asks
// for a client certificate. The server's name is checked per connection
// (RedisConnection).

#include "daemon/config/config.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace helix::redis {

// Throws std::runtime_error naming the setting and its file when a file
// cannot be used (not PEM, a key that is not the certificate's).
std::shared_ptr<boost::asio::ssl::context> make_redis_tls_context(const config::SharedStateSettings &settings);

// What --check-config says about those files beyond being readable; nullopt
// when they are fine or TLS is off.
std::optional<std::string> redis_tls_problem(const config::SharedStateSettings &settings);

} // namespace helix::redis

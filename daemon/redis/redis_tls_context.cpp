#include "daemon/redis/redis_tls_context.hpp"

#include "daemon/transport/tls_client_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace helix::redis {

std::shared_ptr<boost::asio::ssl::context> make_redis_tls_context(const config::SharedStateSettings &settings) {
    auto context = transport::make_tls_client_context({true, settings.ca_file, "shared_state.redis.ca_file"});
    if (settings.cert_file.empty()) return context;
    boost::system::error_code ec;
    context->use_certificate_chain_file(settings.cert_file, ec);
    if (ec)
        throw std::runtime_error("cannot load shared_state.redis.cert_file '" + settings.cert_file + "': " + ec.message());
    context->use_private_key_file(settings.key_file, boost::asio::ssl::context::pem, ec);
    if (ec)
        throw std::runtime_error("cannot load shared_state.redis.key_file '" + settings.key_file + "': " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1)
        throw std::runtime_error("shared_state.redis.key_file '" + settings.key_file +
                                 "' is not the key of cert_file '" + settings.cert_file + "'");
    return context;
}

std::optional<std::string> redis_tls_problem(const config::SharedStateSettings &settings) {
    if (!settings.enabled() || !settings.tls) return std::nullopt;
    try {
        make_redis_tls_context(settings);
        return std::nullopt;
    } catch (const std::exception &e) {
        return std::string(e.what());
    }
}

} // namespace helix::redis

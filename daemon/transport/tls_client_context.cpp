#include "daemon/transport/tls_client_context.hpp"

#include <Poco/Logger.h>

#include <openssl/ssl.h>

#include <stdexcept>

namespace helix::transport {

std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(const TlsSettings &settings) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
    SSL_CTX *native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1 || SSL_CTX_set_ciphersuites(native, tls13_ciphersuites) != 1)
        throw std::runtime_error("the TLS library refused the cipher settings");
    if (!settings.verify) {
        context->set_verify_mode(ssl::verify_none);
        Poco::Logger::get("helixagentd")
            .warning("upstream.verify_tls is off: upstream certificates and host names are not checked; "
                     "anyone on the network path can read and change upstream traffic, credentials included");
        return context;
    }
    context->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (settings.ca_file.empty())
        context->set_default_verify_paths(ec);
    else
        context->load_verify_file(settings.ca_file, ec);
    if (ec)
        throw std::runtime_error(settings.ca_file.empty()
                                     ? "cannot load the system's CA certificates: " + ec.message()
                                     : "cannot load " + settings.ca_file_setting + " '" + settings.ca_file + "': " + ec.message());
    return context;
}

} // namespace helix::transport

#include "daemon/http/tls_server_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace helix::http {

std::shared_ptr<boost::asio::ssl::context> make_tls_server_context(const std::string &cert_file,
                                                                   const std::string &key_file) {
    namespace ssl = boost::asio::ssl;
    auto tls = std::make_shared<ssl::context>(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    if (SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION) != 1)
        throw std::runtime_error("server.tls: cannot require TLS 1.2");
    boost::system::error_code ec;
    tls->use_certificate_chain_file(cert_file, ec);
    if (ec) throw std::runtime_error("server.tls.cert_file '" + cert_file + "': not a PEM certificate chain (" + ec.message() + ")");
    tls->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("server.tls.key_file '" + key_file + "': not a PEM private key (" + ec.message() + ")");
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1)
        throw std::runtime_error("server.tls.key_file '" + key_file + "' does not match the certificate of server.tls.cert_file");
    return tls;
}

} // namespace helix::http

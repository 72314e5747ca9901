#pragma once
// The client listener's TLS (server.tls): OpenSSL through Asio, TLS 1.2 at
// least, the certificate chain and private key read at start and again on
// every reload (new connections get the new context, open ones keep theirs).

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace helix::http {

// Throws std::runtime_error naming the setting and the file when a file
// cannot be used (unreadable, not PEM, a key that does not match).
std::shared_ptr<boost::asio::ssl::context> make_tls_server_context(const std::string &cert_file,
                                                                   const std::string &key_file);

} // namespace helix::http

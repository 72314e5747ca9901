#pragma once
// The one TLS client context every upstream connection is made from: TLS 1.2
// at least, an explicit list of forward-secret AEAD ciphers (no anonymous,
// NULL, export, RC4 or CBC suites), the peer's chain verified against the
// system store or ca_file. Host names are checked per connection
// (UpstreamConnector), loopback names included.

#include "daemon/transport/tls_settings.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace helix::transport {

// The TLS 1.2 cipher list offered (TLS 1.3 suites are all AEAD).
inline constexpr const char *tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char *tls13_ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Throws std::runtime_error when ca_file cannot be read. With verify off it
// logs a warning (once per context: the daemon makes one).
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(const TlsSettings &settings);

} // namespace helix::transport

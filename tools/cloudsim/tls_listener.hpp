#pragma once
// TLS for the simulator's listeners (--tls-cert, --tls-key): an OpenSSL
// server context (TLS 1.2 or later) whose ALPN chooses h2, the only protocol
// a TLS listener speaks; a client that does not offer h2 fails the handshake
// with no_application_protocol.

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>

namespace helix::cloudsim {

class TlsListenerContext {
public:
    // Throws std::runtime_error naming the file that could not be used.
    TlsListenerContext(const std::string &cert_file, const std::string &key_file);
    ~TlsListenerContext();
    TlsListenerContext(const TlsListenerContext &) = delete;
    TlsListenerContext &operator=(const TlsListenerContext &) = delete;

    // The server side of a handshake on non-blocking socket `fd`, within
    // `timeout`; null when it failed (the client is then simply closed).
    SSL *accept(int fd, std::chrono::milliseconds timeout) const;

private:
    SSL_CTX *ctx_;
};

struct SslFree {
    void operator()(SSL *ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

} // namespace helix::cloudsim

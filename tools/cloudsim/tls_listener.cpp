#include "tools/cloudsim/tls_listener.hpp"

#include <openssl/err.h>

#include <poll.h>

#include <cstring>
#include <stdexcept>

namespace helix::cloudsim {

namespace {

int select_h2(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen,
              void *) {
    // The client's list: length-prefixed protocol names.
    for (unsigned int i = 0; i < inlen;) {
        const unsigned int len = in[i];
        if (i + 1 + len > inlen) break;
        if (len == 2 && std::memcmp(in + i + 1, "h2", 2) == 0) {
            *out = in + i + 1;
            *outlen = 2;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + len;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

std::string ssl_error() {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    return buf;
}

} // namespace

TlsListenerContext::TlsListenerContext(const std::string &cert_file, const std::string &key_file)
    : ctx_(SSL_CTX_new(TLS_server_method())) {
    if (!ctx_) throw std::runtime_error("TLS: " + ssl_error());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1) {
        SSL_CTX_free(ctx_);
        throw std::runtime_error("--tls-cert " + cert_file + ": " + ssl_error());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx_) != 1) {
        SSL_CTX_free(ctx_);
        throw std::runtime_error("--tls-key " + key_file + ": " + ssl_error());
    }
    SSL_CTX_set_alpn_select_cb(ctx_, &select_h2, nullptr);
}

TlsListenerContext::~TlsListenerContext() { SSL_CTX_free(ctx_); }

SSL *TlsListenerContext::accept(int fd, std::chrono::milliseconds timeout) const {
    SslPtr ssl(SSL_new(ctx_));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) return nullptr;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const int rc = SSL_accept(ssl.get());
        if (rc == 1) break;
        const int e = SSL_get_error(ssl.get(), rc);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return nullptr;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return nullptr;
        pollfd pfd{fd, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) < 0) return nullptr;
    }
    const unsigned char *alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(ssl.get(), &alpn, &alpn_len);
    if (alpn_len != 2 || std::memcmp(alpn, "h2", 2) != 0) return nullptr; // no ALPN at all
    return ssl.release();
}

} // namespace helix::cloudsim

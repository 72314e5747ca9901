#pragma once
// Which HTTP version a provider's calls use (plugins.<name>.http2, or
// upstream.http2 for every provider): off = HTTP/1.1 only; auto = over TLS,
// ALPN offers h2 and http/1.1 and the server chooses, plain http stays
// HTTP/1.1; on = HTTP/2 always (ALPN h2 only over TLS, h2c with prior
// knowledge over plain http).

namespace helix::transport {

enum class Http2Mode { off, automatic, on };

} // namespace helix::transport

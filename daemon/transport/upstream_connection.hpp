#pragma once
// One connection to an upstream (directly or tunnelled through a proxy):
// the TCP stream, the TLS layer over it for https, and the bytes read past
// the last response. Lives on one event loop.

#include "daemon/transport/page_cache.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace helix::transport {

class UpstreamConnection {
public:
    using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream &>;
    // Its page comes from the thread's PageCache (given back while pooled or waiting).
    using Buffer = PagedBuffer;

    // Socket reads are sized by the buffer's room: one page holds a response
    // head and a stream's tokens; the exchange grows it for a large body.
    explicit UpstreamConnection(const boost::asio::any_io_executor &executor) : tcp_(executor) { buffer_.reserve(PageCache::page_size); }
    UpstreamConnection(const UpstreamConnection &) = delete;
    UpstreamConnection &operator=(const UpstreamConnection &) = delete;

    boost::beast::tcp_stream &tcp() { return tcp_; }
    // Adds the TLS layer (before its handshake).
    TlsStream &start_tls(boost::asio::ssl::context &context) { return tls_.emplace(tcp_, context); }
    TlsStream *tls() { return tls_ ? &*tls_ : nullptr; }
    Buffer &buffer() { return buffer_; }

    // When it was last put back in the pool.
    std::chrono::steady_clock::time_point idle_since;
    // The protocol ALPN chose in the TLS handshake ("h2", "http/1.1"); empty without ALPN.
    std::string protocol;

private:
    boost::beast::tcp_stream tcp_;
    std::optional<TlsStream> tls_; // declared after tcp_: destroyed first
    Buffer buffer_;
};

} // namespace helix::transport

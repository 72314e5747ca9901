#pragma once
// Whether the process can take one more client connection without running
// out of file descriptors. A connection that is accepted but then finds no
// descriptor for its upstream call fails with a 502 after the client was let
// in; one left in the kernel's listen queue instead waits until a stream ends
// and is served then. So the acceptor stops while accepting could starve an
// upstream call, and goes on when descriptors are free again.

#include <cstddef>
#include <cstdint>

namespace helix::http {

class DescriptorHeadroom {
public:
    // per_connection: descriptors one connection may hold (its socket, its
    // upstream socket, a TLS session's socket pair); reserve: what is kept
    // free for token fetches, log reopening and the like.
    DescriptorHeadroom(std::size_t per_connection, std::size_t reserve);

    // True when one more connection could leave a call without a descriptor,
    // by either measure: what the open connections may need (counting
    // those whose upstream socket is not open yet), or the lowest free
    // descriptor (counting whatever else holds descriptors, pooled upstream
    // connections and HTTP/2 upstream connections among them). lowest_free
    // may be a recent reading: the number after the last accepted socket's
    // is one, at no cost. on_shared_upstream: how many of the open
    // connections are in a call over a shared (HTTP/2) upstream connection,
    // so hold no upstream socket of their own.
    bool tight(std::int64_t open_connections, long lowest_free, std::int64_t on_shared_upstream = 0) const;

    // The lowest descriptor number the kernel would hand out now.
    static long lowest_free_descriptor();
    static long descriptor_limit(); // RLIMIT_NOFILE's soft limit, read each time (prlimit may change it)

private:
    std::size_t per_connection_;
    std::size_t reserve_;
    long base_; // descriptors in use before any connection
};

} // namespace helix::http

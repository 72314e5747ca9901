#pragma once
// One HTTP/2 connection of a simulator listener (h2c with prior knowledge, or
// h2 after a TLS handshake that chose it by ALPN), run on the POCO pool
// thread that accepted it: nghttp2's server session reads the frames, each
// complete request stream is served on a thread of its own (the same
// handlers as HTTP/1.1, through h2_exchange.hpp; see stream_threads.hpp), and
// the connection thread sends what the handlers wrote as flow control allows.
// Streams beyond the threads allowed are refused (REFUSED_STREAM), the client
// may send them again.

#include "tools/cloudsim/h2_exchange.hpp"

#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace helix::cloudsim {

struct H2Settings {
    std::uint32_t max_concurrent_streams = 100; // SETTINGS_MAX_CONCURRENT_STREAMS
};

// Runs `work` on another thread; false when no thread is free.
using H2Spawn = std::function<bool(std::function<void()> work)>;

// Serves the connection on socket `fd` (not owned; left open) until the
// client closes it, it is idle for a minute, or the simulator stops. `ssl`
// (owned by the caller, handshake done) is null for h2c.
void run_h2_connection(int fd, SSL *ssl, const H2Settings &settings, const H2StreamTarget &target,
                       const H2Spawn &spawn);

// The 24 bytes every HTTP/2 connection with prior knowledge starts with.
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

} // namespace helix::cloudsim

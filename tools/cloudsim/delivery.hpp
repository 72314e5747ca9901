#pragma once
// Sends a reply the way a real service produces it (time to first byte, one
// token after another) and applies the faults that concern the connection
// rather than the provider's wire format: reset before headers, slow first
// byte, reset mid-stream, stall, malformed JSON. Provider modules render the
// bytes (a whole body, or stream frames); this file decides when and whether
// they are sent. The same engine serves any framing (SSE here, AWS
// event-stream later).

#include "tools/cloudsim/behaviour.hpp"
#include "tools/cloudsim/faults.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace helix::cloudsim {

class Exchange;
class Stats;

// A stream fault strikes after this many token frames have been sent (or
// after all of them, for shorter replies).
inline constexpr std::size_t kFaultAfterTokens = 2;
// A stalled response is dropped after this long if the client is still there.
inline constexpr std::chrono::seconds kStallLimit{60};
// slow-first-byte without an x-sim-ttfb-ms header waits at least this long.
inline constexpr std::chrono::milliseconds kSlowFirstByte{5000};

struct Frame {
    std::string bytes;
    bool token = false; // carries a generated token: paced by the inter-token delay
};

// Produces the frames of one streamed reply, in order.
class FrameSource {
public:
    virtual ~FrameSource() = default;
    // Fills `frame` with the next frame; false after the last one.
    virtual bool next(Frame &frame) = 0;
    // How many of the frames are token frames.
    virtual std::size_t token_frames() const = 0;
};

// Applies the faults that happen before any reply is rendered:
// reset-before-headers resets the connection (throws ConnectionAborted);
// slow-first-byte raises the time to first byte to kSlowFirstByte unless the
// request set x-sim-ttfb-ms itself.
void apply_connection_fault(Exchange &exchange, FaultKind fault, Behaviour &behaviour);

// Streams `source`: waits behaviour.ttfb, sends the headers, then the frames,
// waiting behaviour.token_delay before each token frame but the first.
// reset-mid-stream / stall / malformed-json strike after kFaultAfterTokens
// token frames: reset the connection / stop sending until the client gives up
// (at most kStallLimit, then reset) / send `malformed_frame` and go on.
void deliver_stream(Exchange &exchange, Stats &stats, const Behaviour &behaviour, FaultKind fault,
                    FrameSource &source, std::string_view content_type, std::string_view malformed_frame);

// Sends `body` (status 200) after the time the reply takes to generate:
// behaviour.ttfb + generated_tokens * behaviour.token_delay.
// reset-mid-stream / stall send the headers and half the body first;
// malformed-json sends only the first half of the body (not valid JSON) with a
// matching Content-Length.
void deliver_body(Exchange &exchange, const Behaviour &behaviour, FaultKind fault, std::uint64_t generated_tokens,
                  std::string_view content_type, std::string_view body);

} // namespace helix::cloudsim

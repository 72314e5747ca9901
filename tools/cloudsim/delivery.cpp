#include "tools/cloudsim/delivery.hpp"

#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/stats.hpp"

#include <algorithm>
#include <ostream>

namespace helix::cloudsim {

namespace {

// Waits, or ends the exchange when the client has gone (nothing to send to).
void wait_or_abort(Exchange &exchange, std::chrono::milliseconds duration) {
    if (duration.count() > 0 && !exchange.wait(duration)) exchange.abort();
}

void flush_or_abort(Exchange &exchange, std::ostream &out) {
    out.flush();
    if (!out.good()) exchange.abort();
}

[[noreturn]] void stall_then_abort(Exchange &exchange) {
    exchange.wait(kStallLimit);
    exchange.abort();
}

} // namespace

void apply_connection_fault(Exchange &exchange, FaultKind fault, Behaviour &behaviour) {
    if (fault == FaultKind::reset_before_headers) exchange.abort();
    if (fault == FaultKind::slow_first_byte && !exchange.header("x-sim-ttfb-ms")) {
        behaviour.ttfb = std::max(behaviour.ttfb, kSlowFirstByte);
    }
}

void deliver_stream(Exchange &exchange, Stats &stats, const Behaviour &behaviour, FaultKind fault,
                    FrameSource &source, std::string_view content_type, std::string_view malformed_frame) {
    ActiveStream active(stats);
    wait_or_abort(exchange, behaviour.ttfb);
    exchange.set_status(200);
    std::ostream &out = exchange.begin_stream(content_type);

    const bool stream_fault = fault == FaultKind::reset_mid_stream || fault == FaultKind::stall ||
                              fault == FaultKind::malformed_json;
    const std::size_t strike_after = std::min(kFaultAfterTokens, source.token_frames());
    bool struck = false;
    std::size_t tokens_sent = 0;
    const bool paced = behaviour.token_delay.count() > 0;
    // Tokens follow a fixed schedule from the first one (k-th token at
    // first + k * token_delay), so time spent sending does not add up.
    auto next_token_at = std::chrono::steady_clock::now();

    auto strike = [&] {
        struck = true;
        if (fault == FaultKind::malformed_json) {
            out.write(malformed_frame.data(), static_cast<std::streamsize>(malformed_frame.size()));
            flush_or_abort(exchange, out);
            return;
        }
        flush_or_abort(exchange, out);
        if (fault == FaultKind::stall) stall_then_abort(exchange);
        exchange.abort();
    };

    if (stream_fault && strike_after == 0) strike();
    Frame frame;
    while (source.next(frame)) {
        if (frame.token && paced) {
            if (tokens_sent == 0) {
                next_token_at = std::chrono::steady_clock::now();
            } else {
                flush_or_abort(exchange, out);
                next_token_at += behaviour.token_delay;
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    next_token_at - std::chrono::steady_clock::now());
                wait_or_abort(exchange, left);
            }
        }
        out.write(frame.bytes.data(), static_cast<std::streamsize>(frame.bytes.size()));
        if (!out.good()) exchange.abort();
        if (frame.token) ++tokens_sent;
        // Without pacing, the first frames still go out at once (time to first token).
        if (!paced && tokens_sent <= 1) flush_or_abort(exchange, out);
        if (stream_fault && !struck && frame.token && tokens_sent == strike_after) strike();
    }
    flush_or_abort(exchange, out);
}

void deliver_body(Exchange &exchange, const Behaviour &behaviour, FaultKind fault, std::uint64_t generated_tokens,
                  std::string_view content_type, std::string_view body) {
    const auto generation = behaviour.token_delay * static_cast<std::int64_t>(std::min<std::uint64_t>(generated_tokens, 1'000'000));
    wait_or_abort(exchange, behaviour.ttfb + generation);
    if (fault == FaultKind::malformed_json) {
        exchange.send(200, content_type, body.substr(0, body.size() / 2));
        return;
    }
    if (fault == FaultKind::reset_mid_stream || fault == FaultKind::stall) {
        exchange.set_status(200);
        std::ostream &out = exchange.begin_body(content_type, body.size());
        const auto half = body.substr(0, body.size() / 2);
        out.write(half.data(), static_cast<std::streamsize>(half.size()));
        flush_or_abort(exchange, out);
        if (fault == FaultKind::stall) stall_then_abort(exchange);
        exchange.abort();
    }
    exchange.send(200, content_type, body);
}

} // namespace helix::cloudsim
